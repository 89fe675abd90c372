"""An unknown URL on a real `pyxle serve`: its `not-found.pyxl` is rendered inside its layouts with
their loaders' data, as for a page of that folder (pyxle-framework 0.9 ran the layout loaders too)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = '''
from starlette.responses import RedirectResponse

@server
async def load(request):
    if request.headers.get("x-fail"):
        raise RuntimeError("the site settings are unreachable")
    if request.headers.get("x-signed-out"):
        return RedirectResponse("/login")
    return {"site": "Mini"}

export default function Layout({ children, data }) {
  return <div><header id="site">{data.site.toUpperCase()}</header>{children}</div>
}
'''

BLOG_LAYOUT = '''
@server
async def load(request):
    return {"section": "blog"}

export default function BlogLayout({ children, data }) {
  return <section><h2 id="section">{data.section.toUpperCase()} of {data.site}</h2>{children}</section>
}
'''

FILES = {
    "pages/layout.pyxl": LAYOUT,
    "pages/index.pyxl": "export default function Home() { return <p>home</p> }\n",
    "pages/not-found.pyxl": "export default function NotFound() { return <p id=\"nf\">custom not found</p> }\n",
    "pages/blog/layout.pyxl": BLOG_LAYOUT,
    "pages/blog/index.pyxl": "export default function Blog() { return <p>blog</p> }\n",
    "pages/blog/not-found.pyxl": "export default function NoPost() { return <p id=\"nf\">no such post</p> }\n",
}
NAV = {"x-pyxle-navigation": "1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with serving(write_project(tmp_path_factory.mktemp("not-found-layouts"), FILES),
                 env={"PYXLE_SECRET_KEY": "n" * 40}) as server:
        yield server


@cites("docs/pages.md", "the loaders of the layouts around it run, as for a page of that folder")
def test_an_unknown_url_renders_the_not_found_page_inside_its_layout_with_the_layout_data(server: Server) -> None:
    response = httpx.get(server.url + "/nope")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert '<header id="site">MINI</header>' in response.text
    assert '<p id="nf">custom not found</p>' in response.text
    assert '"layoutData":{"layout.pyxl":{"site":"Mini"}}' in response.text


def test_an_unknown_url_in_a_folder_runs_every_layout_loader_above_its_not_found_page(server: Server) -> None:
    response = httpx.get(server.url + "/blog/2020/missing")
    assert response.status_code == 404
    assert '<header id="site">MINI</header>' in response.text
    assert '<h2 id="section">BLOG<!-- --> of <!-- -->Mini</h2>' in response.text
    assert '<p id="nf">no such post</p>' in response.text


@cites("docs/pages.md", 'navigation JSON carries the same `layoutData`: `{"ok": false, "routePath": ..., "error": '
       '{...}, "layoutData": {...}}`')
def test_navigation_json_for_an_unknown_url_carries_the_same_layout_data(server: Server) -> None:
    response = httpx.get(server.url + "/blog/missing", headers=NAV)
    assert response.status_code == 404
    assert response.json() == {
        "ok": False, "routePath": "/blog/missing",
        "error": {"message": "This page could not be found", "statusCode": 404, "data": {}, "type": "NotFound"},
        "layoutData": {"layout.pyxl": {"site": "Mini"}, "blog/layout.pyxl": {"section": "blog"}}}


@cites("docs/pages.md", "a layout loader that fails there gets the built-in 404 page instead, and the exception is logged")
def test_a_layout_loader_that_fails_for_an_unknown_url_gets_the_built_in_404_page_and_is_logged(
        server: Server) -> None:
    response = httpx.get(server.url + "/nope-again", headers={"x-fail": "1"})
    assert response.status_code == 404 and "<h1>404</h1>" in response.text
    assert "custom not found" not in response.text and "unreachable" not in response.text
    output = server.wait_for_output("RuntimeError: the site settings are unreachable")
    assert "the layouts around not-found.pyxl failed for /nope-again" in output


@cites("docs/pages.md", "A layout loader that returns a response (a redirect to log in) is answered with it")
def test_a_layout_loader_that_redirects_is_answered_for_an_unknown_url_as_on_a_page(server: Server) -> None:
    response = httpx.get(server.url + "/nope", headers={"x-signed-out": "1"})
    assert response.status_code == 307 and response.headers["location"] == "/login"
    nav = httpx.get(server.url + "/nope", headers={"x-signed-out": "1", **NAV})
    assert nav.json() == {"ok": False, "routePath": "/nope", "redirect": "/login"}
