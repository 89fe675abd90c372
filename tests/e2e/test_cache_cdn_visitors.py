"""Stored pages behind nginx's `proxy_cache` (a CDN stand-in), visited in Chromium: a browser that
views, prefetches and navigates stored pages holds no cookie, so a cache that honours `Vary:
Cookie` gives it the copy it keeps for everyone, and a form it reaches still posts on the first try.

A probe found it: every `<Link>` prefetch's answer and every navigation JSON set the `pyxle-csrf`
cookie, even for pages without a form, so each browser had a cookie of its own after its first
page, and nginx (Varnish, Fastly) kept one copy of each stored page per visitor."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import SHARED_SECRET, PageWatch, Server, free_port, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_proxies import nginx_command, running

LINKS = '''<nav><Link href="/about" id="to-about">about</Link> <Link href="/posts/1" id="to-post">post</Link>
    <Link href="/contact" id="to-contact">contact</Link> <Link href="/gone" id="to-gone">gone</Link></nav>'''
ABOUT = '''
import { Link } from 'pyxle/client'

CACHE = {"revalidate": 60}

export default function About() {
  return <div><h1 id="title">about</h1>LINKS</div>
}
'''.replace("LINKS<", LINKS + "<")
POST = '''
import { Link } from 'pyxle/client'

@server
async def load(request):
    return {"data": {"id": request.path_params["id"]}, "revalidate": 60}

export default function Post({ data }) {
  return <div><h1 id="title">post {data.id}</h1>LINKS</div>
}
'''.replace("LINKS<", LINKS + "<")
CONTACT = '''
import { useState } from 'react'
import { Form, Link } from 'pyxle/client'

@server
async def load(request):
    return {"n": 1}

@action
async def send(request):
    return {"sent": True}

export default function Contact() {
  const [out, setOut] = useState('none')
  return <div><h1 id="title">contact</h1>
    <Form action="send" onSuccess={(result) => setOut(JSON.stringify(result))}><button id="send">send</button></Form>
    <pre id="out">{out}</pre>LINKS</div>
}
'''.replace("LINKS<", LINKS + "<")
SITE = """
proxy_cache_path {tmp}/cache keys_zone=pages:1m;
server {{
    listen 127.0.0.1:{port};
    location / {{
        proxy_pass http://127.0.0.1:{upstream};
        proxy_set_header Host $http_host;
        proxy_cache pages;
        add_header X-Edge $upstream_cache_status always;
    }}
}}
"""
SECURITY = "docs/security.md"

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # No public/favicon.ico: the browser's request of it is answered by the not-found page.
    files = {"pages/about.pyxl": ABOUT, "pages/posts/[id].pyxl": POST, "pages/contact.pyxl": CONTACT}
    root = write_project(tmp_path_factory.mktemp("cache-cdn-visitors") / "app", files)
    with serving(root, "--workers", "1", "--no-access-log", env=SHARED_SECRET) as server:
        yield server


@pytest.fixture(scope="module")
def edge(app: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx caching in front of ``app``; its URL."""
    folder = tmp_path_factory.mktemp("edge")
    port, upstream = free_port(), int(app.url.rsplit(":", 1)[1])
    url = f"http://127.0.0.1:{port}"
    with running(nginx_command(folder, SITE.format(tmp=folder, port=port, upstream=upstream)), url + "/healthz",
                 folder / "error.log"):
        yield url


def visit(page: PageWatch, url: str) -> str:
    """Load ``url`` in full; what nginx said of it (``X-Edge``: MISS, HIT...)."""
    answer = page.page.goto(url)
    page.hydrated()
    return answer.headers.get("x-edge", "")


@cites(SECURITY, "nor do the router's\n  navigation JSON and prefetch answers (a `Link` in view or hovered, a client-side navigation)")
@cites("docs/pages.md", "A browser that only views stored pages and\n  moves between them with `Link` (its prefetches, its "
                        "navigations) holds no cookie of Pyxle's\n  either, as the router's answers set none, so the CDN "
                        "gives it the copy it keeps for everyone.")
