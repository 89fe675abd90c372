"""``def_line``: the line errors about a user's function or class point at (its ``def``, below
its decorators), read for every loader and action each time ``pyxle dev`` reloads."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

from pyxle._loading import def_line

SOURCE = '''\
import functools


def deco(fn):
    @functools.wraps(fn)
    async def wrapper(*args):
        return await fn(*args)
    return wrapper


def tagged(*names):
    return lambda fn: fn


@deco
@tagged(
    "a",
    "b",
)
async def save(request):
    return {}


async def plain(request):
    return {}


class Endpoint:
    """A class: its ``class`` line."""

    def get(self):
        return 1


one_liner = lambda request: {}  # noqa: E731
'''


def _module(tmp_path: Path):  # type: ignore[no-untyped-def]
    file = tmp_path / "user_module.py"
    file.write_text(SOURCE)
    spec = importlib.util.spec_from_file_location("user_module_for_def_line", file)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_a_decorated_function_is_found_at_its_def_below_every_decorator(tmp_path: Path) -> None:
    module = _module(tmp_path)
    assert def_line(module.save) == 20  # through functools.wraps, past a decorator of four lines


def test_a_plain_function_a_class_and_a_method_at_their_own_lines(tmp_path: Path) -> None:
    module = _module(tmp_path)
    assert def_line(module.plain) == 24
    assert def_line(module.Endpoint) == 28
    assert def_line(module.Endpoint.get) == 31


def test_a_lambda_is_found_at_its_line(tmp_path: Path) -> None:
    assert def_line(_module(tmp_path).one_liner) == 35


def test_what_has_no_source_file_has_no_line() -> None:
    assert def_line(len) is None
    assert def_line(functools.partial(print)) is None
    namespace: dict[str, object] = {}
    exec("def made(): pass", namespace)
    assert def_line(namespace["made"]) is None
