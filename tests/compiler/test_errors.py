"""Compile errors: path, line, column, message, hint, and ``format()`` with a caret."""

from __future__ import annotations

import pytest

from pyxle.compiler import CompileError, Diagnostic, compile_source
from tests.docs._blocks import cites

PATH = "pages/err.pyxl"

PAGE_END = '''
export default function Page() {
  return <p>page</p>;
}
'''


def _errors(source: str, **kwargs) -> list[Diagnostic]:
    with pytest.raises(CompileError) as info:
        compile_source(source, path=PATH, **kwargs)
    err = info.value
    assert err.errors, "CompileError without diagnostics"
    assert [(d.line, d.column) for d in err.errors] == sorted((d.line, d.column) for d in err.errors)
    return err.errors


def _check(diag: Diagnostic, source: str, line: int, column: int, fragment: str) -> None:
    assert diag.path == PATH
    assert (diag.line, diag.column) == (line, column), diag.format()
    assert fragment in diag.message, diag.message
    assert diag.hint.strip(), "hint must not be empty"
    assert diag.source_line == source.splitlines()[line - 1]
    text = diag.format()
    assert f"{PATH}:{line}:{column}:" in text
    lines = text.splitlines()
    caret = [k for k, ln in enumerate(lines) if ln.strip() == "^"]
    assert caret, text
    k = caret[0]
    # The caret sits under the reported column of the echoed source line.
    assert lines[k - 1].strip() == diag.source_line.strip()
    indent = len(lines[k - 1]) - len(lines[k - 1].lstrip(" ")) - (len(diag.source_line) - len(diag.source_line.lstrip(" ")))
    assert lines[k].index("^") - indent == column - 1


def _one(source: str, line: int, column: int, fragment: str, **kwargs) -> Diagnostic:
    errors = _errors(source, **kwargs)
    assert len(errors) == 1, [e.format() for e in errors]
    _check(errors[0], source, line, column, fragment)
    return errors[0]


def test_two_server_loaders():
    source = '''\
@server
async def load(request):
    return {}

@server
async def load_more(request):
    return {}
''' + PAGE_END
    diag = _one(source, 6, 1, "at most one @server loader")
    assert "load_more" in diag.message and "line 2" in diag.message


def test_sync_loader():
    source = '''\
import os

@server
def load(request):
    return {}
''' + PAGE_END
    diag = _one(source, 4, 1, "must be async def")
    assert "load()" in diag.message and "async def" in diag.hint


def test_sync_action():
    source = '''\
@action
def save(request):
    return {}
''' + PAGE_END
    diag = _one(source, 2, 1, "must be async def")
    assert "@action" in diag.message and "save()" in diag.message


def test_duplicate_action_names():
    source = '''\
@action
async def save(request):
    return {}

@action(name="save")
async def save_again(request):
    return {}
''' + PAGE_END
    diag = _one(source, 6, 1, "duplicate action name 'save'")
    assert "line 2" in diag.message


def test_invalid_action_name():
    source = '''\
@action(name="not valid")
async def save(request):
    return {}
''' + PAGE_END
    # The diagnostic points at the decorator expression, just after the "@".
    _one(source, 1, 2, "'not valid' is not a valid identifier")


def test_missing_default_export():
    source = '''\
@server
async def load(request):
    return {}

function Helper() {
  return <p>not exported</p>;
}
'''
    error = _one(source, 5, 1, "no default export")  # at the component, not at the file's last line
    assert error.hint == "add `export default Helper` after it"
    result = compile_source(source, path=PATH, require_default_export=False)
    assert result.metadata.has_default_export is False
    assert result.metadata.loader == "load"


def test_python_syntax_error_in_python_section():
    source = '''\
import os

@server
async def load(request)
    return {}
''' + PAGE_END
    diag = _one(source, 4, 24, "Python syntax error")
    assert "expected ':'" in diag.message


def test_python_syntax_error_in_plain_def():
    source = '''\
def helper(x)
    return x
''' + PAGE_END
    _one(source, 1, 14, "Python syntax error")


def test_unterminated_jsx_string():
    source = '''\
@server
async def load(request):
    return {}

const greeting = 'hello;

export default function Page() {
  return <p>{greeting}</p>;
}
'''
    diag = _one(source, 5, 18, "JSX syntax error")
    assert "unterminated string" in diag.message


def test_unterminated_jsx_tag():
    source = '''\
@server
async def load(request):
    return {}

export default function Page() {
  return <div className="a"
}
'''
    errors = _errors(source)
    assert errors, "expected a JSX error"
    diag = errors[0]
    _check(diag, source, 6, 10, "JSX syntax error")
    assert "unterminated JSX" in diag.message


