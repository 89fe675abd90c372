"""A bounded memo for answers keyed by what clients choose (a path, a header's value): the few
keys an app sees most are remembered, and a client sending endless new ones cannot grow it."""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K", str, bytes)
V = TypeVar("V")

ENTRIES = 4096
KEY_LENGTH = 256  # 4096 keys of at most 256 characters: under 1.5 MB


def remember(memo: dict[K, V], key: K, value: V, *, entries: int = ENTRIES) -> V:
    """``value``, stored under ``key`` while the memo has room and the key is short enough."""
    if len(memo) < entries and len(key) <= KEY_LENGTH:
        memo[key] = value
    return value
