"""A `<Link>` to an API route in Chromium against a real `pyxle serve`: never prefetched (its GET
handler would run unasked), and a click loads it in full with the handler run once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

EFFECT = '''
from pathlib import Path

HITS = Path(__file__).resolve().parents[2] / "hits.txt"

async def get(request):
    HITS.write_text(HITS.read_text() + "x" if HITS.exists() else "x")
    return {"hits": len(HITS.read_text())}
'''
INDEX = '''
import { Link } from 'pyxle/client'

export default function Index() {
  return (
    <main>
      <h1>Home</h1>
      <Link href="/api/effect">The API route</Link>
      <Link href="/other">Other</Link>
    </main>
  )
}
'''
OTHER = "export default function Other() {\n  return <h1>Other</h1>\n}\n"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    files = {"pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER, "pages/api/effect.py": EFFECT}
    root = write_project(tmp_path_factory.mktemp("api-links") / "app", files)
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "a" * 40}) as server:
        server.root = root  # type: ignore[attr-defined]
        yield server


@cites("docs/client.md", "A link to an API route (a URL under `/api/`) is never prefetched")
def test_a_link_to_an_api_route_is_not_prefetched_and_a_click_runs_its_handler_once(app: Server, page: PageWatch) -> None:
    hits: Path = app.root / "hits.txt"  # type: ignore[attr-defined]
    asked: list[str] = []
    page.page.on("request", lambda request: asked.append(request.url))
    with page.page.expect_response(lambda r: r.url == app.url + "/other"):  # the page link in view is prefetched
        page.page.goto(app.url + "/")
        page.hydrated()
    page.page.get_by_role("link", name="The API route").hover()
    page.page.wait_for_timeout(500)
    assert app.url + "/api/effect" not in asked and not hits.exists()
    page.page.get_by_role("link", name="The API route").click()
    page.page.wait_for_url(app.url + "/api/effect")
    page.page.get_by_text('"hits"').wait_for()
    assert hits.read_text() == "x" and asked.count(app.url + "/api/effect") == 1
