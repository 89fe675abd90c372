"""The "realtime" config section and its PYXLE_REALTIME_* variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyxle.config import ConfigError, RealtimeConfig, load_config
from tests.docs._blocks import cites


def load(tmp_path: Path, data: dict | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    if data is not None:
        (tmp_path / "pyxle.config.json").write_text(json.dumps(data))
    return load_config(tmp_path, environ=env or {}, load_env=False)


@cites('docs/realtime.md', '| in-process (default) | `PYXLE_REALTIME_BROKER=memory` |')
@cites('docs/realtime.md', '| `sendQueue` | | `1024` |')
def test_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    assert load(tmp_path).realtime == RealtimeConfig(
        broker="memory", redis_url="redis://localhost:6379", channel_prefix="pyxle:rt:",
        max_message_size=1024 * 1024, max_publish_size=1024 * 1024, send_queue=1024, ping_interval=20,
        api_routes=None)
    assert load(tmp_path).to_dict()["realtime"]["apiRoutes"] is None  # unset: --print-config shows null
    assert load(tmp_path, {"realtime": {"apiRoutes": None}}).realtime.api_routes is None  # and reads it back
    assert load(tmp_path, {"realtime": {"apiRoutes": False}}).realtime.api_routes is False


def test_the_file_sets_keys_and_variables_override_single_ones(tmp_path: Path) -> None:
    config = load(tmp_path, {"realtime": {"broker": "redis", "redisUrl": "redis://:pw@r:6379/1", "sendQueue": 64,
                                          "apiRoutes": ["/api/chat"]}},
                  {"PYXLE_REALTIME_CHANNEL_PREFIX": "app:", "PYXLE_REALTIME_BROKER": "memory",
                   "PYXLE_REALTIME_MAX_MESSAGE_SIZE": "2048"})
    rt = config.realtime
    assert (rt.broker, rt.redis_url, rt.channel_prefix, rt.send_queue, rt.max_message_size, rt.api_routes) == (
        "memory", "redis://:pw@r:6379/1", "app:", 64, 2048, ("/api/chat",))
    assert config.to_dict()["realtime"]["redisUrl"] == "redis://:********@r:6379/1"


def test_bad_values_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, {"realtime": {"broker": "nats", "redisUrl": "http://x", "maxMessageSize": 0,
                                     "apiRoutes": "yes"}})
    text = str(caught.value)
    assert 'realtime.broker must be one of memory, redis (got "nats")' in text
    assert "realtime.redisUrl must be a Redis URL" in text
    assert "realtime.maxMessageSize must be an integer greater than 0 (got 0)" in text
    assert "realtime.apiRoutes must be true, false or a list of path prefixes" in text
    (tmp_path / "env").mkdir()
    with pytest.raises(ConfigError, match='PYXLE_REALTIME_BROKER must be one of memory, redis'):
        load(tmp_path / "env", env={"PYXLE_REALTIME_BROKER": "x"})


def test_an_unknown_key_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    config = load(tmp_path, {"realtime": {"chanelPrefix": "x:"}})
    assert any('unknown key "realtime.chanelPrefix" is ignored (did you mean "realtime.channelPrefix"?)' in w
               for w in config.warnings)


def test_keepalive_is_set_on_this_process_listening_sockets_and_nothing_else() -> None:
    import os
    import socket

    from pyxle.realtime._lifecycle import enable_keepalive, listening_fds

    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    accepted, _ = listener.accept()
    read_end, write_end = os.pipe()
    try:
        found = listening_fds()
        assert listener.fileno() in found
        assert not {client.fileno(), accepted.fileno(), read_end, write_end} & set(found)
        assert enable_keepalive(9) >= 1
        assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 9
        assert client.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 0  # a connection is left alone
        open_before = len(os.listdir("/proc/self/fd"))
        enable_keepalive(9)
        assert len(os.listdir("/proc/self/fd")) == open_before  # the copies it made are closed
    finally:
        for sock in (listener, client, accepted):
            sock.close()
        os.close(read_end)
        os.close(write_end)


def test_a_process_without_a_listener_looks_for_one_a_few_times_and_further_apart(monkeypatch) -> None:
    """Each look reads the machine's whole TCP table: an app run in-process (tests, another server)
    once looked a hundred times, 50 ms apart, which on a busy machine cost seconds of CPU."""
    import asyncio
    import itertools
    import time

    from pyxle.realtime import _lifecycle

    looks: list[float] = []
    monkeypatch.setattr(_lifecycle, "enable_keepalive", lambda idle: looks.append(time.monotonic()) or 0)

    async def run() -> None:
        _lifecycle._keepalive_soon(9, tries=4)
        await asyncio.sleep(0.6)  # 0.05 + 0.1 + 0.2 s, then it gives up

    asyncio.run(run())
    assert len(looks) == 4
    gaps = [later - earlier for earlier, later in itertools.pairwise(looks)]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09 and gaps[2] >= 0.19
    assert _lifecycle.KEEPALIVE_TRIES <= 10
