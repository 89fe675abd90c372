"""Files a page imports, or its CSS points at with `url()`: images, media, fonts, in either case of
suffix, copied into the build and served from there (docs/styling.md). A `.ttf` in `@font-face`, an
`.avif`, an `.ico` and a camera's `PHOTO.PNG` stopped the build with esbuild's bare
`No loader is configured`."""

from __future__ import annotations

import re
import time
import urllib.request
from html import unescape
from urllib.parse import urljoin

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

PAGE = """import './fonts.css'
import photo from '../assets/PHOTO.PNG'
import modern from '../assets/pic.avif'
import icon from '../assets/icon.ico'

export default function Gallery() {
  return <main><img id="photo" src={photo} /><img id="modern" src={modern} /><img id="icon" src={icon} /></main>
}
"""
FONTS = "@font-face { font-family: Brand; src: url('../assets/Brand.ttf') format('truetype'); }\n" \
        "body { font-family: Brand; }\n"


@cites("docs/styling.md", "`url('./font.ttf')` in CSS | the file is copied into the build under a hashed name")
@cites("docs/styling.md", "with the suffix in lower or upper case (`PHOTO.JPG`)")
def test_fonts_images_and_upper_case_suffixes_are_copied_into_the_build_and_served(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": PAGE, "pages/fonts.css": FONTS, "assets/PHOTO.PNG": "png bytes",
                            "assets/pic.avif": "avif bytes", "assets/icon.ico": "ico bytes",
                            "assets/Brand.ttf": "ttf bytes"}, node=True)
    server = start_server(project, "serve")
    html = httpx.get(server.url + "/", timeout=30).text
    for element, body, kind in (("photo", "png bytes", "image/png"), ("modern", "avif bytes", "image/avif"),
                                ("icon", "ico bytes", "image/vnd.microsoft.icon")):
        src = re.search(rf'id="{element}" src="([^"]+)"', html)
        assert src, html
        served = httpx.get(server.url + src.group(1), timeout=30)
        assert served.status_code == 200 and served.text == body and served.headers["content-type"] == kind
    sheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sheet, html
    css = httpx.get(server.url + sheet.group(1), timeout=30).text
    font = re.search(r"""url\(["']?([^"')]+\.ttf)["']?\)""", css)
    assert font, css
    served = httpx.get(urljoin(server.url + sheet.group(1), font.group(1)), timeout=30)
    assert served.status_code == 200 and served.text == "ttf bytes" and served.headers["content-type"] == "font/ttf"


@cites("docs/styling.md", "Any other kind of file is a build error with the hint to put it in `public/` and use its URL")
def test_a_kind_of_file_the_build_does_not_copy_is_an_error_with_a_hint(make_project) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": "import data from '../assets/table.xyz'\n"
                                                "export default function P() { return <p>{data}</p> }\n",
                            "assets/table.xyz": "x"}, node=True)
    out = failed(pyxle(project, "build"))
    assert 'pages/index.pyxl:1:18: No loader is configured for ".xyz" files: assets/table.xyz' in out, out
    assert ('hint: the build copies images, media, fonts and PDFs it is given; put a ".xyz" file in public/ '
            "and refer to it by its URL") in out


QUERIES = """import icon from '../assets/icon.svg?raw'
import iconUrl from '../assets/icon.svg'
import notes from '../assets/notes.md?raw'
import workerUrl from '../assets/worker.js?url'
import iconLink from '../assets/icon.svg?url'
import dot from '../assets/dot.png?inline'

export default function Queries() {
  return <main><div id="icon" dangerouslySetInnerHTML={{ __html: icon }} /><img id="url" src={iconUrl} />
    <pre id="notes">{notes}</pre><a id="worker" href={workerUrl}>worker</a><a id="link" href={iconLink}>icon</a><img id="dot" src={dot} /></main>
}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'


@cites("docs/styling.md", "Vite's import queries, as pyxle-framework 0.9 took them: `?raw` is the file's text")
def test_vite_import_queries_give_the_text_the_url_and_a_data_url(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """An SVG imported with `?raw` (to inline it) was its URL with `?raw` on the end, as esbuild
    loads a file by its suffix and drops the query; apps built by Vite for pyxle-framework 0.9 read
    its markup. `?url` of a script is its URL (the file copied, not bundled), `?inline` a data: URL,
    and the same SVG imported plainly is still its URL."""
    project = make_project({"pages/index.pyxl": QUERIES, "assets/icon.svg": SVG, "assets/notes.md": "# Notes\n",
                            "assets/worker.js": "self.onmessage = () => postMessage('pong')\n",
                            "assets/dot.png": "png bytes"}, node=True)
    server = start_server(project, "serve")
    html = httpx.get(server.url + "/", timeout=30).text
    assert f'<div id="icon">{SVG}</div>' in html, html
    assert '<pre id="notes"># Notes\n</pre>' in html, html
    dot = re.search(r'id="dot" src="(data:image/png[^"]+)"', html)
    assert dot, html
    assert urllib.request.urlopen(unescape(dot.group(1))).read() == b"png bytes"
    url = re.search(r'id="url" src="(/[^"]+\.svg)"', html)
    assert url, html
    assert httpx.get(server.url + url.group(1), timeout=30).text == SVG
    worker = re.search(r'id="worker" href="(/_pyxle/assets/worker-[^"/]+\.js)"', html)
    assert worker, html  # the bare URL, as Vite gives it: no "?url" left on the end
    assert re.search(r'id="link" href="/_pyxle/assets/icon-[^"/]+\.svg"', html), html
    served = httpx.get(server.url + worker.group(1), timeout=30)
    assert served.status_code == 200 and served.text == "self.onmessage = () => postMessage('pong')\n"
    modules = re.findall(r'<script type="module" src="([^"]+)"|<link rel="modulepreload" href="([^"]+)"', html)
    code = "".join(httpx.get(server.url + (src or href), timeout=30).text for src, href in modules)
    assert '<circle r=' in code  # the browser's build has the markup too


@cites("docs/styling.md", "the bare URL, `/_pyxle/assets/worker-HASH.js`, as Vite gives it")
def test_a_url_import_is_the_bare_url_in_dev_too(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """esbuild appends an import's query to a copied file's URL: `?url` gave
    `/_pyxle/assets/icon-HASH.svg?url`, which code comparing or joining URLs did not expect."""
    project = make_project({"pages/index.pyxl": QUERIES, "assets/icon.svg": SVG, "assets/notes.md": "# Notes\n",
                            "assets/worker.js": "self.onmessage = () => postMessage('pong')\n",
                            "assets/dot.png": "png bytes"}, node=True)
    server = start_server(project, "dev")
    html = httpx.get(server.url + "/", timeout=30).text
    link = re.search(r'id="link" href="(/_pyxle/assets/icon-[^"/?]+\.svg)"', html)
    assert link and re.search(r'id="worker" href="/_pyxle/assets/worker-[^"/?]+\.js"', html), html
    assert httpx.get(server.url + link.group(1), timeout=30).text == SVG
    (project / "assets" / "icon.svg").write_text(SVG.replace('r="4"', 'r="5"'))  # an edit: a new hash, still bare
    for _ in range(100):
        html = httpx.get(server.url + "/", timeout=30).text
        again = re.search(r'id="link" href="(/_pyxle/assets/icon-[^"/?]+\.svg)"', html)
        if again and again.group(1) != link.group(1):
            break
        time.sleep(0.1)
    assert again and again.group(1) != link.group(1), html
    assert 'r="5"' in httpx.get(server.url + again.group(1), timeout=30).text
