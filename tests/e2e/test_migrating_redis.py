"""docs/migrating.md's line that removes pyxle-framework 0.9's page-cache entries from Redis, run as
written against a real redis-server: 0.9 stored pages under ``pyxle:page:<sha256>`` with no TTL, and
this Pyxle never reads, overwrites or removes them, so without it they stay in Redis forever."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

import redis

from tests.conftest import RedisServer
from tests.docs._blocks import cites, doc_block


def entry_0_9(body: bytes) -> bytes:
    """A page as 0.9.4's RedisCacheBackend stored it: a JSON header line, then the body."""
    header = {"status_code": 200, "etag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
              "stored_at": 1_765_000_000.0, "revalidate": 300}
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


@cites("docs/migrating.md", "0.9 stored pages under `pyxle:page:<sha256>` keys that never\n  expire")
@cites("docs/migrating.md", "remove them (the `pyxle:page:*` keys only")
def test_the_documented_line_removes_0_9s_page_cache_keys_and_no_other(start_redis) -> None:
    server: RedisServer = start_redis()
    client = redis.Redis.from_url(server.url)
    old = {f"pyxle:page:{hashlib.sha256(path.encode()).hexdigest()}": entry_0_9(f"<p>{path}</p>".encode())
           for path in [f"/notes/{i}" for i in range(1200)] + ["/", "/cached"]}  # more than one xargs batch
    for key, value in old.items():
        client.set(key, value)
    assert client.ttl(next(iter(old))) == -1  # as 0.9 left them: no expiry
    kept = {"pyxle:cache:shop:b1:/cached": b"ours", "pyxle:ratelimit:1.2.3.4": b"3", "pyxle:pages": b"the app's",
            "session:abc": b"the app's"}
    for key, value in kept.items():
        client.set(key, value, ex=600 if key.startswith("pyxle:cache:") else None)

    line = doc_block("docs/migrating.md", "drop-0-9-page-cache")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", line], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYXLE_PAGE_CACHE_REDIS_URL": server.url}, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    assert list(client.scan_iter("pyxle:page:*")) == []
    assert {key: client.get(key) for key in kept} == kept
    assert client.dbsize() == len(kept)
    again = subprocess.run(["bash", "-euo", "pipefail", "-c", line], capture_output=True, text=True, timeout=60,
                           env={**os.environ, "PYXLE_PAGE_CACHE_REDIS_URL": server.url}, check=False)
    assert again.returncode == 0, again.stderr  # nothing left to remove: still no error (xargs -r)
