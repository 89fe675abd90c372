"""docs/getting-started.md's notes page with its action, used as a reader would: the same note added
twice is two items, and React has nothing to complain of (its list keys stay unique)."""

from __future__ import annotations

from tests.conftest import PageWatch
from tests.docs._blocks import cites, project_files

DOC = "docs/getting-started.md"


@cites(DOC, "Typing a note and pressing *Add* posts it to `/api/__actions/notes/add_note`")
def test_the_same_note_added_twice_shows_twice_with_no_react_warning(make_project, start_server, page: PageWatch) -> None:
    root = make_project({**project_files("first-page"), **project_files("first-action")}, node=True)
    server = start_server(root, "dev")  # React's development build: it names duplicate keys
    page.page.goto(server.url + "/notes")
    page.hydrated()
    for _ in range(2):
        page.page.get_by_label("New note").fill("Buy tea")
        page.page.get_by_role("button", name="Add").click()
        page.page.wait_for_function("document.querySelector('form[data-pending]') === null", timeout=10000)
    page.page.wait_for_function("document.querySelectorAll('li').length === 3", timeout=10000)
    assert page.page.locator("li").all_inner_texts() == ["Install Pyxle", "Buy tea", "Buy tea"]
    assert page.problems() == []
