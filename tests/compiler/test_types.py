"""The compiler's part in typed pages: the `# --- TSX ---` marker, and the generated props type
attached to the default export's first parameter (lines kept, columns mappable back)."""

from __future__ import annotations

import pytest

from pyxle.compiler import Insert, compile_source
from tests.docs._blocks import cites

LOADER = '''@server
async def load(request) -> Data:
    return {"n": 1}

'''
REF = 'import("pyxle/types/x").Props'


def compiled(source: str, **kwargs):  # type: ignore[no-untyped-def]
    return compile_source(source, path="pages/x.pyxl", types_module="pyxle/types/x", **kwargs)


@cites("docs/compiler.md", "When the loader or an action carries annotations, the default export's first parameter\n"
                           "  is typed with the page's generated `Props`, on that parameter's line, so the line numbers still\n  match")
@cites("docs/types.md", "It is attached to `export default function Name(...)`,\n`export default (...) =>`, and `export default Name` "
                        "where `Name` is a function or an arrow\nfunction assigned to a `const` in the file")
@pytest.mark.parametrize(("component", "expected"), [
    ("export default function Page({ data }) {\n  return <p>{data.n}</p>\n}\n",
     f"export default function Page(/** @type {{{REF}}} */ {{ data }}) {{"),
    ("export default function ({ data }) {\n  return <p/>\n}\n",
     f"export default function (/** @type {{{REF}}} */ {{ data }}) {{"),
    ("export default ({ data }) => <p>{data.n}</p>\n",
     f"export default (/** @type {{{REF}}} */ {{ data }}) => <p>{{data.n}}</p>"),
    ("function Page(props) {\n  return <p/>\n}\nexport default Page\n",
     f"function Page(/** @type {{{REF}}} */ props) {{"),
    ("const Page = ({ data }) => <p>{data.n}</p>\nexport default Page;\n",
     f"const Page = (/** @type {{{REF}}} */ {{ data }}) => <p>{{data.n}}</p>"),
    ("export default function Page(\n  { data },\n) {\n  return <p/>\n}\n", f"  /** @type {{{REF}}} */ {{ data }},"),
])
def test_a_jsx_component_gets_an_inline_jsdoc_type_on_its_first_parameter(component: str, expected: str) -> None:
    result = compiled(LOADER + component)
    assert expected in result.client_code.splitlines()
    assert len(result.client_code.splitlines()) == len((LOADER + component).splitlines())
    assert result.props_type is not None
    line = result.client_code.splitlines()[result.props_type.line - 1]
    assert line[result.props_type.column - 1:].startswith("/** @type")


@pytest.mark.parametrize(("component", "expected"), [
    ("export default function Page({ data }) {\n  return <p/>\n}\n", f"export default function Page({{ data }}: {REF}) {{"),
    ("export default function Page(props) {\n  return <p/>\n}\n", f"export default function Page(props: {REF}) {{"),
    ("const Page = ({ data = {} }) => <p/>\nexport default Page\n", f"const Page = ({{ data = {{}} }}: {REF}) => <p/>"),
])
def test_a_tsx_component_gets_a_parameter_annotation(component: str, expected: str) -> None:
    result = compiled(LOADER + "# --- TSX ---\n" + component)
    assert result.client_lang == "tsx"
    assert expected in result.client_code.splitlines()


@pytest.mark.parametrize("component", [
    "export default function Page({ data }: { data: { n: number } }) {\n  return <p/>\n}\n",
    "const Page: React.FC<{ data: unknown }> = ({ data }) => <p/>\nexport default Page\n",
])
def test_a_tsx_component_the_user_typed_is_left_as_written(component: str) -> None:
    result = compiled(LOADER + "# --- TSX ---\n" + component)
    assert result.props_type is None
    assert "pyxle/types" not in result.client_code


@cites("docs/types.md", "(not to a wrapped component like `memo(...)`)")
@pytest.mark.parametrize("source", [
    LOADER + "export default function Page() {\n  return <p/>\n}\n",  # takes no props
    LOADER + "export default memo(function Page({ data }) {\n  return <p/>\n})\n",  # wrapped: not followed
])
def test_nothing_is_attached_without_a_plain_component_taking_props(source: str) -> None:
    result = compiled(source)
    assert result.props_type is None
    assert "pyxle/types" not in result.client_code


COMPONENT = "export default function Page({ data }) {\n  return <p/>\n}\n"
UNTYPED_PAGE = ('{ data: Record<string, any>, layoutData: Record<string, any>, action?: import("pyxle/client").ActionProp, '
                'slots: import("pyxle/client").SlotRegistry }')
UNTYPED_LAYOUT = ('{ data: Record<string, any>, layoutData: Record<string, any>, routePath: string, children?: import("react").ReactNode, '
                  'action?: import("pyxle/client").ActionProp, slots: import("pyxle/client").SlotRegistry }')