def test_a_browser_moving_between_stored_pages_holds_no_cookie_and_the_cdn_gives_it_the_shared_copy(
        edge: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Before the fix the prefetches of the links on /about set `pyxle-csrf`, so the browser's next
    full load of /about carried it and nginx answered MISS (a copy of its own, `Vary: Cookie`)."""
    first = browser.new_context()
    visit(PageWatch(first.new_page()), edge + "/about")  # another visitor: nginx keeps the page
    first.close()
    context = browser.new_context()
    page = PageWatch(context.new_page())
    try:
        prefetched: list[str] = []
        page.page.on("response", lambda r: r.request.headers.get("x-pyxle-navigation") and prefetched.append(r.url))
        assert visit(page, edge + "/about") == "HIT"
        page.page.wait_for_timeout(500)  # the links in view are prefetched
        assert any(url.endswith("/posts/1") for url in prefetched), prefetched
        page.page.click("#to-post")  # a client-side navigation: the navigation JSON
        page.page.wait_for_function("document.querySelector('#title').textContent === 'post 1'")
        page.page.click("#to-about")
        page.page.wait_for_function("document.querySelector('#title').textContent === 'about'")
        page.page.wait_for_timeout(300)
        assert context.cookies() == []
        assert visit(page, edge + "/about") == "HIT"  # the copy nginx keeps for everyone
        assert context.cookies() == []
        assert [text for _, text in page.problems() if "/gone" not in text] == []  # (its prefetch: a 404)
    finally:
        context.close()


@cites(SECURITY, "and has none either in a form\n  reached by client-side navigation from such a page")
def test_a_form_reached_by_navigation_from_a_stored_page_posts_on_its_first_submit(
        edge: str, page: PageWatch) -> None:
    posts: list[int] = []
    page.page.on("response", lambda r: "/api/__actions/" in r.url and posts.append(r.status))
    visit(page, edge + "/about")
    page.page.click("#to-contact")
    page.page.wait_for_function("document.querySelector('#title').textContent === 'contact'")
    page.page.wait_for_timeout(200)
    assert page.page.context.cookies() == []
    page.page.click("#send")
    page.page.wait_for_function("document.querySelector('#out').textContent !== 'none'", timeout=15000)
    assert json.loads(page.page.text_content("#out")) == {"sent": True}
    assert posts == [403, 200]  # refused once without a token, which set the cookie, then sent with it
    assert [c["name"] for c in page.page.context.cookies()] == ["pyxle-csrf"]


def test_a_form_loaded_in_full_posts_on_its_first_submit(edge: str, page: PageWatch) -> None:
    """Its document holds the visitor's token, and sets the cookie that matches it."""
    posts: list[int] = []
    page.page.on("response", lambda r: "/api/__actions/" in r.url and posts.append(r.status))
    visit(page, edge + "/contact")
    assert [c["name"] for c in page.page.context.cookies()] == ["pyxle-csrf"]
    page.page.click("#send")
    page.page.wait_for_function("document.querySelector('#out').textContent !== 'none'", timeout=15000)
    assert json.loads(page.page.text_content("#out")) == {"sent": True} and posts == [200]


@pytest.mark.parametrize("kind", ["1", "prefetch"])
@pytest.mark.parametrize("path", ["/about", "/posts/2", "/contact", "/gone"])
def test_the_routers_requests_get_no_cookie(app: Server, path: str, kind: str) -> None:
    """Navigation JSON and prefetch answers, of stored pages, of a page with a form and of an unknown URL."""
    answer = httpx.get(app.url + path, headers={"x-pyxle-navigation": kind})
    assert answer.status_code in (200, 404) and "set-cookie" not in answer.headers, answer.headers


@cites(SECURITY, "nor a page that answers a browser's request of an image, a script or a style (`Sec-Fetch-Dest`:\n"
                 "  a missing `/favicon.ico`)")
def test_a_not_found_page_answering_an_image_request_sets_no_cookie(app: Server) -> None:
    image = httpx.get(app.url + "/favicon.ico", headers={"sec-fetch-dest": "image"})
    assert image.status_code == 404 and "set-cookie" not in image.headers
    document = httpx.get(app.url + "/favicon.ico", headers={"sec-fetch-dest": "document"})
    assert document.status_code == 404 and "pyxle-csrf=" in document.headers["set-cookie"]


@cites(SECURITY, "(but for an answer that\n  carries no cookie either way: a `public` one, the router's)")
def test_a_navigation_answer_to_a_client_without_a_cookie_may_be_a_304(app: Server) -> None:
    """It sets no cookie, so the `304` leaves the client nothing short."""
    nav = {"x-pyxle-navigation": "1"}
    first = httpx.get(app.url + "/contact", headers=nav)
    again = httpx.get(app.url + "/contact", headers={**nav, "if-none-match": first.headers["etag"]})
    assert again.status_code == 304, again.headers
