"""Pure pieces of observability: the bulk histogram write, phases, Server-Timing, the config block."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pyxle.config._validate import validate_config
from pyxle.observability import phase
from pyxle.observability._metrics import LATENCY_BUCKETS, add_to_histogram, forget_dead_processes
from pyxle.observability._phases import Phases, phases_var


def test_bulk_histogram_write_equals_one_observe_per_sample():
    import bisect

    from prometheus_client import CollectorRegistry, Histogram

    samples = [0.0004, 0.003, 0.003, 0.07, 0.9, 42.0]
    one = Histogram("one_seconds", "x", buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    bulk = Histogram("bulk_seconds", "x", buckets=LATENCY_BUCKETS, registry=CollectorRegistry())
    tally = [0.0] * (len(LATENCY_BUCKETS) + 2)
    for value in samples:
        one.observe(value)
        tally[bisect.bisect_left(LATENCY_BUCKETS, value)] += 1
        tally[-1] += value
    add_to_histogram(bulk, tally)

    def values(h):  # type: ignore[no-untyped-def]
        return [(s.name.split("_seconds")[1], s.labels, s.value) for m in h.collect() for s in m.samples
                if not s.name.endswith("_created")]

    assert values(one) == values(bulk)


def test_a_scrape_forgets_the_live_gauges_of_processes_gone_and_keeps_the_rest(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    alive = str(os.getpid())
    names = [f"gauge_{mode}_{pid}.db" for mode in ("livesum", "liveall", "livemax") for pid in (dead, alive)]
    names += [f"counter_{dead}.db", f"gauge_all_{dead}.db", "notes.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    forget_dead_processes(str(tmp_path))
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == sorted(name for name in names if not (name.startswith("gauge_live") and f"_{dead}." in name))


def test_phases_cost_nothing_outside_a_timed_request():
    assert phases_var.get() is None
    with phase("loader", "pages/index.pyxl") as result:
        assert result is None


def test_server_timing_sums_each_kind_in_milliseconds():
    phases = Phases()
    token = phases_var.set(phases)
    try:
        for name in ("pages/layout.pyxl", "pages/index.pyxl"):
            with phase("loader", name):
                pass
        with phase("render", "index"):
            pass
    finally:
        phases_var.reset(token)
    header = phases.server_timing(0.0123).decode()
    assert header.startswith("loader;dur=") and ", render;dur=" in header and header.endswith("total;dur=12.30")


def test_observability_block_keeps_0_9_spellings():
    fields, problems, _ = validate_config({"observability": {"logFormat": "console", "accessLog": True, "logLevel": "debug"}})
    assert problems == () and fields["log_format"] == "text" and fields["access_log"] is True
    assert fields["observability"].log_level == "DEBUG"
    fields, _, warnings = validate_config({"logFormat": "json", "observability": {"logFormat": "console"}})
    assert fields["log_format"] == "json" and "top-level" in warnings[0]
    fields, _, _ = validate_config({"observability": False})
    assert fields["observability"].request_id is False and fields["observability"].timing is False


@pytest.mark.parametrize("block,message", [
    ({"otelSampleRatio": True}, "observability.otelSampleRatio must be a number from 0 to 1"),
    ({"requestIdHeader": "X Bad"}, "observability.requestIdHeader must be a header name of its own (no spaces or separators)"),
    ({"metricsEndpointToken": ""}, "observability.metricsEndpointToken must be a non-empty string or null"),
])
def test_observability_block_names_the_bad_key(block, message):
    _, problems, _ = validate_config({"observability": block})
    assert problems and problems[0].startswith(message)


def test_print_config_masks_the_metrics_token_and_the_redis_password(tmp_path):
    from pyxle.config import load_config

    (tmp_path / "pyxle.config.json").write_text(
        '{"observability": {"metricsEndpointToken": "t0ken"}, "rateLimit": {"redisUrl": "redis://:pw@h:6379/0"}}')
    shown = load_config(tmp_path, load_env=False, environ={}).to_dict()
    assert shown["observability"]["metricsEndpointToken"] == "********"
    assert shown["rateLimit"]["redisUrl"] == "redis://:********@h:6379/0"


@pytest.mark.parametrize("entry", [
    {"logger": "pyxle.access", "status": 200, "duration_ms": 0.71, "route": None},
    {"path": "/café", "user_agent": "Mozilla/5.0 (Ünïcode)"},  # escaped, as json.dumps does
    {"path": "/a\udcff"},  # a lone surrogate, which orjson refuses
])
def test_json_access_lines_are_one_compact_ascii_object(entry: dict) -> None:  # type: ignore[type-arg]
    from pyxle.app._access import json_line

    line = json_line(entry)
    assert line.isascii() and "\n" not in line and ", " not in line and json.loads(line) == entry


def dead_pids(count: int) -> list[int]:
    """Pids of processes that ran and are gone."""
    return [int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                               text=True, check=True).stdout) for _ in range(count)]


def seed(directory, kind: str, pid: int, value: float) -> None:  # type: ignore[no-untyped-def]
    from prometheus_client.mmap_dict import MmapedDict, mmap_key

    written = MmapedDict(str(directory / f"{kind}_{pid}.db"))
    written.write_value(mmap_key("seeded", "seeded_total", ["route"], ["/x"], "h"), value, 0.0)
    written.close()


def folded(directory) -> float:  # type: ignore[no-untyped-def]
    from prometheus_client.mmap_dict import MmapedDict

    return sum(value for _key, value, _t, _p in MmapedDict.read_all_values_from_file(str(directory / "counter_archive.db")))


KILLED_AT_THE_REPLACE = '''
import os, signal, sys
from pyxle.observability import _metrics

replace = os.replace

def killed_instead(source, target, *args, **kwargs):
    if os.fspath(target).endswith("_archive.db"):
        os.kill(os.getpid(), signal.SIGKILL)
    return replace(source, target, *args, **kwargs)

os.replace = killed_instead
_metrics.fold_gone_processes(sys.argv[1])
'''


def test_a_fold_killed_before_its_archive_is_in_place_is_done_again_whole(tmp_path):
    """Its journal is written, the new archive is not in place: the files it names still hold
    figures the archive lacks, so the next fold drops the journal and folds them."""
    from pyxle.observability._metrics import fold_gone_processes

    for pid, value in zip(dead_pids(2), (3, 4), strict=True):
        seed(tmp_path, "counter", pid, value)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.run([sys.executable, "-c", KILLED_AT_THE_REPLACE, str(tmp_path)], env=env, check=False)
    assert killed.returncode == -9
    assert (tmp_path / "counter_archive.fold").exists() and (tmp_path / "counter_archive.db.new").exists()
    fold_gone_processes(str(tmp_path))
    assert folded(tmp_path) == 7
    assert sorted(path.name for path in tmp_path.iterdir()) == [".pyxle-metrics.lock", "counter_archive.db"]


def test_a_scrape_lists_the_folder_once_and_asks_once_whether_each_process_runs(tmp_path, monkeypatch):
    """Forgetting the live gauges of processes gone and folding their counters each listed the
    folder and asked after every pid (the fold twice): one pass serves both now, as before."""
    from pyxle.observability import _metrics

    monkeypatch.setenv(_metrics.MULTIPROC_ENV, str(tmp_path))
    metrics = _metrics.Metrics()
    gone = dead_pids(3)
    for value, pid in enumerate(gone, 1):
        seed(tmp_path, "counter", pid, value)
        (tmp_path / f"gauge_livesum_{pid}.db").write_bytes(b"")
    asked: list[int] = []
    listed: list[str] = []
    running, listdir = _metrics._running, os.listdir
    monkeypatch.setattr(_metrics, "_running", lambda pid: asked.append(pid) or running(pid))
    monkeypatch.setattr(os, "listdir", lambda path=".": listed.append(os.fspath(path)) or listdir(path))
    text = metrics.exposition().decode()
    assert sorted(asked) == sorted(gone)
    assert listed.count(str(tmp_path)) == 1
    assert 'seeded_total{route="/x"} 6.0' in text
    left = [path.name for path in tmp_path.iterdir()]
    assert "counter_archive.db" in left and not [name for name in left if any(f"_{pid}." in name for pid in gone)]


def test_the_access_logs_batch_is_written_outside_the_request_that_started_it():
    """The batch's timer was set in the context of the request whose line started it, so the
    flush (and anything logged while writing) ran as that request, long after it had ended."""
    import asyncio
    import io

    from pyxle.app._access import FLUSH_SECONDS, AccessLog
    from pyxle.observability._context import request_id_var

    seen: list[str | None] = []

    class Stream(io.StringIO):
        def write(self, text: str) -> int:
            seen.append(request_id_var.get())
            return super().write(text)

    async def request(log: AccessLog) -> None:
        request_id_var.set("an-earlier-request")
        log.record({"method": "GET", "path": "/", "headers": [], "pyxle": {"request_id": "an-earlier-request"}},
                   200, 0.001)

    async def main() -> None:
        log = AccessLog(stream=Stream())
        await asyncio.create_task(request(log))
        await asyncio.sleep(FLUSH_SECONDS * 3)

    asyncio.run(main())
    assert seen == [None]
