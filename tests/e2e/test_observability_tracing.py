"""OpenTelemetry traces from a real `pyxle serve`, collected by the SDK's in-memory exporter.

The project installs the tracer provider itself (as an app using its own exporter would), in an
API module that also serves the finished spans as JSON.
"""

from __future__ import annotations

import gzip
import http.server
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REPO, SHARED_SECRET
from tests.docs._blocks import cites

SPANS = '''
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

# Set once per process tree: the server's workers may inherit the provider their parent set
# when it imported this module to check the project.
if not hasattr(trace.get_tracer_provider(), "exporter"):
    provider = TracerProvider()
    provider.exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(provider.exporter))
    trace.set_tracer_provider(provider)
exporter = trace.get_tracer_provider().exporter


async def get(request):
    return [{"name": s.name, "id": s.context.span_id, "trace": s.context.trace_id,
             "parent": s.parent.span_id if s.parent else None, "kind": s.kind.name,
             "attributes": dict(s.attributes)} for s in exporter.get_finished_spans()]
'''
PAGE = '''
@server
async def load(request):
    return {"name": "Ada"}

@action
async def save(request):
    return {"saved": True}

export default function Home({ data }) {
  return <h1>{data.name}</h1>
}
'''
CONFIG = {"observability": {"otel": True, "otelSampleRatio": 1.0}}


def _spans(server) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    return httpx.get(server.url + "/api/spans").json()


def test_a_page_request_is_one_span_with_loader_and_render_children(make_project, start_server):
    project = make_project({"pages/index.pyxl": PAGE, "pages/api/spans.py": SPANS,
                            "pyxle.config.json": json.dumps(CONFIG)}, node=True)
    server = start_server(project)
    with httpx.Client(base_url=server.url) as client:
        assert "Ada</h1>" in client.get("/").text
        token = client.cookies["pyxle-csrf"]
        assert client.post("/api/__actions/index/save", json={}, headers={"x-csrf-token": token}).json()["saved"]
    spans = _spans(server)
    page = next(s for s in spans if s["name"] == "GET /")
    assert page["kind"] == "SERVER" and page["parent"] is None
    assert page["attributes"]["http.route"] == "/" and page["attributes"]["http.response.status_code"] == 200
    children = {s["name"] for s in spans if s["parent"] == page["id"]}
    assert children == {"loader pages/index.pyxl", "render index"}
    action = next(s for s in spans if s["name"] == "POST /api/__actions/index/save")
    assert [s["name"] for s in spans if s["parent"] == action["id"]] == ["action index/save"]


