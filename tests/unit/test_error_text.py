"""``well_formed``: an error's text as HTML or a URL can carry it, as JavaScript's ``toWellFormed``."""

from __future__ import annotations

import pytest

from pyxle.pages._errors import error_json, well_formed


@pytest.mark.parametrize(("text", "shown"), [
    ("plain", "plain"),
    ("café ☕", "café ☕"),
    ("half \ud83d", "half \ufffd"),
    ("\udc00 low first", "\ufffd low first"),
    ("two \ud800\ud800 highs", "two \ufffd\ufffd highs"),
    ("a pair \ud83d\ude00 joined", "a pair 😀 joined"),
])
def test_well_formed_replaces_each_lone_surrogate_and_joins_a_pair(text: str, shown: str) -> None:
    assert well_formed(text) == shown
    well_formed(text).encode("utf-8")  # what failed before: HTML and URLs are UTF-8


def test_error_json_writes_a_lone_surrogate_as_its_escape() -> None:
    response = error_json({"error": "half \ud83d"}, 409, {"x-why": "taken"})
    assert response.body == b'{"error":"half \\ud83d"}'
    assert response.status_code == 409 and response.headers["x-why"] == "taken"
    assert response.media_type == "application/json"
