"""Stored pages behind a shared cache: nginx's `proxy_cache` in front of a real `pyxle serve`, keeping
what the page cache's `Cache-Control` and `Vary` let it keep (as a CDN would)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, free_port, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_proxies import nginx_command, running

WHO = '''
@server
async def load(request):
    who = request.cookies.get("session") or "anonymous"
    return {"data": {"who": who}, "revalidate": 60}

export default function Page({ data }) { return <p>hello {data.who}</p> }
'''
SITE = """
proxy_cache_path {tmp}/cache keys_zone=pages:1m;
server {{
    listen 127.0.0.1:{port};
    location / {{
        proxy_pass http://127.0.0.1:{upstream};
        proxy_cache pages;
        add_header X-Edge $upstream_cache_status;
    }}
}}
"""

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (scripts/test.sh installs it)")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    config = '{"cache": {"/team": {"sMaxage": 60, "shared": true}}}'
    root = write_project(tmp_path_factory.mktemp("cache-proxy") / "app",
                         {"pages/who.pyxl": WHO, "pages/team.pyxl": WHO, "pyxle.config.json": config})
    with serving(root, env={"PYXLE_SECRET_KEY": "p" * 40}) as server:
        yield server


@pytest.fixture
def edge(app: Server, tmp_path: Path) -> Iterator[str]:
    """nginx caching in front of ``app``; its URL."""
    port, upstream = free_port(), int(app.url.rsplit(":", 1)[1])
    url = f"http://127.0.0.1:{port}"
    site = SITE.format(tmp=tmp_path, port=port, upstream=upstream)
    with running(nginx_command(tmp_path, site), url + "/healthz", tmp_path / "error.log"):
        yield url


def _csrf_cookie(app: Server) -> str:
    """A returning visitor's CSRF cookie (a page rendered for its visitor sets it: the not-found page;
    a stored page without a token sets none, nor does the router's navigation JSON)."""
    return httpx.get(app.url + "/no-such-page").cookies["pyxle-csrf"]


@cites("docs/pages.md", "so a stored document of a route that is not `\"shared\": true` also says `Vary: Cookie, Authorization`")
def test_a_shared_cache_in_front_never_gives_a_signed_in_visitor_the_anonymous_copy(app: Server, edge: str) -> None:
    """The stored page was `public, s-maxage` with `Vary: x-pyxle-navigation` alone, so nginx served
    its anonymous copy to a visitor with a session cookie, who behind no proxy gets their own page."""
    anonymous = {"cookie": f"pyxle-csrf={_csrf_cookie(app)}"}
    first = httpx.get(edge + "/who", headers=anonymous)
    again = httpx.get(edge + "/who", headers=anonymous)
    assert "hello <!-- -->anonymous" in again.text and again.headers["x-edge"] == "HIT", again.headers  # nginx keeps it
    signed_in = httpx.get(edge + "/who", headers={"cookie": anonymous["cookie"] + "; session=bob"})
    assert "hello <!-- -->bob" in signed_in.text, signed_in.headers
    assert "public" in first.headers["cache-control"]
    assert {"cookie", "authorization"} <= {v.strip().lower() for v in first.headers["vary"].split(",")}
    bearer = httpx.get(edge + "/who", headers={**anonymous, "authorization": "Bearer ada"})
    assert bearer.headers["x-edge"] != "HIT", bearer.headers  # rendered for that request, not the stored copy


@cites("docs/pages.md", "A `\"shared\": true` route varies on nothing")
def test_a_shared_route_is_kept_by_the_shared_cache_for_everyone(app: Server, edge: str) -> None:
    anonymous = {"cookie": f"pyxle-csrf={_csrf_cookie(app)}"}
    first = httpx.get(edge + "/team", headers=anonymous)
    assert first.headers["vary"].lower().split(", ")[:1] == ["x-pyxle-navigation"]
    assert "cookie" not in first.headers["vary"].lower()
    signed_in = httpx.get(edge + "/team", headers={"cookie": anonymous["cookie"] + "; session=bob"})
    assert signed_in.headers["x-edge"] == "HIT" and "hello <!-- -->anonymous" in signed_in.text


@cites("docs/pages.md", "a CDN's request to the\n  origin carries none, so the CDN keeps the page")
@pytest.mark.parametrize("path", ["/who", "/team"])
def test_a_shared_cache_keeps_a_stored_page_for_requests_without_any_cookie(app: Server, edge: str, path: str) -> None:
    """As a CDN asks the origin: before the fix each such answer was `private, no-cache` with a
    `Set-Cookie` for the CSRF token, and nginx kept none of them (`x-edge: MISS` every time)."""
    first = httpx.get(edge + path + "?visit=cookie-less")
    again = httpx.get(edge + path + "?visit=cookie-less")
    assert first.headers["cache-control"].startswith("public, s-maxage=") and "set-cookie" not in first.headers
    assert again.headers["x-edge"] == "HIT" and "hello <!-- -->anonymous" in again.text, again.headers
