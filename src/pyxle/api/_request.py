"""The request object handed to API handlers: a Starlette Request whose json() and form() refuse a
body they cannot read (a 400), as the client's error rather than the server's."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import AwaitableOrContextManager, Request

from pyxle._client import IntPortClient
from pyxle._refused import RequestRefused

CUT_SHORT = "Malformed multipart body: it ends before its closing boundary"
# A form field's own limit: none but the body's. The server holds every body to maxBodySize (a 413),
# which is the one limit on a form as on JSON; Starlette's 1 MiB per text field refused a long
# <textarea> in a Form that 0.9 (which sent JSON) saved. request.form(max_part_size=n) sets one.
WHOLE_BODY = sys.maxsize


class ApiRequest(IntPortClient, Request):
    """``await request.json()`` on a malformed body is the client's error (400), not the server's (500):
    invalid JSON, an empty body, nesting deeper than Python's parser recurses, and what ``json.loads``
    takes though JSON (RFC 8259) has no such thing: ``NaN``, ``Infinity`` and a number too large for
    a float (``1e999``), which a handler echoing them back failed to write (a 500). ``await
    request.form()`` likewise refuses a form it cannot parse, a multipart body cut short included."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            text = ""
            try:  # as json.loads(body) does with bytes (a UTF-8 BOM skipped), with the decoder made once
                text = body.decode(json.detect_encoding(body), "surrogatepass")
                self._json = _DECODER.decode(text)
            except (ValueError, UnicodeDecodeError) as exc:
                detail = "Request body is empty; expected JSON" if not body.strip() else f"Malformed JSON body: {exc}"
                raise MalformedJson(detail, exc, text) from None
            except RecursionError:  # the parser recurses per level: `[` x 100,000 is the client's error too
                raise MalformedJson("Malformed JSON body: nested too deeply", ValueError("nested too deeply"),
                                    text) from None
        return self._json

    def form(self, *, max_files: float = 1000, max_fields: float = 1000,
             max_part_size: int = WHOLE_BODY) -> AwaitableOrContextManager[FormData]:
        """Starlette's ``request.form()``, a text field as large as the body may be (``WHOLE_BODY``)."""
        return super().form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)

    async def _get_form(self, *, max_files: float = 1000, max_fields: float = 1000,
                        max_part_size: int = WHOLE_BODY) -> FormData:
        """What ``await request.form()`` runs (Starlette's private step, which tests/e2e/test_form_cut_short.py
        guards): a form it cannot parse is a ``RequestRefused`` (so a no-JS post's refusal is a page),
        and a multipart body is read by ``WholeMultiPartParser``, which also refuses one cut short."""
        if self._form is not None:
            return self._form
        try:
            if self.headers.get("content-type", "").partition(";")[0].strip().lower() != "multipart/form-data":
                return await super()._get_form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)
            async with aclosing(self.stream()) as stream:
                parser = WholeMultiPartParser(self.headers, stream, max_files=max_files, max_fields=max_fields,
                                              max_part_size=max_part_size)
                self._form = await parser.parse()
        except MultiPartException as exc:
            raise RequestRefused(400, exc.message) from None
        except HTTPException as exc:
            if type(exc) is not HTTPException or exc.status_code != 400:  # a body limit's refusal, say
                raise
            raise RequestRefused(400, exc.detail) from None  # Starlette's: an urlencoded field over max_part_size
        return self._form


class MalformedJson(RequestRefused, json.JSONDecodeError):
    """A JSON body ``json()`` cannot read. Let escape, it answers 400 with ``detail``; it is also the
    ``json.JSONDecodeError`` (a ``ValueError``) that Starlette's ``json()`` raises, so a handler
    written for Starlette or pyxle-framework 0.9 that catches one answers in its own words, and
    ``str()``, ``msg`` and ``pos`` read as ``json.loads``'s own error."""

    def __init__(self, detail: str, exc: ValueError, text: str) -> None:
        if isinstance(exc, json.JSONDecodeError):
            json.JSONDecodeError.__init__(self, exc.msg, exc.doc, exc.pos)
        else:  # NaN, 1e999, a body that is not UTF-8: json.loads has no position for these
            json.JSONDecodeError.__init__(self, str(exc), text, 0)
        RequestRefused.__init__(self, 400, detail)

    def __str__(self) -> str:
        return ValueError.__str__(self)


class WholeMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, refusing a body that ends before its closing boundary:
    python-multipart leaves that check undone (its ``finalize`` is a TODO), so such a body read as
    the parts that had ended before the cut, often none, and the handler saw an empty form. An empty
    body is still an empty form, as Django reads it: nothing was cut."""

    ended = False
    read = 0

    def on_end(self) -> None:
        self.ended = True

    async def parse(self) -> FormData:
        counted = self._counted(self.stream)
        self.stream = counted
        try:
            form = await super().parse()
        finally:
            await counted.aclose()
        if self.read and not self.ended:
            await form.close()  # the files of the parts that had ended
            raise MultiPartException(CUT_SHORT)
        return form

    async def _counted(self, stream: AsyncGenerator[bytes, None]) -> AsyncGenerator[bytes, None]:
        async for chunk in stream:
            self.read += len(chunk)
            yield chunk


def _no_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON (RFC 8259 has no NaN or Infinity)")


def _finite_float(text: str) -> float:
    """Called for each number with a fraction or an exponent only (a body without any pays nothing):
    cheaper than walking every decoded body for an infinity."""
    value = float(text)
    if math.isinf(value):
        raise ValueError("a number is too large for a float (JSON has no Infinity)")
    return value


_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)
