"""The default Origin policy of WebSocket upgrades (realtime/_origin.py): the Origin's host and
port against the Host header, a scheme's default port written or not."""

from __future__ import annotations

import pytest

from pyxle.realtime._origin import same_site
from tests.docs._blocks import cites


def scope(origin: str, host: str) -> dict:
    return {"headers": [(b"origin", origin.encode()), (b"host", host.encode())]}


@cites("docs/realtime.md", "A port left out is its scheme's default, so `https://example.com` and a `Host` of\n"
       "  `example.com:443` (a proxy that passes `$host:$server_port`) are the same site")
@pytest.mark.parametrize(("origin", "host"), [
    ("https://example.com", "example.com"),
    ("https://example.com", "example.com:443"),  # nginx: proxy_set_header Host $host:$server_port
    ("http://example.com", "example.com:80"),
    ("http://example.com:80", "example.com"),
    ("https://Example.COM:8443/", "example.com:8443"),
    ("http://[::1]:8000", "[::1]:8000"),
    ("http://[::1]", "[::1]"),
])
def test_an_origin_naming_the_host_is_the_same_site(origin: str, host: str) -> None:
    assert same_site(scope(origin, host), ())


@pytest.mark.parametrize(("origin", "host"), [
    ("https://evil.example", "example.com"),
    ("https://example.com", "example.com:8443"),
    ("http://example.com:8080", "example.com"),
    ("https://example.com.evil.example", "example.com"),
    ("http://[::1]:8001", "[::1]:8000"),
    ("null", "example.com"),
])
def test_another_host_or_port_is_not(origin: str, host: str) -> None:
    assert not same_site(scope(origin, host), ())