def test_an_incoming_traceparent_continues_the_callers_trace(make_project, start_server):
    project = make_project({"pages/api/spans.py": SPANS, "pages/api/hello.py": "async def get(r):\n    return {}\n",
                            "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project)
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    httpx.get(server.url + "/api/hello", headers={"traceparent": f"00-{trace_id}-{parent_id}-01"})
    spans = [s for s in _spans(server) if s["name"] == "GET /api/hello"]
    assert len(spans) == 1
    assert spans[0]["trace"] == int(trace_id, 16) and spans[0]["parent"] == int(parent_id, 16)


def test_a_5xx_marks_the_request_span_as_an_error(make_project, start_server):
    crash = "async def get(request):\n    raise LookupError('boom')\n"
    project = make_project({"pages/api/spans.py": SPANS, "pages/api/crash.py": crash,
                            "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project)
    assert httpx.get(server.url + "/api/crash").status_code == 500
    span = next(s for s in _spans(server) if s["name"] == "GET /api/crash")
    assert span["attributes"]["http.response.status_code"] == 500


def test_otel_without_the_extra_stops_start_up_with_the_install_hint(make_project, start_server, tmp_path):
    shadow = tmp_path / "no-otel"
    (shadow / "opentelemetry").mkdir(parents=True)
    (shadow / "opentelemetry" / "__init__.py").write_text("")  # an opentelemetry without the SDK
    project = make_project({"pages/api/hello.py": "async def get(r):\n    return {}\n",
                            "pyxle.config.json": json.dumps(CONFIG)})
    server = start_server(project, env={"PYTHONPATH": f"{shadow}{os.pathsep}{REPO / 'src'}"}, ready=False)
    assert server.wait_exit() == 1
    assert "pip install 'pyxle-framework[otel]'" in server.output()


def test_requests_left_out_by_the_sample_ratio_are_answered_without_errors(make_project, start_server):
    # No provider of the app's own: Pyxle's, sampling nothing, so every request span is unsampled
    # (a bug read the name of such a span, which has none, after each answer, logging a traceback).
    config = {"accessLog": False, "observability": {"otel": True, "otelSampleRatio": 0.0}}
    project = make_project({"pages/api/hello.py": "async def get(r):\n    return {'hello': 1}\n",
                            "pyxle.config.json": json.dumps(config)})
    server = start_server(project)
    with httpx.Client(base_url=server.url) as client:
        for _ in range(20):
            answer = client.get("/api/hello")
            assert answer.status_code == 200 and answer.json() == {"hello": 1}
    # Stopped as a deployment stops it (SIGTERM to the server), so the worker stops when told to:
    # Ctrl-C reaches every process of the group at once, and granian logs "Unexpected exit from
    # worker-1" when the worker has finished before the server got to stopping it.
    os.kill(server.proc.pid, signal.SIGTERM)
    assert server.wait_exit() == 0, server.output()
    assert "Traceback" not in server.output() and "ERROR" not in server.output(), server.output()


class Collector(http.server.ThreadingHTTPServer):
    """An OTLP/HTTP collector: the names of the spans POSTed to /v1/traces."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CollectorHandler)
        self.names: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _CollectorHandler(http.server.BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path == "/v1/traces":
            export = ExportTraceServiceRequest()
            export.ParseFromString(body)
            self.server.names += [span.name for spans in export.resource_spans for scope in spans.scope_spans
                                  for span in scope.spans]
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


SAMPLER = '''
from opentelemetry import trace


async def get(request):
    return {"sampler": trace.get_tracer_provider().sampler.get_description()}
'''


@cites("docs/observability.md", "sampling\n`otelSampleRatio` of new traces (default 5%; a sampled incoming trace is always followed)")
def test_pyxles_provider_samples_5_percent_of_new_traces_and_follows_every_sampled_caller(
        make_project, start_server, collector):
    config = {"accessLog": False, "observability": {"otel": True}}
    project = make_project({"pages/api/hello.py": "async def get(r):\n    return {'hello': 1}\n",
                            "pages/api/traced.py": "async def get(r):\n    return {'traced': 1}\n",
                            "pages/api/sampler.py": SAMPLER, "pyxle.config.json": json.dumps(config)})
    server = start_server(project, env={"OTEL_EXPORTER_OTLP_ENDPOINT": collector.url})
    sampler = httpx.get(server.url + "/api/sampler").json()["sampler"]
    assert sampler.startswith("ParentBased{root:TraceIdRatioBased{0.05},remoteParentSampled:AlwaysOnSampler,"), sampler
    with httpx.Client(base_url=server.url) as client:
        for _ in range(400):
            assert client.get("/api/hello").status_code == 200
        for n in range(1, 21):
            caller = f"00-{n:032x}-{n:016x}-01"  # sampled by the caller
            assert client.get("/api/traced", headers={"traceparent": caller}).status_code == 200
    os.kill(server.proc.pid, signal.SIGTERM)  # its spans are sent as it stops
    assert server.wait_exit() == 0, server.output()
    assert collector.names.count("GET /api/traced") == 20, collector.names
    assert 1 <= collector.names.count("GET /api/hello") <= 60, collector.names  # about 20 of 400; 1e-9 odds outside


@cites("docs/observability.md", "A worker that stops (SIGTERM, a reload) sends the spans it still holds before it exits")
def test_spans_of_a_workers_last_seconds_are_sent_when_the_server_stops(make_project, start_server, collector):
    """Pyxle's provider batches spans for 5 s; a worker stopped within them exited with its batch
    unsent (the SDK's atexit hook does not run when a granian worker ends), so a deployment lost
    the traces of every request answered in the seconds before each restart."""
    config = {"accessLog": False, "observability": {"otel": True, "otelSampleRatio": 1.0}}
    project = make_project({"pages/api/hello.py": "async def get(r):\n    return {'hello': 1}\n",
                            "pyxle.config.json": json.dumps(config)})
    server = start_server(project, "serve", "--workers", "2",
                          env={**SHARED_SECRET, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url})
    for _ in range(10):  # a connection each, so both workers answer some
        assert httpx.get(server.url + "/api/hello", headers={"connection": "close"}).status_code == 200
    os.kill(server.proc.pid, signal.SIGTERM)
    assert server.wait_exit() == 0, server.output()
    assert collector.names.count("GET /api/hello") == 10, (collector.names, server.output())


@cites("docs/observability.md", "waiting for the collector at most 3 seconds and no longer than the shutdown\ndeadline (`--shutdown-timeout`) leaves")
@pytest.mark.parametrize(("deadline", "within"), [("8", 5.0), ("1", 2.0)])
def test_a_collector_that_does_not_answer_holds_a_stopping_worker_three_seconds_at_most(make_project, start_server,
                                                                                        deadline, within):
    config = {"accessLog": False, "observability": {"otel": True, "otelSampleRatio": 1.0}}
    project = make_project({"pages/api/hello.py": "async def get(r):\n    return {'hello': 1}\n",
                            "pyxle.config.json": json.dumps(config)})
    with socket.socket() as silent:  # takes connections (the kernel's backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        server = start_server(project, "serve", "--shutdown-timeout", deadline,
                              env={"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{silent.getsockname()[1]}"})
        assert httpx.get(server.url + "/api/hello").status_code == 200
        asked = time.monotonic()
        os.kill(server.proc.pid, signal.SIGTERM)
        assert server.wait_exit() == 0, server.output()
        assert time.monotonic() - asked < within, server.output()
        assert "Unexpected exit" not in server.output() and "killed" not in server.output().lower(), server.output()
        assert "Traceback" not in server.output(), server.output()
