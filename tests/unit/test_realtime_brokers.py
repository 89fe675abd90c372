"""The same broker suite against InProcessBroker and RedisBroker (on a real redis-server).

Sockets here are Starlette WebSockets on an ASGI channel the test reads, as a server would."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

import pytest
from starlette.websockets import WebSocket

from pyxle.realtime import (
    Broker,
    BrokerUnavailable,
    InProcessBroker,
    RedisBroker,
    build_broker,
    channel,
    origin_allowed,
)
from pyxle.realtime._connection import connection_for
from tests.conftest import RedisServer
from tests.docs._blocks import cites


class Peer:
    """One socket as the broker sees it, and what it was sent."""

    def __init__(self, origin: str | None = None) -> None:
        self.sent: list[dict] = []
        headers = [(b"origin", origin.encode())] if origin else []

        async def send(message: dict) -> None:
            self.sent.append(message)

        async def receive() -> dict:
            await asyncio.sleep(3600)
            return {}

        self.ws = WebSocket({"type": "websocket", "path": "/", "headers": headers}, receive, send)

    def frames(self) -> list[str | bytes]:
        return [m.get("text", m.get("bytes")) for m in self.sent]


async def settle(check: Callable[[], bool], timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "not delivered in time"
        await asyncio.sleep(0.01)


@pytest.fixture(params=["memory", "redis"])
def make_broker(request: pytest.FixtureRequest) -> Callable[[], Broker]:
    if request.param == "memory":
        shared = InProcessBroker()
        return lambda: shared  # one process: every "worker" is the same broker
    redis: RedisServer = request.getfixturevalue("redis_server")
    prefix = f"unit-{os.urandom(4).hex()}:"
    return lambda: RedisBroker(redis.url, channel_prefix=prefix)


def run(make_broker: Callable[[], Broker], body: Callable[..., Awaitable[None]], brokers: int = 1) -> None:
    async def main() -> None:
        started = [make_broker() for _ in range(brokers)]
        for broker in {id(b): b for b in started}.values():
            await broker.start()
        try:
            await asyncio.wait_for(body(*started), 30)
        finally:
            for broker in {id(b): b for b in started}.values():
                await broker.aclose()

    asyncio.run(main())


def test_every_subscriber_gets_each_message_once_in_publish_order(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(a: Broker, b: Broker) -> None:  # two brokers: two worker processes
        peers = [Peer() for _ in range(6)]
        for i, peer in enumerate(peers):
            await (a if i % 2 else b).subscribe("room", peer.ws)
        for k in range(300):
            await a.publish("room", f"m{k}")
        await settle(lambda: all(len(p.sent) >= 300 for p in peers))
        await asyncio.sleep(0.2)
        for peer in peers:
            assert peer.frames() == [f"m{k}" for k in range(300)]

    run(make_broker, body, brokers=2)


def test_text_bytes_and_json_become_the_matching_frames(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(broker: Broker) -> None:
        peer = Peer()
        await broker.subscribe("kinds", peer.ws)
        for message in ("text", b"\x00bin", {"a": [1, 2]}, 3, None):
            await broker.publish("kinds", message)
        with pytest.raises(TypeError, match="str, bytes or JSON-able"):
            await broker.publish("kinds", object())
        await settle(lambda: len(peer.sent) == 5)
        assert peer.sent == [{"type": "websocket.send", "text": "text"}, {"type": "websocket.send", "bytes": b"\x00bin"},
                             {"type": "websocket.send", "text": '{"a":[1,2]}'}, {"type": "websocket.send", "text": "3"},
                             {"type": "websocket.send", "text": "null"}]

    run(make_broker, body)


def test_leaving_a_channel_stops_delivery_and_presence_counts_every_worker(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(a: Broker, b: Broker) -> None:
        one, two, three = Peer(), Peer(), Peer()
        async with channel(one.ws, "hall", broker=a) as handle:
            async with channel(two.ws, "hall", broker=b), channel(three.ws, "hall", broker=a):
                assert await handle.count() == 3 == await b.count("hall")
            assert await handle.count() == 1
            await handle.publish("only one")
            await settle(lambda: len(one.sent) == 1)
            await asyncio.sleep(0.1)
            assert two.sent == [] and three.sent == []
        assert await a.count("hall") == 0

    run(make_broker, body, brokers=2)


def test_a_socket_in_a_channel_twice_gets_each_message_once(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(broker: Broker) -> None:
        peer = Peer()
        async with channel(peer.ws, "dup", broker=broker), channel(peer.ws, "dup", broker=broker) as handle:
            assert await handle.count() == 1
            await handle.publish("x")
            await settle(lambda: len(peer.sent) == 1)
            await asyncio.sleep(0.1)
            assert peer.frames() == ["x"]

    run(make_broker, body)


def test_a_full_queue_closes_only_that_socket_with_1013(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(broker: Broker) -> None:
        stuck, fine = Peer(), Peer()
        blocked = asyncio.Event()

        async def never(message: dict) -> None:  # a peer whose writes do not complete until it reads
            if message["type"] == "websocket.close":
                stuck.sent.append(message)
                return
            await blocked.wait()

        connection_for(stuck.ws)._send = never  # type: ignore[method-assign]
        connection_for(stuck.ws).queue_limit = 50
        await broker.subscribe("q", stuck.ws)
        await broker.subscribe("q", fine.ws)
        for k in range(200):
            await broker.publish("q", k)
        await settle(lambda: len(fine.sent) == 200)
        assert connection_for(stuck.ws).closed
        assert stuck.sent == []  # the close frame follows the frame the server holds for the peer...
        blocked.set()  # ...which goes out once the peer reads again
        await settle(lambda: stuck.sent == [{"type": "websocket.close", "code": 1013, "reason": "too slow"}])

    run(make_broker, body)


def test_a_socket_that_reads_slowly_never_holds_up_delivery_to_the_others(make_broker) -> None:  # type: ignore[no-untyped-def]
    async def body(broker: Broker) -> None:
        crawler, fast = Peer(), [Peer() for _ in range(3)]

        async def crawl(message: dict) -> None:  # reads on, 20 ms a frame: never stalled, just slow
            await asyncio.sleep(0.02)
            crawler.sent.append(message)

        connection_for(crawler.ws)._send = crawl  # type: ignore[method-assign]
        for peer in (crawler, *fast):
            connection_for(peer.ws).queue_limit = 16
            await broker.subscribe("mixed", peer.ws)
        loop = asyncio.get_running_loop()
        started = loop.time()
        for k in range(300):
            await broker.publish("mixed", k)
        await settle(lambda: all(len(p.sent) == 300 for p in fast), timeout=20)
        # waiting for the crawler on each publish would take 300 x 20 ms = 6 s
        assert loop.time() - started < 3
        for peer in fast:
            assert peer.frames() == [str(k) for k in range(300)]
        await settle(lambda: connection_for(crawler.ws).closed)
        assert connection_for(crawler.ws).close_code == 1013

    run(make_broker, body)


@cites("docs/realtime.md", "Two apps sharing one Redis need a `channelPrefix` each: a channel is `<channelPrefix><name>` "
                           "there, so apps with the same prefix share every channel of the same name, its messages "
                           "and its presence")
def test_apps_on_one_redis_share_channels_only_under_the_same_prefix(redis_server: RedisServer) -> None:
    async def main() -> None:
        unique = os.urandom(4).hex()
        shop, blog, shop_too = (RedisBroker(redis_server.url, channel_prefix=f"{name}-{unique}:rt:")
                                for name in ("shop", "blog", "shop"))
        for broker in (shop, blog, shop_too):
            await broker.start()
        try:
            peers = [Peer() for _ in range(3)]
            for broker, peer in zip((shop, blog, shop_too), peers, strict=True):
                await broker.subscribe("room", peer.ws)
            await shop.publish("room", "for the shop")
            await settle(lambda: peers[2].frames() == ["for the shop"])
            await asyncio.sleep(0.2)
            assert peers[0].frames() == ["for the shop"] and peers[1].frames() == []
            assert await shop.count("room") == 2 and await blog.count("room") == 1
        finally:
            for broker in (shop, blog, shop_too):
                await broker.aclose()

    asyncio.run(asyncio.wait_for(main(), 30))


def test_publishing_while_redis_is_down_raises_broker_unavailable_then_recovers(start_redis) -> None:  # type: ignore[no-untyped-def]
    redis = start_redis()

    async def main() -> None:
        broker = RedisBroker(redis.url, channel_prefix="down:", reconnect_delay=0.05)
        await broker.start()
        peer = Peer()
        await broker.subscribe("r", peer.ws)
        redis.stop()
        with pytest.raises(BrokerUnavailable, match=r"cannot publish to 'r': Redis at redis://127\.0\.0\.1:\d+/0 is"):
            for _ in range(50):  # the first may still find the old connection closing
                await broker.publish("r", "lost")
                await asyncio.sleep(0.05)
        redis.start()
        for _ in range(200):
            try:
                await broker.publish("r", "back")
                break
            except BrokerUnavailable:
                await asyncio.sleep(0.05)
        await settle(lambda: "back" in peer.frames(), 10)
        assert await broker.count("r") == 1
        await broker.aclose()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_an_unreachable_redis_at_start_names_the_url(start_redis) -> None:  # type: ignore[no-untyped-def]
    redis = start_redis()
    redis.stop()

    async def main() -> None:
        with pytest.raises(Exception, match=r"realtime: Redis at redis://127\.0\.0\.1:\d+/0 does not answer"):
            await RedisBroker(redis.url).start()

    asyncio.run(main())


def test_build_broker_reads_the_environment_names() -> None:
    assert isinstance(build_broker({}), InProcessBroker)
    assert isinstance(build_broker({"PYXLE_REALTIME_BROKER": "memory"}), InProcessBroker)
    broker = build_broker({"PYXLE_REALTIME_BROKER": "Redis", "PYXLE_REALTIME_REDIS_URL": "redis://h:1/2",
                           "PYXLE_REALTIME_CHANNEL_PREFIX": "app:"})
    assert isinstance(broker, RedisBroker) and (broker.url, broker.prefix) == ("redis://h:1/2", "app:")
    assert build_broker({"PYXLE_REALTIME_BROKER": "redis"}).url == "redis://localhost:6379"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="use 'memory'"):
        build_broker({"PYXLE_REALTIME_BROKER": "nats"})


def test_origin_allowed_follows_the_list() -> None:
    assert origin_allowed(Peer().ws, ["https://a.example"])  # no Origin: not a browser
    assert origin_allowed(Peer("https://evil.example").ws, [])  # an empty list restricts nothing
    assert origin_allowed(Peer("https://a.example").ws, ["https://a.example/"])
    assert origin_allowed(Peer("https://b.example").ws, ["*"])
    assert not origin_allowed(Peer("https://evil.example").ws, ["https://a.example"])


def test_authenticate_websocket_resolves_the_session_cookie_through_the_auth_plugin_seam(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The seam pyxle-auth support plugs into: ``pyxle.plugins.plugin("auth.service")``, as in
    pyxle-framework 0.9 (the plugin itself is not part of this branch)."""
    import sys
    import types

    from pyxle.realtime import authenticate_websocket

    seen: list[str] = []

    class Service:
        settings = types.SimpleNamespace(cookie_name="sid")

        async def resolve_session(self, *, cookie_value: str) -> dict | None:
            seen.append(cookie_value)
            return {"id": 7} if cookie_value == "good" else None

    def socket(cookie: str | None) -> WebSocket:
        headers = [(b"cookie", cookie.encode())] if cookie else []
        return WebSocket({"type": "websocket", "path": "/", "headers": headers}, Peer().ws._receive, Peer().ws._send)

    assert asyncio.run(authenticate_websocket(socket("sid=good"))) is None  # no plugin support: anonymous
    plugins = types.ModuleType("pyxle.plugins")
    plugins.plugin = lambda name, default=None: Service() if name == "auth.service" else default  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyxle.plugins", plugins)
    assert asyncio.run(authenticate_websocket(socket("sid=good"))) == {"id": 7}
    assert asyncio.run(authenticate_websocket(socket("sid=stale"))) is None
    assert asyncio.run(authenticate_websocket(socket("other=good"))) is None  # not the plugin's cookie
    assert seen == ["good", "stale"]  # no cookie, no lookup