def test_several_errors_all_reported():
    source = '''\
@server
def load(request):
    return {}

@action
async def save(request):
    return {}

@action
async def save(request):
    return {}

@action(name="bad name")
def other(request):
    return {}

function Page() {
  return <p/>;
}
'''
    errors = _errors(source)
    got = [(d.line, d.column, d.message) for d in errors]
    assert len(errors) == 5, got
    _check(errors[0], source, 2, 1, "must be async def")
    _check(errors[1], source, 10, 1, "duplicate action name 'save'")
    _check(errors[2], source, 13, 2, "'bad name' is not a valid identifier")
    _check(errors[3], source, 14, 1, "must be async def")
    _check(errors[4], source, 17, 1, "no default export")
    with pytest.raises(CompileError) as info:
        compile_source(source, path=PATH)
    text = info.value.format()
    for d in errors:
        assert f"{PATH}:{d.line}:{d.column}:" in text
    assert info.value.line == 2 and info.value.path == PATH


def test_python_and_jsx_syntax_errors_both_reported():
    source = '''\
def helper(x)
    return x

const s = "open;

export default function Page() {
  return <p/>;
}
'''
    errors = _errors(source)
    assert len(errors) == 2, [e.format() for e in errors]
    _check(errors[0], source, 1, 14, "Python syntax error")
    _check(errors[1], source, 4, 11, "JSX syntax error")


def test_unclosed_python_bracket():
    source = '''\
@server
async def load(request):
    return {
        "a": 1,

export default () => <p/>;
'''
    diag = _one(source, 3, 12, "Python syntax error")
    assert "never closed" in diag.message


def test_unbalanced_jsx_brace():
    source = '''\
@server
async def load(request):
    return {}

export default function Page() {
  return <p/>;
}
}
'''
    diag = _one(source, 8, 1, "JSX syntax error")
    assert "unbalanced" in diag.message


# A JSX mistake on line 9 of this page that derails the compiler's scan is reported where esbuild
# reports it, in esbuild's words (esbuild's 0-based column 10 is column 11 here), not as what the
# scan runs into later: "unterminated JSX element" at <section>, a "regular expression" on line 10.
JSX_PAGE = """\
@server
async def load(request):
    return {}

export default function Jx() {
  return (
    <section>
      <p id="ok">ok</p>
      LINE
      <p>after</p>
    </section>
  )
}
"""


@pytest.mark.parametrize(("line", "column", "message"), [
    ('<h1 <Welcome to Pyxle</h1>', 11, 'Expected ">" but found "<"'),
    ('<p a="x" {...rest} <b/></p>', 26, 'Expected ">" but found "<"'),
    ('<p>a</p></p>', 17, 'Unexpected closing "p" tag does not match opening "section" tag'),
    ('</div>', 9, 'Unexpected closing "div" tag does not match opening "section" tag'),
    ('<></p></p>', 11, 'Unexpected closing "p" tag does not match opening fragment tag'),
    ('<p></></p>', 12, 'Unexpected closing fragment tag does not match opening "p" tag'),
    ('<a.b></a.c></a.b>', 14, 'Unexpected closing "a.c" tag does not match opening "a.b" tag'),
])
def test_jsx_tag_mistake_is_reported_where_and_as_esbuild_reports_it(line: str, column: int, message: str) -> None:
    source = JSX_PAGE.replace("LINE", line)
    diag = _one(source, 9, column, "JSX syntax error")
    assert diag.message == f"JSX syntax error: {message}"


@pytest.mark.parametrize("line", ['<input a < />', '<p>a</b>', '<></p>'])
def test_jsx_tag_mistake_the_scan_reads_past_is_left_to_esbuild(line: str) -> None:
    """The scan reads on as before: esbuild (``pyxle check``, the build) reports these, with its others."""
    compile_source(JSX_PAGE.replace("LINE", line), path=PATH)


@pytest.mark.parametrize("line", [
    '<p a=<b>y</b>>x</p>',  # a JSX element as an attribute value
    '<p a = <b/> c="<">x</p>',
    '< p >x</ p >',
    '<a.b c={1 < 2}></a.b>',
    '<svg:rect></svg:rect>',
    '<p/ >',
    '<>x</>',
    '{a < b ? <i>x</i> : <b/>}',
])
def test_valid_jsx_tags_still_compile(line: str) -> None:
    compile_source(JSX_PAGE.replace("LINE", line), path=PATH)


def test_default_export_inside_template_literal_is_not_one():
    source = '''\
@server
async def load(request):
    return {}

const s = `
export default nothing
`;
'''
    _one(source, 5, 1, "no default export")  # no component: the JSX part's first line


def test_no_default_export_is_reported_at_the_last_component_after_its_helpers():
    source = '''\
import { useState } from 'react'

const Star = ({ on }) => <b>{on ? '*' : '-'}</b>

export function Users({ data }) {
  return <Star on />
}
'''
    error = _one(source, 5, 1, "no default export")
    assert error.hint == "add `export default Users` after it"


