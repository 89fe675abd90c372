"""usePathname() of a path whose escapes are not valid UTF-8, in Chromium: the browser decodes it as
the server does (Python's `urllib.parse.unquote`: bad bytes become U+FFFD, a lone `%` stays), so
hydration finds the text the server rendered."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.conftest import PageWatch, Server
from tests.docs._blocks import cites
from tests.e2e._parity import react_app

TAG = """
import { usePathname } from 'pyxle/client'

export default function Tag() {
  return <main><h1>Tag</h1><p data-testid="tag-path">{usePathname()}</p></main>
}
"""

app = react_app({"pages/tag/[name].pyxl": TAG}, "escapes")


def server_rendered(server: Server, path: str) -> str:
    """The text of the server-rendered `tag-path` paragraph."""
    page = httpx.get(server.url + path).text
    start = page.index('data-testid="tag-path">') + len('data-testid="tag-path">')
    return html.unescape(page[start:page.index("</p>", start)])


@cites("docs/client.md", "an escape that is not UTF-8 becomes `�` (`/tag/%ff` is `/tag/�`")
@cites("docs/client.md", "a `%` without two hex digits stays as it is (`/tag/100%`)")
@pytest.mark.parametrize(("path", "expected"), [
    ("/tag/%ff", "/tag/\ufffd"),  # not UTF-8: a replacement character, as the server decodes it
    ("/tag/%E6%97%A5%ff", "/tag/日\ufffd"),  # the valid sequence decoded, the bad byte replaced
    ("/tag/100%", "/tag/100%"),  # a % without two hex digits is left as it is
    ("/tag/%E6%97%A5", "/tag/日"),
])
def test_use_pathname_of_an_invalid_or_partial_escape_hydrates_with_the_servers_text(
        app: Server, page: PageWatch, path: str, expected: str) -> None:
    assert server_rendered(app, path) == expected
    page.page.goto(app.url + path)
    page.hydrated()
    page.page.wait_for_timeout(200)  # a hydration mismatch is reported right after hydrating
    assert page.page.get_by_test_id("tag-path").text_content() == expected
    assert page.problems() == []  # no hydration mismatch (#418): both sides decoded alike
