"""Source files a command cannot read as they are: text that is not UTF-8, a link to a file that is
gone, an editor's lock file beside a component. Each is one message naming the file, as `pyxle
check` says it, never a traceback; in a running `pyxle dev` a broken edit like any other."""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, pyxle_command, server_env
from tests.docs._blocks import cites

HOME = '''
import Counter from '../components/Counter.jsx'

export default function Home() {
  return <main><h1 data-testid="title">{"home"}</h1><Counter /></main>
}
'''
COUNTER = "export default function Counter() { return <button>count</button> }\n"
LATIN = b"export default function Latin() {\n  return <p>caf\xe9</p>\n}\n"  # saved as Latin-1
NOT_UTF8 = ("pages/latin.pyxl:2: not UTF-8 text (invalid continuation byte at column 16)\n"
            "    hint: save the file as UTF-8: Pyxle reads every source file as UTF-8")
GONE = ("pages/gone.pyxl: cannot be read (No such file or directory)\n"
        "    hint: it is a link to a file that does not exist: remove the link or restore its target")


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command run to its end: a server that starts is stopped by the timeout, a failure."""
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(), check=False)


@pytest.fixture
def project(make_project) -> Path:
    return make_project({"pages/index.pyxl": HOME, "components/Counter.jsx": COUNTER}, node=True)


@cites("docs/pages.md", "`pages/latin.pyxl:2: not UTF-8 text (invalid continuation byte at column 16)`")
@pytest.mark.parametrize("command", ["check", "build", "serve", "typecheck"])
def test_a_page_that_is_not_utf8_is_one_message_naming_its_line(project: Path, command: str) -> None:
    """`pyxle check` named it; build, serve and dev stopped with a UnicodeDecodeError traceback.
    (`pyxle dev` starts, showing it: below.)"""
    (project / "pages" / "latin.pyxl").write_bytes(LATIN)
    run = pyxle(project, command, ".", *(["--port", "0"] if command in ("serve", "dev") else []))
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert NOT_UTF8 in output and "Traceback" not in output, output


@pytest.mark.parametrize("command", ["check", "build", "serve"])
def test_a_link_to_a_page_that_is_gone_is_one_message_naming_it(project: Path, command: str) -> None:
    """It gave `pyxle check` and `pyxle build` a FileNotFoundError traceback, and serve and dev a
    misleading `cannot write the build` with a hint to make the project writable."""
    (project / "pages" / "gone.pyxl").symlink_to(project / "pages" / "removed.pyxl")
    run = pyxle(project, command, ".", *(["--port", "0"] if command in ("serve", "dev") else []))
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert GONE in output and "Traceback" not in output and "cannot write the build" not in output, output


@pytest.mark.parametrize("kind", ["latin", "gone"])
def test_pyxle_dev_starts_with_such_a_page_and_answers_with_its_one_message(project: Path, start_server,
                                                                            kind: str) -> None:
    """They stopped it as they stop `pyxle serve`; it starts, and the page answers the message (a
    link to nowhere is read with every source, so it is every page's)."""
    if kind == "latin":
        (project / "pages" / "latin.pyxl").write_bytes(LATIN)
    else:
        (project / "pages" / kind).with_suffix(".pyxl").symlink_to(project / "pages" / "removed.pyxl")
    server = start_server(project, "dev", "--ssr-workers", "1")
    answer = httpx.get(f"{server.url}/{kind}", headers={"accept": "text/html"}, timeout=20)
    shown = html.unescape(answer.text)
    assert answer.status_code == 500 and (NOT_UTF8 if kind == "latin" else GONE) in shown, shown[:500]
    assert "Traceback" not in server.output() and "cannot write the build" not in server.output()


@cites("docs/pages.md", "An editor's lock or backup file (a name starting with a dot, such as Emacs's "
                        "`.#Counter.jsx`) is not a source")
def test_an_editors_lock_file_beside_a_component_is_not_a_source(project: Path) -> None:
    """Emacs's lock while a buffer has unsaved changes: a link to `user@host.pid:time`, which is
    nowhere. `pyxle build` read it as a source and stopped with a FileNotFoundError traceback."""
    (project / "components" / ".#Counter.jsx").symlink_to("root@host.99:1700000000")
    run = pyxle(project, "build", ".")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "index" in run.stdout  # the page, built


def test_pyxle_dev_starts_and_reloads_beside_an_editors_lock_file(project: Path, start_server) -> None:
    """pyxle dev refused to start (`cannot write the build ... No such file or directory: .#Counter.jsx`),
    and every edit made while the lock was there failed."""
    (project / "components" / ".#Counter.jsx").symlink_to("root@host.99:1700000000")
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert 'data-testid="title">home<' in httpx.get(server.url + "/", timeout=10).text
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('{"home"}', '{"edited"}'))
    server.wait_for_output("reloaded routes after change to pages/index.pyxl", 30)
    assert 'data-testid="title">edited<' in httpx.get(server.url + "/", timeout=10).text


