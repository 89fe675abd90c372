"""``PageMetadata``: loader, actions (explicit names), HEAD, default export, read from corpus pages."""

from __future__ import annotations

from pathlib import Path

from pyxle.compiler import PageMetadata, compile_source

CORPUS = Path(__file__).with_name("corpus")


def _meta(name: str, require_default_export: bool = True) -> PageMetadata:
    source = (CORPUS / f"{name}.pyxl").read_text(encoding="utf-8")
    return compile_source(source, path=f"pages/{name}.pyxl", require_default_export=require_default_export).metadata


def test_multiple_actions_metadata():
    m = _meta("multiple_actions")
    # Lines are those of the ``def`` (as in Python's AST), not of the decorator.
    assert m.loader == "load" and m.loader_line == 2
    assert m.actions == ("add_todo", "remove_todo", "clear")
    assert m.action_lines == (6, 11, 15)
    assert m.has_head is False and m.has_default_export is True


def test_stacked_decorators_metadata():
    m = _meta("decorators_variety")
    assert m.loader == "load" and m.loader_line == 11
    assert m.actions == ("first", "second_one", "third")
    assert m.action_lines == (15, 19, 26)


def test_head_variants():
    assert _meta("head_string").has_head
    assert _meta("head_list_multiline").has_head
    assert _meta("head_triple_quoted").has_head
    assert _meta("head_function").has_head
    assert not _meta("python_then_jsx").has_head


def test_annotated_head_counts():
    source = 'HEAD: list[str] = ["<title>x</title>"]\n\nexport default () => <p/>;\n'
    assert compile_source(source, path="pages/h.pyxl").metadata.has_head


def test_loader_after_jsx_imports():
    m = _meta("jsx_imports_above_server")
    assert m.loader == "load" and m.loader_line == 5


def test_python_only_page_without_default_export():
    m = _meta("python_only_page", require_default_export=False)
    assert m.loader == "load" and m.actions == ("ping",) and not m.has_default_export


def test_attribute_decorators_are_recognised():
    source = '''\
import pyxle.runtime as rt

@rt.server
async def load(request):
    return {}

@rt.action(name="go")
async def go_impl(request):
    return {}

export default () => <p/>;
'''
    m = compile_source(source, path="pages/attr.pyxl").metadata
    assert m.loader == "load" and m.actions == ("go",) and m.action_lines == (8,)


def test_nested_functions_are_not_page_level():
    source = '''\
def outer():
    @server
    def inner(request):
        return {}
    return inner

export default () => <p/>;
'''
    m = compile_source(source, path="pages/nested.pyxl").metadata
    assert m.loader is None and m.actions == ()


def test_the_cache_and_standalone_directives_are_read_from_their_literals():
    page = 'CACHE = {"revalidate": 30, "tags": ["a"]}\nSTANDALONE = True\n\nexport default function P() { return <p/> }\n'
    m = compile_source(page, path="pages/status/layout.pyxl").metadata
    assert m.revalidate == 30.0 and m.standalone is True
    plain = compile_source("export default function P() { return <p/> }\n", path="pages/p.pyxl").metadata
    assert plain.revalidate is None and plain.standalone is False
