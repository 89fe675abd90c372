"""The 0.9 compiler API editor tooling imports (parser, exceptions, jsx_parser, writers).

The expected values are what pyxle-framework 0.9.4's own modules returned for the same input,
except where a comment says this Pyxle differs (and why).
"""

from __future__ import annotations

import re

import pytest

from pyxle.compiler.exceptions import CompilationError
from pyxle.compiler.jsx_parser import JSXComponent, parse_jsx_components
from pyxle.compiler.parser import ActionDetails, LoaderDetails, PyxDiagnostic, PyxParser
from pyxle.compiler.writers import ensure_action_import, ensure_server_import

HEAD_PAGE = '''HEAD = [
    "<title>Hi</title>",
    '<meta name="description" content="x">',
]


@server
async def load(request, extra=1, *args, key, **kw):
    return {"a": 1}


@action(name="go_on")
async def go(request):
    return {}


@action
def sync_one(req):
    return {}


import { Head, Image, Script } from 'pyxle/client'

export default function P({ data }) {
  return (
    <>
      <Head><title>{data.a}</title><meta name="x" content="y" /></Head>
      <Image src="/a.png" alt="An A" width={100} height="50" priority lazy={true} />
      <Script src="/b.js" strategy={data.s} onLoad={() => console.log("a > b")} {...rest} />
      <Script />
    </>
  )
}
'''


def parse(text: str):  # type: ignore[no-untyped-def]
    return PyxParser().parse_text(text, tolerant=True)


def test_parser_gives_each_half_with_the_file_line_of_every_line() -> None:
    result = parse(HEAD_PAGE)
    lines = HEAD_PAGE.splitlines()
    assert result.python_line_numbers == tuple(range(1, 22))
    assert result.jsx_line_numbers == tuple(range(22, len(lines) + 1))  # 0.9.4 added one past the end
    assert result.python_code.splitlines() == lines[:21]
    assert result.jsx_code.splitlines() == lines[21:]


def test_parser_reports_the_loader_and_async_actions_with_their_parameters() -> None:
    result = parse(HEAD_PAGE)
    assert result.loader == LoaderDetails(name="load", line_number=8, is_async=True, parameters=("request", "extra"))
    assert result.actions == (ActionDetails(name="go", line_number=13, is_async=True, parameters=("request",)),)
    assert [(d.section, d.severity, d.line) for d in result.diagnostics] == [("python", "error", 18)]
    assert "sync_one() must be async def" in result.diagnostics[0].message


def test_parser_reads_head_script_and_image_declarations() -> None:
    result = parse(HEAD_PAGE)
    assert result.head_elements == ("<title>Hi</title>", '<meta name="description" content="x">')
    assert result.head_is_dynamic is False
    assert result.head_jsx_blocks == ('<title>{data.a}</title><meta name="x" content="y" />',)
    assert result.image_declarations == (
        {"src": "/a.png", "alt": "An A", "width": 100, "height": "50", "priority": True, "lazy": True},)
    assert result.script_declarations == (  # a <Script /> with no props is left out, as in 0.9.4
        {"src": "/b.js", "strategy": "{data.s}", "onLoad": '{() => console.log("a > b")}', "__spread__": True},)


@pytest.mark.parametrize(("head", "elements", "dynamic"), [
    ('HEAD = "<title>One</title>"', ("<title>One</title>",), False),
    ('HEAD = ("<title>a</title>",)', ("<title>a</title>",), False),
    ('HEAD = ["<title>a</title>", make()]', (), True),
    ('x = 1\nHEAD = f"<title>{x}</title>"', (), True),
    ("def HEAD(data):\n    return []", (), True),
    ('HEAD: list = ["<title>a</title>"]', ("<title>a</title>",), False),  # 0.9.4 ignored the annotated form
])
def test_parser_tells_static_head_from_dynamic(head: str, elements: tuple[str, ...], dynamic: bool) -> None:
    result = parse(head + "\n\nexport default function P() { return <div/> }\n")
    assert (result.head_elements, result.head_is_dynamic) == (elements, dynamic)


