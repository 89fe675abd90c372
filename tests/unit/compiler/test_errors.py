"""Compile-time rules: each error names file:line:col, quotes the line, points at it, and hints."""

from __future__ import annotations

import pytest

from pyxle.compiler import CompileError, compile_source

PAGE_END = "\nexport default function P() { return null }\n"


def errors(source: str, **kw) -> list:
    with pytest.raises(CompileError) as info:
        compile_source(source, path="pages/x.pyxl", **kw)
    for error in info.value.errors:
        text = error.format()
        assert text.startswith(f"pages/x.pyxl:{error.line}:{error.column}: ")
        assert error.hint and "hint: " in text
        if error.source_line:
            assert f"\n    {error.source_line}\n    {' ' * (error.column - 1)}^" in text
    return info.value.errors


@pytest.mark.parametrize("source,line,column,message", [
    ("@server\nasync def a(request):\n    return {}\n\n@server\nasync def b(request):\n    return {}\n" + PAGE_END,
     6, 1, "a page has at most one @server loader; b() is a second one (the first is a() at line 2)"),
    ("@server\ndef load(request):\n    return {}\n" + PAGE_END, 2, 1, "@server loader load() must be async def"),
    ("@action\ndef save(request):\n    return {}\n" + PAGE_END, 2, 1, "@action save() must be async def"),
    ("@action\nasync def save(request):\n    return {}\n\n@action(name='save')\nasync def other(request):\n    return {}\n"
     + PAGE_END, 6, 1, "duplicate action name 'save' (first defined at line 2)"),
    ("@action(name='not valid')\nasync def save(request):\n    return {}\n" + PAGE_END, 1, 2,
     "action name 'not valid' is not a valid identifier"),
    ("@server\nasync def load(request):\n    return {}\n", 3, 1, "no default export"),
    ("@server\nasync def load(request)\n    return {}\n" + PAGE_END, 2, 24, "Python syntax error: expected ':'"),
    ("import os\n\ndef helper(:\n    pass\n" + PAGE_END, 3, 12, "Python syntax error"),
    ("export default function P() {\n  return <p title=\"unterminated>x</p>\n}\n", 2, 19, "JSX syntax error"),
])
def test_rule(source: str, line: int, column: int, message: str) -> None:
    [error] = errors(source)
    assert (error.line, error.column) == (line, column)
    assert message in error.message


def test_default_export_can_be_waived() -> None:
    result = compile_source("@server\nasync def load(request):\n    return {}\n", require_default_export=False)
    assert result.metadata.loader == "load" and not result.metadata.has_default_export


def test_every_error_of_a_file_is_reported_in_line_order() -> None:
    source = ("@server\ndef a(request):\n    return {}\n\n@action\ndef b(request):\n    return {}\n\n"
              "@action\nasync def b(request):\n    return {}\n")
    found = errors(source)
    assert [(e.line, e.message.split(" (")[0]) for e in found] == [
        (2, "@server loader a() must be async def"),
        (6, "@action b() must be async def"),
        (10, "duplicate action name 'b'"),
        (11, "no default export: a page's JSX must `export default` its component"),
    ]


def test_python_error_in_a_python_section_is_not_reported_as_jsx() -> None:
    [error] = errors("@server\nasync def load(request):\n    return {'a': }\n" + PAGE_END)
    assert error.message.startswith("Python syntax error") and error.line == 3
