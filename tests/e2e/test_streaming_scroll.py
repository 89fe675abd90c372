"""Scroll restoration of a streamed page in a real headless Chromium under `pyxle serve`: the page is
short when the router starts (its tall part is still behind a Suspense boundary), so the saved position
is tried again as the document grows, until the user takes over, the router navigates, or the
document has loaded."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project

# The tall part arrives `delay` ms after the shell, through React's use(promise) inside <Suspense>.
STREAMED = """
    @server
    async def load(request):
        return {"delay": DELAY}

    import React, { Suspense, use } from 'react'

    const waits = new WeakMap()  // one wait per render (the props object), so the shell never waits
    function Tall({ data }) {
      let promise = waits.get(data)
      if (!promise) waits.set(data, promise = new Promise((resolve) => setTimeout(resolve, data.delay)))
      use(promise)
      return <div id="tall" style={{ height: '5000px' }}>tall</div>
    }

    export default function Page({ data }) {
      return (
        <main>
          <h1 id="shell">Streamed</h1>
          SHELL
          <Suspense fallback={<p id="fallback">loading</p>}><Tall data={data} /></Suspense>
        </main>
      )
    }
    """

PAGES = {
    "pages/tallsus.pyxl": STREAMED.replace("DELAY", "1000").replace("SHELL", ""),
    # A 2000px shell the user can scroll in while the tall part is still on its way.
    "pages/tallshell.pyxl": STREAMED.replace("DELAY", "2500").replace(
        "SHELL", "<div id=\"intro\" style={{ height: '2000px' }}>intro</div>"),
    "pages/other.pyxl": """
        export default function Other() {
          return <main><h1 id="other">Other</h1><div style={{ height: '5000px' }}>other</div></main>
        }
        """,
    # Not streamed: it grows 1.5 s after it is shown, long after the document has loaded.
    "pages/grows.pyxl": """
        import React, { useEffect, useState } from 'react'

        export default function Grows() {
          const [tall, setTall] = useState(false)
          useEffect(() => { const timer = setTimeout(() => setTall(true), 1500); return () => clearTimeout(timer) }, [])
          return <main><h1 id="grows">Grows</h1>{tall && <div id="late" style={{ height: '5000px' }}>late</div>}</main>
        }
        """,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("streaming-scroll") / "app", PAGES), "--ssr-workers", "1") as server:
        for path in ("/tallsus", "/tallshell"):  # the SSR worker learns that these suspend: from then on they stream
            httpx.get(server.url + path, timeout=30)
        yield server


def scrolled_to(page: PageWatch, target: int, wait: int = 5000) -> int:
    """scrollY once it is `target`, or as it is after `wait` ms (so a failure shows where it is)."""
    return page.page.evaluate("""([target, wait]) => new Promise((done) => {
      const start = performance.now()
      const check = () => Math.abs(scrollY - target) < 1 || performance.now() - start > wait
        ? done(Math.round(scrollY)) : requestAnimationFrame(check)
      check()
    })""", [target, wait])


def leave_at(site: Server, page: PageWatch, path: str, ready: str, top: int) -> None:
    """Opens `path`, waits for `ready` (the tall part), and scrolls to `top`."""
    page.page.goto(site.url + path)
    page.hydrated()
    page.page.wait_for_selector(ready, timeout=15000)
    page.page.evaluate(f"scrollTo(0, {top})")
    page.page.wait_for_function(f"scrollY === {top}")


def reload_mid_stream(page: PageWatch) -> None:
    """Reloads and returns once the page has hydrated, while its boundary is still loading."""
    page.page.reload(wait_until="commit")
    page.hydrated()
    assert page.page.locator("#fallback").count() == 1, "the boundary resolved before the test could act"


def test_a_reload_of_a_streamed_page_restores_the_scroll_once_its_tall_part_arrives(site: Server,
                                                                                    page: PageWatch) -> None:
    leave_at(site, page, "/tallsus", "#tall", 2000)
    page.page.reload()
    page.hydrated()
    page.page.wait_for_selector("#tall", timeout=15000)
    assert scrolled_to(page, 2000) == 2000
    assert page.problems() == []


def test_a_user_who_scrolls_while_the_page_streams_is_not_moved_to_the_saved_position_afterwards(
        site: Server, page: PageWatch) -> None:
    leave_at(site, page, "/tallshell", "#tall", 4000)
    reload_mid_stream(page)
    short = page.page.evaluate("Math.round(scrollY)")
    assert 0 < short < 2000  # as far as the shell goes
    page.page.mouse.move(400, 300)
    page.page.mouse.wheel(0, -500)
    page.page.wait_for_function(f"scrollY < {short - 200}")
    page.page.wait_for_selector("#tall", timeout=15000)
    page.page.wait_for_load_state("load")
    page.page.wait_for_timeout(1000)
    assert page.page.evaluate("scrollY") < short - 200


def test_a_client_side_navigation_while_the_page_streams_starts_the_next_page_at_the_top(
        site: Server, page: PageWatch) -> None:
    leave_at(site, page, "/tallshell", "#tall", 4000)
    reload_mid_stream(page)
    assert page.page.evaluate("window.__PYXLE_ROUTER__.navigate('/other')") is True
    page.page.wait_for_selector("#other")
    page.page.wait_for_load_state("load")
    page.page.wait_for_timeout(1000)
    assert page.page.evaluate("scrollY") == 0


def test_once_the_document_has_loaded_the_page_growing_leaves_the_scroll_where_it_is(site: Server,
                                                                                   page: PageWatch) -> None:
    leave_at(site, page, "/grows", "#late", 3000)
    page.page.reload()
    page.hydrated()
    assert page.page.evaluate("scrollY") == 0  # too short for 3000 until long after it has loaded
    page.page.wait_for_selector("#late", timeout=15000)
    page.page.wait_for_timeout(1000)
    assert page.page.evaluate("scrollY") == 0


def test_a_reload_while_the_page_streams_keeps_the_saved_position_for_the_next_load(site: Server,
                                                                                   page: PageWatch) -> None:
    leave_at(site, page, "/tallsus", "#tall", 2000)
    reload_mid_stream(page)  # left again before the page was tall enough to get back to 2000
    page.page.reload()
    page.hydrated()
    page.page.wait_for_selector("#tall", timeout=15000)
    assert scrolled_to(page, 2000) == 2000
