"""``pyxle dev``: after an edit is applied in place, close the WebSockets still running the code it
replaced, with 1012 (service restart), so their clients (``useWebSocket``) reconnect to the new handlers.

A reload swaps the route table; a socket already open keeps the handler it connected to, and
would talk to the old code until the page reloaded. Which sockets ran changed code is told by
file, as the modules were loaded: an edit to a route's own file (its Python: a page's JSX runs
in the browser) closes that route's sockets; any other module of the project may be imported
by any handler, so an edit to one closes them all, as does a ``.env`` edit (a module may read a
value as it loads). An edit applied in a new worker needs none of this: the old worker closes
its sockets with 1001 as it stops (``pyxle.realtime._lifecycle``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pyxle._loading import content_hash, ran_code
from pyxle.app._watch import project_modules

if TYPE_CHECKING:
    from pyxle.realtime._connection import Connection

logger = logging.getLogger("pyxle")

CODE, REASON = 1012, "code changed"
Code = Mapping[Path, tuple[str, bool]]  # a module's file -> (its code's hash, whether it is a route's own)
_closing: set[asyncio.Task[None]] = set()  # kept until done: the loop holds tasks only weakly


def server_code(root: Path) -> dict[Path, tuple[str, bool]]:
    """What each module of the project runs now: a route's (``exec_module`` ran it: an API route,
    a page's compiled Python) by the code it ran, any other by its file's bytes."""
    found: dict[Path, tuple[str, bool]] = {}
    for name, file in project_modules(root).items():
        module = sys.modules.get(name)
        ran = ran_code(module) if module is not None else None
        if ran is not None:
            found[file] = (ran, True)
            continue
        try:
            found[file] = (content_hash(file.read_bytes()), False)
        except OSError:  # gone since: its importer's edit says what changed
            continue
    return found


def changed_code(before: Code, after: Code) -> tuple[set[Path], bool]:
    """The files whose code changed, and whether one is not a route's own (every socket is concerned).

    A route gone from ``after`` was deleted: its sockets close. Any other module gone was no longer
    imported (its importer was edited), or is held by the middleware, which reloads in a new worker;
    a module new in ``after`` is imported by an edited one: neither says more than the edits do."""
    changed = {file for file, code in before.items() if file in after and after[file] != code}
    changed |= {file for file, (_, route) in before.items() if route and file not in after}
    everything = any(not before[file][1] for file in changed)
    return changed, everything


def imported_since(root: Path, code: Code, edited: Iterable[Path]) -> bool:
    """Whether an edited file is a module of the project imported since ``code`` was read (by a
    handler, as it ran: ``import words`` in its body): what it ran was never seen, nor is it
    imported again by the reload, so its edit concerns every socket, as any other module's does."""
    files = {file.resolve() for file in edited}  # a linked folder's module is named by its link, its event by its real path
    return any(file.resolve() in files and file not in code for file in project_modules(root).values())


def restart_sockets(changed: set[Path], everything: bool) -> None:
    """Close (1012) the open sockets whose route's file is ``changed``, or all of them; in the
    background, so the next edit is not held up by a peer that does not read its close."""
    from pyxle.realtime._guard import open_sockets

    concerned = [conn for conn in open_sockets() if everything or _route_file(conn.scope) in changed]
    if concerned:
        task = asyncio.ensure_future(_close(concerned))
        _closing.add(task)
        task.add_done_callback(_closing.discard)


def _route_file(scope: Mapping[str, object]) -> Path | None:
    """The file of the route that took the socket (``pyxle.hooks.attach``), None before routing."""
    pyxle = scope.get("pyxle")
    route = pyxle.get("route") if isinstance(pyxle, dict) else None
    source = route.get("sourceAbsolutePath") if isinstance(route, dict) else None
    return Path(source) if isinstance(source, str) else None


async def _close(sockets: Iterable[Connection]) -> None:
    """As at shutdown: each socket after the frame it is sending, then the old handlers that did not
    return by themselves are ended, so no old code keeps running (a loop publishing to a channel)."""
    from pyxle.realtime._guard import close_all, end_handlers

    chosen = list(sockets)
    try:
        sent, cut = await close_all(CODE, REASON, chosen)
        await end_handlers(among=chosen)
    except Exception:
        logger.exception("could not close the WebSockets running the code before the edit")
        return
    closed = sent + cut
    if closed:
        logger.info("closed %d WebSocket%s (%d) running the code before the edit, to reconnect to the new",
                    closed, "" if closed == 1 else "s", CODE)
