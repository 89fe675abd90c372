"""Responses that loaders and actions return themselves (a redirect to log in, a 403), and how
they reach the client router, which asks for JSON: a redirect becomes ``{"redirect": url}``."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response


class Answered(Exception):
    """A loader returned a ``Response``: the page answers with it, and later loaders do not run."""

    def __init__(self, response: Response) -> None:
        super().__init__("a loader answered with its own response")
        self.response = response


def redirect_target(response: Response) -> str | None:
    """Where ``response`` redirects to, if it is a redirect."""
    if 300 <= response.status_code < 400:
        return response.headers.get("location")
    return None


def as_json(source: Response, body: dict[str, Any]) -> JSONResponse:
    """``body`` as JSON in place of ``source``, keeping the cookies it sets."""
    return with_cookies(source, JSONResponse(body))


def with_cookies(source: Response, answer: Response) -> Response:
    """``answer`` also setting the cookies ``source`` sets (a login action sets one, then redirects)."""
    answer.raw_headers += [(name, value) for name, value in source.raw_headers if name == b"set-cookie"]
    return answer
