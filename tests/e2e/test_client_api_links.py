"""A `<Link>` to an API route in Chromium against a real `pyxle serve`: never prefetched (its GET
handler would run unasked), and a click loads it in full with the handler run once; under
`/api/` and under a nested `api/` folder (`pages/admin/api/`) alike, while a page whose URL has
an `api` segment (`/docs/api`) is prefetched and navigated to as any page."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

EFFECT = '''
from pathlib import Path

HITS = Path(__file__).resolve().parents[{depth}] / "hits-{name}.txt"

async def get(request):
    HITS.write_text(HITS.read_text() + "x" if HITS.exists() else "x")
    return {{"hits": len(HITS.read_text())}}
'''
INDEX = '''
import { Link } from 'pyxle/client'

export default function Index() {
  return (
    <main>
      <h1>Home</h1>
      <Link href="/api/effect">The API route</Link>
      <Link href="/admin/api/effect">The nested API route</Link>
      <Link href="/s/abc/api/effect">The API route below a parameter</Link>
      <Link href="/other">Other</Link>
      <Link href="/docs/api">The API reference</Link>
    </main>
  )
}
'''
OTHER = "export default function Other() {\n  return <h1>Other</h1>\n}\n"
REFERENCE = "export default function Reference() {\n  return <h1>Reference</h1>\n}\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER, "pages/docs/api.pyxl": REFERENCE,
             "pages/api/effect.py": EFFECT.format(depth=2, name="api"),
             "pages/admin/api/effect.py": EFFECT.format(depth=3, name="admin"),
             "pages/s/[slug]/api/effect.py": EFFECT.format(depth=4, name="slug")}
    root = write_project(tmp_path_factory.mktemp("api-links") / "app", files)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "a" * 40}) as server:
        server.root = root  # type: ignore[attr-defined]
        yield server


@cites("docs/client.md", "A link to an API route (a URL under `/api/`, or under another `api/` folder of\nroutes such as "
       "`/admin/api/`) is never prefetched")
@pytest.mark.parametrize("name,path,hits", [("The API route", "/api/effect", "api"),
                                            ("The nested API route", "/admin/api/effect", "admin"),
                                            ("The API route below a parameter", "/s/abc/api/effect", "slug")])
def test_a_link_to_an_api_route_is_not_prefetched_and_a_click_runs_its_handler_once(
        app: Server, page: PageWatch, name: str, path: str, hits: str) -> None:
    counted: Path = app.root / f"hits-{hits}.txt"  # type: ignore[attr-defined]
    asked: list[str] = []
    page.page.on("request", lambda request: asked.append(request.url))
    with page.page.expect_response(lambda r: r.url == app.url + "/other"):  # the page link in view is prefetched
        page.page.goto(app.url + "/")
        page.hydrated()
    page.page.get_by_role("link", name=name, exact=True).hover()
    page.page.wait_for_timeout(500)
    assert app.url + path not in asked and not counted.exists()
    page.page.get_by_role("link", name=name, exact=True).click()
    page.page.wait_for_url(app.url + path)
    page.page.get_by_text('"hits"').wait_for()
    assert counted.read_text() == "x" and asked.count(app.url + path) == 1


def test_a_page_whose_url_has_an_api_segment_is_navigated_to_client_side(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.evaluate("window.__kept = true")
    page.page.get_by_role("link", name="The API reference").click()
    page.page.get_by_role("heading", name="Reference").wait_for()
    assert page.page.evaluate("window.__kept") is True  # no full load


FOLDERS = '<script type="application/json" id="pyxle-api-folders">[["=admin","=api"]]</script>'


@cites("docs/pages.md", "the document carries those folders' URL shapes in `<script\ntype=\"application/json\" "
       "id=\"pyxle-api-folders\">`: the router never asks a URL under one for a page")
def test_the_document_names_the_api_folders_as_pyxle_dev_finds_them(tmp_path: Path) -> None:
    """The router learns the nested api/ folders from the document, made from the route table: an
    api/ folder added under `pyxle dev` (a .py file, no source of the bundle) is named at once."""
    project = write_project(tmp_path / "app", {"pages/index.pyxl": OTHER, "pages/api/effect.py": EFFECT.format(
        depth=2, name="api")})
    with serving(project, command="dev") as server:
        assert "pyxle-api-folders" not in httpx.get(server.url + "/", timeout=30).text  # pages/api/: /api/ as ever
        (project / "pages" / "admin" / "api").mkdir(parents=True)
        (project / "pages" / "admin" / "api" / "effect.py").write_text(EFFECT.format(depth=3, name="admin"))
        deadline = time.monotonic() + 30
        while FOLDERS not in (text := httpx.get(server.url + "/", timeout=30).text):
            assert time.monotonic() < deadline, text
            time.sleep(0.2)
