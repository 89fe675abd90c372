"""How a server worker that took over SIGINT and SIGTERM tells granian to stop it afterwards.

granian's worker stops on either signal at once, dropping open WebSockets without a close frame
and leaving their handlers' ``finally`` blocks unrun; Pyxle's handlers replace its own (see
``pyxle.realtime._lifecycle``) and close the sockets first. Once they have, granian must still
be told: its handler only sets an event it keeps to itself, so the function that makes that
event (called in the worker after the app has loaded) is wrapped to keep it here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_stop: Callable[[], None] | None = None


def keep_granian_stop() -> None:
    """Wrap granian's worker signal set-up so that ``server_stop`` can stop this worker as its
    signals would. Call it in the worker before granian sets its signals (while the app loads)."""
    try:
        from granian import _signals
    except ImportError:
        return
    original = getattr(_signals, "set_loop_signals", None)
    if original is None or getattr(original, "pyxle_wrapped", False):
        return

    def set_loop_signals(loop: Any) -> Any:
        global _stop
        event = original(loop)
        _stop = getattr(event, "set", None)
        return event

    set_loop_signals.pyxle_wrapped = True  # type: ignore[attr-defined]
    _signals.set_loop_signals = set_loop_signals


def server_stop() -> Callable[[], None] | None:
    """What stops this worker as granian's SIGINT handler would; None when granian's event was not
    kept (another server, or a granian that sets its signals another way)."""
    return _stop
