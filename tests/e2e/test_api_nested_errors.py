"""The errors of a URL in a nested ``api/`` folder (``pages/admin/api/health.py``) are JSON, as under
``/api/``, on a real `pyxle serve` and `pyxle dev`: a 404 where no route answers (before, the
not-found page in HTML), and under `pyxle dev` the broken build's 500 (before, the HTML overlay
for a request that accepts HTML). Only the URL of an ``api/`` folder the app has counts: a page at
``/docs/api``, a URL ``/blog/api-design/x``, an ``api`` segment with no such folder keep the page's 404.

pyxle-framework 0.9.4 answered every URL no route matched alike, ``/api/nope`` included: the
project's ``not-found.pyxl`` in HTML, or a ``text/plain`` "Not Found" without one."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

HTML = {"accept": "text/html"}
NAV = {"x-pyxle-navigation": "1"}
FILES = {
    "pages/index.pyxl": 'export default function Home() { return <p id="home">home</p> }\n',
    "pages/not-found.pyxl": 'export default function Missing() { return <p id="missing">no such page</p> }\n',
    "pages/docs/api.pyxl": 'export default function Reference() { return <p>reference</p> }\n',
    "pages/blog/[slug].pyxl": 'export default function Post() { return <p>post</p> }\n',
    "pages/api/hello.py": "async def get(request): return {'hello': True}\n",
    "pages/admin/api/health.py": "async def get(request): return {'admin': 1}\n",
    "pages/s/[slug]/api/v2/summary.py": "async def get(request, slug: str): return {'slug': slug}\n",
    "pages/(team)/x/api/ping.py": "async def get(request): return {'pong': True}\n",
}
API_URLS = ["/admin/api/nope", "/admin/api", "/admin/api/deeper/still/nope", "/admin/api/nope/",
            "/s/abc/api/nope", "/s/abc/api/v2/nope", "/x/api/nope", "/api/nope"]
PAGE_URLS = ["/nope", "/docs/api/nope", "/blog/api-design/nope", "/admin/nope", "/s/abc/nope",
             "/other/api/nope", "/admin/apis/nope", "/s/abc/d/api/nope"]


@pytest.fixture(scope="module", params=["serve", "dev"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp(f"api-errors-{request.param}") / "app", FILES)
    with serving(project, command=request.param, env={"PYXLE_SECRET_KEY": "s" * 40}) as running:
        yield running


def _is_json_404(response: httpx.Response) -> bool:
    return (response.status_code == 404 and response.headers["content-type"] == "application/json"
            and response.json() == {"error": "Not Found"})


@cites("docs/api-routes.md", "A URL in an `api/` folder that no route answers gets the JSON 404 of `/api/`\n"
       '  (`{"error": "Not Found"}`), as API clients read it, not the `not-found.pyxl` page')
@cites("docs/security.md", "Nor does the JSON `404` of a URL under `/api/` (or an `api/` folder) that nothing answers")
@pytest.mark.parametrize("path", API_URLS)
def test_a_url_of_an_api_folder_no_route_answers_is_a_json_404(server: Server, path: str) -> None:
    for headers in (HTML, NAV, {}):
        r = httpx.get(server.url + path, headers=headers, timeout=30)
        assert _is_json_404(r), headers
        assert "set-cookie" not in r.headers, headers  # no form reads a token from a 404 in JSON
    head = httpx.head(server.url + path, headers=HTML, timeout=30)
    assert head.status_code == 404 and head.headers["content-type"] == "application/json"
    # what a POST gets there is what it gets under /api/: CSRF checks a URL no API route answers
    posted, under_api = (httpx.post(server.url + url, json={}, timeout=30) for url in (path, "/api/nope"))
    assert (posted.status_code, posted.json()) == (under_api.status_code, under_api.json()) == (
        403, {"error": "CSRF token missing", "code": "csrf_failed"})


@pytest.mark.parametrize("path", PAGE_URLS)
def test_other_urls_keep_the_not_found_page(server: Server, path: str) -> None:
    r = httpx.get(server.url + path, headers=HTML, timeout=30)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html"), r.text
    assert 'id="missing">no such page<' in r.text
    assert r.headers["set-cookie"].startswith("pyxle-csrf=")  # the page's forms post the token


def test_the_routes_still_answer_and_refuse_methods_in_json(server: Server) -> None:
    assert httpx.get(server.url + "/admin/api/health", timeout=30).json() == {"admin": 1}
    assert httpx.get(server.url + "/s/abc/api/v2/summary", timeout=30).json() == {"slug": "abc"}
    assert "reference" in httpx.get(server.url + "/docs/api", headers=HTML, timeout=30).text
    refused = httpx.post(server.url + "/admin/api/health", headers=HTML, timeout=30)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, OPTIONS", refused.text
    assert refused.json() == {"error": "Method Not Allowed"}


def test_dev_answers_an_api_folder_url_with_json_while_the_build_is_broken(tmp_path, start_server) -> None:  # type: ignore[no-untyped-def]
    """A browser tab or a script that sends ``Accept: text/html`` to an API URL gets the error as
    JSON, not the overlay page the project's pages show while the project does not load (an API
    route that does not import: a page that does not build breaks that page alone)."""
    project = write_project(tmp_path / "app", FILES)
    server = start_server(project, "dev", env={"PYXLE_SECRET_KEY": "s" * 40})
    (project / "pages" / "api" / "broken.py").write_text("async def get(request):\n    return {'x': 1\n")
    deadline = time.monotonic() + 30
    while (page := httpx.get(server.url + "/", headers=HTML, timeout=20)).status_code != 500:
        assert time.monotonic() < deadline, "the broken page was not picked up"
        time.sleep(0.2)
    assert 'id="pyxle-dev-error"' in page.text
    for path in ("/admin/api/health", "/s/abc/api/v2/summary", "/x/api/nope", "/api/hello"):
        r = httpx.get(server.url + path, headers=HTML, timeout=20)
        assert r.status_code == 500 and r.headers["content-type"] == "application/json", (path, r.text[:300])
        assert r.json()["error"] == "Build failed" and "pages/api/broken.py" in r.json()["detail"], path
        assert "x-pyxle-navigation" not in r.headers.get("vary", ""), path
    for path in ("/docs/api", "/blog/api-design", "/other/api/nope"):
        r = httpx.get(server.url + path, headers=HTML, timeout=20)
        assert r.status_code == 500 and 'id="pyxle-dev-error"' in r.text, path


CATCH_ALLS = {
    "pages/[...slug].pyxl": 'export default function Any() { return <p id="any">root catch-all</p> }\n',
    "pages/admin/[...rest].pyxl": 'export default function Admin() { return <p id="admin">admin catch-all</p> }\n',
    "pages/docs/api.pyxl": 'export default function Reference() { return <p id="ref">reference</p> }\n',
    "pages/api/hello.py": "async def get(request): return {'hello': True}\n",
    "pages/admin/api/users.py": "async def get(request): return {'users': []}\n",
}


@cites("docs/api-routes.md", "A catch-all page is a route too, and answers there as it does anywhere, as in pyxle-framework 0.9")
def test_a_catch_all_page_answers_the_urls_of_an_api_folder_nested_or_not(tmp_path, start_server) -> None:  # type: ignore[no-untyped-def]
    """The nested folder is treated as ``pages/api/`` is: a catch-all page above it answers what
    no API route does (pyxle-framework 0.9.4 matched API routes first, then pages, in one list)."""
    server = start_server(write_project(tmp_path / "app", CATCH_ALLS), "serve", env={"PYXLE_SECRET_KEY": "s" * 40})
    for path, marker in (("/api/nope", 'id="any">root catch-all<'), ("/admin/api/nope", 'id="admin">admin catch-all<'),
                         ("/admin/api", 'id="admin">admin catch-all<'), ("/docs/api", 'id="ref">reference<')):
        r = httpx.get(server.url + path, headers=HTML, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and marker in r.text, path
        assert r.headers["set-cookie"].startswith("pyxle-csrf="), path  # a page: its forms post the token
    assert httpx.get(server.url + "/api/hello", timeout=30).json() == {"hello": True}
    assert httpx.get(server.url + "/admin/api/users", timeout=30).json() == {"users": []}


def test_dev_gives_the_token_cookie_at_an_api_url_once_a_catch_all_page_answers_it(tmp_path, start_server) -> None:  # type: ignore[no-untyped-def]
    """What answers a URL changes with the files under `pyxle dev`: the JSON 404 needs no token,
    the page that answers it next does."""
    project = write_project(tmp_path / "app", {"pages/index.pyxl": FILES["pages/index.pyxl"],
                                               "pages/api/hello.py": FILES["pages/api/hello.py"]})
    server = start_server(project, "dev", env={"PYXLE_SECRET_KEY": "s" * 40})
    before = httpx.get(server.url + "/api/nope", headers=HTML, timeout=30)
    assert _is_json_404(before) and "set-cookie" not in before.headers
    (project / "pages" / "[...slug].pyxl").write_text(CATCH_ALLS["pages/[...slug].pyxl"])
    deadline = time.monotonic() + 30
    while (after := httpx.get(server.url + "/api/nope", headers=HTML, timeout=20)).status_code != 200:
        assert time.monotonic() < deadline, "the catch-all page was not picked up"
        time.sleep(0.2)
    assert 'id="any">root catch-all<' in after.text and after.headers["set-cookie"].startswith("pyxle-csrf=")
    (project / "pages" / "[...slug].pyxl").unlink()
    deadline = time.monotonic() + 30
    while (gone := httpx.get(server.url + "/api/nope", headers=HTML, timeout=20)).status_code != 404:
        assert time.monotonic() < deadline, "the catch-all page's removal was not picked up"
        time.sleep(0.2)
    assert _is_json_404(gone) and "set-cookie" not in gone.headers