@cites("docs/types.md", "gets the same props\nwith `data: Record<string, any>`")
@cites("docs/types.md", "When the loader or an action carries annotations,\nthe client module it emits types the default "
                        "export's first parameter with the page's `Props`")
@pytest.mark.parametrize(("source", "types_module", "expected"), [
    (LOADER.replace(" -> Data", "") + COMPONENT, "pyxle/types/x", UNTYPED_PAGE),  # the loader says nothing
    (COMPONENT, "pyxle/types/blog/x", UNTYPED_PAGE),  # no loader
    (COMPONENT, "pyxle/types/blog/layout", UNTYPED_LAYOUT),
    (COMPONENT, "pyxle/types/template", UNTYPED_LAYOUT),
    ("@action\nasync def save(request, body: Data):\n    return {}\n\n" + COMPONENT, "pyxle/types/x", REF),  # typed action
])
def test_a_component_without_generated_types_gets_the_documented_props_with_any_data(
        source: str, types_module: str, expected: str) -> None:
    result = compile_source(source, path="pages/x.pyxl", types_module=types_module)
    assert f"export default function Page(/** @type {{{expected}}} */ {{ data }}) {{" in result.client_code.splitlines()
    tsx = compile_source("# --- TSX ---\n" + COMPONENT, path="pages/x.pyxl", types_module=types_module)
    if expected != REF:
        assert f"export default function Page({{ data }}: {expected}) {{" in tsx.client_code.splitlines()


@cites("docs/types.md", "`error.pyxl` and `not-found.pyxl` get\n`import(\"pyxle/client\").ErrorPageProps`")
@pytest.mark.parametrize("name", ["error", "not-found", "blog/error"])
def test_error_and_not_found_pages_get_the_error_page_props(name: str) -> None:
    for source in (COMPONENT, LOADER + COMPONENT):  # a loader's annotation says nothing about them
        result = compile_source(source, path=f"pages/{name}.pyxl", types_module=f"pyxle/types/{name}")
        expected = 'import("pyxle/client").ErrorPageProps'
        assert f"export default function Page(/** @type {{{expected}}} */ {{ data }}) {{" in result.client_code.splitlines()


@cites("docs/types.md", "`loading.pyxl` is rendered with no props and is left as written")
def test_a_loading_page_is_left_as_written() -> None:
    result = compile_source(COMPONENT, path="pages/loading.pyxl", types_module="pyxle/types/loading")
    assert result.props_type is None and result.client_code.splitlines()[0] == COMPONENT.splitlines()[0]


def test_without_a_types_module_the_client_code_is_the_users_own() -> None:
    source = LOADER + "export default function Page({ data }) {\n  return <p/>\n}\n"
    assert compile_source(source, path="pages/x.pyxl").client_code.splitlines()[4] == "export default function Page({ data }) {"


def test_metadata_says_whether_the_loader_or_an_action_is_annotated() -> None:
    component = "export default function Page() {\n  return <p/>\n}\n"
    plain = compiled("@server\nasync def load(request):\n    return {}\n\n" + component).metadata
    assert (plain.loader_typed, plain.typed) == (False, False)
    action = compiled("@action\nasync def save(request, body: Post):\n    return {}\n\n" + component).metadata
    assert (action.loader_typed, action.typed) == (False, True)
    request_only = compiled("@action\nasync def save(request: Request):\n    return {}\n\n" + component).metadata
    assert request_only.typed is False
    assert compiled(LOADER + component).metadata.loader_typed is True


def test_the_tsx_marker_makes_typescript_declarations_client_code_before_it_too() -> None:
    source = ("type Row = { n: number }\ninterface Props { data: Row }\nenum Mode { A, B }\n\n" + LOADER +
              "# --- TSX ---\nexport default function Page({ data }: Props) {\n  return <p>{data.n}</p>\n}\n")
    result = compiled(source)
    assert result.client_code.splitlines()[:3] == ["type Row = { n: number }", "interface Props { data: Row }",
                                                   "enum Mode { A, B }"]
    assert "type Row" not in result.server_code and "async def load" in result.server_code


def test_a_file_without_the_marker_stays_jsx() -> None:
    result = compiled(LOADER + "# --- JSX ---\nexport default function Page() {\n  return <p/>\n}\n")
    assert result.client_lang == "jsx"


def test_a_one_line_arrow_component_ending_in_a_tag_does_not_swallow_the_export_after_it() -> None:
    result = compile_source("const Page = ({ data }) => <p>{data.n}</p>\nexport default Page\n", path="pages/x.pyxl")
    assert result.metadata.has_default_export


def test_columns_after_the_insertion_map_back_to_the_users_line() -> None:
    insert = Insert(line=5, column=30, length=45)
    assert insert.column_before(5, 80) == 35
    assert insert.column_before(5, 12) == 12
    assert insert.column_before(5, 40) == 30  # inside the inserted text: where it went in
    assert insert.column_before(6, 80) == 80
