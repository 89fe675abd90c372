"""A file's answer to a ``GET`` or ``HEAD`` as RFC 9110 orders it, for ``public/``, the build's assets
(``app._static``) and a ``FileResponse`` an API route returns (``api``): ``If-Match`` or
``If-Unmodified-Since`` failed is a 412 before a ``Range`` is read, a client holding the file gets a
304, and the ``Range`` Starlette's ``FileResponse`` is handed is one it answers as RFC 9110 asks: a
header that is no valid byte range (another unit, ``bytes=5-2``) is dropped, so the whole file is
sent (Starlette answered a plain-text 400), and of several ranges those past the end are left out
(Starlette refused them all with a 416). Any other answer with an ``ETag`` or ``Last-Modified`` of
its own gets its 304 too (``held_answer``). Depends on Starlette and the page cache's ETag comparisons."""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from stat import S_ISREG

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.types import Scope

from pyxle.cache._etag import matches, matches_strongly

# One byte range of RFC 9110: "first-last", "first-" or the suffix "-length".
_BYTE_RANGE = re.compile(rb"\s*(?:(\d+)-(\d*)|-\d+)\s*")
# What a 304 keeps of the 200 it stands for (RFC 9110 §15.4.5), so caches update the stored copy,
# and the 200's type, length and coding, which the outer layer reads to give it the ETag and Vary
# that 200 would carry, compressed or not, and drops (``_compress.not_modified``).
_KEPT_ON_304 = ("cache-control", "content-location", "etag", "expires", "vary", "content-type", "content-length",
                "content-encoding")


async def file_answer(response: FileResponse, scope: Scope) -> tuple[Response, Scope]:
    """A ``FileResponse`` a handler returned for a ``GET`` or ``HEAD``, answered as a file of
    ``public/`` is: its stat read now (in a thread, as Starlette reads it) for its ``ETag`` and
    ``Last-Modified``, then ``conditional`` (412, or a 304 that keeps its background task), and the
    scope to send it with, its ``Range`` one Starlette answers rightly. A file that is not there is
    left to Starlette, which says so as it always has."""
    stat = response.stat_result
    if stat is None:
        try:
            stat = await anyio.to_thread.run_sync(os.stat, response.path)
        except OSError:
            return response, scope
        if not S_ISREG(stat.st_mode):
            return response, scope
        response.set_stat_headers(stat)
        response.stat_result = stat
    answer = conditional(scope, response)
    if answer is not response:
        answer.background = response.background
        return answer, scope
    return response, satisfiable_only(without_bad_range(scope), stat.st_size)


def conditional(scope: Scope, response: Response) -> Response:
    """A file's answer as RFC 9110 §13.2.2 orders its preconditions (for GET and HEAD, as nginx
    does): ``If-Match`` (the strong comparison), or else ``If-Unmodified-Since``, failed is a 412,
    before a ``Range`` is read (a resumed download never splices two versions of a file); then a
    304 when the client holds it, with what it keeps of the 200."""
    request = Headers(scope=scope)
    headers = response.headers
    wanted = request.get("if-match")
    since = _date(request.get("if-unmodified-since")) if wanted is None else None
    if ((wanted is not None and not matches_strongly(wanted.encode("latin-1"), headers["etag"]))
            or (since is not None and parsedate_to_datetime(headers["last-modified"]) > since)):
        raise HTTPException(412)
    if _not_modified(request, headers):
        return Response(status_code=304, headers={name: headers[name] for name in _KEPT_ON_304 if name in headers})
    return response


def _date(value: str | None) -> datetime | None:
    """An HTTP date, or None for none or an unreadable one (ignored, as RFC 9110 says)."""
    if value is None:
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when  # asctime's form names no zone: GMT


def held_answer(response: Response, scope: Scope) -> Response:
    """Any other ``200`` to a ``GET`` or ``HEAD`` that carries an ``ETag`` or ``Last-Modified`` of
    its own: a 304 when the client holds it, as a file's, so a handler need not compare them
    itself. The 304 keeps the 200's background task; a streamed body is never begun."""
    if not _validated(response.raw_headers):
        return response
    headers = response.headers
    if not _not_modified(Headers(scope=scope), headers):
        return response
    answer = Response(status_code=304, headers={name: headers[name] for name in _KEPT_ON_304 if name in headers})
    answer.background = response.background
    return answer


def _validated(raw: list[tuple[bytes, bytes]]) -> bool:
    """Whether an answer's headers hold a validator (a plain loop: every API answer asks)."""
    for name, _ in raw:
        if name == b"etag" or name == b"last-modified":
            return True
    return False


def _not_modified(request: Headers, headers: MutableHeaders) -> bool:
    """RFC 9110 §13.2.2 for GET/HEAD: ``If-None-Match`` (weak comparison, lists, ``*``) decides
    when sent; otherwise an ``If-Modified-Since`` no older than the answer's ``Last-Modified``."""
    if (wanted := request.get("if-none-match")) is not None:
        tag = headers.get("etag")
        return tag is not None and matches(wanted.encode("latin-1"), tag)
    since = _date(request.get("if-modified-since"))
    modified = _date(headers.get("last-modified")) if since is not None else None
    return modified is not None and modified <= since  # type: ignore[operator]


def without_bad_range(scope: Scope) -> Scope:
    """The scope without its ``Range`` header when that is not a valid byte range: the whole file
    is sent, as RFC 9110 allows and nginx does (Starlette would answer a plain-text 400). A valid
    range beyond the end of the file still gets its 416."""
    for name, value in scope["headers"]:
        if name == b"range" and not _valid_range(value):
            return {**scope, "headers": [header for header in scope["headers"] if header[0] != b"range"]}
    return scope


def satisfiable_only(scope: Scope, size: int) -> Scope:
    """The scope with only the ranges of its valid ``Range`` that a file of ``size`` bytes can
    satisfy, when it asks for several and some but not all of them start past the end: RFC 9110
    answers those it can (Starlette refused them all with a 416, which stays for none)."""
    for name, value in scope["headers"]:
        if name == b"range":
            unit, _, ranges = value.partition(b"=")
            specs = [spec.strip() for spec in ranges.split(b",") if spec.strip()]
            if len(specs) < 2 or len(specs) > FileResponse.max_ranges:  # one, or so many the whole file goes
                return scope
            kept = [spec for spec in specs if _satisfiable(spec, size)]
            if not kept or len(kept) == len(specs):
                return scope
            ranged = (b"range", unit + b"=" + b",".join(kept))
            return {**scope, "headers": [ranged if header[0] == b"range" else header for header in scope["headers"]]}
    return scope


def _satisfiable(spec: bytes, size: int) -> bool:
    """Whether one byte range (``_valid_range``'s) has a byte in a file of ``size`` bytes: its first
    byte is in it, or it is a suffix of some length of a file that is not empty."""
    first, _, last = spec.partition(b"-")
    return int(first) < size if first.strip() else int(last) > 0 and size > 0


def _valid_range(value: bytes) -> bool:
    unit, equals, ranges = value.partition(b"=")
    if not equals or unit.strip().lower() != b"bytes":
        return False
    specs = [spec for spec in ranges.split(b",") if spec.strip()]  # empty list elements do not count
    for spec in specs:
        match = _BYTE_RANGE.fullmatch(spec)
        if match is None:
            return False
        first, last = match.group(1), match.group(2)
        if first is not None and last and int(last) < int(first):
            return False
    return bool(specs)
