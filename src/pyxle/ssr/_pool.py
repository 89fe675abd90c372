"""The render pool: a queue in front of warm Node workers, render timeouts, replacement of the dead
(in the background, again and again with a pause between tries while they fail to start)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import itertools
import logging
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from pyxle.ssr._errors import Abandoned, NoWorker, RenderError, RenderQueueFull, RenderTimeout
from pyxle.ssr._frames import located
from pyxle.ssr._process import NodeProcess, log_console, start_worker
from pyxle.ssr._stream import RenderStream

logger = logging.getLogger("pyxle.ssr")
# Renders sent ahead to a worker that is still rendering: enough that it never waits for its next
# line. A worker is refilled once it is down to half, so each pipe write carries several lines
# (refilling one line per answer doubled the pool's CPU per render: docs/benchmarks.md). Those
# waiting behind a render that holds its worker's event loop move to another worker: see _STALL.
PIPELINE = 16
REFILL = PIPELINE // 2
QUEUE_PER_WORKER = 128  # the default queue: renders waiting for a worker, per worker in the pool
_GRACE = 0.05  # a render found overdue while its answer sits unread in the pipe is looked at once more
# A worker silent this long (at most; a quarter of the timeout if less) while it has a render is
# pinged; one that does not answer within half that is stuck in a render (a long or endless loop,
# not a wait for data, during which it answers): it gets nothing more until it answers, and the
# renders sent ahead to it go back to the front of the queue, for the other workers. It is told to
# drop them; it may have read them already, and it reads nothing while it renders (the drop may sit
# behind megabytes of props), so after any render of _HOLD of the stall or more it starts no other
# until the pool's go, written after any drop (worker.mjs): each render is done once. The pool
# moves renders only behind one it has timed at 1.5 stalls, from no earlier than its worker started
# it (the answer before it, or the worker's word that it starts again after a go), or from when it
# was written to an idle worker: that line's transit is the margin (a second of it, with _HOLD).
# With no other worker to take them (a pool of one, or all held), a spare is started for them: one
# per held worker, never more than the pool's size (see _spare); once no worker is held, the
# spares are stopped as they idle, and the held workers stay (they are only slow).
_STALL = 0.5
_HOLD = 0.5
# A render answered whole (``complete``) ends itself at the timeout, leaving what is still loading to
# the browser, and only then answers: its worker is hung only if that answer is this late (seconds).
_SETTLE = 1.0
# Console output can follow its render's answer (a Suspense boundary that failed is logged just after
# the render ends): the contexts of the last renders answered are kept, in a ring indexed by id.
_RECENT = 256
# A worker that fails to start is tried again this many seconds later, doubling after each failure up
# to _RETRY_MAX: a broken Node costs a start every 30 s, and the pool fills again by itself once Node
# starts, with no render to prompt it (a load balancer sends none to a server whose /readyz fails).
_RETRY_FIRST = 0.5
_RETRY_MAX = 30.0
# A replacement that dies sooner than this after starting, with no render under way (a bundle that
# exits on a timer), counts as a start that failed, so a crash loop waits as above; and a pool filled
# again after a shortage is said to be whole only once its workers lived this long.
_YOUNG = 2.0


class _Job:
    """One render: its encoded line and answer; the worker rendering it (None while queued); the
    context of its caller, in which its console output is logged (so a record carries the id of
    the request the render is for, without this package knowing of request ids)."""

    __slots__ = ("context", "future", "id", "line", "page", "settle", "started", "urgent", "worker")

    def __init__(self, job_id: int, page: str, line: bytes, future: asyncio.Future[dict[str, Any]],
                 urgent: bool, context: contextvars.Context, settle: float = 0.0) -> None:
        self.id = job_id
        self.settle = settle  # seconds past the timeout before it counts as hung (see _SETTLE)
        self.page = page
        self.line = line
        self.future = future
        self.urgent = urgent
        self.context = context
        self.worker: _Worker | None = None
        self.started: float | None = None  # loop time its worker began rendering it (head of the line)

    def renumber(self, job_id: int) -> None:
        """A new id, for a render taken from a stuck worker: that worker may still answer (or abort
        the stream of) the old one, and the worker rendering it now must never take that for its own."""
        self.line = b'{"id":%d,%s' % (job_id, self.line[len(b'{"id":%d,' % self.id):])
        self.id = job_id


class _Worker:
    """A Node process and the jobs sent to it, answered in the order they were sent."""

    def __init__(self, process: NodeProcess, pool: SsrPool, replacement: bool = False, spare: bool = False) -> None:
        self.process = process
        self.pool = pool
        self.replacement = replacement  # started in place of one that died (see _YOUNG)
        self.spare = spare  # started for held workers: the one stopped once the pool is beyond its size
        self.born = (pool._loop or asyncio.get_running_loop()).time()
        self.pending: dict[int, _Job] = {}  # insertion order is send order: the first is rendering now
        self.streams: dict[int, RenderStream] = {}  # streamed renders past their shell
        self.retired = False
        self.stuck = False  # held by a render (see _STALL): sent nothing until it answers
        self.pinged: float | None = None  # loop time of the last ping, and whether it was answered
        self.ponged = False
        process.on_answer = self.answer
        process.on_log = self.log
        self._locate = pool.thrown_at  # where a failed boundary's stack points: see log_console
        process.on_pong = self.pong
        process.on_hold = self.hold
        process.on_exit = lambda: pool._worker_exited(self)

    def send(self, job: _Job) -> None:
        job.worker = self
        self.pending[job.id] = job
        if len(self.pending) == 1:
            self.pool._arm(job)
        self.process.write(job.line)

    def answer(self, message: dict[str, Any]) -> None:
        job_id = message["id"]
        stream = self.streams.get(job_id)
        if stream is not None:
            if "chunk" not in message:
                del self.streams[job_id]
                self.pool._recent[job_id % _RECENT] = (job_id, stream.context)
            stream.feed(message)
            return
        self.stuck = False
        job = self.pending.pop(job_id, None)
        if job is None:
            self.moved_answer(message)
            return
        if not message.get("more"):
            self.pool._recent[job_id % _RECENT] = (job_id, job.context)
        else:  # a shell: the rest follows, while this worker renders the next lines
            stream = self.streams[job_id] = RenderStream(lambda: self.abort(job_id), self.pool.timeout + 5, job.context)
            message["stream"] = stream
            if job.future.done():  # its caller gave up meanwhile
                stream.close()
        if not job.future.done():
            job.future.set_result(message)
        for head in self.pending.values():  # the next job starts rendering now
            self.pool._arm(head)
            break
        if self.pool._queue and len(self.pending) <= REFILL:
            self.pool._pump()

    def moved_answer(self, message: dict[str, Any]) -> None:
        """The answer to a render given to another worker when this one was stuck: ignored, but its
        render took this worker's time, so the next one's clock starts now."""
        if message.get("more"):  # its stream would run until the timeout
            self.process.write(b'{"abort":%d}\n' % message["id"])
        for head in self.pending.values():
            self.pool._arm(head)
            break

    def pong(self) -> None:
        self.ponged = True

    def hold(self, holding: bool) -> None:
        """After a long render the worker waits for a go (written after any drop: see _STALL), and
        says when it starts again: the next render's clock starts then, not while it waited."""
        head = next(iter(self.pending.values()), None)
        if holding:
            if head is not None:
                head.started = None
            if not self.retired:
                self.process.write(b'{"go":1}\n')
        elif head is not None and head.started is None:
            self.pool._arm(head)

    def log(self, message: dict[str, Any]) -> None:
        """Console output of a render, logged in its caller's context: that of a render in progress,
        or of one of the last ``_RECENT`` answered."""
        job_id = message.get("render")
        if job_id is not None:
            found = self.pending.get(job_id) or self.streams.get(job_id)
            context = found.context if found is not None else None
            if context is None:
                recent = self.pool._recent[job_id % _RECENT]
                if recent is not None and recent[0] == job_id:
                    context = recent[1]
            if context is not None:
                context.run(log_console, message, self._locate)
                return
        log_console(message, self._locate)

    def abort(self, job_id: int) -> None:
        if self.streams.pop(job_id, None) is not None and not self.retired:
            self.process.write(b'{"abort":%d}\n' % job_id)

    def end_streams(self, error: RenderError) -> None:
        streams, self.streams = self.streams, {}
        for stream in streams.values():
            stream.fail(error)


