"""Which X-Forwarded-For entry is the client (pyxle._forwarded): the rightmost that no listed proxy
wrote, and only when it is an IP address. The served behaviour is tests/e2e/test_forwarded.py."""

from __future__ import annotations

import pytest

from pyxle._forwarded import DEFAULT_ALLOWED, TrustedPeers, address_in
from tests.docs._blocks import cites


@pytest.mark.parametrize(("entry", "address"), [
    ("203.0.113.9", "203.0.113.9"),
    ("203.0.113.9:4711", "203.0.113.9"),
    ("2001:DB8::1", "2001:db8::1"),
    ("[2001:db8::1]", "2001:db8::1"),
    ("[2001:db8::1]:4711", "2001:db8::1"),
    ("::ffff:203.0.113.9", "203.0.113.9"),
])
def test_an_address_is_read_without_its_port_in_its_usual_form(entry: str, address: str) -> None:
    assert address_in(entry) == address


@pytest.mark.parametrize("entry", [
    "", "unknown", "_hidden", "<script>", "1.2.3.4.5", "01.2.3.4", "proxy.example", "fe80::1%eth0", "[1.2.3.4]",
    "[::1", "[::1]x", "[::1]:", "203.0.113.9:", "203.0.113.9:http", "203.0.113.9:\u00b2",
])
def test_anything_else_is_no_address(entry: str) -> None:
    assert address_in(entry) is None


@pytest.mark.parametrize(("header", "client"), [
    ("203.0.113.7", "203.0.113.7"),
    ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
    ("203.0.113.8, 127.0.0.1", "203.0.113.8"),
    ("unknown, 203.0.113.7", "203.0.113.7"),  # the proxy appended an address: what came before is not read
    ("203.0.113.7, unknown", None),  # no proxy wrote `unknown`: nothing before it is believed
    ("unknown, 127.0.0.1", None),
    ("127.0.0.1", "127.0.0.1"),  # all listed: the first
    (" , ", None),
])
def test_the_client_is_the_rightmost_unlisted_entry_if_it_is_an_address(header: str, client: str | None) -> None:
    peers = TrustedPeers(["127.0.0.1", "::1"])
    assert peers.client(header) == client
    assert peers.client(header) == client  # remembered, the same


def test_with_every_peer_trusted_the_first_entry_is_the_client_if_it_is_an_address() -> None:
    peers = TrustedPeers(["*"])
    assert peers.client("203.0.113.7, 10.0.0.1") == "203.0.113.7"
    assert peers.client("unknown, 10.0.0.1") is None


def test_a_listed_network_is_walked_over_whatever_the_address_form() -> None:
    peers = TrustedPeers(["10.0.0.0/8"])
    assert peers.client("203.0.113.7, 10.1.2.3:80, [::ffff:10.0.0.9]") == "203.0.113.7"


@cites("docs/deployment.md", "as uvicorn's `--forwarded-allow-ips` (under which\npyxle-framework 0.9 ran)")
def test_the_default_trusted_peers_are_uvicorns(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 0.9 deployment behind a proxy on the same machine keeps its visitors' addresses."""
    uvicorn = pytest.importorskip("uvicorn")  # a dev dependency (bench/'s baseline server)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert uvicorn.Config(app=None).forwarded_allow_ips == ",".join(DEFAULT_ALLOWED) == "127.0.0.1,::1"