@cites("docs/compiler.md", "| one component to render | `a page has one default export; this is a second one (the first is at line 1)` |")
def test_a_second_default_export_is_reported_at_its_line():
    source = '''\
export default function A() {
  return <p>a</p>;
}

export default function B() {
  return <p>b</p>;
}
'''
    diag = _one(source, 5, 1, "a page has one default export; this is a second one (the first is at line 1)")
    assert "by name" in diag.hint


def test_errors_are_reported_against_the_given_path():
    with pytest.raises(CompileError) as info:
        compile_source("def f(:\n    pass\n", path="pages/other/place.pyxl", require_default_export=False)
    assert info.value.path == "pages/other/place.pyxl"
    assert info.value.format().startswith("pages/other/place.pyxl:1:")


@pytest.mark.parametrize(("source", "line"), [
    ("@server\nasync def load(request):\n    x = ", 3),  # half-typed, as an editor saves it
    ("@server\nasync def load(request):\n    if request:\n        return {", 4),
    ("class A:\n    def f(self):\n        return (", 3),
])
def test_a_file_that_ends_inside_a_block_is_a_syntax_error_at_its_line(source: str, line: int) -> None:
    errors = _errors(source)  # an IndexError from the statement scanner before
    assert errors[0].line == line and "syntax" in errors[0].message.lower(), errors[0].format()


@pytest.mark.parametrize(("line", "column", "message"), [
    ('CACHE = {"revalidate": -1}', 9, "CACHE 'revalidate' must be a non-negative number of seconds"),
    ('CACHE = {"revalidate": True}', 9, "CACHE 'revalidate' must be a non-negative number of seconds"),
    ('CACHE = {"revalidate": 1e999}', 9, "CACHE 'revalidate' must be a non-negative number of seconds"),
    ("CACHE = dict(revalidate=5)", 9, 'CACHE must be a dict literal, e.g. CACHE = {"revalidate": 60}'),
    ("CACHE = {}", 9, 'CACHE must contain a "revalidate" key'),
    ("STANDALONE = 1", 14, "STANDALONE must be True or False, e.g. STANDALONE = True"),
    ("STANDALONE: bool = None", 20, "STANDALONE must be True or False, e.g. STANDALONE = True"),
])
def test_a_directive_written_in_another_form_is_reported_at_its_value(line: str, column: int, message: str) -> None:
    source = line + "\n" + PAGE_END
    _one(source, 1, column, message)


DOC = "docs/compiler.md"


@cites(DOC, "| unique action names | `duplicate action name 'save' (first defined at line 9)` |")
@cites(DOC, "| action names are identifiers | `action name 'not valid' is not a valid identifier` |")
@cites(DOC, "| Python that does not parse | `Python syntax error: expected ':'` (at the Python line, never as a JSX error) |")
@cites(DOC, "| JSX that does not scan | `JSX syntax error: unterminated string` |")
@pytest.mark.parametrize(("source", "line", "message"), [
    ("import os\n" * 6 + "\n@action\nasync def save(request):\n    return {}\n\n@action(name=\"save\")\n"
     "async def save_again(request):\n    return {}\n" + PAGE_END, 13, "duplicate action name 'save' (first defined at line 9)"),
    ('@action(name="not valid")\nasync def save(request):\n    return {}\n' + PAGE_END, 1,
     "action name 'not valid' is not a valid identifier"),
    ("@server\nasync def load(request)\n    return {}\n" + PAGE_END, 2, "Python syntax error: expected ':'"),
    ("const greeting = 'hello;\n" + PAGE_END, 1, "JSX syntax error: unterminated string"),
], ids=["duplicate-action", "action-identifier", "python-syntax", "jsx-string"])
def test_the_rules_table_shows_the_compilers_own_messages(source: str, line: int, message: str) -> None:
    """The table's messages word for word, each the only error, at its own line."""
    [error] = _errors(source)
    assert (error.line, error.message) == (line, message)


@pytest.mark.parametrize("jsx", [
    "function Page() { return <h1>ml</h1> }\nexport {\n  Page as default,\n}\n",
    "export { default } from '../components/Badge.jsx'\n",
    "export { default, helper } from '../components/Badge.jsx'\n",
    "export {\n  helper,\n  default,\n} from '../components/Badge.jsx'\n",
    "function Page() { return <h1>x</h1> }\nexport { Page as default }\n",
])
def test_every_form_of_a_default_export_is_one(jsx: str) -> None:
    """An export list over several lines (as Prettier writes it) and a re-exported default were
    "no default export": only the statement's first line was read, for `as default` alone."""
    assert compile_source(jsx, path=PATH).metadata.has_default_export is True


def test_a_default_re_exported_under_a_name_is_no_default_export() -> None:
    _one("export { default as Badge } from '../components/Badge.jsx'\n", 1, 1, "no default export")
