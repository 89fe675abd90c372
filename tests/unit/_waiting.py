"""Waiting in a unit test's event loop for what another task does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def until(check: Callable[[], bool]) -> None:
    """Return once ``check()`` holds, within two seconds of the loop's turns; fail otherwise."""
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")
