"""OpenTelemetry traces (``pip install 'pyxle-framework[otel]'``): a span per request.

The tracer provider is the one the app set up itself (``opentelemetry-instrument``, or a module
that calls ``trace.set_tracer_provider``) when there is one; otherwise Pyxle installs the SDK's,
sampling ``otelSampleRatio`` of new traces (always following an incoming ``traceparent``), and
exporting with OTLP over HTTP when ``opentelemetry-exporter-otlp-proto-http`` is installed
(configured by the standard ``OTEL_EXPORTER_OTLP_*`` variables). A worker that stops sends what
that provider still holds (``stop_tracing``); a provider the app set up is the app's to flush.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

logger = logging.getLogger("pyxle")
INSTALL_HINT = "observability.otel needs OpenTelemetry: pip install 'pyxle-framework[otel]'"
FLUSH_SECONDS = 3.0  # at most, a stopping worker waits for the collector to take its last spans
_installed: Any = None  # the TracerProvider Pyxle installed in this process, while it runs


class TracingUnavailable(Exception):
    """OpenTelemetry is not installed."""


def check_installed() -> None:
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        raise TracingUnavailable(INSTALL_HINT) from None


def tracer(service_name: str, sample_ratio: float) -> Any:
    """The tracer request spans come from, installing the SDK provider if the app has none."""
    check_installed()
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    global _installed
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider):  # nobody configured one
        provider = TracerProvider(resource=Resource.create({"service.name": service_name}),
                                  sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
            from opentelemetry.sdk.trace.export import BatchSpanProcessor

            provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        except ImportError:
            logger.warning("observability.otel: no exporter installed, spans are not sent anywhere "
                           "(pip install opentelemetry-exporter-otlp-proto-http, or set a tracer provider)")
        trace.set_tracer_provider(provider)
        _installed = provider
    return trace.get_tracer("pyxle")


def stop_tracing(timeout: float = FLUSH_SECONDS) -> None:
    """The worker stops: send the spans Pyxle's provider still holds, then shut it down, waiting
    ``timeout`` seconds at most. Its batch goes out every 5 s, and the SDK's own atexit hook
    never runs in a granian worker that stops, so a worker's last seconds of spans were lost.

    The export runs in a thread of its own, left behind if the collector takes longer (the SDK's
    ``force_flush`` does not honour its timeout)."""
    global _installed
    provider, _installed = _installed, None
    if provider is None:
        return

    def send() -> None:
        try:
            provider.force_flush(int(timeout * 1000))
        finally:
            provider.shutdown()

    thread = threading.Thread(target=send, name="pyxle-traces-flush", daemon=True)
    thread.start()
    thread.join(timeout)


class RequestSpan:
    """The server span of one request; the route and status are added when they are known."""

    __slots__ = ("method", "span", "token")

    def __init__(self, tracer: Any, scope: dict[str, Any]) -> None:
        from opentelemetry import context, propagate, trace

        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
                   if name in (b"traceparent", b"tracestate")}
        self.method = method = scope.get("method", "WS")
        self.span = tracer.start_span(method, context=propagate.extract(carrier) if carrier else None,
                                      kind=trace.SpanKind.SERVER,
                                      attributes={"http.request.method": method, "url.path": scope["path"]})
        self.token = context.attach(trace.set_span_in_context(self.span))

    def end(self, route: str | None, status: int) -> None:
        from opentelemetry import context, trace

        span = self.span
        if route:
            span.update_name(f"{self.method} {route}")  # an unsampled span has no name to read
            span.set_attribute("http.route", route)
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_status(trace.Status(trace.StatusCode.ERROR))
        span.end()
        context.detach(self.token)
