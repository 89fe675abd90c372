"""Timing the parts of a request: loaders, actions and renders.

``with phase("loader", "pages/index.pyxl"):`` costs one context-variable read when nothing
needs phases (no Server-Timing, metrics or tracing); otherwise the Observer has put a
``Phases`` for the request in ``phases_var``, and each phase adds its duration to it, to the
render metrics and, when tracing, a child span of the request's span.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

_NULL = contextlib.nullcontext()


class Phases:
    """One request's phase durations; ``tracer`` and ``on_render`` come from the configuration."""

    __slots__ = ("durations", "on_render", "tracer")

    def __init__(self, tracer: Any = None, on_render: Callable[[str, float | None], None] | None = None, *,
                 record: bool = True) -> None:
        self.durations: list[tuple[str, float]] | None = [] if record else None  # None: nobody reads them
        self.tracer = tracer
        self.on_render = on_render

    def server_timing(self, total: float) -> bytes:
        """``loader;dur=1.20, render;dur=4.10, total;dur=6.00`` (milliseconds, phases summed by kind)."""
        summed: dict[str, float] = {}
        for kind, seconds in self.durations or ():
            summed[kind] = summed.get(kind, 0.0) + seconds
        parts = [f"{kind};dur={seconds * 1000:.2f}" for kind, seconds in summed.items()]
        parts.append(f"total;dur={total * 1000:.2f}")
        return ", ".join(parts).encode("latin-1")


phases_var: ContextVar[Phases | None] = ContextVar("pyxle_phases", default=None)


class _Phase:
    __slots__ = ("kind", "name", "phases", "span", "start")

    def __init__(self, phases: Phases, kind: str, name: str) -> None:
        self.phases = phases
        self.kind = kind
        self.name = name
        self.span: Any = None

    def __enter__(self) -> None:
        if self.phases.tracer is not None:
            self.span = self.phases.tracer.start_as_current_span(f"{self.kind} {self.name}",
                                                                 attributes={"pyxle.phase": self.kind})
            self.span.__enter__()
        if self.kind == "render" and self.phases.on_render is not None:
            self.phases.on_render(self.name, None)  # one more render in flight
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        seconds = time.perf_counter() - self.start
        if self.phases.durations is not None:
            self.phases.durations.append((self.kind, seconds))
        if self.kind == "render" and self.phases.on_render is not None:
            self.phases.on_render(self.name, seconds)
        if self.span is not None:
            self.span.__exit__(*exc)  # records the exception, if any, on the span


# With metrics on and neither Server-Timing nor tracing, a request needs no Phases of its own
# (making and scoping one was ~0.4 µs, two-fifths of what metrics cost an API request in process):
# renders are timed for the metrics through this one.
_unscoped: Phases | None = None


def observe_renders(on_render: Callable[[str, float | None], None] | None) -> None:
    """Report renders timed outside a request's own ``Phases`` to ``on_render`` (None: to nobody)."""
    global _unscoped
    _unscoped = Phases(None, on_render, record=False) if on_render is not None else None


def phase(kind: str, name: str) -> contextlib.AbstractContextManager[Any]:
    """Time a ``kind`` ("loader", "action", "render") of work named ``name`` within this request."""
    phases = phases_var.get() or _unscoped
    return _NULL if phases is None else _Phase(phases, kind, name)
