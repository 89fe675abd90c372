"""A `<Link>` to a file (a path with an extension, a `download` link, another target) in Chromium
against a real `pyxle serve`: never prefetched, so a 5 MB file is not fetched as it scrolls into
view or on each hover, and a click is the browser's own (a full load, or a download)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

INDEX = '''
import { Link } from 'pyxle/client'

export default function Index() {
  return (
    <main>
      <h1>Home</h1>
      <Link href="/files/big.bin">The big file</Link>
      <Link href="/files/big.bin" download>Download it</Link>
      <Link href="/report.pdf">The report</Link>
      <Link href="/files/notes.txt">The notes</Link>
      <Link href="/other" target="_blank">Other in a new tab</Link>
      <Link href="/v1.2/docs">Versioned docs</Link>
      <Link href="/blog/v1.2">Release 1.2</Link>
    </main>
  )
}
'''
OTHER = "export default function Other() {\n  return <h1>Other</h1>\n}\n"
DOCS = "export default function Docs() {\n  return <h1>Docs 1.2</h1>\n}\n"
POST = "export default function Post({ data }) {\n  return <h1>Post {data.slug}</h1>\n}\n"
POST_LOADER = """
@server
async def load(request):
    return {"slug": request.path_params["slug"]}

"""
FILES = ("/files/big.bin", "/report.pdf", "/files/notes.txt", "/other")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER, "pages/v1.2/docs.pyxl": DOCS,
             "pages/blog/[slug].pyxl": POST_LOADER + POST,
             "public/files/notes.txt": "plain notes\n", "public/report.pdf": "%PDF-1.4 not really\n"}
    root = write_project(tmp_path_factory.mktemp("link-files") / "app", files)
    (root / "public" / "files" / "big.bin").write_bytes(b"\0" * (5 * 1024 * 1024))
    with serving(root, "--ssr-workers", "1", "--access-log") as server:
        yield server


def served(app: Server, path: str, expected: int | None = None) -> int:
    """How many times the server has answered GET ``path`` (its access log; a download is a request
    the browser's page never reports), waiting up to 5 s for the ``expected`` count's log line."""
    deadline = time.monotonic() + 5
    while (count := app.output().count(f'"GET {path}" 200')) != expected and time.monotonic() < deadline:
        if expected is None:
            break
        time.sleep(0.1)
    return count


def open_home(app: Server, page: PageWatch) -> dict[str, int]:
    """The home page, hydrated, with the versioned docs page prefetched (it is in view): how many
    times each file had been served before it was opened."""
    before = {path: served(app, path) for path in FILES}
    with page.page.expect_response(lambda r: r.url == app.url + "/v1.2/docs"):  # a dotted segment: still a page
        page.page.goto(app.url + "/")
        page.hydrated()
    return before


def hover(page: PageWatch, name: str) -> None:
    page.page.get_by_role("link", name=name).hover()
    page.page.wait_for_timeout(500)


@cites("docs/client.md", "A link to a file (a path whose last segment has an extension")
def test_links_to_files_downloads_and_other_targets_are_never_prefetched(app: Server, page: PageWatch) -> None:
    asked: list[str] = []
    page.page.on("request", lambda request: asked.append(request.url.removeprefix(app.url)))
    before = open_home(app, page)
    for name in ("The big file", "Download it", "The report", "The notes", "Other in a new tab"):
        page.page.get_by_role("link", name=name).hover()
        page.page.get_by_role("heading", name="Home").hover()
    page.page.wait_for_timeout(700)
    assert [path for path in asked if path in FILES] == []
    assert {path: served(app, path) for path in FILES} == before


def test_a_click_on_a_link_to_a_file_loads_it_in_full(app: Server, page: PageWatch) -> None:
    before = open_home(app, page)
    hover(page, "The notes")
    assert served(app, "/files/notes.txt") == before["/files/notes.txt"]  # nothing before the click
    page.page.get_by_role("link", name="The notes").click()
    page.page.wait_for_url(app.url + "/files/notes.txt")
    page.page.get_by_text("plain notes").wait_for()
    expected = before["/files/notes.txt"] + 1
    assert served(app, "/files/notes.txt", expected) == expected
    assert page.page.evaluate("window.__PYXLE_ROOT__") is None  # the browser's own document, not the router's


def test_a_click_on_a_download_link_downloads_the_file_once(app: Server, page: PageWatch) -> None:
    before = open_home(app, page)
    hover(page, "Download it")
    assert served(app, "/files/big.bin") == before["/files/big.bin"]  # nothing before the click
    with page.page.expect_download() as download:
        page.page.get_by_role("link", name="Download it").click()
    assert Path(download.value.path()).stat().st_size == 5 * 1024 * 1024
    expected = before["/files/big.bin"] + 1
    assert served(app, "/files/big.bin", expected) == expected
    assert page.page.url == app.url + "/"


@cites("docs/client.md", "so does a dotted last segment that a page route takes (`/blog/v1.2` for "
                         "`pages/blog/[slug].pyxl`")
def test_a_link_to_a_page_whose_last_segment_has_a_dot_navigates_client_side(app: Server, page: PageWatch) -> None:
    """The dotted last segment was taken for a file's extension: a full page load, never a prefetch."""
    asked: list[str | None] = []
    page.page.on("request", lambda r: r.url == app.url + "/blog/v1.2" and asked.append(r.headers.get("x-pyxle-navigation")))
    open_home(app, page)
    page.page.evaluate("window.__marker = 'kept'")
    page.page.get_by_role("link", name="Release 1.2").click()
    page.page.get_by_role("heading", name="Post v1.2").wait_for()
    assert page.page.evaluate("window.__marker") == "kept"  # client-side: the same document
    assert asked and None not in asked, asked  # navigation JSON only, never the document


def test_a_click_on_a_link_to_a_public_file_no_page_takes_is_the_browsers_own(app: Server, page: PageWatch) -> None:
    asked: list[tuple[bool, str | None]] = []
    page.page.on("request", lambda r: r.url == app.url + "/report.pdf" and asked.append(
        (r.is_navigation_request(), r.headers.get("x-pyxle-navigation"))))
    open_home(app, page)
    page.page.get_by_role("link", name="The report").click()
    page.page.wait_for_timeout(1000)
    # The browser's own request (Chromium's PDF handling may make two), no navigation JSON asked first.
    assert asked and set(asked) == {(True, None)}, asked


def test_in_pyxle_dev_a_link_to_a_page_whose_last_segment_has_a_dot_navigates_client_side(
        tmp_path: Path, page: PageWatch) -> None:
    """The pages a dotted path may be come with the document (not in each page's module, where a
    page added would change every page's hash): in `pyxle dev` and its Fast Refresh build too."""
    root = write_project(tmp_path / "app", {"pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER,
                                            "pages/v1.2/docs.pyxl": DOCS, "pages/blog/[slug].pyxl": POST_LOADER + POST})
    asked: list[str | None] = []
    page.page.on("request", lambda r: r.url.endswith("/blog/v1.2") and asked.append(r.headers.get("x-pyxle-navigation")))
    with serving(root, "--ssr-workers", "1", command="dev") as server:
        page.page.goto(server.url + "/")
        page.hydrated()
        page.page.evaluate("window.__marker = 'kept'")
        page.page.get_by_role("link", name="Release 1.2").click()
        page.page.get_by_role("heading", name="Post v1.2").wait_for()
        assert page.page.evaluate("window.__marker") == "kept"
    assert asked and None not in asked, asked
