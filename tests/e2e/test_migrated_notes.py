"""A Pyxle 0.9 app on Tailwind 4 through its Vite plugin, run unchanged:
tests/fixtures/migrated/field_notes.

`@tailwindcss/vite` and no PostCSS config (`@import "tailwindcss"` with an `@theme`), a
jsconfig `@/*` import, a dynamic page (`notes/[slug].pyxl`) with a loader and an action, API
routes, `error.pyxl`, `not-found.pyxl` and `loading.pyxl`, background tasks, and
`sign_cookie`/`verify_cookie` imported from `pyxle`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server
from tests.e2e._migrated import computed, install, served
from tests.e2e._styling import vite_era_tailwind4

INK = "rgb(49, 46, 129)"  # --color-ink of the app's @theme


def notes_app(into: Path) -> Path:
    root = install("field_notes", into, None)
    vite_era_tailwind4(root)
    return root


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    into = tmp_path_factory.mktemp("notes")
    yield from served("field_notes", into, None, prepare=vite_era_tailwind4, PYXLE_SECRET_KEY="n" * 48,
                      NOTES_DATA=str(into / "field_notes" / "data"))


def test_pages_and_api_routes_answer_with_the_apps_own_error_pages(notes: Server) -> None:
    assert httpx.get(notes.url + "/").status_code == 200
    assert httpx.get(notes.url + "/notes/herons").status_code == 200
    missing = httpx.get(notes.url + "/notes/owls")  # LoaderError(status_code=404): error.pyxl
    assert missing.status_code == 404 and "Error <!-- -->404" in missing.text and "No note by that name" in missing.text
    broken = httpx.get(notes.url + "/notes/broken")  # an unexpected exception: error.pyxl, no detail
    assert broken.status_code == 500 and "Error <!-- -->500" in broken.text
    assert "secret detail" not in broken.text and "Traceback" not in broken.text
    for path in ("/loading", "/nowhere"):  # loading.pyxl is never a route
        answer = httpx.get(notes.url + path)
        assert answer.status_code == 404 and "Nothing grows here" in answer.text
    assert httpx.get(notes.url + "/api/notes").json() == {"notes": ["herons", "lichen"]}
    assert httpx.get(notes.url + "/api/notes", params={"tag": "plants"}).json() == {"notes": ["lichen"]}
    assert httpx.get(notes.url + "/api/last-clap").json() == {"slug": None}


def test_every_page_hydrates_with_tailwind4_applied(notes: Server, page: PageWatch) -> None:
    browser = page.page
    for path in ("/", "/notes/herons", "/notes/lichen", "/nowhere", "/notes/broken"):
        browser.goto(notes.url + path)
        page.hydrated()
        header = browser.locator("header")
        assert header.evaluate("(e) => getComputedStyle(e).display") == "flex"
        assert header.evaluate("(e) => getComputedStyle(e).marginBottom") == "32px"  # mb-8
        assert computed(browser, "header a", "color") == INK  # text-ink, from @theme
        if path == "/nowhere":
            assert computed(browser, "[data-testid=not-found]", "text-align") == "center"
    assert computed(browser, "[data-testid=error]", "background-color") == "oklch(0.969 0.015 12.422)"  # bg-rose-50 (Tailwind 4 colours are oklch)
    nowhere, broken = f"{notes.url}/nowhere", f"{notes.url}/notes/broken"  # their statuses, and the console's notes
    assert [problem for problem in page.problems() if nowhere not in problem[1] and broken not in problem[1]] == []
    assert ("http", f"404 {nowhere}") in page.problems() and ("http", f"500 {broken}") in page.problems()


def test_cards_link_to_a_note_whose_action_claps_and_signs_a_cookie(notes: Server, page: PageWatch) -> None:
    browser = page.page
    browser.goto(notes.url + "/")
    page.hydrated()
    card = browser.get_by_test_id("notes").locator("li").first  # components/NoteCard.jsx, imported as @/components
    assert card.evaluate("(e) => getComputedStyle(e).borderTopLeftRadius") == "12px"  # rounded-xl
    card.get_by_role("link", name="Herons at dawn").click()
    browser.wait_for_url("**/notes/herons")
    button = browser.get_by_role("button", name="👏 0")
    assert button.evaluate("(e) => getComputedStyle(e).backgroundColor") == INK
    button.click()
    browser.get_by_role("button", name="👏 1").click()
    browser.get_by_role("button", name="👏 2").wait_for()
    assert browser.evaluate("fetch('/api/last-clap').then((r) => r.json())") == {"slug": "herons"}  # verify_cookie
    assert page.problems() == []

    log = notes.root / "data" / "reads.log"  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while "herons clap\nherons clap\n" not in (log.read_text() if log.exists() else "") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert log.read_text().count("herons clap\n") == 2 and "herons page\n" in log.read_text()  # background tasks


def test_a_forged_clap_cookie_is_not_believed(notes: Server) -> None:
    forged = httpx.get(notes.url + "/api/last-clap", cookies={"last_clap": "herons.not-a-signature"})
    assert forged.json() == {"slug": None}


def test_a_class_added_in_dev_gets_its_css_without_a_postcss_config(tmp_path: Path, start_server,
                                                                     page: PageWatch) -> None:
    root = notes_app(tmp_path)
    server = start_server(root, "dev", "--ssr-workers", "1", env={"NOTES_DATA": str(tmp_path / "data")})
    page.page.goto(server.url + "/notes/lichen")
    page.hydrated()
    assert computed(page.page, "h1", "font-style") == "normal"
    source = root / "pages" / "notes" / "[slug].pyxl"
    source.write_text(source.read_text().replace('className="font-display text-3xl', 'className="italic font-display text-3xl'))
    page.page.wait_for_function("getComputedStyle(document.querySelector('h1')).fontStyle === 'italic'", timeout=15000)
    assert page.problems() == []
