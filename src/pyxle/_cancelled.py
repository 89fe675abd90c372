"""Which exceptions that are not ``Exception``s a request's answer lets through (nothing else in Pyxle).

A request's code (a loader, an action, an API route, middleware) can raise any ``BaseException``:
``asyncio.CancelledError`` itself, ``KeyboardInterrupt``, ``sys.exit(3)``, a library's own
subclass. Left to the server, granian answered them with a bare ``500 Internal server error``
(no request id, security headers or error page) and logged them without the request's id. So Pyxle
answers them as it answers an ``Exception`` (a logged, generic 500), except what ``lets_through``
names:

- the cancellation of the request's own task (the client went away, the server is stopping, a
  timeout around the request): a ``CancelledError`` while ``Task.cancelling()`` counts a request
  to cancel. Kept, it would leave the task running after it was told to stop;
- ``GeneratorExit`` thrown in by Python closing the coroutine from outside any task (a task
  dropped unfinished, its loop torn down): nothing would read an answer, and awaiting one then is
  an error of its own. Raised by the request's code, it comes inside the request's running task,
  and is answered as the others are (it was granian's bare 500).

``KeyboardInterrupt`` and ``SystemExit`` raised by the server itself never come from inside a
request: granian's workers turn SIGINT and SIGTERM into an event (``granian._signals``), not an
exception, and Pyxle's nets are only around a request's own code, never the lifespan or the
server's loop. One raised inside a request is that request's code's; the worker went on serving
after it under granian too, so answering it properly keeps nothing running that would have stopped.
"""

from __future__ import annotations

import asyncio


def lets_through(exc: BaseException) -> bool:
    """Whether ``exc``, raised while a request was answered, must go on up rather than be answered 500."""
    if isinstance(exc, Exception):
        return False
    if not isinstance(exc, (asyncio.CancelledError, GeneratorExit)):
        return False
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop: nothing to tell it by
        return True
    if isinstance(exc, GeneratorExit):
        return task is None
    cancelling = getattr(task, "cancelling", None)  # Python 3.11+; 3.10 cannot tell, so lets it through
    return cancelling is None or cancelling() > 0
