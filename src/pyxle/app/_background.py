"""``request.state.background``: work a handler hands off, run after its response is sent."""

from __future__ import annotations

from starlette.background import BackgroundTasks
from starlette.types import ASGIApp, Receive, Scope, Send


def run_background_tasks(app: ASGIApp) -> ASGIApp:
    """Give every HTTP request ``request.state.background`` (Starlette's ``BackgroundTasks``:
    ``add_task(fn, *args, **kwargs)``, sync or async) and run what was added once the response is
    sent (and after plugin middleware inside this one has finished, e.g. committed). A request
    whose handling raised to here sent no response, so its tasks do not run."""

    async def with_background(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        tasks = BackgroundTasks()
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state["background"] = tasks
        await app(scope, receive, send)
        if tasks.tasks:
            await tasks()

    return with_background
