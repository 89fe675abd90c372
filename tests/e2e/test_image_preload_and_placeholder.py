"""`<Image priority>` puts exactly one valid image preload in the head, and `placeholder="blur"`
shows what 0.9.4 showed while the image loads (`blurDataURL` blurred, or else `placeholderColor`,
#e5e5e5 by default) and then the image, unblurred: in a real `pyxle serve` and Chromium, on React 19
(which adds a preload of its own) and React 18."""

from __future__ import annotations

import base64
import html as htmllib
import re

import httpx

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

DOC = "docs/client.md"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
TINY = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"><rect width="4" height="2" fill="blue"/></svg>'
BLUR_DATA = "data:image/svg+xml;base64," + base64.b64encode(TINY.encode()).decode()

# One priority image per page: a srcset by width (`sizes`), one for 1x/2x, and no loader at all.
PRIORITY = """
import { Image } from 'pyxle/client'

const cdn = ({ src, width, quality }) => `${src}?w=${width}&q=${quality || 75}`

export default function Page() {
  return <main>IMAGE</main>
}
"""
IMAGES = {
    "sized": '<Image src="/hero.svg" width={300} height={150} alt="hero" loader={cdn} '
             'sizes="(max-width: 600px) 100vw, 300px" priority />',
    "dense": '<Image src="/hero.svg" width={300} height={150} alt="hero" loader={cdn} priority />',
    "plain": '<Image src="/hero.svg" width={300} height={150} alt="hero" priority />',
}

BLUR = """
import { Image } from 'pyxle/client'

export default function Page() {
  return <main><Image src="/held.svg" width={40} height={20} alt="held" placeholder="blur" /></main>
}
"""

# A blurDataURL (with a placeholderColor, which 0.9.4 did not draw under it), and one that fails.
BLUR_DATA_PAGE = """
import { Image } from 'pyxle/client'

export default function Page() {
  return <main>
    <Image src="/held.svg" width={40} height={20} alt="blurred" placeholder="blur" blurDataURL="BLUR_DATA"
           placeholderColor="#abcdef" />
    <Image src="/missing.svg" width={40} height={20} alt="broken" placeholder="blur" blurDataURL="BLUR_DATA" />
  </main>
}
""".replace("BLUR_DATA", BLUR_DATA)

FILES = {
    **{f"pages/{name}.pyxl": PRIORITY.replace("IMAGE", image) for name, image in IMAGES.items()},
    "pages/blur.pyxl": BLUR, "pages/blurdata.pyxl": BLUR_DATA_PAGE,
    "public/hero.svg": SVG, "public/held.svg": SVG,
}

app = react_app(FILES, "images")