async def _first(future: asyncio.Future[Any], gone: Callable[[], Awaitable[object]]) -> None:
    """Returns once ``future`` is done or ``gone()`` has returned (or failed: the client is as good as gone)."""
    watcher = asyncio.ensure_future(gone())
    try:
        await asyncio.wait((future, watcher), return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    if watcher.done() and not watcher.cancelled():
        watcher.exception()  # retrieved, so asyncio does not log it as lost


class SsrPool:
    """``await pool.render({...})`` -> ``{"html", "head"}``.

    Each worker has up to ``PIPELINE`` renders sent ahead, so it never waits for its next line;
    the rest wait in the pool's queue, up to ``queue_size``, and beyond that ``render`` raises
    ``RenderQueueFull`` at once. A render's timeout counts its own time only (its clock starts
    when the worker answers the render before it), so a queue of slow renders never looks hung.
    When a worker hangs or dies, only the render it was running fails; the ones sent ahead to it
    go back to the front of the queue (rendering has no side effects); so do those sent ahead to
    a worker stuck in a long render (``_STALL``), so they never wait behind it while another could
    take them; with no other (a pool of one, or all stuck), a spare worker is started for them.
    """

    def __init__(self, bundle: Path, *, size: int = 2, timeout: float = 10.0, queue_size: int | None = None,
                 node: str = "node", env: Mapping[str, str] | None = None, root: Path | None = None) -> None:
        """``env``: the variables page code may read at run time (the public ones): the workers get
        these and what Node itself needs, never the server's whole environment (``worker_env``).
        ``root``: the project's folder, which a render error's location is named from (``thrown_at``)."""
        self.bundle = bundle
        # Resolved once, as Node names files: the project, and the build the bundle is in.
        self._folders = None if root is None else (root.resolve(), bundle.resolve().parents[1])
        self.env = dict(env or {})
        self.size = max(1, size)
        self.timeout = timeout
        self.queue_size = QUEUE_PER_WORKER * self.size if queue_size is None else max(0, queue_size)
        self.node = node
        self._workers: list[_Worker] = []
        self._queue: collections.deque[_Job] = collections.deque()
        self._mender: asyncio.Task[None] | None = None  # starts the missing workers: see _mend
        self._sparing: set[asyncio.Task[None]] = set()  # spares on their way, for held workers: see _spare
        self._replacing = 0  # replacements on their way (_replacement): they take the renders waiting too
        self._short: str | None = None  # why a worker could not be started, while the pool is short
        self._said_running = 0  # the workers the last "short of workers" line counted
        # Set while _mend waits before its next try; a worker's death ends the wait (its replacement
        # may well start: that worker did).
        self._resting: asyncio.Event | None = None
        self._notes: set[asyncio.Task[None]] = set()  # "replacing SSR worker" lines waiting for an exit code
        self._died_young: RenderError | None = None  # a replacement that died soon after starting (_YOUNG)
        self._recent: list[tuple[int, contextvars.Context | None] | None] = [None] * _RECENT
        self._ids = itertools.count(1)
        self._closed = False
        self._full = False  # the "queue is full" warning is logged once per episode
        # One watchdog looks at the render each worker is running, a few times per timeout (so a
        # hung render fails within timeout + _tick): a timer per render (call_later, then cancel)
        # cost about 2 µs, a tenth of the pool's Python CPU per render.
        self._tick = min(0.25, max(0.01, timeout / 8))
        self._stall = min(_STALL, timeout / 4)
        self._watchdog: asyncio.TimerHandle | None = None
        # The loop the pool runs on, kept: asyncio.get_running_loop() makes a getpid() system call
        # on every call before Python 3.12; asking twice per render cost ~7 of the pool's ~35 µs
        # of Python per render (docs/benchmarks.md).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False  # until start() has its workers, renders wait in the queue

    def thrown_at(self, stack: str | None) -> str | None:
        """The project's file, line and column a render error's ``stack`` names first
        (``components/Card.jsx:3:11``), or None (no ``root``, or no frame in the project)."""
        return None if self._folders is None or not stack else located(stack, *self._folders)

    async def start(self) -> None:
        """Start ``size`` workers, then send them the renders that arrived meanwhile (a dev reload
        publishes the new pool before it has started): those must not start workers of their own,
        which ``start`` would not know of and ``close`` would never stop."""
        self._loop = asyncio.get_running_loop()
        started = await asyncio.gather(*(self._start_worker() for _ in range(self.size)), return_exceptions=True)
        failed = [result for result in started if isinstance(result, BaseException)]
        if failed:
            for result in started:
                if isinstance(result, NodeProcess):
                    result.kill()
            self._fail_queue(RenderError(f"no SSR worker could be started: {failed[0]}"))
            raise failed[0]
        self._workers = [_Worker(process, self) for process in started]  # type: ignore[arg-type]
        self._started = True
        for worker in list(self._workers):
            if worker.process.exited:
                self._worker_exited(worker)
        self._pump()

    async def _start_worker(self) -> NodeProcess:
        return await start_worker(self.bundle, self.node, timeout=self.timeout, env=self.env, hold=self._stall * _HOLD)

    @property
    def waiting(self) -> int:
        """Renders accepted and not started: in the queue, or sent ahead to a busy worker."""
        return len(self._queue) + sum(len(worker.pending) - 1 for worker in self._workers if worker.pending)

    def refuses(self) -> bool:
        """Whether a render now would be refused (``RenderQueueFull``): it would have to wait and the
        queue is full. A render an idle worker takes at once never waits, so ``--ssr-queue 0``
        means no waiting, not no rendering. The first refusal until the queue empties again is
        logged, once."""
        if self.waiting < self.queue_size:
            return False
        if not self._queue and any(not worker.pending for worker in self._workers):
            return False
        if not self._full:
            self._full = True
            renders, workers = self.queue_size, self.size
            logger.warning("the SSR queue is full (%d render%s waiting for %d worker%s); answering 503 until it drains",
                           renders, "" if renders == 1 else "s", workers, "" if workers == 1 else "s")
        return True

    async def render(self, request: dict[str, Any], props_json: str | None = None, *,
                     urgent: bool = False, gone: Callable[[], Awaitable[object]] | None = None) -> dict[str, Any]:
        """Render ``request``; ``props_json`` is ``request["props"]`` already serialised (sent as is).

        The answer is ``{"html", "head"}``; for a page that streams, its shell, and ``"stream"``: a
        ``RenderStream`` of the rest (``request["complete"]`` waits for everything instead).

        ``urgent`` (an error page for a render that failed) goes to the front of the queue and
        only to a worker with nothing else to do, and the queue's limit does not apply to it.

        ``gone``: returns once the caller's client has left. A render that has to wait in the queue
        is dropped from it if that comes first (``Abandoned``): under a burst, clients that gave up
        would otherwise keep the workers busy for no one while the next visitors wait behind them.
        """
        if self._closed:  # queued, it would wait for a worker that is never started
            raise RenderError("the SSR pool is closed: the renderer was replaced (a reload) or the server is stopping")
        if self._resting is not None and not self._workers and self._short is not None:  # queued, it would wait up to _RETRY_MAX
            raise NoWorker("no SSR worker is running", self._short, "; the pool tries again in the background")
        if not urgent and self.refuses():
            raise RenderQueueFull(f"{self.queue_size} renders are already waiting")
        job_id = next(self._ids)
        if props_json is None:
            line = orjson.dumps({"id": job_id, **request})  # the id first, as Job.renumber reads it
        else:
            rest = orjson.dumps({k: v for k, v in request.items() if k != "props"})
            line = b'{"id":%d,"props":%s,%s' % (job_id, props_json.encode(), rest[1:])
        loop = self._loop or asyncio.get_running_loop()
        job = _Job(job_id, request.get("page", ""), line + b"\n", loop.create_future(), urgent, contextvars.copy_context(),
                   _SETTLE if request.get("complete") else 0.0)
        self._dispatch(job)
        try:
            if gone is not None and job.worker is None:  # queued: watched (a render sent at once never is)
                await _first(job.future, gone)
                if not job.future.done():
                    job.future.cancel()
                    self._forget(job)
                    raise Abandoned(f"the client left while the render of {job.page!r} waited in the queue")
            message = await job.future
        except asyncio.CancelledError:
            self._forget(job)
            raise
        if "error" in message:
            raise RenderError(message["error"], message.get("stack"))
        return message

    def _pick(self, urgent: bool) -> _Worker | None:
        """The least busy live worker, if it can take a job (an urgent one: only if it is idle)."""
        best: _Worker | None = None
        for worker in self._workers:
            if (best is None or len(worker.pending) < len(best.pending)) and not worker.stuck:
                best = worker
        if best is None or len(best.pending) >= (1 if urgent else PIPELINE):
            return None
        return best

    def _dispatch(self, job: _Job) -> None:
        if not self._queue:
            worker = self._pick(job.urgent)
            if worker is not None:
                worker.send(job)
                return
        if job.urgent:
            self._queue.appendleft(job)
        else:
            self._queue.append(job)
        if not self._workers and self._started:
            self._top_up()

    def _pump(self) -> None:
        """Send queued jobs, in order, while the worker for the first one has room."""
        queue = self._queue
        while queue:
            worker = self._pick(queue[0].urgent)
            if worker is None:
                return
            worker.send(queue.popleft())
        self._full = False

    def _forget(self, job: _Job) -> None:
        """The caller gave up (its request was cancelled): a job still queued is dropped."""
        if job.worker is None:
            with contextlib.suppress(ValueError):
                self._queue.remove(job)

    def _arm(self, job: _Job) -> None:
        """Start the job's clock: it is at the head of its worker's line, so rendering now."""
        loop = self._loop or asyncio.get_running_loop()
        job.started = loop.time()
        if self._watchdog is None:  # the pool's, not this render's request's: an empty context
            self._watchdog = loop.call_later(self._tick, self._watch, context=contextvars.Context())

    def _watch(self) -> None:
        """Expire each worker's render that has run past the timeout; keep looking while any runs."""
        self._watchdog = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        deadline = now - self.timeout
        busy = False
        for worker in list(self._workers):
            for job in worker.pending.values():  # the first: the one rendering now
                busy = True
                if job.started is not None and job.started + job.settle <= deadline:
                    job.started = None  # expired once (a last look may follow)
                    self._expire(job, False)
                elif job.started is not None and job.started <= now - self._stall and not worker.stuck:
                    self._probe(worker, job, job.started, now)
                break
        if self._queue or len(self._workers) > self.size:
            busy = self._balance() or busy
        if busy and not self._closed and self._watchdog is None:
            self._watchdog = loop.call_later(self._tick, self._watch)

    def _probe(self, worker: _Worker, job: _Job, silent_since: float, now: float) -> None:
        """A worker silent for ``_stall`` with a render (``job``): ping it (again every ``_stall`` while
        it answers, as a render waiting for data lets it); if a ping goes unanswered, it is stuck."""
        pinged = worker.pinged
        if pinged is None or pinged < silent_since or (worker.ponged and pinged <= now - self._stall):
            worker.pinged = now
            worker.ponged = False
            worker.process.write(b'{"ping":1}\n')
        elif not worker.ponged and pinged <= now - self._stall / 2 and not worker.process.answer_waiting():
            self._unload(worker, job)

    def _unload(self, worker: _Worker, stuck: _Job) -> None:
        """Send the stuck worker nothing more, and give the renders sent ahead to it to the others
        (it is told to drop them; new ids all the same, so an answer to an old one is never taken for
        the new); with no other free, to a spare (_spare). Where no spare may be started either, it
        keeps them: they would only wait for it in the queue instead. Logged for ``stuck``, the
        render holding the worker."""
        worker.stuck = True
        free = any(not other.stuck for other in self._workers)
        if not free and not self._may_spare():
            worker.stuck = False
            return
        ahead = list(worker.pending.values())[1:]
        if ahead:
            worker.process.write(b'{"drop":[%s]}\n' % b",".join(b"%d" % job.id for job in ahead))
        for job in ahead:
            del worker.pending[job.id]
            job.worker = None
            job.renumber(next(self._ids))
        if ahead:
            stuck.context.copy().run(logger.debug, "SSR worker %s is stuck in a render: %d sent ahead to it go to the "
                                     "others", worker.process.pid, len(ahead))
            self._requeue([job for job in ahead if not job.future.done()])
        if free:
            self._pump()
        elif self._queue:
            self._spare(stuck.context)

    def _may_spare(self) -> bool:
        """Whether a spare may be started: fewer are running or on their way (the workers beyond the
        pool's size) than workers are held, and the pool would not exceed twice its size."""
        count = len(self._workers) + len(self._sparing) + self._replacing
        held = sum(worker.stuck for worker in self._workers)
        return not self._closed and count < 2 * self.size and count - self.size < held

    def _spare(self, context: contextvars.Context | None = None) -> None:
        """Every worker is held and renders wait: start a spare for them, if one may be (_may_spare).
        Logged in ``context``, the held render's (else the pool's, an empty one)."""
        if not self._may_spare():
            return
        held = [str(worker.process.pid) for worker in self._workers if worker.stuck]
        waiting = len(self._queue)
        (context or contextvars.Context()).copy().run(
            logger.info, "%s held by %s, and %d render%s waiting: starting a spare SSR worker",
            f"SSR worker {held[0]} is" if len(held) == 1 else f"SSR workers {', '.join(held)} are",
            "a render" if len(held) == 1 else "renders", waiting, "" if waiting == 1 else "s")
        loop = self._loop or asyncio.get_running_loop()
        task = contextvars.Context().run(loop.create_task, self._start_spare())
        self._sparing.add(task)
        task.add_done_callback(self._spared)

    def _spared(self, task: asyncio.Task[None]) -> None:
        """A spare started (or failed to): if a held worker it was for died meanwhile, the pool may
        be short, and its replacement was left to the spare (_top_up)."""
        self._sparing.discard(task)
        self._top_up()

    async def _start_spare(self) -> None:
        """Start a spare and put it to work, unless it is no longer needed (``_join``)."""
        try:
            process = await self._start_worker()
        except (RenderError, OSError) as exc:
            logger.warning("could not start a spare SSR worker: %s", exc)
            return
        if self._closed:
            process.kill()
            return
        self._join(process, replacement=False, spare=True)  # (its death says nothing of the pool's starts: see _YOUNG)

    def _join(self, process: NodeProcess, *, replacement: bool, spare: bool = False) -> None:
        """Put a started worker to work, unless the pool has its size and a spare per held worker
        already: a spare and the replacement of the worker it was for (killed meanwhile) both
        arrived, or the render holding a worker ended before its spare started."""
        if len(self._workers) >= self.size + sum(worker.stuck for worker in self._workers):
            process.kill()
            return
        worker = _Worker(process, self, replacement, spare)
        self._workers.append(worker)
        if process.exited:
            self._worker_exited(worker)
            return
        self._pump()

    def _balance(self) -> bool:
        """The watchdog's look at the pool's size, while renders wait or it has workers beyond its
        size: a spare when every worker is held and renders wait; the spares beyond the size (and
        one per held worker) stopped as they idle, never replaced (a worker that was held and is
        free again stays: it was slow, not broken). Whether to look again (some are beyond it
        still, busy)."""
        workers = self._workers
        held = sum(worker.stuck for worker in workers)
        if held and held == len(workers):
            if self._queue:
                self._spare()
            return False
        while len(workers) > self.size + held:
            spares = any(worker.spare for worker in workers)  # (else any: the pool is never left beyond its size)
            idle = next((worker for worker in workers if (worker.spare or not spares)
                         and not worker.stuck and not worker.pending and not worker.streams), None)
            if idle is None:
                return True
            idle.retired = True
            workers.remove(idle)
            idle.process.kill()
            logger.debug("stopped SSR worker %s: the pool no longer needs a spare (its size is %d)",
                         idle.process.pid, self.size)
        return False

    def _requeue(self, jobs: list[_Job]) -> None:
        """Put renders taken from a worker back at the front of the queue, behind the urgent ones."""
        urgent = [job for job in self._queue if job.urgent]
        rest = [job for job in self._queue if not job.urgent]
        self._queue = collections.deque([*urgent, *jobs, *rest])

    def _expire(self, job: _Job, looked: bool) -> None:
        worker = job.worker
        if worker is None or worker.retired or job.id not in worker.pending:
            return
        if not looked and worker.process.answer_waiting():
            # The answer may be in the pipe already, unread because the event loop was busy:
            # let the loop read it before declaring the render hung.
            asyncio.get_running_loop().call_later(_GRACE, self._expire, job, True)
            return
        if not job.future.done():  # (a caller that gave up still has its hung render ended)
            job.future.set_exception(RenderTimeout(f"rendering {job.page!r} took longer than {self.timeout:g}s"))
        self._retire(worker, job, hung=True)

    def _worker_exited(self, worker: _Worker) -> None:
        """The worker's answer pipe closed: the job it was rendering fails, the others go back."""
        if worker.retired:
            return
        rendering: _Job | None = None
        for job in worker.pending.values():
            rendering = job if job.started is not None else None
            if not job.future.done():
                job.future.set_exception(RenderError("the SSR worker exited during the render"))
            del worker.pending[job.id]
            break
        age = (self._loop or asyncio.get_running_loop()).time() - worker.born
        # Dying during a render is that render's doing (a page that exits its process): its
        # replacement starts at once, so the other pages keep rendering.
        if worker.replacement and age < _YOUNG and rendering is None and not self._closed:
            self._died_young = RenderError(f"an SSR worker exited {age:.1f}s after it started, which counts as a "
                                           "start that failed")
        self._retire(worker, rendering)

    def _retire(self, worker: _Worker, rendering: _Job | None = None, *, hung: bool = False) -> None:
        """Kill the worker, put its unanswered jobs back at the front of the queue, start a replacement.
        ``rendering``: the render it was running, in whose context the log line goes (so it carries that
        request's id: the watchdog runs in an empty context, no request's). ``hung``: it is
        killed for running past the timeout; else it exited (the log says how once its exit code is known)."""
        if worker.retired:
            return
        worker.retired = True
        worker.process.kill()
        why = f": it was killed after rendering {rendering.page!r} for longer than {self.timeout:g}s" if hung and rendering else ""
        worker.end_streams(RenderError(f"the SSR worker stopped while streaming the page{why}"))
        if worker in self._workers:
            self._workers.remove(worker)
        requeue = [job for job in worker.pending.values() if not job.future.done()]
        worker.pending.clear()
        for job in requeue:
            job.started = None
            job.worker = None
        if self._closed:
            for job in requeue:
                job.future.set_exception(RenderError("the SSR pool is shutting down"))
            return
        context = rendering.context.copy() if rendering is not None else contextvars.copy_context()
        if hung and rendering is not None:
            context.run(logger.warning, "replacing SSR worker %s: it was killed after rendering %r for longer than %gs",
                        worker.process.pid, rendering.page, self.timeout)
        else:
            task = context.run(asyncio.get_running_loop().create_task, self._say_why(worker.process, self._short is not None))
            self._notes.add(task)
            task.add_done_callback(self._notes.discard)
        self._requeue(requeue)
        self._top_up()
        self._pump()

    async def _say_why(self, process: NodeProcess, short: bool) -> None:
        """Log the replacement of a worker that exited, after what it printed as it died; at DEBUG
        while the pool is short already (a crash loop has said so once)."""
        why = await process.why_it_ended()
        logger.log(logging.DEBUG if short else logging.WARNING, "replacing SSR worker %s: %s", process.pid, why)

    def _top_up(self) -> None:
        """Start the missing workers in the background, unless that is under way already. In a
        context of its own: the render that lost a worker has nothing to do with the log lines."""
        if self._mender is not None:
            if self._resting is not None and self._died_young is None:
                self._resting.set()
            return
        if not self._closed and len(self._workers) + len(self._sparing) < self.size:  # (a spare takes a place)
            loop = self._loop or asyncio.get_running_loop()
            self._mender = contextvars.Context().run(loop.create_task, self._mend())

    async def _mend(self) -> None:
        """Start workers until the pool is whole, however many are missing; after a start fails (or a
        replacement dies within ``_YOUNG`` seconds), wait ``_RETRY_FIRST`` seconds, doubling up to
        ``_RETRY_MAX`` (less if an older worker dies meanwhile), and try again. Logs once when the
        pool is short (a start failed) and once when it is whole again, its workers ``_YOUNG`` old."""
        delay = _RETRY_FIRST
        try:
            while not self._closed:
                if len(self._workers) >= self.size:
                    settling = self._settling()
                    if settling <= 0:
                        break
                    await self._rest(settling)  # one that dies meanwhile is missing on the next pass
                    continue
                failed: BaseException | None = self._died_young
                self._died_young = None
                if failed is None:
                    missing = self.size - len(self._workers) - len(self._sparing)
                    if missing <= 0:  # spares on their way take the places (the end of each wakes this)
                        await self._rest(_RETRY_MAX)
                        continue
                    started = await asyncio.gather(*(self._replacement() for _ in range(missing)))
                    failed = next((error for error in started if error is not None), None)
                    if failed is None:
                        continue  # a worker that died meanwhile is started on the next pass
                self._fell_short(failed, delay)
                await self._rest(delay)
                delay = min(delay * 2, _RETRY_MAX)
        finally:
            self._mender = None
        if self._short is not None and not self._closed:
            self._short = None
            NoWorker.lines.ended()
            logger.warning("the SSR pool is whole again (%d of %d workers running)", len(self._workers), self.size)

    def _settling(self) -> float:
        """Seconds until the pool, whole again after a shortage, counts as whole: its youngest worker
        is ``_YOUNG`` seconds old (0 when it does, or when it was never short)."""
        if self._short is None or not self._workers:
            return 0.0
        youngest = max(worker.born for worker in self._workers)
        return youngest + _YOUNG - (self._loop or asyncio.get_running_loop()).time()

    async def _rest(self, seconds: float) -> None:
        """Wait ``seconds``, less if a worker dies meanwhile (``_top_up`` ends the wait)."""
        self._resting = asyncio.Event()
        try:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._resting.wait(), seconds)
        finally:
            self._resting = None

    def _fell_short(self, error: BaseException, delay: float) -> None:
        """A worker could not be started: with none running, the renders waiting fail now. The first
        failure is logged, and again each time fewer workers run than the last line said (a second
        death, seen a moment after the first, leaves none); other tries only at DEBUG."""
        if not self._workers:
            self._fail_queue(NoWorker("no SSR worker could be started", str(error)))
        if self._short is not None and len(self._workers) >= self._said_running:
            logger.debug("could not start an SSR worker: %s; trying again in %gs", error, delay)
            return
        self._short = str(error)
        self._said_running = len(self._workers)
        logger.error("could not start an SSR worker: %s; the SSR pool is short of workers (%d of %d running) "
                     "and tries again in the background (in %gs, then less often)",
                     error, len(self._workers), self.size, delay)

    async def _replacement(self) -> BaseException | None:
        """Start one worker and put it to work; what stopped it from starting, if anything did."""
        self._replacing += 1
        try:
            process = await self._start_worker()
        except (RenderError, OSError) as exc:
            return exc
        finally:
            self._replacing -= 1
        if self._closed:  # close() has failed or will fail whatever is still queued
            process.kill()
            self._fail_queue(RenderError("the SSR pool is shutting down"))
            return None
        self._join(process, replacement=True)
        return None

    def _fail_queue(self, error: RenderError) -> None:
        queue, self._queue = self._queue, collections.deque()
        for job in queue:
            if not job.future.done():
                job.future.set_exception(error)

    def pids(self) -> list[int]:
        return [worker.process.pid for worker in self._workers]

    @property
    def alive(self) -> int:
        """Workers running now (one that died counts again once its replacement has started)."""
        return len(self._workers)

    async def close(self) -> None:
        """Finish every render accepted (a dev reload swaps pools under load), then stop the workers.

        From now on ``render`` fails at once; the renders accepted before get up to the render
        timeout, together, to finish, and any still unanswered then fail: none is left waiting."""
        self._closed = True
        if self._mender is not None:
            self._mender.cancel()
        for task in list(self._sparing):
            task.cancel()
        workers, self._workers = self._workers, []
        while self._queue and workers:
            min(workers, key=lambda worker: len(worker.pending)).send(self._queue.popleft())
        for worker in workers:
            worker.process.close_input()  # a worker renders every line it has before it exits
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(2.0, self.timeout)
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), max(0.0, deadline - loop.time()))
            except asyncio.TimeoutError:
                pass
            worker.retired = True
            worker.process.kill()
            await worker.process.printed_all(0.5)
            worker.end_streams(RenderError("the SSR pool closed while streaming the page"))
            for job in worker.pending.values():
                if not job.future.done():
                    job.future.set_exception(RenderError("the SSR pool is shutting down"))
        self._fail_queue(RenderError("the SSR pool is shutting down"))
        if self._notes:
            await asyncio.wait(list(self._notes), timeout=3)
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
