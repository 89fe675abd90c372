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
    # Next.js's HTML_LIMITED_BOT_UA_RE, which no rule above caught
    ("Mozilla/5.0 (compatible; Yeti/1.1; +https://naver.me/spd)", True),
    ("Mozilla/5.0 (compatible; vkShare; +http://vk.com/dev/Share)", True),
    ("Tumblr/14.0.835.186", True),
    ("facebookcatalog/1.0", True),
    (("Mozilla/5.0 (Linux; Android 4.2.1; en-us; Nexus 5 Build/JOP40D) AppleWebKit/535.19 (KHTML, like Gecko; "
     "googleweblight) Chrome/38.0.1025.166 Mobile Safari/535.19"), True),
    ("Mozilla/5.0 (compatible; GoogleOther)", True),
    ("FeedFetcher-Google; (+http://www.google.com/feedfetcher.html)", True),
    ("Mozilla/5.0 (compatible; YandexImages/3.0; +http://yandex.com/bots)", True),
    ("Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)", True),
    ("Mozilla/5.0 (compatible; YandexMetrika/2.0)", True),
    # Link previews of the fediverse and others
    ("http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)", True),
    ("Mastodon/4.2.0 (http.rb/5.1.1; +https://mastodon.social/)", True),
    ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", True),
    ("Iframely/1.3.1 (+https://iframely.com/docs/about)", True),
    (("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 "
     "YaBrowser/24.1.0.0 Safari/537.36"), False),
    (("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 "
     "Safari/605.1.15"), False),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", False),
])
def test_crawlers_are_told_from_browsers_whatever_the_case(agent: str, bot: bool) -> None:
    assert is_bot(agent) is bot
