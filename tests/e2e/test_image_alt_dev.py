"""An `<Image>` without `alt` renders `alt=""`, which marks it decorative: under `pyxle dev` the
browser console says so once per `src` (Next.js requires `alt`), while `alt=""` given on purpose is
quiet; a production build (`pyxle serve`) says nothing and ships none of it. In Chromium."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PageWatch
from tests.docs._blocks import cites

GALLERY = """
import { Image } from 'pyxle/client'

export default function Gallery() {
  return (
    <main>
      <Image src="/chart.svg" width={10} height={10} id="no-alt" />
      <Image src="/chart.svg" width={20} height={20} />
      <Image src="/rule.svg" width={10} height={10} alt="" />
      <Image src="/logo.svg" width={10} height={10} alt="Logo" />
    </main>
  )
}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
FILES = {"pages/index.pyxl": GALLERY, "public/chart.svg": SVG, "public/rule.svg": SVG, "public/logo.svg": SVG}


def said(make_project, start_server, page: PageWatch, command: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The console errors of the gallery, hydrated, under `pyxle <command>`."""
    server = start_server(make_project(FILES, node=True), command)
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.wait_for_timeout(300)
    assert page.page.evaluate("document.getElementById('no-alt').getAttribute('alt')") == ""
    return [text for kind, text, url in page.messages if kind == "error" and not url.endswith("/favicon.ico")]


@cites("docs/client.md", "Under `pyxle dev`, an `Image` without `alt` logs a console error naming its `src`")
def test_an_image_without_alt_is_named_once_in_the_console_under_pyxle_dev(
        make_project, start_server, page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    errors = said(make_project, start_server, page, "dev")
    assert len(errors) == 1, errors
    assert '<Image src="/chart.svg">' in errors[0] and 'alt=""' in errors[0]


def test_a_production_build_says_nothing_of_a_missing_alt(
        make_project, start_server, page: PageWatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert said(make_project, start_server, page, "serve") == []
    shipped = "".join(path.read_text() for path in (tmp_path / "app" / "dist" / "public").rglob("*.js"))
    assert shipped and "has no alt" not in shipped
