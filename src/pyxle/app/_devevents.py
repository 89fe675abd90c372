"""``pyxle dev``: tell open browsers when the project was rebuilt or broke (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.responses import HTMLResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from pyxle.app._ssrcheck import project_frame
from pyxle.pages._errors import VARY, well_formed
from pyxle.security import ScriptPolicy, nonced

DEV_CLIENT = (Path(__file__).resolve().parents[1] / "client" / "_dev.js").read_text(encoding="utf-8")
DEV_SCRIPT = f"<script>{DEV_CLIENT}</script>"
REFRESH_HINT = ("React state is not kept across edits: add the dev packages for Fast Refresh with "
                "`npm install --save-dev react-refresh @babel/core`")


def dev_scripts(refresh_runtime: str | None, build: str = "", sources: tuple[Path, Path] | None = None) -> str:
    """What ``pyxle dev`` adds to every page: the Fast Refresh runtime when the build has it (a
    classic script, so it runs before the page's modules) and the live-reload client, which
    knows the ``build`` the page came from (``DevEvents``). ``sources``: the project's root and the
    folder the bundles' source maps are in, which their sources are relative to: the overlay names
    the project's files from its root, and the others (a linked ``node_modules``) absolute."""
    where = ""
    if sources is not None:
        root, maps = (path.resolve().as_posix() for path in sources)
        where = f' data-pyxle-root="{html.escape(root)}" data-pyxle-maps="{html.escape(maps)}"'
    client = f'<script data-pyxle-build="{html.escape(build)}"{where}>{DEV_CLIENT}</script>' if build else DEV_SCRIPT
    if refresh_runtime is None:
        return client
    return f'<script src="{html.escape(refresh_runtime)}"></script>{client}'


class DevEvents:
    """Fan-out of ``update`` / ``reload`` / ``error-report`` events to every connected browser.

    Two problems show as the overlay: the project's (``broken``: a compile error, until a rebuild
    works) and its settings' (``refused``: an edited ``pyxle.config.json`` or ``.env`` that
    ``pyxle dev``'s server process would not apply, until it reports one it took or found
    unchanged). Each is cleared on its own: a rebuild does not hide a refused config.

    Each stream starts with a ``hello`` naming the current build: ``<start>.<n>``, a random id of
    this server process and the number of its builds. A page carries the id it was rendered with
    (``dev_scripts``), so when its stream reconnects to a server that has rebuilt meanwhile, or to
    a new server after a restart, ``_dev.js`` sees another id and reloads the page: edits made
    while it was disconnected are not missed.
    """

    def __init__(self, script_policy: ScriptPolicy | None = None) -> None:
        self._queues: set[asyncio.Queue[str | None]] = set()
        self.script_policy = script_policy  # the configured CSP refuses inline scripts: error_page's need a nonce
        self.error: str | None = None
        self.scoped = False  # the error is some pages' alone, which answer it: the others' overlay can be dismissed
        self.refusal: str | None = None
        self._unbuilt: list[str] = []  # files edited while the project was broken (see reloaded)
        self.closed = False
        self._start = secrets.token_hex(4)
        self._number = 0

    @property
    def build(self) -> str:
        return f"{self._start}.{self._number}"

    def next_build(self) -> str:
        """The id of a build being made now (it is current from here on: pages it renders carry it)."""
        self._number += 1
        return self.build

    def publish(self, event: str, data: dict[str, object]) -> None:
        message = f"event: {event}\ndata: {json.dumps(data)}\n\n"
        for queue in self._queues:
            queue.put_nowait(message)

    def reloaded(self, changed: list[str] | None = None, broken_pages: str | None = None) -> None:
        """After a rebuild: browsers update the page in place (``_dev.js`` decides how: swap the
        stylesheets, Fast Refresh, refetch the data), then show ``report``, what is still wrong (a
        refused setting, the pages that do not build: ``broken_pages``) or nothing. The fix after a
        compile error is such an update too, naming every file edited since the last good build:
        the page under the overlay keeps its state."""
        files = list(dict.fromkeys([*self._unbuilt, *(changed or [])]))
        self.error, self.scoped, self._unbuilt = broken_pages, broken_pages is not None, []
        self.publish("update", {"files": files, "build": self.build, "report": self.report,
                                "dismissible": self.dismissible})

    def broken(self, message: str, changed: list[str] | None = None) -> None:
        self.error, self.scoped = message, False
        self._unbuilt += changed or []
        self.publish("error-report", {"message": self.report or "", "dismissible": False})

    @property
    def dismissible(self) -> bool:
        """Whether the overlay may be dismissed: its report is only of pages that answer it themselves."""
        return self.scoped and self.refusal is None

    def refused(self, message: str) -> None:
        """The server process did not apply an edited setting (``cli._devreload``): shown until settled."""
        self.refusal = message
        self.publish("error-report", {"message": self.report or "", "dismissible": False})

    def settled(self) -> None:
        """The settings were applied or are as they were: browsers showing the refusal reload."""
        if self.refusal is not None:
            self.refusal = None
            self.publish("reload", {"files": [], "build": self.build})

    @property
    def report(self) -> str | None:
        """What the overlay shows now: the project's error and the settings' refusal, or None."""
        shown = [problem for problem in (self.error, self.refusal) if problem is not None]
        return "\n\n".join(shown) if shown else None

    def close(self) -> None:
        """The server is stopping: end every open stream now. An open stream is a request in flight,
        which the server would otherwise wait for until it kills its worker; the browser
        reconnects to the next server by itself."""
        self.closed = True
        for queue in self._queues:
            queue.put_nowait(None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._queues.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield "retry: 500\n\n"
                yield f"event: hello\ndata: {json.dumps({'build': self.build})}\n\n"
                report = self.report
                if report is not None:
                    shown = {"message": report, "dismissible": self.dismissible}
                    yield f"event: error-report\ndata: {json.dumps(shown)}\n\n"
                while not self.closed:
                    try:
                        message = await asyncio.wait_for(queue.get(), 15)
                    except asyncio.TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if message is None:
                        return
                    yield message
            finally:
                self._queues.discard(queue)

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        await StreamingResponse(stream(), media_type="text/event-stream", headers=headers)(scope, receive, send)


def error_page(message: str, policy: ScriptPolicy | None = None) -> HTMLResponse:
    """What a broken project answers to page requests in dev: the error, and the overlay client,
    which reloads the page once the project is fixed. Under a CSP that refuses inline scripts
    (``policy``) the client carries a nonce of this answer's policy, or the browser refuses it.
    It answers a page URL, so it says ``Vary: x-pyxle-navigation`` as every page answer does."""
    script, headers = nonced(policy, DEV_SCRIPT, VARY)
    body = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pyxle dev: error</title></head><body>"
        f"<pre id=\"pyxle-dev-error\">{html.escape(well_formed(message))}</pre>{script}</body></html>"
    )
    return HTMLResponse(body, status_code=500, headers=headers)


def render_error_page(message: str, stack: str | None, root: Path, build_dir: Path,
                      policy: ScriptPolicy | None = None) -> HTMLResponse:
    """A page that threw while rendering, in ``pyxle dev``: the overlay names the first stack frame in
    the project's own files (the SSR workers map the bundle back to them) and shows that line."""
    report = f"render error: {message}"
    found = project_frame(stack, root, build_dir)
    if found is not None:
        path, line, column, source = found
        report = f"{path.relative_to(root.resolve()).as_posix()}:{line}:{column}: {report}\n    {source}\n    {' ' * (column - 1)}^"
    return error_page(f"{report}\n\n{stack or ''}".rstrip(), policy)
