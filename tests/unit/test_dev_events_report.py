"""``DevEvents``: a compile error and a refused settings edit show in the overlay side by side,
and each is cleared on its own (a rebuild does not hide a refused config); the fix of a compile
error is an update, not a reload."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pyxle.app._devevents import DevEvents, error_page
from pyxle.security import script_policy


def _listener(events: DevEvents) -> Callable[[], list[str]]:
    """A connected browser: what it was sent so far, by event name."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    events._queues.add(queue)
    seen: list[str] = []

    def drain() -> list[str]:
        while not queue.empty():
            message = queue.get_nowait()
            assert message is not None
            seen.append(message.split("\n", 1)[0].removeprefix("event: "))
        return seen

    return drain


def test_a_refused_config_stays_shown_across_a_rebuild_and_goes_once_settled() -> None:
    events = DevEvents()
    drain = _listener(events)
    events.refused("pyxle.config.json not applied")
    events.broken("pages/index.pyxl:2: syntax error")
    assert events.report == "pages/index.pyxl:2: syntax error\n\npyxle.config.json not applied"
    events.reloaded(["pages/index.pyxl"])  # the page is fixed: an update, then the refusal shows again
    assert events.report == "pyxle.config.json not applied"
    events.settled()
    assert events.report is None
    events.settled()  # nothing shown: no reload
    assert drain() == ["error-report", "error-report", "update", "reload"]


def test_the_fix_after_a_compile_error_names_every_file_edited_while_broken() -> None:
    events = DevEvents()
    queue: asyncio.Queue[str | None] = asyncio.Queue()
    events._queues.add(queue)
    events.broken("components/Counter.jsx:6: syntax error", ["components/Counter.jsx"])
    events.broken("components/Counter.jsx:6: syntax error", ["pages/style.css"])  # a stylesheet, meanwhile
    events.reloaded(["components/Counter.jsx"])
    messages = [queue.get_nowait() for _ in range(3)]
    assert messages[2].startswith("event: update\n")
    assert '"files": ["components/Counter.jsx", "pages/style.css"]' in messages[2]  # not a stylesheet-only update
    assert '"report": null' in messages[2]
    events.reloaded(["pages/style.css"])
    assert '"files": ["pages/style.css"]' in queue.get_nowait()


def test_the_dev_error_page_carries_a_nonce_its_policy_names_and_none_without_a_policy() -> None:
    plain = error_page("boom")
    assert b"<script>" in plain.body and "content-security-policy" not in plain.headers
    page = error_page("boom", script_policy({"Content-Security-Policy": "default-src 'self'"}))
    nonce = page.headers["content-security-policy"].split("'nonce-")[1].rstrip("'")
    assert f'<script nonce="{nonce}">'.encode() in page.body
