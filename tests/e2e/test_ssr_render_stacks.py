"""A component that throws while rendering on the server, on a real `pyxle build` + `pyxle serve`:
the server's log names the project's file and line (the `.pyxl` page, or the module it imports),
in its first line and in the JavaScript stack below it, with the functions' own names, as
`pyxle dev` does; the answer carries none of it, and the bundle's source map is never served."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import Server, pyxle_command, server_env, serving, ssr_bundle, write_project
from tests.docs._blocks import cites

INNER = '''
@server
async def load(request):
    return {"n": 1}

function Inner({ n }) {
  if (n > 0) throw new Error('the inner part broke')
  return <p>{n}</p>
}

export default function Page({ data }) {
  return <main><Inner n={data.n} /></main>
}
'''
WIDGET = '''
export default function Widget({ label }) {
  if (label === 'bad') {
    throw new TypeError(`bad label: ${label}`)
  }
  return <span>{label}</span>
}
'''
USES_WIDGET = '''
import Widget from '../components/Widget.jsx'

export default function Page() {
  return <main><Widget label="bad" /></main>
}
'''
# An error a render schedules and nothing catches: logged by the worker, which goes on.
LATER = '''
export default function Later() {
  if (typeof window === 'undefined') setTimeout(function later() { throw new Error('thrown later') }, 0)
  return <p>later</p>
}
'''
# A page that throws (its loader too, when asked), in a folder whose error page throws as well.
BROKEN = '''
@server
async def load(request):
    if request.query_params.get("loader") == "fails":
        raise RuntimeError("the loader broke")
    return {}

export default function Broken() {
  throw new Error('the page broke')
}
'''
ERROR_PAGE = '''
export default function ErrorPage({ data }) {
  if (data.statusCode >= 500) throw new Error('the error page broke too')
  return <p>{data.message}</p>
}
'''
# A part behind <Suspense> that throws once its data came, after the shell went out.
THROWS_LATE = '''
import React, { Suspense, use } from 'react'
const waits = new WeakMap()
function Late({ data }) {
  let promise = waits.get(data)
  if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, 200)))
  use(promise)
  if (typeof window === 'undefined') throw new Error('thrown after the shell')
  return <p>late</p>
}
export default function Page({ data }) {
  return <main><Suspense fallback={<p>waiting</p>}><Late data={data} /></Suspense></main>
}
'''
# Named where no URL encoding may show: non-ASCII, a space, a `%` and what reads as an escape.
ODD_NAMES = ["pages/über uns/café 1.pyxl", "pages/100%.pyxl", "pages/%41 日本.pyxl"]
PAGES = {**{name: BROKEN for name in ODD_NAMES}, "pages/inner.pyxl": INNER, "components/Widget.jsx": WIDGET, "pages/widget.pyxl": USES_WIDGET,
         "pages/later.pyxl": LATER, "pages/fragile/index.pyxl": BROKEN, "pages/fragile/error.pyxl": ERROR_PAGE,
         "pages/late.pyxl": THROWS_LATE}


def line_of(source: str, text: str) -> int:
    """The 1-based line of ``source`` (as written to the project: dedented, first newline dropped)
    holding ``text``."""
    lines = source.lstrip("\n").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


INNER_LINE = line_of(INNER, "throw new Error")  # after the Python loader's lines: 6
WIDGET_LINE = line_of(WIDGET, "throw new TypeError")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`pyxle build`, then `pyxle serve --skip-build` of the build, as a deployment runs them."""
    root = write_project(tmp_path_factory.mktemp("render-stacks") / "app", PAGES)
    built = subprocess.run([*pyxle_command(), "build"], cwd=root, env=server_env(), capture_output=True, text=True,
                           timeout=180, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    with serving(root, "--skip-build", "--ssr-workers", "1") as running:
        yield running


def record(server: Server, start: str) -> str:
    """The log record (its lines, up to the next record's time) that begins with ``start``."""
    output = server.wait_for_output(start)
    found = re.search(rf"\] *: ({re.escape(start)}.*?)(?=\n\d{{4}}-\d\d-\d\d[ T]|\Z)", output, re.DOTALL)
    assert found is not None, output
    return found.group(1)


@cites("docs/pages.md", "For a render error, the log record names the file and line in your own code that threw")
def test_the_log_names_the_pyxl_file_and_line_a_page_threw_at(server: Server) -> None:
    """The stack named dist/server/ssr.mjs and a line of the bundle (12625:20) under `pyxle serve`."""
    answer = httpx.get(server.url + "/inner", timeout=30)
    assert answer.status_code == 500
    logged = record(server, "rendering pages/inner.pyxl failed")
    first, stack = logged.split("\n", 1)
    assert first == f"rendering pages/inner.pyxl failed at pages/inner.pyxl:{INNER_LINE}:20: the inner part broke"
    assert re.search(rf"^    at Inner \(/.+/pages/inner\.pyxl:{INNER_LINE}:20\)$", stack, re.MULTILINE), stack
    assert "server/ssr" not in stack


@cites("docs/pages.md", "The answer carries none of it.")
def test_the_answer_of_a_page_that_threw_carries_no_stack_or_location(server: Server) -> None:
    answer = httpx.get(server.url + "/inner", timeout=30)
    assert answer.status_code == 500 and "Internal Server Error" in answer.text
    for told in ("inner.pyxl", f":{INNER_LINE}:", "the inner part broke", "at Inner", "ssr-"):
        assert told not in answer.text


def test_the_log_names_the_module_a_page_imports_when_it_threw_there(server: Server) -> None:
    assert httpx.get(server.url + "/widget", timeout=30).status_code == 500
    logged = record(server, "rendering pages/widget.pyxl failed")
    assert logged.startswith(f"rendering pages/widget.pyxl failed at components/Widget.jsx:{WIDGET_LINE}:11: "
                             "bad label: bad\nTypeError: bad label: bad\n")
    assert re.search(rf"^    at Widget \(/.+/components/Widget\.jsx:{WIDGET_LINE}:11\)$", logged, re.MULTILINE)


def test_an_error_a_render_left_uncaught_is_logged_with_its_stack_in_the_page(server: Server) -> None:
    assert httpx.get(server.url + "/later", timeout=30).status_code == 200
    logged = record(server, "uncaught exception from page 'later'")
    line = line_of(LATER, "thrown later")
    assert re.search(rf"^    at Timeout\.later .*\(/.+/pages/later\.pyxl:{line}:\d+\)$", logged, re.MULTILINE), logged
    assert "server/ssr" not in logged


@cites("docs/pages.md", "the SSR workers map the bundle back through its source map, which stays in `dist/server/` "
                        "and is never served")
@pytest.mark.parametrize("path", ["/server/ssr.mjs", "/dist/server/ssr.mjs", "/_pyxle/ssr.mjs",
                                  "/_pyxle/%2e%2e/server/ssr.mjs", "/_pyxle/..%2fserver/ssr.mjs"])
def test_the_ssr_bundle_and_its_source_map_are_never_served(server: Server, path: str) -> None:
    path = path.replace("ssr.mjs", ssr_bundle(Path(server.args[1]) / "dist").name)  # its name is hashed
    answer = httpx.get(server.url + path, timeout=30)
    assert answer.status_code in (400, 404), (path, answer.status_code)
    assert "sourceMappingURL" not in answer.text


@cites("docs/pages.md", "Under `pyxle serve` as under `pyxle dev`, the stack's frames name your `.pyxl` pages and "
                        "modules with the lines your editor shows")
def test_pyxle_dev_logs_the_pyxl_file_and_line_too(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project(PAGES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert httpx.get(server.url + "/inner", timeout=30).status_code == 500
    logged = record(server, "rendering pages/inner.pyxl failed")
    assert logged.startswith(f"rendering pages/inner.pyxl failed at pages/inner.pyxl:{INNER_LINE}:20: ")
    # The frame is named as V8 names it: Node's --enable-source-maps called it after React's call site.
    assert re.search(rf"^    at Inner \(/.+/pages/inner\.pyxl:{INNER_LINE}:20\)$", logged, re.MULTILINE), logged


def thrown_at(file: str, source: str) -> str:
    """``pages/late.pyxl:7:44``: where V8 says ``source``'s ``throw new Error`` threw (at ``new``)."""
    line = line_of(source, "throw new Error")
    return f"{file}:{line}:{source.lstrip(chr(10)).splitlines()[line - 1].index('new Error') + 1}"


@cites("docs/pages.md", "When the error page itself fails to render, its failure is logged the same way")
def test_an_error_page_that_failed_too_is_logged_with_its_file_line_and_stack(server: Server) -> None:
    """Its record named the error page and held Python's traceback alone: no JavaScript stack, no line."""
    answer = httpx.get(server.url + "/fragile", timeout=30)
    assert answer.status_code == 500
    logged = record(server, "rendering pages/fragile/error.pyxl failed")
    first, stack = logged.split("\n", 1)
    at = thrown_at("pages/fragile/error.pyxl", ERROR_PAGE)
    assert first == f"rendering pages/fragile/error.pyxl failed at {at}: the error page broke too"
    assert re.search(rf"^    at ErrorPage \(/.+/{re.escape(at)}\)$", stack, re.MULTILINE), stack
    assert "Traceback" not in logged and "server/ssr" not in logged
    output = server.output()  # the page's own failure first, as it happened
    assert output.index("rendering pages/fragile/index.pyxl failed at pages/fragile/index.pyxl:") < output.index(first)


@cites("docs/pages.md", "the visitor gets the built-in error page")
@pytest.mark.parametrize("query", ["", "?loader=fails"])
def test_the_answer_of_an_error_page_that_failed_is_the_built_in_page_with_no_detail(server: Server,
                                                                                     query: str) -> None:
    answer = httpx.get(server.url + "/fragile" + query, timeout=30)
    assert answer.status_code == 500
    assert "<h1>500</h1><p>Internal Server Error</p>" in answer.text
    for told in ("error.pyxl", "broke", "at ErrorPage", "at Broken", "ssr-", "RuntimeError"):
        assert told not in answer.text


@cites("docs/pages.md", "A `<Suspense>` boundary that fails after the shell was sent is logged with the file and line "
                        "that threw too")
@cites("docs/pages.md", "The log record (`pyxle.ssr`, at ERROR)\n  names the file and line in your own code that threw "
                        "on its first line, as a render error's does,\n  then the stack")
def test_a_boundary_that_failed_after_the_shell_is_logged_with_its_file_and_line(server: Server) -> None:
    """Its record named no location on its first line: only the stack below it did."""
    answer = httpx.get(server.url + "/late", timeout=30)
    assert answer.status_code == 200
    sent = re.search(r'\$RX\("B:0","(pyxle-[0-9a-f]+)"\)', answer.text)  # streamed after the shell
    assert sent is not None, answer.text[-500:]
    start = f"rendering page 'late': a Suspense boundary left to the browser (digest {sent.group(1)}) failed"
    first, stack = record(server, start).split("\n", 1)
    at = thrown_at("pages/late.pyxl", THROWS_LATE)
    assert first == f"{start} on the server at {at}: Error: thrown after the shell"
    assert re.search(rf"^    at Late \(/.+/{re.escape(at)}\)$", stack, re.MULTILINE), stack
    for told in ("late.pyxl", "thrown after the shell", "at Late"):
        assert told not in answer.text


def test_pyxle_dev_logs_where_an_error_page_and_a_late_boundary_threw(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Under `pyxle dev` a page's render error is the overlay: its loader's failure renders the error page."""
    project = make_project(PAGES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert httpx.get(server.url + "/fragile?loader=fails", timeout=30).status_code == 500
    at = thrown_at("pages/fragile/error.pyxl", ERROR_PAGE)
    assert record(server, "rendering pages/fragile/error.pyxl failed").startswith(
        f"rendering pages/fragile/error.pyxl failed at {at}: the error page broke too\n")
    assert httpx.get(server.url + "/late", timeout=30).status_code == 200
    at = thrown_at("pages/late.pyxl", THROWS_LATE)
    assert re.search(rf"failed on the server at {re.escape(at)}: Error: thrown after the shell\n    at Late ",
                     record(server, "rendering page 'late': a Suspense boundary"))


@cites("docs/pages.md", "A file whose name is not ASCII, or holds a `%`, is named as it is on disk\n  "
                        "(`pages/über uns/café.pyxl:5:11`)")
@pytest.mark.parametrize("file", ODD_NAMES)
def test_the_log_names_a_file_with_an_odd_name_as_it_is_on_disk(server: Server, file: str) -> None:
    """The location and the frames read `pages/%C3%BCber uns/caf%C3%A9 1.pyxl`: the source map's URL
    form (esbuild writes its `sources` percent-encoded), a path no editor or file system has."""
    url = "/" + quote(file.removeprefix("pages/").removesuffix(".pyxl"))
    assert httpx.get(server.url + url, timeout=30).status_code == 500
    logged = record(server, f"rendering {file} failed")
    first, stack = logged.split("\n", 1)
    at = thrown_at(file, BROKEN)
    assert first == f"rendering {file} failed at {at}: the page broke", logged
    assert re.search(rf"^    at Broken\d* \(/.+/{re.escape(at)}\)$", stack, re.MULTILINE), stack  # Broken2: esbuild renamed it
