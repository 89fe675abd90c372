"""Client-side navigation shows the target folder's loading.pyxl while the page's data is on its way
(as Next.js shows loading.js), inside the layouts the pages share; then the page. On React 19 and 18."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/client.md"

LAYOUT = '''
@server
async def load(request):
    return {"site": "Reports Inc"}

import React, { useState } from 'react'
import { Head } from 'pyxle/client'

export default function Layout({ data, children }) {
  const [count, setCount] = useState(0)
  return (
    <div>
      <Head><title>Reports Inc</title></Head>
      <header id="site">{data.site}</header>
      <button id="count" onClick={() => setCount(count + 1)}>{count}</button>
      {children}
    </div>
  )
}
'''

INDEX = '''
import React from 'react'
import { Head, Link } from 'pyxle/client'

export default function Index() {
  return (
    <main id="index">
      <Head><title>The index</title></Head>
      <Link id="to-slow" href="/reports/slowloader">slow report</Link>
      <div style={{ height: '3000px' }}>tall</div>
    </main>
  )
}
'''

SLOW = '''
import asyncio

@server
async def load(request):
    await asyncio.sleep(float(request.query_params.get("s", "2")))
    return {"title": "the slow report"}

import React from 'react'
import { Head } from 'pyxle/client'

export default function Slow({ data }) {
  return <main id="slow-page"><Head><title>The slow report</title></Head>{data.title}</main>
}
'''

FAST = '''
@server
async def load(request):
    return {"title": "the fast report"}

import React from 'react'

export default function Fast({ data }) {
  return <main id="fast-page">{data.title}</main>
}
'''

REDIRECTS = '''
import asyncio
from starlette.responses import RedirectResponse

@server
async def load(request):
    await asyncio.sleep(1)
    return RedirectResponse("/reports/fast")

import React from 'react'

export default function Redirects() {
  return <main>never</main>
}
'''

FAILS = '''
import asyncio

@server
async def load(request):
    await asyncio.sleep(1)
    raise LoaderError("the report is gone", status_code=410)

import React from 'react'

export default function Fails() {
  return <main>never</main>
}
'''

PLAIN = SLOW.replace('"the slow report"', '"the plain page"').replace("slow-page", "plain-page")
TEAM_LAYOUT = '''
@server
async def load(request):
    return {"team": "Team Blue"}

import React from 'react'

export default function TeamLayout({ data, children }) {
  return <section id="team-layout"><h2 id="team">{data.team}</h2>{children}</section>
}
'''

TEAM_SLOW = SLOW.replace('"the slow report"', '"the team page"').replace("slow-page", "team-slow")
LOADING = '''
export default function Loading() {
  return <p id="loading">the report is loading</p>
}
'''

# Records, from before the navigation, whether #loading was ever in the document.
WATCH = """() => {
  window.__seen = []
  const ids = ['loading', 'index', 'slow-page', 'fast-page', 'plain-page', 'team-layout', 'team-loading', 'team-slow']
  let shown = new Set(ids.filter((id) => document.getElementById(id)))
  new MutationObserver(() => {
    const now = new Set(ids.filter((id) => document.getElementById(id)))
    for (const id of now) if (!shown.has(id)) window.__seen.push(id)
    shown = now
  }).observe(document.body, { childList: true, subtree: true })
}"""


@pytest.fixture(scope="module", params=["react19", "react18"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Every test on React 19 (tests/node) and on React 18 (tests/node-react18)."""
    root = tmp_path_factory.mktemp("navloading") / "app"
    modules = NODE_MODULES if request.param == "react19" else NODE_MODULES_REACT18
    files = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": INDEX, "pages/reports/loading.pyxl": LOADING,
             "pages/reports/slowloader.pyxl": SLOW, "pages/reports/fast.pyxl": FAST,
             "pages/reports/redirects.pyxl": REDIRECTS, "pages/reports/fails.pyxl": FAILS,
             "pages/plain.pyxl": PLAIN, "pages/teams/layout.pyxl": TEAM_LAYOUT, "pages/teams/slow.pyxl": TEAM_SLOW,
             "pages/teams/loading.pyxl": LOADING.replace('id="loading"', 'id="team-loading"')}
    with serving(write_project(root, files, modules)) as server:
        yield server


