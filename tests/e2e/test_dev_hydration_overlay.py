"""`pyxle dev` shows a hydration mismatch in its overlay (a value the server and the browser render
differently, `Math.random()` here), naming the page and React's message; a page without one, and a
Suspense boundary that failed on the server, show none; a production build keeps to the console.
A real `pyxle dev` and `pyxle serve`, Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

RANDOM = '''
import { useState } from 'react'

export default function Lucky() {
  const [n, setN] = useState(0)
  return (
    <main>
      <p id="lucky">lucky number {Math.random()}</p>
      <button id="more" onClick={() => setN(n + 1)}>clicked {n}</button>
    </main>
  )
}
'''
STEADY = '''
export default function Steady() {
  return <main><p id="steady">the same everywhere</p></main>
}
'''
# A boundary whose content throws on the server: streamed with a digest, rendered by the browser.
OWN_BOUNDARY = '''
import { Suspense } from 'react'
function ServerFails() {
  if (typeof window === 'undefined') throw new Error('only the browser renders this')
  return <p id="own-late">rendered in the browser</p>
}
export default function Own() {
  return <main><Suspense fallback={<p>loading</p>}><ServerFails /></Suspense></main>
}
'''
FILES = {"pages/lucky.pyxl": RANDOM, "pages/steady.pyxl": STEADY, "pages/own.pyxl": OWN_BOUNDARY}
OVERLAY = "#pyxle-dev-overlay"
DOC = "docs/client.md"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("hydration") / "app", FILES, NODE_MODULES)


@pytest.fixture(scope="module")
def dev(project: Path) -> Iterator[Server]:
    with serving(project, "--ssr-workers", "1", command="dev") as server:
        yield server


def _settled(page: PageWatch, url: str) -> None:
    page.page.goto(url)
    page.hydrated()
    page.page.wait_for_timeout(500)  # React reports a mismatch once hydration is over


@cites(DOC, "A hydration mismatch (the server and the browser rendered different text, as\n"
            "`Math.random()` or `new Date().toLocaleTimeString()` do) shows in the same overlay, dismissible")
def test_a_hydration_mismatch_shows_in_the_dev_overlay_naming_the_page(dev: Server, page: PageWatch) -> None:
    _settled(page, dev.url + "/lucky")
    overlay = page.page.locator(OVERLAY)
    overlay.wait_for(timeout=10000)
    text = overlay.text_content() or ""
    assert "pyxle dev: a hydration mismatch in pages/lucky.pyxl" in text, text
    assert "Hydration failed" in text and '<p id="lucky">' in text, text  # React's message and its diff:
    assert re.search(r"\+\s+0\.\d+\n\s*-\s+0\.\d+", text), text  # the browser's number, then the server's
    overlay.filter(has_text="at Lucky (pages/lucky.pyxl:").wait_for(timeout=5000)  # the component, in the user's file
    assert "(click or press Escape to dismiss)" in text

    page.page.keyboard.press("Escape")
    overlay.wait_for(state="detached", timeout=5000)
    page.page.click("#more")  # React rendered it again in the browser: the page works
    page.page.locator("#more").filter(has_text="clicked 1").wait_for(timeout=5000)


def test_react_18s_mismatch_shows_its_first_report_too(tmp_path: Path, start_server, page: PageWatch) -> None:
    """React 18 reports one mismatch as several errors, the last a generic one: the first says what differed."""
    project = write_project(tmp_path / "app18", {"pages/lucky.pyxl": RANDOM}, NODE_MODULES_REACT18)
    server = start_server(project, "dev", "--ssr-workers", "1")
    _settled(page, server.url + "/lucky")
    overlay = page.page.locator(OVERLAY)
    overlay.filter(has_text="at Lucky (pages/lucky.pyxl:").wait_for(timeout=10000)
    text = overlay.text_content() or ""
    assert "a hydration mismatch in pages/lucky.pyxl" in text, text
    assert text.index("Text content does not match") < text.index("There was an error while hydrating"), text


def test_a_page_that_hydrates_as_rendered_shows_no_overlay(dev: Server, page: PageWatch) -> None:
    _settled(page, dev.url + "/steady")
    assert page.page.locator(OVERLAY).count() == 0
    assert page.problems() == []


def test_a_suspense_boundary_that_failed_on_the_server_is_no_mismatch(dev: Server, page: PageWatch) -> None:
    _settled(page, dev.url + "/own")
    page.page.wait_for_selector("#own-late", timeout=10000)
    assert page.page.locator(OVERLAY).count() == 0
    assert not [text for _, text in page.problems() if "hydration" in text.lower()]


@cites(DOC, "production pages log it to the console")
def test_a_production_build_logs_a_mismatch_to_the_console_without_an_overlay(project: Path, page: PageWatch) -> None:
    with serving(project, "--ssr-workers", "1") as server:
        _settled(page, server.url + "/lucky")
        assert page.page.locator(OVERLAY).count() == 0
        assert [text for kind, text, _ in page.messages if kind == "error" and "[pyxle] hydration mismatch" in text]
        page.page.click("#more")
        page.page.locator("#more").filter(has_text="clicked 1").wait_for(timeout=5000)


@cites(DOC, "The console gets Pyxle's `[pyxle] hydration mismatch:` line\n(and, on React 18, React's own warnings)")
@pytest.mark.parametrize("react", ["19", "18"])
def test_a_mismatch_logs_pyxle_s_line_and_no_react_warning_of_its_own(tmp_path: Path, start_server,
                                                                      page: PageWatch, react: str) -> None:
    """Pyxle's handler read `errorInfo.digest`, which React 19 moved to the error and warns about
    reading (`You are accessing "digest" from the errorInfo object`), on every mismatch."""
    modules = NODE_MODULES if react == "19" else NODE_MODULES_REACT18
    project = write_project(tmp_path / f"app{react}", {"pages/lucky.pyxl": RANDOM, "pages/own.pyxl": OWN_BOUNDARY},
                            modules)
    server = start_server(project, "dev", "--ssr-workers", "1")
    _settled(page, server.url + "/lucky")
    page.page.locator(OVERLAY).wait_for(timeout=10000)
    errors = [text for kind, text, _ in page.messages if kind == "error" and "Failed to load resource" not in text
              and not (react == "18" and text.startswith("Warning: "))]  # React 18's dev build warns itself
    assert errors and all(text.startswith("[pyxle] hydration mismatch:") for text in errors), errors
    # React 18 still gives a boundary's digest in errorInfo: a part the server failed is no mismatch
    page.messages.clear()
    _settled(page, server.url + "/own")
    page.page.wait_for_selector("#own-late", timeout=10000)
    assert any("[pyxle] a part of this page was rendered in the browser (digest" in text
               for _, text, _ in page.messages), page.messages
    assert not [text for kind, text, _ in page.messages if kind == "error"], page.messages
