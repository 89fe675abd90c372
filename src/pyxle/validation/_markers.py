"""Where a handler parameter comes from, when its name and type do not say it already.

Markers go in ``Annotated``: ``token: Annotated[str, Header()]``, ``tags: Annotated[list[str], Query()]``.
They are plain classes, so importing them costs nothing and needs no pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Header:
    """Read the parameter from a request header: ``x_token`` reads ``x-token`` unless ``alias`` names it."""

    alias: str | None = None


@dataclass(frozen=True)
class Query:
    """Read the parameter from the query string (the default for plain types), under ``alias`` if given."""

    alias: str | None = None


@dataclass(frozen=True)
class Body:
    """Read the parameter from the request body (the default for models, TypedDicts and dataclasses)."""
