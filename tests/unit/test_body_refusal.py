"""``body_refusal``: which exception groups stand for a body's refusal (a ``BaseHTTPMiddleware``
reads the body in a task group, so a 413 reaches Pyxle wrapped)."""

from __future__ import annotations

import sys

from pyxle._refused import body_refusal
from pyxle.app._limits import BodyTooLarge, ClientGone

if sys.version_info < (3, 11):  # anyio's backport
    from exceptiongroup import ExceptionGroup


def test_a_group_of_only_body_refusals_is_its_first_even_nested() -> None:
    first = BodyTooLarge(10)
    group = ExceptionGroup("outer", [ExceptionGroup("inner", [first]), ClientGone()])
    assert body_refusal(group) is first


def test_a_group_whose_other_errors_the_refusal_caused_is_the_refusal() -> None:
    first = BodyTooLarge(10)
    try:
        try:
            raise first
        except BodyTooLarge:
            raise RuntimeError("cleanup failed") from None  # suppressed, but still its context
    except RuntimeError as later:
        caused = later
    assert body_refusal(ExceptionGroup("g", [first, caused])) is first


def test_a_group_with_an_unrelated_error_or_no_refusal_is_not_one() -> None:
    assert body_refusal(ExceptionGroup("g", [BodyTooLarge(10), ValueError("bug")])) is None
    assert body_refusal(ExceptionGroup("g", [ValueError("bug")])) is None
    assert body_refusal(BodyTooLarge(10)) is None  # not a group: handled as itself