def test_parser_reports_a_non_async_loader_and_a_duplicate_action_as_diagnostics() -> None:
    page = ("@server\ndef load(req):\n    return {}\n\n@action\nasync def save(request):\n    return {}\n\n"
            "@action\nasync def save(request):\n    return {}\n\nexport default function P() { return <div/> }\n")
    result = parse(page)
    assert result.loader is None
    assert [a.line_number for a in result.actions] == [6]
    assert [(d.section, d.severity, d.line) for d in result.diagnostics] == [("python", "error", 2), ("python", "error", 10)]
    with pytest.raises(CompilationError) as raised:
        PyxParser().parse_text(page)
    assert raised.value.line_number == 2 and "load() must be async def" in raised.value.message


def test_parser_reports_broken_python_at_its_line_and_column_and_never_raises_when_tolerant() -> None:
    page = "@server\nasync def load(request):\n    return {\"a\": 1\n\nexport default function P({ data }) {\n  return <div>{data.a}</div>\n}\n"
    result = parse(page)
    assert result.python_line_numbers == (1, 2, 3, 4)  # 0.9.4 took the broken Python for JSX
    assert [(d.section, d.line, d.column) for d in result.diagnostics] == [("python", 3, 12)]
    assert "'{' was never closed" in result.diagnostics[0].message
    assert result.loader is None


def test_parser_leaves_jsx_syntax_to_the_editors_jsx_checker_unless_asked() -> None:
    page = "export default function P() {\n  return <div className=\"x>hi</div>\n}\n"
    assert parse(page).diagnostics == ()
    reported = PyxParser().parse_text(page, tolerant=True, report_jsx_syntax=True).diagnostics
    assert [(d.section, d.line) for d in reported] == [("jsx", 2)]


def test_parser_puts_fences_with_python_and_handles_empty_files() -> None:
    result = parse("# --- server ---\n@server\nasync def load(request):\n    return {}\n\n# --- JSX ---\n"
                   "export default function P() { return <div/> }\n")
    assert result.python_line_numbers == (1, 2, 3, 4, 5, 6)
    assert result.jsx_line_numbers == (7,)
    assert result.loader is not None and result.loader.line_number == 3
    empty = parse("")
    assert (empty.python_code, empty.jsx_code, empty.diagnostics, empty.loader) == ("", "", (), None)


def test_diagnostics_are_built_by_keyword_and_read_as_attributes() -> None:
    diagnostic = PyxDiagnostic(section="python", severity="error", message="Cannot read file", line=None)
    assert (diagnostic.section, diagnostic.line, diagnostic.column) == ("python", None, None)


def test_compilation_error_carries_the_message_and_line() -> None:
    error = CompilationError("boom", 3)
    assert (error.message, error.line_number, str(error)) == ("boom", 3, "Line 3: boom")


def test_jsx_parser_reads_props_as_0_9_did() -> None:
    code = '''export default function P() {
  return <div>
    <Image src={"dq"} alt={'sq'} width={1e3} height={0x10} a={null} c={`plain`} d={-1} f={[1,2]} g={{a: 1}} h='it"s' i="a &amp; b" j={ 7 } k={
      data.x
    } xlink:href="n" fill />
  </div>
}
'''
    result = parse_jsx_components(code, target_components={"Script", "Image"})
    assert result.error is None
    assert result.components == (JSXComponent(
        name="Image", line=3, column=4, self_closing=True, children=None,
        props={"src": "dq", "alt": "sq", "width": 1000, "height": 16, "a": "{null}", "c": "{`plain`}", "d": "{-1}",
               "f": "{[1,2]}", "g": "{{a: 1}}", "h": 'it"s', "i": "a & b", "j": 7, "k": "{data.x}",
               "xlink:href": "n", "fill": True}),)  # 0.9.4 named xlink:href "[object Object]"


def test_jsx_parser_finds_components_in_expressions_and_children_in_source_order() -> None:
    code = '''const x = cond && <Image src="/c.png" />
export default function P() {
  return (
    <Script src="/s.js">{`console.log(1)`}</Script>
  )
}
function Q() { return <Images src="no" /> }
function S() { return <Script>inline <b>bold</b></Script> }
'''
    found = parse_jsx_components(code, target_components={"Script", "Image"}).components
    assert [(c.name, c.line, c.column, c.children) for c in found] == [
        ("Image", 1, 18, None), ("Script", 4, 4, "{`console.log(1)`}"), ("Script", 8, 22, "inline <b>bold</b>")]
    every = parse_jsx_components(code).components
    assert [c.name for c in every] == ["Image", "Script", "Images", "Script", "b"]