@cites("docs/pages.md", "a running `pyxle dev` reports them like any broken edit until an edit fixes or removes the file")
def test_a_page_saved_as_latin1_in_pyxle_dev_shows_the_overlay_and_the_fix_reloads(project: Path, start_server,
                                                                                   page: PageWatch) -> None:
    """The UnicodeDecodeError killed the file watcher, silently: no overlay, and no later edit,
    the fix included, was ever picked up (a new page stayed a 404) until the server was restarted."""
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "pages" / "latin.pyxl").write_bytes(LATIN)
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.wait_for(timeout=30000)
    assert "pages/latin.pyxl:2: not UTF-8 text" in overlay.text_content()
    assert "hint: save the file as UTF-8" in overlay.text_content()
    assert "Traceback" not in server.wait_for_output("pages/latin.pyxl does not build", 10)

    (project / "pages" / "latin.pyxl").write_bytes(LATIN.decode("latin-1").encode())  # saved again, as UTF-8
    page.page.locator("#pyxle-dev-overlay").wait_for(state="detached", timeout=30000)
    latin = httpx.get(server.url + "/latin", timeout=10)
    assert latin.status_code == 200 and "café" in latin.text

    (project / "pages" / "latin.pyxl").write_bytes(LATIN)  # broken again, then removed
    overlay.wait_for(timeout=30000)
    (project / "pages" / "latin.pyxl").unlink()
    page.page.locator("#pyxle-dev-overlay").wait_for(state="detached", timeout=30000)
    assert httpx.get(server.url + "/latin", timeout=10).status_code == 404


BOM = b"\xef\xbb\xbf"
MARKED_PAGE = '''import os

@server
async def load(request):
    return {"sep": os.sep}

export default function Marked({ data }) {
  return <p data-testid="marked">{data.sep}</p>
}
'''


@cites("docs/pages.md", "Sources are read as\n  UTF-8 with or without the byte-order mark some Windows editors write, and with either line ending\n"
                        "  (`\\n` or `\\r\\n`), as Python reads them")
def test_sources_with_a_byte_order_mark_and_windows_line_endings_are_checked_and_served(project: Path,
                                                                                       start_server) -> None:
    """A page with the mark was a JSX syntax error at its `export`, and an API route with it a
    SyntaxError traceback from `pyxle check` (U+FEFF), though Python imports both."""
    (project / "pages" / "marked.pyxl").write_bytes(BOM + MARKED_PAGE.replace("\n", "\r\n").encode())
    (project / "pages" / "layout.pyxl").write_bytes(
        BOM + b"export default function Layout({ children }) {\r\n  return <div>{children}</div>\r\n}\r\n")
    (project / "pages" / "api").mkdir()
    (project / "pages" / "api" / "marked.py").write_bytes(
        BOM + b"async def get(request):\r\n    return {'marked': True}\r\n")
    run = pyxle(project, "check", ".")
    assert run.returncode == 0 and "Traceback" not in run.stdout + run.stderr, run.stdout + run.stderr
    assert "checked 4 files: 0 errors" in run.stdout
    server = start_server(project, "serve")
    page = httpx.get(server.url + "/marked", timeout=30)
    assert page.status_code == 200 and '<p data-testid="marked">/</p>' in page.text, page.text
    assert httpx.get(server.url + "/api/marked", timeout=30).json() == {"marked": True}
