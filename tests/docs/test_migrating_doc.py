"""docs/migrating.md, "Coming from Next.js": the ported post and docs pages served as written, and
each row of the table that says what Pyxle does in place of a Next.js name."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import Server
from tests.docs._blocks import REPO, cites

DOC = "docs/migrating.md"


@pytest.fixture(scope="module")
def app(doc_project) -> Server:
    return doc_project("migrating", node=True)


@cites(DOC, "`raise HTTPException(404)` in a loader: the folder's `not-found.pyxl`, inside its layouts, with a 404")
def test_not_found_is_http_exception_404_which_shows_the_folders_not_found_page(app: Server) -> None:
    missing = httpx.get(app.url + "/blog/nope")
    assert missing.status_code == 404 and 'id="no-post"' in missing.text


@cites(DOC, "`return RedirectResponse(\"/login\")` from a loader (a 307")
def test_redirect_is_a_returned_redirect_response_a_307(app: Server) -> None:
    moved = httpx.get(app.url + "/blog/hi")
    assert moved.status_code == 307 and moved.headers["location"] == "/blog/hello"


@cites(DOC, "the loader reads `request.query_params` and `request.path_params` and gives the page what it needs")
@cites(DOC, "`<Link href={{ pathname, query }}>` | the same, formatted as Next.js formats it")
def test_the_loader_reads_the_query_and_the_page_links_with_a_url_object(app: Server) -> None:
    html = httpx.get(app.url + "/blog/hello?page=2").text
    assert '<p id="where">/blog/hello<!-- -->, page <!-- -->2</p>' in html or "/blog/hello, page 2" in re.sub(
        r"<!-- -->", "", html)
    assert 'id="next" href="/blog/hello?page=3"' in html


@cites(DOC, "`[...slug]` as an array | one string: `/docs/a/b/c` gives `\"a/b/c\"`")
def test_a_catch_all_param_is_one_string(app: Server) -> None:
    assert '<p id="slug">a &gt; b &gt; c</p>' in httpx.get(app.url + "/docs/a/b/c").text


@cites(DOC, "a trailing slash redirected with 308 | redirected with 307")
def test_a_trailing_slash_is_redirected_with_307(app: Server) -> None:
    moved = httpx.get(app.url + "/blog/hello/")
    assert moved.status_code == 307 and moved.headers["location"].endswith("/blog/hello")


@cites(DOC, "`navigate`, `prefetch`, `refresh` from `pyxle/client` (or `getRouter()`)")
@cites(DOC, "`usePathname()` | `usePathname()` from `pyxle/client`")
def test_the_names_given_for_the_router_hooks_are_exports_of_pyxle_client() -> None:
    index = (REPO / "src" / "pyxle" / "client" / "index.js").read_text(encoding="utf-8")
    exported = {name.strip() for group in re.findall(r"^export \{([^}]*)\}", index, flags=re.MULTILINE)
                for name in group.split(",")}
    assert {"navigate", "prefetch", "refresh", "getRouter", "usePathname"} <= exported
