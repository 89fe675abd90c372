"""Observability: request ids, request timing, Server-Timing, Prometheus metrics, OpenTelemetry traces.

Public names:

- ``get_request_id(request=None)``: the id of a request (or of the one being handled now)
- ``request_timing_ms(request)``: how long the request took until its response started
- ``phase(kind, name)``: time a loader, action or render within the current request
- ``record_cache(route, outcome)``: the hook the page cache calls ("hit", "miss", "stale")
- ``Observer`` (the per-request work, which the app's HTTP edge calls), ``ObservabilityMiddleware``,
  ``RequestIdFilter``, ``Metrics``, ``MetricsEndpoint``, ``prepare_multiprocess_dir`` (and the
  ``MetricsDirError`` it raises), ``tracer``, ``check_installed``, ``TracingUnavailable``

Depends on nothing else in Pyxle (callers pass values). prometheus-client and OpenTelemetry are
imported only by the modules that use them, when those features are on.
"""

from __future__ import annotations

from pyxle.observability._context import RequestIdFilter, get_request_id, request_timing_ms
from pyxle.observability._metrics import Metrics, MetricsDirError, MetricsEndpoint, prepare_multiprocess_dir
from pyxle.observability._middleware import ObservabilityMiddleware, Observer, route_of
from pyxle.observability._phases import observe_renders, phase
from pyxle.observability._tracing import TracingUnavailable, check_installed, tracer

__all__ = [
    "Metrics",
    "MetricsDirError",
    "MetricsEndpoint",
    "ObservabilityMiddleware",
    "Observer",
    "RequestIdFilter",
    "TracingUnavailable",
    "check_installed",
    "get_request_id",
    "phase",
    "prepare_multiprocess_dir",
    "record_cache",
    "request_timing_ms",
    "route_of",
    "tracer",
    "use_metrics",
]

_active_metrics: Metrics | None = None


def use_metrics(metrics: Metrics | None) -> None:
    """Make ``metrics`` the one ``record_cache`` reports to (the app does this when metrics are on)."""
    global _active_metrics
    _active_metrics = metrics
    observe_renders(metrics.render if metrics is not None else None)


def record_cache(route: str, outcome: str) -> None:
    """Count a page-cache lookup for ``route`` (its pattern): "hit", "miss" or "stale".

    Free when metrics are off; with them on it is ``pyxle_cache_requests_total{route,outcome}``.
    """
    if _active_metrics is not None:
        _active_metrics.cache_lookup(route, outcome)
