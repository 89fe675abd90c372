"""OpenTelemetry traces (``pip install 'pyxle-framework[otel]'``): a span per request.

The tracer provider is the one the app set up itself (``opentelemetry-instrument``, or a module
that calls ``trace.set_tracer_provider``) when there is one; otherwise Pyxle installs the SDK's,
sampling ``otelSampleRatio`` of new traces (always following an incoming ``traceparent``), and
exporting with OTLP over HTTP when ``opentelemetry-exporter-otlp-proto-http`` is installed
(configured by the standard ``OTEL_EXPORTER_OTLP_*`` variables).
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("pyxle")
INSTALL_HINT = "observability.otel needs OpenTelemetry: pip install 'pyxle-framework[otel]'"


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
    return trace.get_tracer("pyxle")


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
