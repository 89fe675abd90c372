"""A `<Link>` to a URL no page takes, on a real `pyxle serve` (and in Chromium): its prefetch runs
no loader, the router remembers that there is no page there instead of asking at each hover, and a
click still shows the not-found page with its 404."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = '''
from pathlib import Path

@server
async def load(request):
    with Path("layout-runs.log").open("a") as log:  # the server's folder: the project's
        log.write(request.url.path + "\\n")
    return {"site": "Mini"}

export default function Layout({ children, data }) {
  return <div><header>{data.site}</header>{children}</div>
}
'''
INDEX = '''
import { Link } from 'pyxle/client'

export default function Index() {
  return <main><h1>Home</h1><Link href="/nowhere">Nowhere</Link> <Link href="/other">Other</Link></main>
}
'''
OTHER = '''
import { Link } from 'pyxle/client'

export default function Other() {
  return <main><h1>Other</h1><Link href="/">Home</Link></main>
}
'''
NOT_FOUND = "export default function NotFound() {\n  return <h1>No such page</h1>\n}\n"
FILES = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER,
         "pages/not-found.pyxl": NOT_FOUND}
PREFETCH = {"x-pyxle-navigation": "prefetch"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("prefetch-not-found") / "app", FILES)


@pytest.fixture(scope="module")
def app(project: Path):
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def layout_runs(project: Path, path: str) -> int:
    """How many times the layout's loader has run for ``path``."""
    log = project / "layout-runs.log"
    return log.read_text().splitlines().count(path) if log.is_file() else 0


@cites("docs/pages.md", "a prefetch of a URL no page takes is answered `{\"ok\": false, \"routePath\", \"error\"}` with 404 and no loader runs")
def test_a_prefetch_of_an_unknown_url_is_a_404_that_runs_no_loader(app: Server, project: Path) -> None:
    for _ in range(3):
        response = httpx.get(app.url + "/nowhere", headers=PREFETCH)
        assert response.status_code == 404
        assert response.json() == {"ok": False, "routePath": "/nowhere", "error": {
            "message": "This page could not be found", "statusCode": 404, "data": {}, "type": "NotFound"}}
        assert "x-pyxle-navigation" in response.headers["vary"]
        assert response.headers["cache-control"].startswith("private")
    assert layout_runs(project, "/nowhere") == 0
    navigation = httpx.get(app.url + "/nowhere", headers={"x-pyxle-navigation": "1"})  # a click's: as before
    assert navigation.status_code == 404 and navigation.json()["layoutData"] == {"layout.pyxl": {"site": "Mini"}}
    assert layout_runs(project, "/nowhere") == 1


@cites("docs/client.md", "is asked about once: the prefetch's 404 (no loader runs for it) is remembered for the same 30 s")
@cites("docs/client.md", "so showing or hovering the link again asks nothing, and a\n  click loads the URL in full, which shows the `not-found.pyxl` page with its 404. The browser\n  lists that one prefetch's 404 in the console (\"Failed to load resource\")")
def test_a_link_to_an_unknown_url_is_prefetched_once_and_a_click_shows_the_not_found_page(
        app: Server, project: Path, page: PageWatch) -> None:
    asked: list[str] = []
    page.page.on("request", lambda r: r.url == app.url + "/nowhere" and asked.append(
        r.headers.get("x-pyxle-navigation", "document")))
    runs = layout_runs(project, "/nowhere")
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.wait_for_timeout(300)  # the link is in view: prefetched
    for _ in range(3):
        page.page.get_by_role("link", name="Nowhere").hover()
        page.page.get_by_role("heading", name="Home").hover()
    page.page.get_by_role("link", name="Other").click()  # client-side, and back: the link is shown again
    page.page.get_by_role("heading", name="Other").wait_for()
    page.page.get_by_role("link", name="Home").click()
    page.page.get_by_role("heading", name="Home").wait_for()
    page.page.get_by_role("link", name="Nowhere").hover()
    page.page.wait_for_timeout(500)
    assert asked == ["prefetch"]
    assert layout_runs(project, "/nowhere") == runs
    nowhere = f"{app.url}/nowhere"  # the one prefetch's 404, as the browser reports any failed request
    assert page.problems() == [
        ("error", f"Failed to load resource: the server responded with a status of 404 (Not Found) ({nowhere})"),
        ("http", f"404 {nowhere}")]

    with page.page.expect_response(app.url + "/nowhere") as answer:
        page.page.get_by_role("link", name="Nowhere").click()
    page.page.get_by_role("heading", name="No such page").wait_for()
    assert answer.value.status == 404 and page.page.url == app.url + "/nowhere"
    assert asked == ["prefetch", "document"]  # the prefetch's answer said enough: no JSON asked for first
    assert layout_runs(project, "/nowhere") == runs + 1  # the not-found page in its layout, once
