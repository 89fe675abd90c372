"""Believing ``X-Forwarded-For`` and ``X-Forwarded-Proto`` from the proxies in front of Pyxle, and
from no one else (``forwardedAllowIps``, ``--forwarded-allow-ips``; docs/deployment.md).

Behind nginx every connection comes from the proxy: without this, ``request.client`` is the proxy
for every visitor, and a per-address limit (Pyxle's, a plugin's) becomes one limit for the whole
site. The scope is rewritten once, by the app's outer layer before anything else reads it, so
the access log, the rate limit, ``request.client``, ``request.url`` and plugins all read the same
client and scheme. uvicorn's rules (``--forwarded-allow-ips``, default loopback), which pyxle-framework 0.9 ran under,
except that only an IP address is ever the client: uvicorn takes any text (``unknown``, ``<script>``)
into the log and the rate limit's keys; nginx's realip module and Rails' RemoteIp do not.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import Scope

from pyxle._memo import remember
from pyxle._own import OWN_REQUEST

DEFAULT_ALLOWED = ("127.0.0.1", "::1")
# In the scope once a trusted peer's X-Forwarded-For gave the client: that peer's own address.
FORWARDED_BY = "pyxle.forwarded_by"
# X-Forwarded-Proto -> the scheme of an HTTP request, of a WebSocket
_SCHEMES = {"http": ("http", "ws"), "ws": ("http", "ws"), "https": ("https", "wss"), "wss": ("https", "wss")}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_UNSEEN = object()
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"  # as ipaddress reads it: no leading zero (01 is refused)
_IPV4 = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}").fullmatch


def allowed_peer(item: str) -> bool:
    """Whether ``item`` is ``*``, an IP address or a network (``10.0.0.0/8``)."""
    if item == "*":
        return True
    try:
        ipaddress.ip_network(item, strict=False)
    except ValueError:
        return False
    return True


def address_in(entry: str) -> str | None:
    """The IP address an ``X-Forwarded-For`` entry names, written as Python writes it
    (``2001:db8::1``, ``::ffff:203.0.113.9`` as ``203.0.113.9``), without the port some load
    balancers add (``203.0.113.9:4711``, ``[2001:db8::1]:4711``); None for anything else
    (``unknown``, RFC 7239's obfuscated ``_hidden``, a name, markup, an IPv6 zone)."""
    if _IPV4(entry):  # the usual entry, in a quarter of ipaddress's time; already in its usual form
        return entry
    host, port = entry, None
    if entry.startswith("["):  # [2001:db8::1], [2001:db8::1]:4711
        host, bracket, rest = entry[1:].partition("]")
        if not bracket or ":" not in host or (rest and not rest.startswith(":")):
            return None
        port = rest[1:] if rest else None
    elif entry.count(":") == 1:  # 203.0.113.9:4711
        host, _, port = entry.partition(":")
    if port is not None and not (port.isascii() and port.isdigit()):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None  # fe80::1%eth0: a zone names an interface of the sender's, and may hold any text
        address = address.ipv4_mapped or address  # a dual-stack proxy's ::ffff:203.0.113.9
    return str(address)


def split_peers(text: str) -> tuple[str, ...]:
    """A comma-separated list as the flag and the variable take it: ``"127.0.0.1, 10.0.0.0/8"``."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


class TrustedPeers:
    """The addresses and networks whose forwarded headers are believed; ``*`` is every peer."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.everyone = False
        self.hosts: set[str] = set()
        self.networks: list[Network] = []
        self._clients: dict[str, str | None] = {}  # X-Forwarded-For -> its client: the same on each visit
        for item in allowed:
            if item == "*":
                self.everyone = True
                continue
            network = ipaddress.ip_network(item, strict=False)
            if network.num_addresses == 1:
                self.hosts.add(str(network.network_address))
            else:
                self.networks.append(network)

    def __contains__(self, host: str) -> bool:
        if self.everyone or host in self.hosts:
            return True
        if not self.networks and not host.startswith("::ffff:"):  # the usual case, without parsing
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:  # a name, "unknown", a port appended: nothing this list names
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket's ::ffff:127.0.0.1
        return str(address) in self.hosts or any(address in network for network in self.networks)

    def client(self, forwarded_for: str) -> str | None:
        """The visitor in an ``X-Forwarded-For`` chain: its rightmost address that is not a trusted
        proxy. Each proxy appends the peer it saw, so the entries left of the first untrusted one
        (reading from the right) are whatever that client wrote. All trusted (or ``*``): the first.
        None when that entry is not an IP address (``address_in``): a trusted proxy never wrote it,
        so nothing there is known of the client, and the peer stays the client, as nginx's realip
        keeps it. Walking on past it would believe what a client wrote before it."""
        found = self._clients.get(forwarded_for, _UNSEEN)
        if found is _UNSEEN:
            found = remember(self._clients, forwarded_for, self._walk(split_peers(forwarded_for)))
        return found  # type: ignore[return-value]

    def _walk(self, hosts: tuple[str, ...]) -> str | None:
        if not hosts:
            return None
        if not self.everyone:
            for host in reversed(hosts):
                address = address_in(host)
                if address is None or address not in self:
                    return address
        return address_in(hosts[0])


def forward(scope: Scope, trusted: TrustedPeers) -> None:
    """From a trusted peer, ``X-Forwarded-For`` gives ``scope["client"]`` (port 0: the visitor's is
    not forwarded; unchanged when the entry it names is no address: ``TrustedPeers.client``) and the first ``X-Forwarded-Proto`` entry the scheme (``ws`` or ``wss`` for a
    WebSocket); from any other peer both headers are left unread, so a client that reaches Pyxle
    directly cannot choose its own address. Called by the app's edge (``pyxle.app._edge``) only
    for a request that carries one of them: no layer and no second scan for the others."""
    peer = scope.get("client")
    if peer is None or OWN_REQUEST in scope or peer[0] not in trusted:  # own: rewritten already
        return
    forwarded: list[str] = []
    proto: bytes | None = None
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded.append(value.decode("latin-1"))  # several lines are one list, in order
        elif name == b"x-forwarded-proto" and proto is None:
            proto = value
    if proto is not None:
        schemes = _SCHEMES.get(proto.split(b",", 1)[0].strip().lower().decode("latin-1"))
        if schemes is not None:
            scope["scheme"] = schemes[scope["type"] == "websocket"]
    if forwarded:
        client = trusted.client(",".join(forwarded))
        if client:
            scope["client"] = (client, 0)
            scope[FORWARDED_BY] = peer[0]
