"""What start-up and the realtime broker say when Redis answers with a refusal rather than not at
all: its client limit, a data set still loading, a TLS certificate that does not verify. Each is
named as what it is, with its own fix, where all of them read "does not answer; start redis-server"."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
import redis as redis_py

from pyxle._redis import RedisUnavailable, ensure_reachable
from pyxle.realtime._redis_broker import RedisBroker
from tests.conftest import RedisServer
from tests.docs._blocks import cites


def answering(reply: bytes, wrap: ssl.SSLContext | None = None) -> int:
    """A loopback server that answers each connection's first bytes with ``reply``; its port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            try:
                conn = wrap.wrap_socket(conn, server_side=True) if wrap is not None else conn
                conn.recv(1024)
                conn.sendall(reply)
            except OSError:
                pass
            finally:
                conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


@cites("docs/configuration.md", "a Redis still loading its data set (`is loading its data set into memory`)")
def test_a_redis_still_loading_its_data_is_said_to_be_loading_not_down() -> None:
    port = answering(b"-LOADING Redis is loading the dataset in memory\r\n")
    with pytest.raises(RedisUnavailable) as caught:
        ensure_reachable(f"redis://127.0.0.1:{port}/0", feature="cache.redisUrl")
    text = str(caught.value)
    assert "is loading its data set into memory" in text and "hint: retry shortly" in text, text
    assert "start redis-server" not in text


@cites("docs/configuration.md", "a TLS certificate that does not verify (a hint names `?ssl_ca_certs=` and\n"
       "`?ssl_cert_reqs=none`)")
def test_a_tls_certificate_that_does_not_verify_hints_at_the_ca_options(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    port = answering(b"+PONG\r\n", context)
    with pytest.raises(RedisUnavailable) as caught:
        ensure_reachable(f"rediss://127.0.0.1:{port}/0", feature="realtime.redisUrl")
    text = str(caught.value)
    assert "CERTIFICATE_VERIFY_FAILED" in text and "?ssl_ca_certs=" in text and "ssl_cert_reqs=none" in text, text
    assert "start redis-server" not in text


@cites("docs/realtime.md", "a Redis at its `maxclients` limit is named as such (`max number of clients reached`)")
def test_a_late_worker_whose_subscription_meets_maxclients_starts_and_says_why(start_redis, caplog) -> None:  # type: ignore[no-untyped-def]
    """The PING took the last free connection, the pub/sub connection was refused with
    "max number of clients reached", and the worker died saying Redis "does not answer"."""
    redis: RedisServer = start_redis()
    admin = redis_py.Redis(port=redis.port)
    admin.config_set("maxclients", int(admin.info("clients")["connected_clients"]) + 1)

    async def main() -> None:
        broker = RedisBroker(redis.url, channel_prefix="maxc:", reconnect_delay=0.05, connect_timeout=1.0)
        await broker.start(required=False)  # a worker started while the server runs: must not raise
        admin.config_set("maxclients", 10000)
        for _ in range(200):
            if broker._reachable():
                break
            await asyncio.sleep(0.05)
        assert broker._reachable()
        await broker.aclose()

    with caplog.at_level(logging.WARNING, logger="pyxle.realtime"):
        asyncio.run(asyncio.wait_for(main(), 60))
    admin.close()
    said = [r.getMessage() for r in caplog.records if "max number of clients reached" in r.getMessage()]
    assert len(said) == 1, caplog.text
    assert "does not answer" not in caplog.text, caplog.text
    assert "is back" in caplog.text, caplog.text


@cites("docs/configuration.md", "A Redis at its `maxclients` limit (`max number of clients reached`)")
def test_a_required_start_names_maxclients() -> None:
    port = answering(b"-ERR max number of clients reached\r\n")
    with pytest.raises(RedisUnavailable, match="max number of clients reached.*\n    hint: raise Redis's `maxclients`"):
        ensure_reachable(f"redis://127.0.0.1:{port}/0", feature="realtime.redisUrl")
