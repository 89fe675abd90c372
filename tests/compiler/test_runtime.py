"""Server code runs with ``runtime_globals()`` seeded; tracebacks point at .pyxl lines; caching."""

from __future__ import annotations

import asyncio
import traceback

import pytest

from pyxle import runtime
from pyxle.compiler import compile_source
from pyxle.runtime import INVALIDATE_KEY, invalidate_routes, runtime_globals

PATH = "pages/boom.pyxl"

BOOM = '''\
import React from 'react';

export default function Page({ data }) {
  return <p>{data.x}</p>;
}

@server
async def load(request):
    x = 1
    raise RuntimeError("boom")
'''
RAISE_LINE = 10  # line of `raise RuntimeError("boom")` in BOOM (1-based)


def _exec(server_code: str, path: str = PATH) -> dict:
    ns = dict(runtime_globals())
    ns["__name__"] = "pyxle_page_test"
    exec(compile(server_code, path, "exec"), ns)
    return ns


def test_traceback_line_matches_pyxl_line():
    assert BOOM.splitlines()[RAISE_LINE - 1].strip() == 'raise RuntimeError("boom")'
    result = compile_source(BOOM, path=PATH)
    ns = _exec(result.server_code)
    assert result.metadata.loader == "load"
    assert result.metadata.loader_line == 8
    with pytest.raises(RuntimeError) as info:
        asyncio.run(ns["load"](None))
    frames = [f for f in traceback.extract_tb(info.value.__traceback__) if f.filename == PATH]
    assert frames, "no frame from the page file"
    assert frames[-1].lineno == RAISE_LINE
    assert frames[-1].name == "load"


def test_loader_marked_by_seeded_server():
    result = compile_source(BOOM, path=PATH)
    ns = _exec(result.server_code)
    assert getattr(ns["load"], "__pyxle_loader__", False) is True
    assert ns["server"] is runtime.server


def test_user_definition_of_server_wins():
    source = '''\
calls = []

def server(fn):
    calls.append(fn.__name__)
    fn.custom = True
    return fn

@server
async def load(request):
    return {}

export default function Page() {
  return <p/>;
}
'''
    result = compile_source(source, path="pages/own.pyxl")
    ns = _exec(result.server_code, "pages/own.pyxl")
    assert ns["server"] is not runtime.server
    assert ns["calls"] == ["load"]
    assert ns["load"].custom is True
    assert not hasattr(ns["load"], "__pyxle_loader__")


def test_explicit_import_from_runtime_works():
    source = '''\
from pyxle.runtime import server, action, LoaderError, ActionError, invalidate_routes

@server
async def load(request):
    raise LoaderError("missing", status_code=404)

@action(name="save")
async def save_it(request):
    return invalidate_routes({"ok": 1}, "/a")

export default function Page() {
  return <p/>;
}
'''
    result = compile_source(source, path="pages/imp.pyxl")
    assert result.metadata.loader == "load"
    assert result.metadata.actions == ("save",)
    ns = {"__name__": "pyxle_page_imp"}  # nothing seeded: the import must be enough
    exec(compile(result.server_code, "pages/imp.pyxl", "exec"), ns)
    assert ns["server"] is runtime.server
    assert ns["load"].__pyxle_loader__ is True
    assert ns["save_it"].__pyxle_action_name__ == "save"
    with pytest.raises(runtime.LoaderError) as info:
        asyncio.run(ns["load"](None))
    assert info.value.status_code == 404
    assert asyncio.run(ns["save_it"](None))[INVALIDATE_KEY] == ["/a"]


def test_invalidate_routes_carries_urls():
    marked = invalidate_routes({"a": 1}, "/x", "/y")
    assert marked["a"] == 1
    assert marked[INVALIDATE_KEY] == ["/x", "/y"]
    assert INVALIDATE_KEY == "__pyxle_invalidate__"
    again = invalidate_routes(marked, "/z")
    assert again[INVALIDATE_KEY] == ["/x", "/y", "/z"]
    assert invalidate_routes(None, "/q") == {INVALIDATE_KEY: ["/q"]}


def test_runtime_globals_names():
    g = runtime_globals()
    assert set(g) >= {"server", "action", "LoaderError", "ActionError", "invalidate_routes"}
    assert g["action"] is runtime.action


# --- cache -------------------------------------------------------------------------------------

CACHED = '''\
@server
async def load(request):
    return {"v": 1}

export default function Page({ data }) {
  return <p>{data.v}</p>;
}
'''


def test_same_source_returns_identical_object():
    first = compile_source(CACHED, path="pages/c.pyxl")
    second = compile_source(CACHED, path="pages/c.pyxl")
    assert first is second


def test_one_character_change_gives_new_result():
    first = compile_source(CACHED, path="pages/c.pyxl")
    changed = CACHED.replace('"v": 1', '"v": 2')
    assert len(changed) == len(CACHED)
    second = compile_source(changed, path="pages/c.pyxl")
    assert second is not first
    assert second.content_hash != first.content_hash
    assert '"v": 2' in second.server_code
    assert compile_source(CACHED, path="pages/c.pyxl") is first
