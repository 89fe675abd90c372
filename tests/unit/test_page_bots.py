"""Which agents get a page in one piece (crawlers, link previews) and which get it streamed."""

from __future__ import annotations

import pytest

from pyxle.pages._endpoint import is_bot


@pytest.mark.parametrize(("agent", "bot"), [
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
    ("WhatsApp/2.23.20.0", True),
    ("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) Chrome-Lighthouse", True),
    ("FACEBOOKEXTERNALHIT/1.1", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", False),
])
def test_crawlers_are_told_from_browsers_whatever_the_case(agent: str, bot: bool) -> None:
    assert is_bot(agent) is bot
