"""The status an answer may have: a final HTTP status, an int from 200 to 599.

granian panics on any other (the worker dies), so every place that takes a status from user code
checks it with this. ``HTTPStatus.CREATED`` and other int enums count, as Starlette takes them;
``True`` is a bool, not a status.
"""

from __future__ import annotations


def answer_status(value: object) -> int | None:
    """``value`` as a plain int an answer can be sent with, or None when it is not one."""
    if isinstance(value, int) and not isinstance(value, bool) and 200 <= value <= 599:
        return int(value)
    return None


def check_status(status: object, what: str, error: type[Exception]) -> None:
    """Raise ``error`` naming ``what`` gave a status no answer can have (``(data, 999)``, ``True``):
    the edge would refuse it only after the page's or action's error handling, naming no file."""
    if answer_status(status) is None:
        raise error(f"{what} status {status!r}, which is not an HTTP status for an answer: "
                    "it must be an int from 200 to 599")