@pytest.mark.parametrize("code", [
    "export default function P({ data }) {\n  return <div>{data.a}</span>\n}\n",
    'export default function P({ data }) {\n  return <div className="x>{data.a}</div>\n}\n',
    "const f = <T,>(x) => x\n",
    "export default function P() {\n  return <div>\n}\n",
])
def test_jsx_parser_returns_an_error_for_jsx_it_cannot_follow(code: str) -> None:
    result = parse_jsx_components(code, target_components={"Image"})
    assert result.components == ()
    assert result.error is not None and re.search(r"\(\d+:\d+\)$", result.error), result.error


def test_jsx_parser_names_the_mismatched_closing_tag() -> None:
    result = parse_jsx_components("export default function P() {\n  return <div>x</span>\n}\n")
    assert result.error == "Expected corresponding JSX closing tag for <div> (2:15)"
    assert parse_jsx_components("").components == () and parse_jsx_components("").error is None


@pytest.mark.parametrize(("source", "action", "server", "position"), [
    ("", "", "", None),
    ("x = 1\n", "from pyxle.runtime import action\nx = 1\n", "from pyxle.runtime import server\nx = 1\n", 0),
    ("from pyxle.runtime import action, server\nx=1\n", None, None, None),
    ("from pyxle.runtime import server as s\n", "from pyxle.runtime import action\nfrom pyxle.runtime import server as s\n",
     "from pyxle.runtime import server\nfrom pyxle.runtime import server as s\n", 0),
    ('"""doc"""\nfrom __future__ import annotations\nimport os\n',
     '"""doc"""\nfrom __future__ import annotations\nfrom pyxle.runtime import action\nimport os\n',
     '"""doc"""\nfrom __future__ import annotations\nfrom pyxle.runtime import server\nimport os\n', 2),
    ("from pyxle.runtime import (\n    action,\n)\n", None,
     "from pyxle.runtime import server\nfrom pyxle.runtime import (\n    action,\n)\n", 0),
    ("def f():\n    from pyxle.runtime import server\n", "from pyxle.runtime import action\ndef f():\n    from pyxle.runtime import server\n",
     "from pyxle.runtime import server\ndef f():\n    from pyxle.runtime import server\n", 0),
    ("def f(:\n", "from pyxle.runtime import action\ndef f(:\n", "from pyxle.runtime import server\ndef f(:\n", 0),
    ("x = 1", "from pyxle.runtime import action\nx = 1", "from pyxle.runtime import server\nx = 1", 0),
])
def test_writers_add_the_runtime_import_only_when_missing(source: str, action: str | None, server: str | None,
                                                         position: int | None) -> None:
    assert ensure_action_import(source) == (source if action is None else action)
    expected = source if server is None else server
    assert ensure_server_import(source) == expected
    assert ensure_server_import(source, return_insert_position=True) == (expected, position)


def test_parser_never_raises_on_a_half_typed_file_and_points_at_the_line() -> None:
    """An editor parses on every keystroke: ``x = `` at the end of the file is a syntax error, not a crash."""
    result = parse("import os\n\n@server\nasync def load(request):\n    x = ")
    assert [(d.section, d.line) for d in result.diagnostics] == [("python", 5)]
    assert result.python_line_numbers == (1, 2, 3, 4, 5)


def test_parser_reports_the_cache_and_standalone_directives_as_0_9_did() -> None:
    result = PyxParser().parse_text('STANDALONE = True\nCACHE = {"revalidate": 5}\n\nexport default function P() { return <p/> }\n')
    assert result.cache_revalidate == 5.0 and result.standalone is True
    with pytest.raises(CompilationError, match="STANDALONE must be True or False"):
        PyxParser().parse_text("STANDALONE = 1\n\nexport default function P() { return <p/> }\n")