def attrs(tag: str) -> dict[str, str]:
    return {k.lower(): htmllib.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


@cites(DOC, "one `<link rel=\"preload\">` in the head")
@cites(DOC, "With\n  a srcset the preload carries it as `imagesrcset` (and `sizes` as `imagesizes`) instead of an `href`")
def test_a_priority_image_has_exactly_one_preload_and_the_browser_fetches_it_once(app: Server,  # type: ignore[no-untyped-def]
                                                                                  page: PageWatch) -> None:
    for name in IMAGES:
        html = httpx.get(f"{app.url}/{name}").text
        head = html.split("</head>", 1)[0]
        links = re.findall(r'<link rel="preload" as="image"[^>]*>', html)
        assert len(links) == 1 and links[0] in head, (name, links)
        link = attrs(links[0])
        img = attrs(re.search(r'<img [^>]*alt="hero"[^>]*>', html).group(0))
        assert link.get("fetchpriority") == "high", link
        if name == "plain":
            assert link["href"] == "/hero.svg" and "imagesrcset" not in link, link
        else:
            assert "href" not in link and link["imagesrcset"] == img["srcset"], (link, img)
            assert link.get("imagesizes") == img.get("sizes"), (link, img)

        fetched: list[str] = []

        def note(request, fetched=fetched) -> None:  # type: ignore[no-untyped-def]
            if "/hero.svg" in request.url:
                fetched.append(request.url)

        page.page.on("request", note)
        page.page.goto(f"{app.url}/{name}")
        page.hydrated()
        page.page.locator('img[data-pyxle-image-state="loaded"]').wait_for()
        assert page.page.locator('link[rel="preload"][as="image"]').count() == 1, name
        assert len(fetched) == 1, (name, fetched)  # the preload is the image's own request
        page.page.remove_listener("request", note)
    assert page.problems() == [], page.problems()


@cites(DOC, "or without\n  one `placeholderColor` (default `#e5e5e5`), from the server-rendered HTML on")
def test_a_blur_placeholder_without_blur_data_shows_the_default_colour_until_the_image_loads(
        app: Server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    html = httpx.get(app.url + "/blur").text
    style = attrs(re.search(r'<img [^>]*alt="held"[^>]*>', html).group(0))["style"].replace(" ", "")
    assert "background-color:#e5e5e5" in style, style

    held = []
    page.page.route("**/held.svg", lambda route: held.append(route))  # loading until released
    page.page.goto(app.url + "/blur")
    page.hydrated()
    image = page.page.get_by_alt_text("held")
    assert image.get_attribute("data-pyxle-image-state") == "loading"
    assert computed(image, "backgroundColor", "filter", "transition") == {
        "backgroundColor": "rgb(229, 229, 229)", "filter": "none", "transition": "filter 0.25s ease-out"}
    page.page.wait_for_function("() => true")  # lets the route handler run (the request is held)
    assert held, "the image was not requested"
    held[0].continue_()
    page.page.locator('img[alt="held"][data-pyxle-image-state="loaded"]').wait_for()
    assert image.evaluate("e => e.style.backgroundColor") == ""
    assert image.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert page.problems() == [], page.problems()  # no hydration mismatch


def computed(image, *names: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return image.evaluate("(e, names) => Object.fromEntries(names.map((n) => [n, getComputedStyle(e)[n]]))",
                          list(names))


@cites(DOC, "`placeholder=\"blur\"` shows `blurDataURL`, blurred, behind the image while it loads")
@cites(DOC, "the blur fades\n  out (a 250 ms `filter` transition) once the image has loaded, and an image that fails shows no\n"
            "  placeholder")
def test_a_blur_placeholder_with_blur_data_is_blurred_until_the_image_loads(app: Server,  # type: ignore[no-untyped-def]
                                                                            page: PageWatch) -> None:
    html = httpx.get(app.url + "/blurdata").text
    style = attrs(re.search(r'<img [^>]*alt="blurred"[^>]*>', html).group(0))["style"].replace(" ", "")
    assert "filter:blur(20px)" in style and f'background-image:url("{BLUR_DATA}")' in style, style
    assert "background-color" not in style, style  # 0.9.4 drew no placeholderColor under a blurDataURL

    held = []
    page.page.route("**/held.svg", lambda route: held.append(route))  # served only when released
    page.page.goto(app.url + "/blurdata")
    page.hydrated()
    image = page.page.get_by_alt_text("blurred")
    assert image.get_attribute("data-pyxle-image-state") == "loading"
    assert computed(image, "filter", "backgroundImage", "backgroundColor", "backgroundSize", "transition") == {
        "filter": "blur(20px)", "backgroundImage": f'url("{BLUR_DATA}")', "backgroundColor": "rgba(0, 0, 0, 0)",
        "backgroundSize": "cover", "transition": "filter 0.25s ease-out"}
    page.page.locator('img[alt="broken"][data-pyxle-image-state="error"]').wait_for()
    broken = page.page.get_by_alt_text("broken")  # a failed image shows no placeholder (nor its alt text blurred)
    assert broken.evaluate("e => [e.style.filter, e.style.backgroundImage]") == ["", ""]
    page.page.wait_for_function("() => true")  # lets the route handler run (the request is held)
    assert held, "the image was not requested"
    held[0].continue_()
    page.page.locator('img[alt="blurred"][data-pyxle-image-state="loaded"]').wait_for()
    assert image.evaluate("e => [e.style.filter, e.style.backgroundImage, e.style.transition]") == [
        "", "", "filter 250ms ease-out"]
    page.page.wait_for_function("() => getComputedStyle(document.querySelector('img[alt=blurred]')).filter === 'none'",
                                timeout=5000)  # after the fade
    assert computed(image, "backgroundImage", "backgroundColor") == {
        "backgroundImage": "none", "backgroundColor": "rgba(0, 0, 0, 0)"}
    assert [p for p in page.problems() if "missing.svg" not in p[1] and "404" not in p[1]] == [], page.problems()
