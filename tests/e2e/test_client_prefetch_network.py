"""What a navigation and the prefetches ask of the network, in a real headless Chromium on a real
`pyxle serve`: a page's stylesheets load alongside its module, and ahead of time with a prefetch;
prefetches of links scrolled into view run a few at a time, and give way to a click. The browser's
requests are held with `page.route`, so nothing is timed by sleeping on a slow network."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

MANY = 40

FILES = {
    "pages/layout.pyxl": """
import { Link } from 'pyxle/client'
import './global.css'

export default function Layout({ children }) {
  return (
    <div>
      <nav><Link id="to-a" href="/a" prefetch={false}>A</Link> <Link id="to-b" href="/b">B</Link></nav>
      {children}
    </div>
  )
}
""",
    "pages/global.css": "h1 { color: rgb(0, 0, 255); }\n",
    "pages/index.pyxl": "export default function Home() { return <h1>Home</h1> }\n",
    "pages/a.pyxl": """
@server
async def load(request):
    return {}

import './a.css'

export default function A() { return <h1>A</h1> }
""",
    "pages/a.css": "body { background-color: rgb(1, 2, 3); }\n",
    "pages/b.pyxl": """
@server
async def load(request):
    return {}

import './b.css'

export default function B() { return <h1>B</h1> }
""",
    "pages/b.css": "body { background-color: rgb(4, 5, 6); }\n",
    "pages/many.pyxl": f"""
import {{ Link }} from 'pyxle/client'

export default function Many() {{
  return (
    <main>
      <h1>Many</h1>
      {{Array.from({{ length: {MANY} }}, (_, n) => (
        <div key={{n}} style={{{{ height: 300 }}}}><Link id={{`pl-${{n}}`}} href={{`/p/${{n}}`}}>P {{n}}</Link></div>
      ))}}
    </main>
  )
}}
""",
    "pages/p/[n].pyxl": """
@server
async def load(request):
    return {"n": request.path_params["n"]}

