"""Script, Image, ClientOnly, Slot, env inlining and invalidate() in a real browser."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = '''
import { Slot } from 'pyxle/client'

export default function Layout({ children }) {
  return <div><header data-testid="slot"><Slot name="title" fallback={<span>default title</span>} /></header>{children}</div>
}
'''

PAGE = '''
import itertools

COUNTER = itertools.count(1)

@server
async def load(request):
    return {"visit": next(COUNTER)}

import { Script, Image, ClientOnly, invalidate, refresh } from 'pyxle/client'

export const slots = { title: () => <strong>from the page</strong> }

export default function Page({ data }) {
  return (
    <main>
      <p data-testid="visit">{data.visit}</p>
      <p data-testid="env">{process.env.PYXLE_PUBLIC_GREETING}|{typeof process.env.SECRET_TOKEN}</p>
      <ClientOnly fallback={<span data-testid="client">server</span>}><span data-testid="client">browser</span></ClientOnly>
      <Image src="/hero.svg" width={40} height={20} alt="hero" priority />
      <Image src="/below.svg" width={10} height={10} alt="below" />
      <Script src="/before.js" strategy="beforeInteractive" />
      <Script src="/after.js" />
      <Script src="/lazy.js" strategy="lazyOnload" />
      <button onClick={() => { invalidate(); refresh() }}>refresh</button>
    </main>
  )
}
'''

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'


@pytest.fixture(scope="module")
def components_server(tmp_path_factory: pytest.TempPathFactory):
    files = {
        "pages/layout.pyxl": LAYOUT, "pages/index.pyxl": PAGE, "public/hero.svg": SVG, "public/below.svg": SVG,
        "public/before.js": "window.__before = window.__PYXLE_ROOT__ === undefined;\n",
        "public/after.js": "window.__after = !!window.__PYXLE_ROOT__;\n",
        "public/lazy.js": "window.__lazy = true;\n",
    }
    with serving(write_project(tmp_path_factory.mktemp("components") / "app", files), "--ssr-workers", "1",
                 env={"PYXLE_PUBLIC_GREETING": "hello", "SECRET_TOKEN": "s3cret"}) as server:
        yield server


@cites("docs/client.md", "| `Image` | `<img>` with dimensions, lazy by default, `priority` preloads;")
def test_server_html(components_server: Server) -> None:
    html = httpx.get(components_server.url + "/").text
    head = html.split("</head>", 1)[0]
    assert re.search(r'<link rel="preload" as="image" href="/hero.svg"[^>]*>', head)
    assert html.count('rel="preload"') == 1  # in the head only, once (React 19 adds its own: merged)
    assert '<script src="/before.js" data-pyxle-script="/before.js"></script>' in head
    assert 'src="/below.svg" width="10" height="10" alt="below" loading="lazy" decoding="async"' in html
    assert 'loading="eager"' in html and 'fetchPriority="high"' in html.replace("fetchpriority", "fetchPriority")
    assert '<span data-testid="client">server</span>' in html  # ClientOnly fallback on the server
    assert "<strong>from the page</strong>" in html  # the page filled the layout's slot
    assert "hello|undefined" in html.replace("<!-- -->", "")  # only PYXLE_PUBLIC_* reaches page code, SSR too
    bundles = [httpx.get(components_server.url + src).text for src in re.findall(r'(/_pyxle/[^"]+\.js)', html)]
    assert not any("s3cret" in b for b in bundles)


@cites("docs/client.md", "`afterInteractive` (the default: added once the page is interactive)")
def test_browser_behaviour(components_server: Server, page: PageWatch) -> None:
    page.page.goto(components_server.url + "/")
    page.hydrated()
    page.page.wait_for_function("window.__after === true && window.__lazy === true")
    assert page.page.evaluate("window.__before") is True  # ran from the head, before the page hydrated
    assert page.page.get_by_test_id("client").text_content() == "browser"
    first = int(page.page.get_by_test_id("visit").text_content())
    page.page.get_by_role("button", name="refresh").click()
    page.page.wait_for_function(f"document.querySelector('[data-testid=visit]').textContent !== '{first}'")
    assert int(page.page.get_by_test_id("visit").text_content()) > first  # invalidate() + refresh() refetched
    assert page.problems() == []