def start(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.evaluate(WATCH)


def go(page: PageWatch, path: str) -> None:
    """navigate(path), not waiting for it (evaluate would wait for the promise it answers)."""
    page.page.evaluate(f"() => {{ window.__PYXLE_ROUTER__.navigate({path!r}) }}")


def seen(page: PageWatch) -> list[str]:
    return page.page.evaluate("window.__seen")


@cites(DOC, "shows the target folder's `loading.pyxl` inside the layouts")
def test_a_link_to_a_slow_page_shows_its_loading_state_then_the_page(app: Server, page: PageWatch) -> None:
    start(app, page)
    page.page.click("#count")  # the layout's state, which both pages share
    page.page.evaluate("window.scrollTo(0, 800)")
    page.page.evaluate("document.getElementById('to-slow').click()")  # where the user scrolled to
    page.page.wait_for_selector("#loading", timeout=1500)  # long before the loader's 2 s are over
    assert page.page.inner_text("#site") == "Reports Inc" and page.page.inner_text("#count") == "1"
    assert page.page.locator("#index").count() == 0
    page.page.wait_for_selector("#slow-page", timeout=15000)
    assert page.page.locator("#loading").count() == 0
    assert page.page.inner_text("#count") == "1" and page.page.url == app.url + "/reports/slowloader"
    assert page.page.evaluate("window.scrollY") == 0
    page.page.go_back()
    page.page.wait_for_selector("#index", timeout=15000)
    page.page.wait_for_function("window.scrollY === 800", timeout=5000)
    assert seen(page) == ["loading", "slow-page", "index"] and page.problems() == []


@cites(DOC, "the head and `usePathname()` change when the page is shown, not with its loading state")
def test_the_title_stays_the_page_lefts_while_the_loading_state_shows(app: Server, page: PageWatch) -> None:
    """The loading state used to apply the head of the tree on screen: the layout's title, for seconds."""
    start(app, page)
    assert page.page.title() == "The index"
    go(page, "/reports/slowloader")
    page.page.wait_for_selector("#loading", timeout=1500)
    page.page.wait_for_timeout(300)
    assert page.page.title() == "The index" and page.page.url == app.url + "/"
    page.page.wait_for_selector("#slow-page", timeout=15000)
    page.page.wait_for_function("document.title === 'The slow report'", timeout=2000)
    assert page.problems() == []


def test_navigate_shows_the_loading_state_too(app: Server, page: PageWatch) -> None:
    start(app, page)
    go(page, "/reports/slowloader?s=1")
    page.page.wait_for_selector("#slow-page", timeout=15000)
    assert seen(page) == ["loading", "slow-page"] and page.problems() == []


@cites(DOC, "a page whose data arrives sooner shows at once, with no loading state")
def test_a_fast_page_and_a_prefetched_one_show_no_loading_state(app: Server, page: PageWatch) -> None:
    start(app, page)
    # "Sooner" than a delay no loaded machine misses: at the default 100 ms a busy host once held the
    # fast page's data longer, and its loading state rightly showed (a flaky test, not a defect).
    page.page.evaluate("window.__PYXLE_ROUTER__.configure({ loadingDelay: 5000 })")
    go(page, "/reports/fast")
    page.page.wait_for_selector("#fast-page", timeout=15000)
    go(page, "/reports/fast?again=1")  # a page of the same folder, whose loading.pyxl is on screen
    page.page.wait_for_url("**/reports/fast?again=1", timeout=15000)
    go(page, "/")
    page.page.wait_for_selector("#index", timeout=15000)
    page.page.evaluate("window.__PYXLE_ROUTER__.configure({ loadingDelay: 100 })")  # the default, below 0.5 s
    page.page.evaluate("window.__PYXLE_ROUTER__.prefetch('/reports/slowloader?s=0.5', { prefetchTtl: 60000 })")
    page.page.evaluate("() => { window.__PYXLE_ROUTER__.navigate('/reports/slowloader?s=0.5', { prefetchTtl: 60000 }) }")
    page.page.wait_for_selector("#slow-page", timeout=15000)
    assert "loading" not in seen(page) and page.problems() == []


@cites(DOC, "how long a navigation waits before it shows a [`loading.pyxl`](#loading-states) (ms, default 100)")
def test_by_default_the_loading_state_shows_a_tenth_of_a_second_into_the_navigation(app: Server, page: PageWatch) -> None:
    start(app, page)
    took = page.page.evaluate("""() => new Promise((resolve) => {
      const began = performance.now()
      new MutationObserver((_, observer) => {
        if (!document.getElementById('loading')) return
        observer.disconnect()
        resolve(performance.now() - began)
      }).observe(document.body, { childList: true, subtree: true })
      window.__PYXLE_ROUTER__.navigate('/reports/slowloader?s=2')
    })""")
    assert 100 <= took < 1000, took  # its loader takes 2 s
    page.page.wait_for_selector("#slow-page", timeout=15000)
    assert page.problems() == []


@cites(DOC, "A page with no `loading.pyxl` above it keeps the page being left on screen")
def test_a_page_without_loading_pyxl_keeps_the_old_page_until_it_is_ready(app: Server, page: PageWatch) -> None:
    start(app, page)
    go(page, "/plain?s=1")
    page.page.wait_for_timeout(500)
    assert page.page.locator("#index").count() == 1
    page.page.wait_for_selector("#plain-page", timeout=15000)
    assert seen(page) == ["plain-page"] and page.problems() == []


def test_an_overtaken_navigation_shows_neither_its_loading_state_nor_its_page(app: Server, page: PageWatch) -> None:
    start(app, page)
    go(page, "/reports/slowloader?s=1")
    page.page.wait_for_selector("#loading", timeout=1500)
    go(page, "/plain?s=0")
    page.page.wait_for_selector("#plain-page", timeout=15000)
    page.page.evaluate("() => { window.__PYXLE_ROUTER__.navigate('/reports/slowloader?s=1'); "
                       "window.__PYXLE_ROUTER__.navigate('/reports/fast') }")  # overtaken at once
    page.page.wait_for_selector("#fast-page", timeout=15000)
    page.page.wait_for_timeout(1500)  # both slow loaders have answered by now
    assert seen(page) == ["loading", "plain-page", "fast-page"] and page.page.url == app.url + "/reports/fast"
    assert page.problems() == []


def test_a_redirect_and_an_error_after_the_loading_state_are_kept(app: Server, page: PageWatch) -> None:
    start(app, page)
    go(page, "/reports/redirects")
    page.page.wait_for_selector("#fast-page", timeout=15000)
    assert seen(page) == ["loading", "fast-page"] and page.page.url == app.url + "/reports/fast"
    go(page, "/reports/fails")
    page.page.wait_for_selector("#loading", timeout=1500)
    page.page.wait_for_selector("text=the report is gone", timeout=15000)  # the server's error page, in full
    assert page.page.url == app.url + "/reports/fails"


def test_the_document_lists_the_pages_under_a_loading_pyxl_with_their_modules(app: Server) -> None:
    text = httpx.get(app.url + "/plain?s=0").text
    listed = json.loads(text.split('id="pyxle-loading-pages">')[1].split("</script>")[0])
    assert sorted(shape for shape, _ in listed) == [["=reports", "=fails"], ["=reports", "=fast"],
                                                    ["=reports", "=redirects"], ["=reports", "=slowloader"],
                                                    ["=teams", "=slow"]]  # neither / nor /plain
    assert all(target["js"].endswith(".js") and isinstance(target["css"], list) for _, target in listed)


@cites(DOC, "A\n  `loading.pyxl` inside a layout new to the navigation is not shown, as that layout needs its data\n  first")
def test_a_loading_pyxl_inside_a_layout_new_to_the_navigation_waits_for_that_layout(app: Server,
                                                                                    page: PageWatch) -> None:
    start(app, page)
    go(page, "/teams/slow?s=1")  # teams/loading.pyxl sits inside teams/layout.pyxl, whose data is not here yet
    page.page.wait_for_selector("#team-slow", timeout=15000)
    assert seen(page) == ["team-layout", "team-slow"] and page.page.inner_text("#team") == "Team Blue"
    go(page, "/teams/slow?s=1&again=1")  # now both pages have that layout
    page.page.wait_for_selector("#team-loading", timeout=1500)
    assert page.page.inner_text("#team") == "Team Blue"
    page.page.wait_for_url("**again=1", timeout=15000)
    assert seen(page)[2:] == ["team-loading"] and page.problems() == []


@cites("docs/pages.md", "On a full page load the page's loaders run\nbefore the first byte (its status and headers "
       "are final by then), so `loading.pyxl` shows during\nclient navigations and for the page's `<Suspense>` parts, "
       "not while a first load's loaders wait,\nunlike Next.js's `loading.js`.")
def test_a_full_load_waits_for_the_loader_without_the_loading_state_a_navigation_shows_it(
        app: Server, page: PageWatch) -> None:
    started = time.monotonic()
    with httpx.stream("GET", app.url + "/reports/slowloader?s=1", timeout=30) as response:
        chunks = response.iter_bytes()
        document = next(chunks)
        waited = time.monotonic() - started
        document += b"".join(chunks)
    assert response.status_code == 200 and waited >= 1, waited  # nothing before the loader is done
    assert b'id="slow-page"' in document and b'id="loading"' not in document
    start(app, page)
    go(page, "/reports/slowloader?s=1")
    page.page.wait_for_selector("#loading", timeout=1500)
    page.page.wait_for_selector("#slow-page", timeout=15000)
