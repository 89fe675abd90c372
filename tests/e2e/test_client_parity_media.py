"""`Image`, `Script` and the slot API as Pyxle 0.9 apps use them, in Chromium (React 19 and 18)."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import httpx

from tests.conftest import PageWatch, Server
from tests.e2e._parity import react_app

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
TRUSTED = "window.__trusted = (window.__trusted || 0) + 1\n"
TAMPERED = "window.__tampered = true\n"
EARLY = "window.__earlyFile = !window.__PYXLE_ROOT__; window.__earlyRuns = (window.__earlyRuns || 0) + 1\n"
BLUR = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def sri(text: str) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(text.encode()).digest()).decode()


MEDIA = """
import { useState } from 'react'
import { Image, Script, Link } from 'pyxle/client'

const cdn = ({ src, width, quality }) => `/img${src}?w=${width}&q=${quality || 75}`

export default function Media() {
  const [events, setEvents] = useState([])
  const note = (what) => () => setEvents((all) => [...all, what])
  return (
    <main>
      <h1>Media</h1>
      <Image src="/hero.svg" width={40} height={20} alt="hero" priority />
      <Image src="/a.svg" width={300} height={150} alt="by width" loader={cdn} quality={60} sizes="(max-width: 600px) 100vw, 300px" />
      <Image src="/a.svg" width={300} height={150} alt="by density" loader={cdn} />
      <div style={{ position: 'relative', width: 200, height: 100 }}><Image src="/a.svg" fill alt="filling" sizes="50vw" /></div>
      <div style={{ position: 'relative', width: 200, height: 100 }}><Image src="/a.svg" fill alt="contained" objectFit="contain" /></div>
      <Image src="/a.svg" width={10} height={10} alt="eager" lazy={false} placeholder="blur" placeholderColor="#abcdef" />
      <Image src="/slow.svg" width={10} height={10} alt="blurred" placeholder="blur" blurDataURL="BLUR" />
      <Image src="/missing.png" width={10} height={10} alt="falls back" fallbackSrc="/a.svg" onLoad={note('fallback loaded')} />
      <Image src="/missing.png" width={10} height={10} alt="broken" loading="eager" onError={note('broken')} />
      <Script id="counter">{`window.__inline = (window.__inline || 0) + 1; window.__ok = 1 < 2 && "</div>".length === 6`}</Script>
      <Script strategy="beforeInteractive" id="early">{`window.__early = !window.__PYXLE_ROOT__ && (2 > 1 && 1 < 2)`}</Script>
      <Script src="/trusted.js" integrity="TRUSTED" crossOrigin="anonymous" onLoad={note('trusted loaded')} />
      <Script src="/tampered.js" integrity="TRUSTED" crossOrigin="anonymous" onError={note('tampered refused')} />
      <Script src="/early.js" strategy="beforeInteractive" integrity="EARLY" crossOrigin="anonymous" />
      <Link href="/other">Other</Link>
      <pre data-testid="events">{JSON.stringify(events)}</pre>
    </main>
  )
}
"""

OTHER = """
import { Link, Script } from 'pyxle/client'

export default function Other() {
  return <main><h1>Other</h1><Script id="counter">{`window.__inline = (window.__inline || 0) + 1`}</Script>
    <Link href="/media">Media</Link></main>
}
"""

SLOTS_LAYOUT = """
import { Slot, SlotProvider, useSlot, useSlots } from 'pyxle/client'

export const slots = { header: () => <u>layout header</u> }

function Probe() {
  const all = useSlots()
  const header = useSlot('header')
  return <pre data-testid="probe">{JSON.stringify({
    names: Object.keys(all).sort(), header: header && header.length, none: useSlot('nothing') })}</pre>
}

export default function Layout({ children }) {
  return (
    <div>
      <header data-testid="header"><Slot name="header" props={{ who: 'the layout' }} /></header>
      <aside data-testid="aside"><Slot name="aside" fallback={<i>no aside</i>} /></aside>
      <footer data-testid="footer"><Slot name="footer" props={{ year: 2026 }} fallback={({ year }) => <b>fallback {year}</b>} /></footer>
      <Probe />
      <div data-testid="provided">
        <SlotProvider slots={{ aside: () => <em>provided aside</em> }}><Slot name="aside" /><Slot name="header" props={{ who: 'x' }} /></SlotProvider>
      </div>
      {children}
    </div>
  )
}
"""

SLOTS_PAGE = """
import { useState } from 'react'

