"""Stored pages in Chromium: they hydrate without a warning, each visitor's form posts with its own
token, and after an invalidation the browser shows the fresh page (navigation and full loads)."""

from __future__ import annotations

import re

import httpx

from tests.conftest import PageWatch, Server
from tests.e2e.test_cache import app, count  # noqa: F401  (the module's server)


def shown_number(page: PageWatch) -> int:
    return int(re.search(r"\d+", page.page.locator("#n").inner_text()).group(0))


def test_a_stored_page_hydrates_and_its_form_posts_for_each_visitor(app: Server, browser) -> None:  # noqa: F811
    visitors = []
    for _ in range(2):
        context = browser.new_context()
        visitors.append((context, PageWatch(context.new_page())))
    try:
        numbers = []
        for _, page in visitors:
            page.page.goto(app.url + "/form")
            page.hydrated()
            numbers.append(shown_number(page))
        assert numbers[0] == numbers[1]  # the second visitor got the stored page
        for _, page in visitors:  # each posts with its own token: the action answers, and invalidates /form
            before = shown_number(page)
            page.page.get_by_role("button", name="Save").click()
            page.page.wait_for_function(f"document.querySelector('#n').textContent !== 'form {before}'",
                                        timeout=15000)
            assert shown_number(page) > before
        for _, page in visitors:
            assert page.problems() == []
    finally:
        for context, _ in visitors:
            context.close()


def test_after_an_invalidation_a_full_load_shows_the_fresh_page(app: Server, page: PageWatch) -> None:  # noqa: F811
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.reload()
    page.hydrated()
    first = shown_number(page)
    assert httpx.post(app.url + "/api/purge", params={"path": "/"}).json() == {"removed": True}
    page.page.goto(app.url + "/")
    page.hydrated()
    assert shown_number(page) == first + 1 == count(app, "index")
    assert page.problems() == []
