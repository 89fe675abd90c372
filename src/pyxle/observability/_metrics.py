"""Prometheus metrics with ``prometheus-client``, in multiprocess mode under ``--workers N``.

Requests are tallied in a plain dict (a fraction of a microsecond) and written to
prometheus-client's shared files once a second and before every scrape: writing each request
straight to the memory-mapped files cost about 4.5 µs, a tenth of an API request
(docs/benchmarks.md). Figures are therefore at most a second behind, and a worker killed with
SIGKILL (or crashing) loses the tallies of its last second; a stop or a reload writes them
(``close``, and at exit). Renders, WebSocket
connections and cache outcomes are rarer and written as they happen.

``PROMETHEUS_MULTIPROC_DIR`` must be set before prometheus-client is first imported, in the
process that starts the workers: ``prepare_multiprocess_dir()`` does that for ``pyxle serve``.

The live gauges (open WebSockets, renders in flight, the SSR queue) are files per worker that
a worker drops when it stops. One killed with SIGKILL, or crashing, cannot: its files would add
its last figures to every scrape for good, so each scrape first drops those of processes gone.
Their counters and histograms are kept, since what they counted happened, but folded into one
file per kind (``fold_gone_processes``): a file per worker ever started would pile up, one set
per reload, and every scrape reads every file.

Every write to those files first asks whether their folder has room (``_room``): a write to a
full file system through prometheus-client's memory maps would kill the worker with SIGBUS.
"""

from __future__ import annotations

import asyncio
import atexit
import bisect
import contextlib
import contextvars
import hmac
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any, NamedTuple

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from pyxle._tmpdirs import own_dir, release, remove_abandoned
from pyxle.observability._room import MIN_FREE, Room, free_bytes, warn_if_short

try:
    import fcntl
except ImportError:  # Windows: no flock; folding is then left to one scraper at a time by luck
    fcntl = None  # type: ignore[assignment]

FLUSH_SECONDS = 1.0
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RENDER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Methods are labels; anything else a client invents is "other", so it cannot grow the series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "WS"})
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")  # prometheus-client's: gauge_livesum_<pid>.db
_PER_PROCESS_FILE = re.compile(r"(counter|histogram)_(\d+)\.db")  # counter_<pid>.db, histogram_<pid>.db
_JOURNAL_FILE = re.compile(r"(counter|histogram)_archive\.fold")
ARCHIVE = "{kind}_archive.db"  # the figures of every worker gone (read by prometheus-client as any counter_*.db)
JOURNAL = "{kind}_archive.fold"  # the files a fold is removing (not *.db: never read as figures)
_LOCK_FILE = ".pyxle-metrics.lock"  # folding holds it exclusively, scrapes shared: never half-folded figures
OWN_PREFIX = "pyxle-metrics-"  # the folders pyxle serve makes in the temporary folder (``pyxle._tmpdirs``)


class MetricsDirError(Exception):
    """``PROMETHEUS_MULTIPROC_DIR`` names a folder the workers cannot write their metric files to."""


def prepare_multiprocess_dir() -> None:
    """A fresh directory for the workers' metric files (kept if the operator set one), removed at exit.

    One the operator set is tried first: every worker writes its files there on its first request,
    so a folder that is missing or read-only would otherwise fail every request, health checks too.
    A folder nearly full is a warning: the workers write no metrics while it is.
    """
    chosen = os.environ.get(MULTIPROC_ENV)
    if chosen:
        try:
            with tempfile.TemporaryFile(dir=chosen):
                pass
        except OSError as exc:
            raise MetricsDirError(
                f"{MULTIPROC_ENV}={chosen}: the metric files cannot be written there ({exc.strerror or exc})\n"
                f"hint: create the folder, writable by the server's user, or unset {MULTIPROC_ENV} "
                "and pyxle serve makes one of its own") from None
    else:
        chosen = own_dir(OWN_PREFIX)
        os.environ[MULTIPROC_ENV] = chosen
        atexit.register(release, chosen)
    remove_abandoned(OWN_PREFIX, "metrics folder", keep=chosen)
    warn_if_short(chosen)


