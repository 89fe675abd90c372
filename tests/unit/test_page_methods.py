"""The methods a page's URL takes are spelled once: a public file's URL answers with the same."""

from __future__ import annotations

from pyxle.app import _static
from pyxle.pages import _endpoint


def test_a_public_file_and_a_page_share_one_allow_header() -> None:
    assert _static.ALLOW is _endpoint.ALLOW
    assert _endpoint.ALLOW == {"Allow": "GET, HEAD, OPTIONS"}