export const slots = {
  header: ({ who }) => { const [n] = useState(2); return <b>page header for {who}, {n}</b> },
  aside: <span>page aside</span>,
}

export default function Page() {
  return <main><h1>Slots</h1></main>
}
"""

CREATED = """
export function createSlots() {
  return { aside: () => <span>created aside</span> }
}

export default function Created() {
  return <main><h1>Created</h1></main>
}
"""

FILES = {
    "pages/media.pyxl": MEDIA.replace("BLUR", BLUR).replace("TRUSTED", sri(TRUSTED)).replace("EARLY", sri(EARLY)),
    "pages/other.pyxl": OTHER,
    "pages/slots/layout.pyxl": SLOTS_LAYOUT,
    "pages/slots/index.pyxl": SLOTS_PAGE,
    "pages/slots/created.pyxl": CREATED,
    "public/hero.svg": SVG, "public/a.svg": SVG, "public/slow.svg": SVG,
    "public/trusted.js": TRUSTED, "public/tampered.js": TAMPERED, "public/early.js": EARLY,
    "pages/api/img/[...path].py": "from starlette.responses import Response\n\n"
                                  "async def get(request):\n"
                                  f"    return Response({SVG!r}, media_type='image/svg+xml')\n",
}


app = react_app(FILES, "media")


def img(html: str, alt: str) -> str:
    return re.search(rf'<img [^>]*alt="{alt}"[^>]*>', html).group(0)


def test_image_sizes_fill_quality_and_loader_srcset(app: Server) -> None:
    html = httpx.get(app.url + "/media").text
    by_width = img(html, "by width")
    widths = re.search(r'srcSet="([^"]+)"', by_width, re.IGNORECASE).group(1).split(", ")
    assert widths[0] == "/img/a.svg?w=640&amp;q=60 640w" and widths[-1] == "/img/a.svg?w=3840&amp;q=60 3840w"
    assert 'sizes="(max-width: 600px) 100vw, 300px"' in by_width and 'src="/img/a.svg?w=3840&amp;q=60"' in by_width
    by_density = img(html, "by density")
    assert re.search(r'srcSet="/img/a.svg\?w=300&amp;q=75 1x, /img/a.svg\?w=600&amp;q=75 2x"', by_density, re.IGNORECASE)
    filling = img(html, "filling")
    assert "width=" not in filling and "height=" not in filling and 'sizes="50vw"' in filling
    assert "position:absolute;inset:0;width:100%;height:100%;object-fit:cover" in filling.replace(" ", "")
    assert "srcset" not in filling.lower() and 'src="/a.svg"' in filling  # no loader: the file as it is
    assert "object-fit:contain" in img(html, "contained").replace(" ", "")
    eager = img(html, "eager")
    assert 'loading="eager"' in eager and "background-color:#abcdef" in eager.replace(" ", "")
    assert 'loading="lazy"' in by_width
    for alt in ("by width", "filling", "falls back"):
        assert 'data-pyxle-image-state="loading"' in img(html, alt)  # until the browser says otherwise


def test_image_priority_preloads_once_from_the_head(app: Server) -> None:
    """Issue 17: `<Image priority>` emitted two preload links (React 19 adds its own)."""
    html = httpx.get(app.url + "/media").text
    head, body = html.split("</head>", 1)
    assert len(re.findall(r'<link rel="preload" as="image" href="/hero.svg"', head)) == 1
    assert 'rel="preload"' not in body
    assert 'loading="eager"' in img(html, "hero") and re.search('fetchpriority="high"', img(html, "hero"), re.IGNORECASE)


def test_image_state_fallback_and_blur_placeholder_in_the_browser(app: Server, page: PageWatch) -> None:
    html = httpx.get(app.url + "/media").text
    assert f'background-image:url(&quot;{BLUR}&quot;)' in img(html, "blurred").replace(" ", "")
    page.page.goto(app.url + "/media")
    page.hydrated()
    images = page.page.locator("img")
    images.last.scroll_into_view_if_needed()
    for alt, expected in (("hero", "loaded"), ("blurred", "loaded"), ("falls back", "loaded"), ("broken", "error")):
        page.page.locator(f'img[alt="{alt}"][data-pyxle-image-state="{expected}"]').wait_for(timeout=10000)
    assert page.page.get_by_alt_text("falls back").get_attribute("src") == "/a.svg"  # fallbackSrc replaced it
    assert page.page.get_by_alt_text("blurred").evaluate("e => e.style.backgroundImage") == ""  # gone once loaded
    page.page.get_by_test_id("events").filter(has_text="broken").wait_for()
    events = json.loads(page.page.get_by_test_id("events").text_content())
    assert events.count("fallback loaded") == 1 and events.count("broken") == 1
    expected = ("missing.png", "404", "tampered.js")  # the broken image, and the script the browser refuses
    assert [p for p in page.problems() if not any(e in p[1] for e in expected)] == []


def test_inline_scripts_run_once_and_before_interactive_runs_before_hydration(app: Server, page: PageWatch) -> None:
    html = httpx.get(app.url + "/media").text
    head = html.split("</head>", 1)[0]
    assert 'window.__early = !window.__PYXLE_ROOT__ && (2 > 1 && 1 < 2)' in head  # as written, on React 18 too
    page.page.goto(app.url + "/media")
    page.hydrated()
    page.page.wait_for_function("window.__inline === 1")
    assert page.page.evaluate("[window.__early, window.__ok]") == [True, True]
    page.page.get_by_role("link", name="Other").click()
    page.page.get_by_role("heading", name="Other").wait_for()
    page.page.get_by_role("link", name="Media").click()
    page.page.get_by_role("heading", name="Media").wait_for()
    page.page.wait_for_timeout(300)
    assert page.page.evaluate("window.__inline") == 1  # the same script (its id) ran once in this document
    assert page.page.evaluate("window.__earlyRuns") == 1  # and the head's script was not added again
    assert page.page.locator("script[data-pyxle-script='#early']").count() <= 1


def test_script_integrity_and_cross_origin_reach_the_element(app: Server, page: PageWatch) -> None:
    head = httpx.get(app.url + "/media").text.split("</head>", 1)[0]
    early = re.search(r'<script [^>]*src="/early.js"[^>]*>', head).group(0)
    assert f'integrity="{sri(EARLY)}"' in early and re.search('crossorigin="anonymous"', early, re.IGNORECASE)
    page.page.goto(app.url + "/media")
    page.hydrated()
    page.page.get_by_test_id("events").filter(has_text="tampered refused").wait_for()
    page.page.get_by_test_id("events").filter(has_text="trusted loaded").wait_for()
    assert page.page.evaluate("[window.__trusted, window.__tampered, window.__earlyFile]") == [1, None, True]
    trusted = page.page.locator("script[src='/trusted.js']")
    assert trusted.get_attribute("integrity") == sri(TRUSTED) and trusted.get_attribute("crossorigin") == "anonymous"


def test_slots_from_layouts_and_pages(app: Server, page: PageWatch) -> None:
    for path, aside in (("/slots", "page aside"), ("/slots/created", "created aside")):
        html = httpx.get(app.url + path).text.replace("<!-- -->", "")
        header = re.search(r'data-testid="header">(.*?)</header>', html).group(1)
        if path == "/slots":  # every layer's entry, the layout's first; `props` reach the components
            assert header == "<u>layout header</u><b>page header for the layout, 2</b>"
        else:
            assert header == "<u>layout header</u>"
        assert re.search(rf'data-testid="aside"><span>{aside}</span></aside>', html)
        assert '<footer data-testid="footer"><b>fallback 2026</b></footer>' in html  # a fallback component
        assert "<em>provided aside</em><u>layout header</u>" in html  # SlotProvider replaces per name
    page.page.goto(app.url + "/slots")
    page.hydrated()
    probe = json.loads(page.page.get_by_test_id("probe").text_content())
    assert probe == {"names": ["aside", "header"], "header": 2, "none": None}
    assert page.problems() == []