class Metrics:
    """This worker's metrics; ``observe_request`` is the per-request call.

    A request is only noted (``seen``) when it ends; the notes are sorted into buckets and written
    to prometheus-client once a second. Tallying each request as it ended cost an API request about 4%
    of its req/s more (docs/benchmarks.md): in a loop of its own the same work is cheaper.
    """

    def __init__(self, *, ssr_workers: int = 1) -> None:
        from prometheus_client import CollectorRegistry

        directory = os.environ.get(MULTIPROC_ENV)
        self.multiprocess = bool(directory)
        self.room = Room(directory) if directory else None  # nothing to fill in a single process
        # A registry of our own: a second app in one process (tests, dev reloads) never collides.
        self.registry = CollectorRegistry(auto_describe=True)
        self.ssr_workers = max(1, ssr_workers)
        self._rendering = 0
        self._sockets = 0
        # The requests ended since the last flush: (route, method, status, seconds). The app's edge
        # appends to it itself, and calls ``schedule`` when it finds it empty.
        self.seen: list[tuple[str, str, int, float]] = []
        self._pending: dict[tuple[str, str, int], list[float]] = {}  # key -> [count per bucket..., +Inf, sum]
        self._scheduled = False
        self._made = False
        if directory:
            fold_gone_processes(directory)  # a reload's new workers tidy up after the old ones
        self._writable()
        atexit.register(self.flush)

    def _writable(self) -> bool:
        """Whether the metric files may be written now; the metrics are made (which writes their
        files) the first time they may."""
        if self.room is not None and not self.room.ok():
            return False
        if not self._made:
            self._make()
        return True

    def _make(self) -> None:
        from prometheus_client import Counter, Gauge, Histogram

        self._made = True
        live = {"multiprocess_mode": "livesum"}
        self.requests = Counter("pyxle_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
                                ("route", "method", "status"), registry=self.registry)
        self.latency = Histogram("pyxle_http_request_duration_seconds", "Time to answer a request, by route, method and status.",
                                 ("route", "method", "status"), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.renders = Histogram("pyxle_ssr_render_duration_seconds", "Time to server-render a page, queueing included.",
                                 ("page",), buckets=RENDER_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("pyxle_ssr_renders_in_flight", "Renders sent to the SSR pool and not yet answered.",
                               registry=self.registry, **live)
        self.queue_depth = Gauge("pyxle_ssr_queue_depth", "Renders waiting because every SSR worker is busy.",
                                 registry=self.registry, **live)
        self.websockets = Gauge("pyxle_websocket_connections", "Open WebSocket connections.", registry=self.registry, **live)
        self.cache = Counter("pyxle_cache_requests_total", "Page cache lookups, by route and outcome (hit, miss, stale).",
                             ("route", "outcome"), registry=self.registry)
        self.tasks = Counter("pyxle_tasks_total", "Background tasks of pyxle.tasks that ended, by outcome (done, failed, "
                             "cancelled, refused).", ("outcome",), registry=self.registry)
        self.tasks_waiting = Gauge("pyxle_tasks_waiting", "Background tasks queued and not started yet.",
                                   registry=self.registry, **live)
        self.tasks_running = Gauge("pyxle_tasks_running", "Background tasks running.", registry=self.registry, **live)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        if not self.seen:
            self.schedule()
        self.seen.append((route, method, status, seconds))

    def schedule(self) -> None:
        """Flush within a second (at once outside an event loop). The flush is the worker's, not the
        request's that scheduled it: it runs in an empty context, so what it logs has no request id."""
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush, context=contextvars.Context())
            except RuntimeError:
                self.flush()

    def _tally(self) -> None:
        """Sort the requests seen into their latency buckets; the list is emptied in place, since
        the edge holds it."""
        seen = self.seen[:]
        self.seen.clear()
        pending, size = self._pending, len(LATENCY_BUCKETS) + 2
        for route, method, status, seconds in seen:
            key = (route, method if method in KNOWN_METHODS else "other", status)
            tally = pending.get(key)
            if tally is None:
                tally = pending[key] = [0.0] * size
            tally[bisect.bisect_left(LATENCY_BUCKETS, seconds)] += 1
            tally[-1] += seconds

    def flush(self) -> None:
        """Write the tallies to prometheus-client (its shared files under multiprocess mode); while
        there is no room for them, they are kept for a later flush."""
        self._scheduled = False
        self._tally()
        if not self._pending or not self._writable():
            return
        pending, self._pending = self._pending, {}
        for (route, method, status), tally in pending.items():
            labels = (route, method, str(status))
            self.requests.labels(*labels).inc(sum(tally[:-1]))
            add_to_histogram(self.latency.labels(*labels), tally)

    def render(self, page: str, seconds: float | None) -> None:
        """A render started (``seconds`` None) or finished."""
        self._rendering += 1 if seconds is None else -1
        if not self._writable():
            return
        self.in_flight.set(self._rendering)
        self.queue_depth.set(max(0, self._rendering - self.ssr_workers))
        if seconds is not None:
            self.renders.labels(page).observe(seconds)

    def websocket(self, opened: bool) -> None:
        """A WebSocket opened or closed: the gauge is set to this worker's count (its file holds
        this worker's figure), so a change skipped for want of room is not lost."""
        self._sockets += 1 if opened else -1
        if self._writable():
            self.websockets.set(self._sockets)

    def cache_lookup(self, route: str, outcome: str) -> None:
        if self._writable():
            self.cache.labels(route, outcome).inc()

    def task(self, waiting: int, running: int, outcome: str | None) -> None:
        """The task queue's counts after a change (this worker's figures: a change skipped for want
        of room is not lost), and how a task ended, if one did."""
        if self._writable():
            self.tasks_waiting.set(waiting)
            self.tasks_running.set(running)
            if outcome is not None:
                self.tasks.labels(outcome).inc()

    def exposition(self) -> bytes:
        from prometheus_client import CollectorRegistry, generate_latest
        from prometheus_client.multiprocess import MultiProcessCollector

        self.flush()
        if not self.multiprocess:
            return generate_latest(self.registry)  # type: ignore[no-any-return]
        directory = os.environ[MULTIPROC_ENV]
        gone = processes_gone(directory)  # one listing, one question per pid, for both steps
        forget_dead_processes(directory, gone)
        fold_gone_processes(directory, gone)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        with _locked(directory, exclusive=False):
            try:
                return generate_latest(registry)  # type: ignore[no-any-return]
            except FileNotFoundError:  # a file dropped between listing and reading it: list again
                return generate_latest(registry)  # type: ignore[no-any-return]

    def close(self) -> None:
        """At worker shutdown: write what is pending and drop this process's live gauges."""
        self.flush()
        if self.multiprocess:
            from prometheus_client.multiprocess import mark_process_dead

            mark_process_dead(os.getpid())


class Gone(NamedTuple):
    """What one listing of the metrics folder shows of the processes no longer running."""

    live_gauges: set[int]  # pids whose live gauge files are left
    files: dict[str, list[str]]  # {"counter": [file names], "histogram": [...]}
    journals: bool  # a fold was killed half-way


def processes_gone(directory: str) -> Gone:
    """List ``directory`` once and ask once per pid whether it still runs (this process does)."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return Gone(set(), {}, False)
    running = {os.getpid(): True}

    def gone(pid: int) -> bool:
        if pid not in running:
            running[pid] = _running(pid)
        return not running[pid]

    live_gauges: set[int] = set()
    files: dict[str, list[str]] = {}
    for name in names:
        if (match := _LIVE_GAUGE_FILE.fullmatch(name)) and gone(int(match[1])):
            live_gauges.add(int(match[1]))
        elif (match := _PER_PROCESS_FILE.fullmatch(name)) and gone(int(match[2])):
            files.setdefault(match[1], []).append(name)
    return Gone(live_gauges, files, any(_JOURNAL_FILE.fullmatch(name) for name in names))


def forget_dead_processes(directory: str, gone: Gone | None = None) -> None:
    """Drop the live gauges of the processes that left files in ``directory`` and are gone
    without closing their metrics (SIGKILL, a crash). Their counters and histograms stay: what
    they counted happened. ``gone``: the folder as a scrape just listed it."""
    from prometheus_client.multiprocess import mark_process_dead

    for pid in (processes_gone(directory) if gone is None else gone).live_gauges:
        with suppress(FileNotFoundError):  # another worker's scrape dropped them first
            mark_process_dead(pid, directory)


def fold_gone_processes(directory: str, gone: Gone | None = None) -> None:
    """Add the counters and histograms of the workers gone from ``directory`` (stopped by a reload,
    crashed) into ``counter_archive.db`` and ``histogram_archive.db``, and remove their files.

    The sums are written to a new file put in place in one step, under an exclusive lock that
    scrapes take shared, so a scrape never sees a worker's figures twice or not at all. A journal
    naming the files folded is written before that step and removed after their files: a fold
    killed in between is finished by the next one (which every scrape runs first), so its files
    are never added again. Skipped while the folder is short of room (a write through a memory map
    there could kill with SIGBUS). ``gone``: the folder as a scrape just listed it.
    """
    if gone is None:
        gone = processes_gone(directory)
    if not gone.files and not gone.journals:
        return
    free = free_bytes(directory)
    if free is not None and free < MIN_FREE:
        return
    from prometheus_client.mmap_dict import MmapedDict

    with _locked(directory, exclusive=True):
        _finish_folds(directory)
        for kind, listed in gone.files.items():
            archive = os.path.join(directory, ARCHIVE.format(kind=kind))
            totals: dict[str, float] = {}
            _add_values(totals, archive)  # none yet at the first fold
            # A file gone since the listing was folded meanwhile by another worker: its figures are in the archive.
            names = [name for name in listed if _add_values(totals, os.path.join(directory, name))]
            if not names:
                continue
            fresh = archive + ".new"  # not *.db: no scrape reads it while it is written
            with suppress(FileNotFoundError):
                os.unlink(fresh)  # left by a process killed while folding
            written = MmapedDict(fresh)
            try:
                for key, value in totals.items():
                    written.write_value(key, value, 0.0)
            finally:
                written.close()
            _fsync(fresh)
            journal = os.path.join(directory, JOURNAL.format(kind=kind))
            _write_synced(journal, "".join(f"{name}\n" for name in names))
            os.replace(fresh, archive)  # from here the archive holds their figures: the journal says so
            _fsync(directory)
            for name in names:
                os.unlink(os.path.join(directory, name))
            os.unlink(journal)


def _add_values(totals: dict[str, float], path: str) -> bool:
    """Add the values of the metric file ``path`` into ``totals``; False if there is no such file."""
    from prometheus_client.mmap_dict import MmapedDict

    try:
        values = MmapedDict.read_all_values_from_file(path)
    except FileNotFoundError:
        return False
    for key, value, _timestamp, _position in values:
        totals[key] = totals.get(key, 0.0) + value
    return True


def _finish_folds(directory: str) -> None:
    """Finish the folds that a killed process left half done (under the exclusive lock).

    A journal beside its ``.new`` archive: killed before the new archive was put in place, so the
    files it names still hold figures the archive lacks; the journal is dropped and they are folded
    again. A journal alone: the archive holds their figures, so the files it names are removed."""
    for kind in _journals(directory):
        journal = os.path.join(directory, JOURNAL.format(kind=kind))
        try:
            with open(journal, encoding="utf-8") as file:
                names = file.read().split()
        except FileNotFoundError:
            continue
        if not os.path.exists(os.path.join(directory, ARCHIVE.format(kind=kind)) + ".new"):
            for name in names:
                if _PER_PROCESS_FILE.fullmatch(name):  # never anything else, whatever the file holds
                    with suppress(FileNotFoundError):
                        os.unlink(os.path.join(directory, name))
        os.unlink(journal)


def _journals(directory: str) -> list[str]:
    """The kinds (``counter``, ``histogram``) whose fold left a journal in ``directory``."""
    return [kind for kind in ("counter", "histogram")
            if os.path.exists(os.path.join(directory, JOURNAL.format(kind=kind)))]


def _write_synced(path: str, text: str) -> None:
    """``text`` in ``path``, whole or not at all (written beside it, synced, put in place)."""
    partial = path + ".tmp"
    with open(partial, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)


def _fsync(path: str) -> None:
    """Write a file's (or a folder's entries') changes to disk: a fold survives a power cut too."""
    with suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(directory: str, *, exclusive: bool) -> Iterator[None]:
    """The folder's lock, held by every process that folds (exclusive) or scrapes (shared)."""
    if fcntl is None:
        yield
        return
    try:
        fd = os.open(os.path.join(directory, _LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only or vanished folder: nothing to fold there anyway
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal is sent: only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's
        return True
    return True


def add_to_histogram(child: Any, tally: list[float]) -> None:
    """Add ``tally`` (count per bucket, then +Inf, then the sum) to a histogram child in one go.

    prometheus-client has no bulk ``observe``; its children keep one value per bucket
    (``_buckets``, non-cumulative, the last one +Inf) and ``_sum``.
    tests/unit/test_observability.py checks this against ``observe``.
    """
    for index, count in enumerate(tally[:-1]):
        if count:
            child._buckets[index].inc(count)
    child._sum.inc(tally[-1])


class MetricsEndpoint:
    """``GET <metricsEndpointPath>``: the exposition, for ``Authorization: Bearer <token>`` only.

    Without a token configured, only clients on this machine (loopback) are answered, and not
    through a proxy: behind nginx on the same machine every visitor arrives from loopback.
    """

    def __init__(self, metrics: Callable[[], Metrics], token: str | None) -> None:
        self.metrics = metrics  # made on first use, in the worker
        self.expected = token.encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            # JSON errors, as every other refusal of Pyxle's: a scraper reads the status alone
            response = JSONResponse({"error": "Method Not Allowed"}, 405, headers={"Allow": "GET, HEAD"})
        elif not self._allowed(scope):
            response = JSONResponse({"error": "Unauthorized"}, 401, headers={"WWW-Authenticate": "Bearer"})
        else:
            from prometheus_client import CONTENT_TYPE_LATEST

            response = Response(self.metrics().exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST,
                                                                     "Cache-Control": "no-store"})
        await response(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        if self.expected is None:
            client = scope.get("client")
            local = client is not None and (client[0] in ("127.0.0.1", "::1") or client[0].startswith("127."))
            return local and not any(name in _PROXY_HEADERS for name, _ in scope["headers"])
        given = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        scheme, _, credentials = given.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self.expected)


_PROXY_HEADERS = frozenset({b"x-forwarded-for", b"x-real-ip", b"forwarded"})  # what nginx and Caddy add
