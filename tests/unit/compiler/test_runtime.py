"""Compiled server code at run time: line numbers, runtime names without imports, the cache."""

from __future__ import annotations

import traceback
from types import ModuleType

import pytest

from pyxle.compiler import compile_source
from pyxle.runtime import INVALIDATE_KEY, ActionError, LoaderError, invalidate_routes, runtime_globals

SOURCE = """import React from 'react'

@server
async def load(request):
    value = request["x"]
    raise LoaderError("nope", status_code=404, data={"value": value})

@action
async def save(request):
    raise ActionError("bad input")

export default function P() { return null }
"""


def run(source: str, path: str = "/project/pages/x.pyxl") -> ModuleType:
    module = ModuleType("page")
    vars(module).update(runtime_globals())
    exec(compile(compile_source(source, path=path).server_code, path, "exec"), vars(module))
    return module


def test_runtime_names_need_no_import_and_tracebacks_use_pyxl_lines() -> None:
    import asyncio

    module = run(SOURCE)
    assert module.load.__pyxle_loader__ and module.save.__pyxle_action__
    with pytest.raises(LoaderError) as info:
        asyncio.run(module.load({"x": 7}))
    assert (info.value.status_code, info.value.data) == (404, {"value": 7})
    frames = traceback.extract_tb(info.value.__traceback__)
    assert (frames[-1].filename, frames[-1].lineno) == ("/project/pages/x.pyxl", 6)
    with pytest.raises(ActionError) as action_info:
        asyncio.run(module.save({}))
    assert action_info.value.status_code == 400


def test_a_users_own_definition_wins() -> None:
    module = run("def server(fn):\n    fn.mine = True\n    return fn\n\n@server\nasync def load(request):\n"
                 "    return {}\n\nexport default function P() { return null }\n")
    assert module.load.mine is True and not hasattr(module.load, "__pyxle_loader__")


def test_explicit_import_from_runtime_works() -> None:
    module = run("from pyxle.runtime import server, action\n\n@server\nasync def load(request):\n    return {}\n\n"
                 "export default function P() { return null }\n")
    assert module.load.__pyxle_loader__


def test_invalidate_routes_marks_the_result() -> None:
    marked = invalidate_routes({"a": 1}, "/x", "/y")
    assert marked == {"a": 1, INVALIDATE_KEY: ["/x", "/y"]}
    assert invalidate_routes(marked, "/z")[INVALIDATE_KEY] == ["/x", "/y", "/z"]


def test_results_are_cached_by_content() -> None:
    first = compile_source(SOURCE, path="a.pyxl")
    assert compile_source(SOURCE, path="a.pyxl") is first
    changed = compile_source(SOURCE.replace("nope", "nope!"), path="a.pyxl")
    assert changed is not first and changed.content_hash != first.content_hash
