"""A tab opened before a redeploy, in Chromium against a real `pyxle serve` stopped, rebuilt and
started again on the same port: a deploy that changes the code every page shares (React, the
layout) makes its next navigation a full page load, without an error; one that changes only a
page's own module keeps navigating client-side."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, free_port, server_env
from tests.docs._blocks import cites

LAYOUT = '''
import { useState } from 'react'

export default function Layout({ children }) {
  const [open] = useState(true)
  return <div><header id="banner">{open ? 'Version one' : ''}</header>{children}</div>
}
'''
INDEX = '''
import { Link } from 'pyxle/client'

export default function Index() {
  return <main><h1>Home</h1><Link href="/other">Other</Link></main>
}
'''
# A loader: a prefetch of this page fetches only its code, and a click asks the server again.
OTHER = '''
import { useState } from 'react'

@server
async def load(request):
    return {"n": 1}

export default function Other({ data }) {
  const [title] = useState('Other page')
  return <main><h1>{title}</h1><p id="n">{data.n}</p></main>
}
'''
FILES = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/other.pyxl": OTHER}


@contextmanager
def served(root: Path, port: int, **env: str) -> Iterator[Server]:
    """``pyxle serve`` (building what changed) on ``port``, stopped at the end of the block; ``env``
    beside the test environment (a secret key every start shares)."""
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", str(port), "--ssr-workers", "1"], root,
                    server_env(**env))
    try:
        server.wait_ready(180)
        yield server
    finally:
        server.stop()


def shared(root: Path) -> str | None:
    """What names the code the build's pages share."""
    return json.loads((root / "dist" / "manifest.json").read_text()).get("shared")


def open_home(server: Server, page: PageWatch) -> None:
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.evaluate("window.__sameDocument = true")  # gone once the browser loads a page in full
    page.page.wait_for_timeout(300)  # the link is in view: prefetched from this build


@pytest.fixture
def project(make_project) -> Path:
    return make_project(FILES, node=True)


@cites("docs/client.md", "A tab opened before a deploy that changed the code every page shares (React, `pyxle/client`, a\nlayout) loads its next page in full")
def test_a_deploy_that_changes_the_shared_code_makes_the_next_navigation_a_full_load(
        project: Path, page: PageWatch) -> None:
    port = free_port()
    with served(project, port) as server:
        open_home(server, page)
        before = shared(project)
    (project / "pages" / "layout.pyxl").write_text(LAYOUT.replace("Version one", "Version two"))
    with served(project, port) as server:
        page.page.get_by_role("link", name="Other").click()
        page.page.get_by_role("heading", name="Other page").wait_for()
        assert page.page.locator("#banner").text_content() == "Version two"
        assert page.page.evaluate("window.__sameDocument") is None  # a full page load
    assert page.problems() == []  # the new module was never run with the tab's React
    assert before is not None and shared(project) != before


@cites("docs/pages.md", "A production build\n  adds `shared`, a hash naming the code all pages share, which documents carry too")
def test_a_deploy_that_changes_one_page_keeps_navigating_client_side(project: Path, page: PageWatch) -> None:
    port = free_port()
    with served(project, port) as server:
        before = shared(project)
        answer = httpx.get(server.url + "/other", headers={"x-pyxle-navigation": "1"}).json()
        assert answer["page"]["shared"] == before
        assert f'<meta name="pyxle-shared" content="{before}">' in httpx.get(server.url + "/").text
        open_home(server, page)
    (project / "pages" / "other.pyxl").write_text(OTHER.replace("'Other page'", "'Other page, edited'"))
    with served(project, port) as server:
        assert shared(project) == before
        page.page.get_by_role("link", name="Other").click()
        page.page.get_by_role("heading", name="Other page, edited").wait_for()
        assert page.page.evaluate("window.__sameDocument") is True  # shown client-side
    assert page.problems() == []
