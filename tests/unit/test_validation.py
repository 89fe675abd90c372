"""The pure parts of pyxle.validation: where parameters come from, field paths, the depth limit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from typing import Annotated

import pytest
from pydantic import BaseModel

from pyxle.validation import Header, InvalidInput, Query, describe, takes_arguments
from pyxle.validation._errors import check_depth, field_errors
from tests.conftest import server_env


class Model(BaseModel):
    a: int


def test_parameters_are_read_from_path_query_header_or_body_by_name_type_and_marker() -> None:
    async def handler(request, id: int, q: str, tags: list[str], token: Annotated[str, Header()],
                      other: Annotated[int, Query(alias="o")], body: Model) -> Model: ...

    signature = describe(handler, ("id",))
    sources = {p.name: (p.source, p.alias, p.many) for p in signature.params}
    assert sources == {"id": ("path", "id", False), "q": ("query", "q", False), "tags": ("query", "tags", True),
                       "token": ("header", "token", False), "other": ("query", "o", False),
                       "body": ("body", "body", False)}
    assert signature.returns is Model


def test_only_handlers_taking_more_than_the_request_are_typed() -> None:
    async def plain(request): ...
    async def typed(request, id: int): ...
    assert not takes_arguments(plain) and takes_arguments(typed)


def test_field_errors_join_locations_with_dots_and_never_carry_the_input() -> None:
    errors = [{"loc": ("items", 0, "qty"), "msg": "too small", "input": "secret"}, {"loc": (), "msg": "bad json"}]
    assert field_errors(errors) == {"items.0.qty": ["too small"], "__root__": ["bad json"]}


def test_the_depth_check_counts_brackets_outside_strings_only() -> None:
    check_depth(b'{"a": "' + b"[" * 100 + b'"}', limit=32)  # brackets inside a string are text
    check_depth(b"[" * 32 + b"]" * 32, limit=32)
    with pytest.raises(InvalidInput):
        check_depth(b"[" * 33 + b"]" * 33, limit=32)


def test_the_depth_check_reads_escapes_and_unterminated_strings_in_one_pass(monkeypatch) -> None:
    check_depth(b'["\\"[[[", "\\\\"]' + b"[]" * 40, limit=32)  # an escaped quote, then an escaped backslash
    with pytest.raises(InvalidInput):
        check_depth(b'["\\\\", ' + b"[" * 33, limit=32)  # the string ends at its unescaped quote
    started = time.perf_counter()
    check_depth(b"[]" * 33 + b'"' + b'\\"' * 16_000, limit=32)  # 32 KB: seconds before (quadratic)
    assert time.perf_counter() - started < 0.5
    monkeypatch.setattr("pyxle.validation._errors._CHUNK", 3)  # strings and nesting across chunks
    check_depth(b'["[[[[", "]]]]", ' + b"[" * 31 + b"]" * 31 + b"]", limit=32)
    with pytest.raises(InvalidInput):
        check_depth(b'["[[[[", "]]]]", ' + b"[" * 32 + b"]" * 32 + b"]", limit=32)


def test_an_app_without_typed_handlers_never_imports_pydantic(tmp_path) -> None:
    (tmp_path / "pages" / "api").mkdir(parents=True)
    (tmp_path / "pages" / "api" / "hello.py").write_text("async def get(request): return {'hi': 1}\n")
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from pyxle.app import create_app
        from pyxle.config import load_config
        root = Path({str(tmp_path)!r})
        create_app(load_config(root, mode="production"), mode="production")
        assert "pydantic" not in sys.modules, "pydantic was imported"
        """)
    run = subprocess.run([sys.executable, "-c", code], env=server_env(), capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr


def test_what_reaches_the_json_of_a_return_annotation_is_read_once_for_server_openapi_and_types() -> None:
    from starlette.responses import RedirectResponse, Response

    from pyxle.validation import REQUIRED, answer_type

    class Other(BaseModel):
        b: int

    marked, optional = Annotated[Model, "doc"], Model | None
    assert answer_type(Model) is Model and answer_type(marked) is marked and answer_type(optional) is optional
    assert answer_type(tuple[Model, int]) is Model
    assert answer_type(Model | Response) is Model
    assert answer_type(tuple[Model, int] | RedirectResponse) is Model
    assert answer_type(tuple[Model, int] | Other) == Model | Other
    assert answer_type(Model | Other | Response) == Model | Other
    for only_a_response in (Response, RedirectResponse, RedirectResponse | Response, tuple[Response, int]):
        assert answer_type(only_a_response) is REQUIRED
