"""``RequestRefused``: the ``HTTPException`` Pyxle raises itself when a request cannot be read as
asked (a malformed or unreadable body, one too large or too slow), wherever that happens, in a
handler's own ``await request.json()`` too. Code that answers a refusal differently from what a
handler chose to raise (a no-JavaScript form post's refusal is a page) tells the two apart by it."""

from __future__ import annotations

from starlette.exceptions import HTTPException


class RequestRefused(HTTPException):
    """The request's fault, found by Pyxle: answered as any ``HTTPException`` is."""