export default function P({ data }) { return <h1>P {data.n}</h1> }
""",
}

BODY = "getComputedStyle(document.body).backgroundColor"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("prefetchnet") / "app", FILES)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def until(page: PageWatch, done, seconds: float = 30) -> bool:  # type: ignore[no-untyped-def]
    """Waits (in the page's own clock) until ``done()`` is true; answers whether it became so. The
    default bound is generous: on a loaded machine a prefetch's module and stylesheets, which hold its
    slot in the queue, took over 5 s (the fresh-clone run at 11750a1)."""
    for _ in range(int(seconds * 20)):
        if done():
            return True
        page.page.wait_for_timeout(50)
    return done()


def heading(page: PageWatch, text: str) -> None:
    page.page.wait_for_function(f"document.querySelector('h1')?.textContent === {text!r}", timeout=10000)


@cites("docs/client.md", "its stylesheets load alongside its module")
def test_a_navigation_loads_the_stylesheets_alongside_the_module(site: Server, page: PageWatch) -> None:
    """The page's module is held: its stylesheet is asked for all the same, not after the module."""
    held: list = []  # type: ignore[type-arg]
    page.page.route("**/_pyxle/page_a-*.js", lambda route: held.append(route))
    sheets: list[str] = []
    page.page.on("request", lambda r: "/_pyxle/page_a-" in r.url and r.url.endswith(".css") and sheets.append(r.url))
    page.page.goto(site.url + "/")
    page.hydrated()
    page.page.click("#to-a")
    assert until(page, lambda: bool(held)), "the module was never asked for"
    assert until(page, lambda: bool(sheets)), "the stylesheet waited for the module"
    held[0].continue_()
    heading(page, "A")
    assert page.page.evaluate(BODY) == "rgb(1, 2, 3)"
    assert page.problems() == []


@cites("docs/client.md", "a prefetch also fetches the page's stylesheets, into the browser's cache and without "
       "applying them")
@cites("docs/client.md", "a click on a prefetched link waits for its data alone")
@cites("docs/styling.md", "a prefetch of the link fetches them ahead, without applying them")
def test_a_prefetch_fetches_the_stylesheets_ahead_without_applying_them(site: Server, page: PageWatch) -> None:
    """The link to /b is in view, so prefetched: its stylesheet comes then, and the click takes it
    from the browser's cache (resource timing: nothing transferred for the page's link)."""
    fetched: list[str] = []
    page.page.on("requestfinished", lambda r: "/_pyxle/page_b-" in r.url and r.url.endswith(".css")
                 and fetched.append(r.resource_type))
    page.page.goto(site.url + "/")
    page.hydrated()
    assert until(page, lambda: bool(fetched)), "the prefetch left the stylesheet for the click"
    assert page.page.evaluate(BODY) == "rgba(0, 0, 0, 0)", "a prefetched stylesheet applied"
    assert page.page.evaluate("[...document.querySelectorAll('link[href*=\"page_b-\"]')].length") == 0
    page.page.click("#to-b")
    heading(page, "B")
    assert page.page.evaluate(BODY) == "rgb(4, 5, 6)"
    transferred = page.page.evaluate("""performance.getEntriesByType('resource')
      .filter((e) => e.name.includes('/_pyxle/page_b-') && e.name.endsWith('.css') && e.transferSize > 0)
      .map((e) => e.initiatorType)""")
    assert transferred == ["fetch"], transferred
    assert page.problems() == []


def hold_prefetches(page: PageWatch) -> tuple[list, list[str]]:  # type: ignore[type-arg]
    """Holds every prefetch of a /p/ page (answers the held routes) and logs each navigation request
    for one (answers "<time> <path>"); the rest go through."""
    held: list = []  # type: ignore[type-arg]
    navigations: list[str] = []

    def handle(route) -> None:  # type: ignore[no-untyped-def]
        kind = route.request.headers.get("x-pyxle-navigation")
        if kind == "prefetch":
            held.append(route)
            return
        if kind == "1":
            navigations.append(f"{time.monotonic()} {route.request.url}")
        route.continue_()

    page.page.route("**/p/*", handle)
    return held, navigations


def scroll_through(page: PageWatch) -> None:
    """Scrolls the list of links from top to bottom as a wheel would, a screen at a time."""
    for y in range(0, MANY * 300, 600):
        page.page.evaluate(f"scrollTo(0, {y})")
        page.page.wait_for_timeout(60)
    page.page.evaluate("scrollTo(0, document.body.scrollHeight)")
    page.page.wait_for_timeout(300)


def in_view(page: PageWatch) -> set[str]:
    """The paths of the links now on screen."""
    return set(page.page.evaluate("""[...document.querySelectorAll('a[id^="pl-"]')].filter((a) => {
      const box = a.getBoundingClientRect()
      return box.bottom > 0 && box.top < innerHeight
    }).map((a) => a.getAttribute('href'))"""))


def prefetched(held: list) -> list[str]:  # type: ignore[type-arg]
    """The paths of the held prefetches, in the order they were sent."""
    return ["/" + route.request.url.split("/", 3)[3] for route in held]


@cites("docs/client.md", "at most two prefetches are under way at a time")
@cites("docs/client.md", "one whose link has left the screen before its turn is dropped")
@cites("docs/client.md", "A link whose prefetch was dropped is prefetched again when it is hovered or scrolled "
       "into view again")
def test_prefetches_of_links_in_view_run_two_at_a_time(site: Server, page: PageWatch) -> None:
    held, _ = hold_prefetches(page)
    page.page.goto(site.url + "/many")
    page.hydrated()
    scroll_through(page)
    assert len(held) <= 2, prefetched(held)
    first = prefetched(held)
    # Released one by one, the prefetches queued go on: only those of links still on screen.
    released: list = []  # type: ignore[type-arg]
    while until(page, lambda: len(held) > len(released), 1):
        released.append(held[len(released)])
        released[-1].continue_()
        assert len(held) - len(released) <= 2
    rest = set(prefetched(held)[len(first):])
    assert rest and rest <= in_view(page), (rest, in_view(page))
    # A link dropped as it went by is prefetched once it is on screen again.
    assert "/p/20" not in prefetched(held)
    page.page.evaluate("document.getElementById('pl-20').scrollIntoView()")
    while "/p/20" not in prefetched(held) and until(page, lambda: len(held) > len(released), 1):
        released.append(held[len(released)])
        released[-1].continue_()
    assert "/p/20" in prefetched(held), prefetched(held)
    for route in held[len(released):]:
        route.continue_()
    assert page.problems() == []


@cites("docs/client.md", "a hover's and `prefetch(path)`'s ahead of those of links scrolled into view")
def test_a_hover_and_prefetch_go_ahead_of_the_links_in_view(site: Server, page: PageWatch) -> None:
    held, _ = hold_prefetches(page)
    page.page.goto(site.url + "/many")
    page.hydrated()
    # The links at the top take both slots first: scrolled at once, on a loaded machine the first
    # prefetches could be the bottom links', the hovered one among them (held, never run again).
    assert until(page, lambda: len(held) == 2)
    assert not {"/p/20", f"/p/{MANY - 1}"} & set(prefetched(held)), prefetched(held)
    page.page.evaluate("scrollTo(0, document.body.scrollHeight)")
    page.page.wait_for_timeout(300)  # the links now on screen wait their turn
    page.page.evaluate("() => { window.__PYXLE_ROUTER__.prefetch('/p/20') }")
    page.page.hover(f"#pl-{MANY - 1}")
    sent = len(held)
    assert sent == 2, prefetched(held)
    held[0].continue_()
    held[1].continue_()
    assert until(page, lambda: len(held) == 4)
    assert set(prefetched(held)[2:]) == {"/p/20", f"/p/{MANY - 1}"}, prefetched(held)
    for route in held[2:]:
        route.continue_()


@cites("docs/client.md", "A navigation goes first")
@cites("docs/client.md", "`prefetch(path)` resolves to `false` for a prefetch dropped or aborted")
def test_a_click_goes_before_the_prefetches_under_way(site: Server, page: PageWatch) -> None:
    """Prefetches are held (never answered) while the user scrolls: a click's request is sent at
    once, the prefetches under way are aborted and those queued never sent."""
    held, navigations = hold_prefetches(page)
    failed: list[str] = []
    page.page.on("requestfailed", lambda r: "/p/" in r.url and failed.append(r.url))
    page.page.goto(site.url + "/many")
    page.hydrated()
    scroll_through(page)
    page.page.evaluate("() => { window.__PYXLE_ROUTER__.prefetch('/p/20').then((done) => (window.__dropped = !done)) }")
    sent = len(held)
    assert sent >= 1
    clicked = time.monotonic()
    page.page.click(f"#pl-{MANY - 1}")
    heading(page, f"P {MANY - 1}")
    assert len(navigations) == 1, navigations
    assert float(navigations[0].split()[0]) - clicked < 1, "the click's request waited"
    assert until(page, lambda: len(failed) >= sent - 1), (failed, prefetched(held))
    page.page.wait_for_timeout(500)
    assert len(held) == sent, "a prefetch queued before the click was sent after it"
    assert page.page.evaluate("window.__dropped") is True


@cites("docs/client.md", "one that fetches only its code goes on beside the navigation's own request for the data, "
       "which does not wait for it")
def test_a_click_does_not_wait_for_its_own_links_code_only_prefetch(site: Server, page: PageWatch) -> None:
    """The link's prefetch (code only: the page has a loader) is held, never answered: the click
    asks for the data at once and shows the page. It waited on that prefetch for ever, and on a
    prompt one it asked for the data only once the code-only answer was in, one round trip late."""
    held, navigations = hold_prefetches(page)
    page.page.goto(site.url + "/many")
    page.hydrated()
    assert until(page, lambda: bool(held))
    n = prefetched(held)[0].rsplit("/", 1)[1]  # the links on screen are prefetched in no set order
    clicked = time.monotonic()
    page.page.click(f"#pl-{n}")
    heading(page, f"P {n}")
    assert len(navigations) == 1, navigations
    assert float(navigations[0].split()[0]) - clicked < 5, "the click's request waited"
    for route in held:
        route.continue_()
    assert page.problems() == []
