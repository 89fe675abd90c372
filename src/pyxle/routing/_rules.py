"""How one file path under ``pages/`` becomes a URL pattern.

The rules are shared by API routes (``.py`` files in an ``api/`` folder at any depth: ``pages/api/**.py``,
``pages/admin/api/**.py``) and pages (``pages/**.pyxl``):
``index`` maps to its folder, ``[id]`` is a parameter, ``[...rest]`` a catch-all,
``[[...opt]]`` an optional catch-all, ``(group)`` folders vanish, ``_private`` is never a route.
"""

from __future__ import annotations

import keyword
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Literal

from pyxle.routing._names import nfc

RouteKind = Literal["api", "page"]

# Rank of a segment kind in precedence order: lower ranks are tried first.
STATIC, PARAM, CATCH_ALL, OPTIONAL_CATCH_ALL = 0, 1, 2, 3

_PARAM = re.compile(r"^\[([^\[\]./]+)\]$")
_CATCH_ALL = re.compile(r"^\[\.\.\.([^\[\]./]+)\]$")
_OPTIONAL_CATCH_ALL = re.compile(r"^\[\[\.\.\.([^\[\]./]+)\]\]$")
_GROUP = re.compile(r"^\([^()/]+\)$")

# Files with a role in their folder rather than a URL. ``loading`` is the Suspense fallback of its
# folder's pages (``RouteTable.loading``), never a page of its own.
# The folder whose ``.py`` files are API routes, at any depth; its name stays in their URLs.
API_FOLDER = "api"

SPECIAL_PAGE_STEMS = frozenset({"layout", "template", "error", "not-found", "loading"})


class RoutingError(Exception):
    """One or more files under ``pages/`` that cannot become routes; ``problems`` lists them all."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class RouteSpec:
    """A route derived from one file: its URL pattern, how to match it, and where it ranks."""

    kind: RouteKind
    file: PurePosixPath  # relative to the pages directory, POSIX separators
    pattern: str  # for people: /api/users/{id}, /api/files/{path...}, /api/docs/{slug...?}
    params: tuple[str, ...]
    rank: tuple[int, ...]  # one entry per URL segment; compared lexicographically
    regex: re.Pattern[str] | None = field(default=None, compare=False)  # None when fully static
    shapes: tuple[tuple[str, ...], ...] = field(default=(), compare=False)  # URL shapes it claims
    optional_params: tuple[str, ...] = ()  # params that may be absent (optional catch-all)

    @property
    def is_static(self) -> bool:
        return self.regex is None

    @property
    def sort_key(self) -> tuple[tuple[int, ...], str]:
        """Static beats dynamic beats catch-all, segment by segment; the file name breaks ties."""
        return (self.rank, str(self.file))


def in_api_folder(file: PurePosixPath) -> bool:
    """Whether ``file`` (relative to ``pages/``) sits in an ``api/`` folder at any depth: its ``.py``
    files are API routes there, as in pyxle-framework 0.9 (``pages/admin/api/health.py``)."""
    return API_FOLDER in file.parts[:-1]


def api_like(path: str) -> bool:
    """Whether an API route may answer the URL ``path``: every one's URL holds its ``api`` folder as
    a segment (``/api/x``, ``/admin/api/x``, ``/s/{slug}/api/v2/x``); a path without one is never one's."""
    return "/api/" in path + "/"


def under(path: str, prefix: str) -> bool:
    """Prefix match on segment boundaries: ``/api/hooks`` covers ``/api/hooks/x``, not ``/api/hooksmith``."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/") or prefix == ""


def canonical(path: str) -> str:
    """``path`` (a request's, percent-decoded as the router sees it) with repeated slashes, "." and
    ".." resolved: the form the config's path prefixes are written in, so that "/exempt/../x" is
    matched as "/x" and "/api//hooks" as "/api/hooks"."""
    return posixpath.normpath("/" + path.lstrip("/"))


def param_name(raw: str, file: PurePosixPath) -> str:
    """``user-id`` -> ``user_id``; anything else that is not an identifier is an error."""
    name = raw.replace("-", "_")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise RoutingError(f"pages/{file}: [{raw}] is not a valid parameter name (use letters, digits, - and _)")
    return name


def route_for_file(file: PurePosixPath | str, kind: RouteKind) -> RouteSpec | None:
    """The route for ``file`` (relative to ``pages/``), or None when the file is not a route."""
    file = PurePosixPath(file)
    parts = [nfc(part) for part in file.parts]  # the URL of an NFD-named file is the one browsers send
    stem = parts[-1].rsplit(".", 1)[0]
    if any(part.startswith("_") for part in parts) or stem.startswith("_"):
        return None
    if kind == "page" and stem in SPECIAL_PAGE_STEMS:
        return None
    segments = [p for p in parts[:-1] if not _GROUP.match(p)]
    if stem != "index":
        segments.append(stem)

    pattern_parts: list[str] = []
    regex_parts: list[str] = []
    rank: list[int] = []
    shape: list[str] = []
    params: list[str] = []
    optional: list[str] = []
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if m := _OPTIONAL_CATCH_ALL.match(segment):
            name = _catch_all_name(m.group(1), file, last, params)
            pattern_parts.append("{" + name + "...?}")
            regex_parts.append(f"(?:/(?P<{name}>.*))?")
            rank.append(OPTIONAL_CATCH_ALL)
            shape.append("*")
            optional.append(name)
        elif m := _CATCH_ALL.match(segment):
            name = _catch_all_name(m.group(1), file, last, params)
            pattern_parts.append("{" + name + "...}")
            regex_parts.append(f"/(?P<{name}>.+)")
            rank.append(CATCH_ALL)
            shape.append("*")
        elif m := _PARAM.match(segment):
            name = _unique(param_name(m.group(1), file), file, params)
            pattern_parts.append("{" + name + "}")
            regex_parts.append(f"/(?P<{name}>[^/]+)")
            rank.append(PARAM)
            shape.append("?")
        elif "[" in segment or "]" in segment:
            raise RoutingError(f"pages/{file}: malformed segment {segment!r} (expected [name], [...name] or [[...name]])")
        else:
            pattern_parts.append(segment)
            regex_parts.append("/" + re.escape(segment))
            rank.append(STATIC)
            shape.append("=" + segment)
            continue
        params.append(name)

    shapes = [tuple(shape)]
    if optional:  # [[...slug]] also claims its folder itself
        shapes.append(tuple(shape[:-1]))
    regex = re.compile("^" + "".join(regex_parts) + "$") if params else None
    return RouteSpec(
        kind=kind,
        file=file,
        pattern="/" + "/".join(pattern_parts),
        params=tuple(params),
        rank=tuple(rank),
        regex=regex,
        shapes=tuple(shapes),
        optional_params=tuple(optional),
    )


def _catch_all_name(raw: str, file: PurePosixPath, last: bool, seen: list[str]) -> str:
    if not last:
        raise RoutingError(f"pages/{file}: a catch-all segment must be the last part of the path")
    return _unique(param_name(raw, file), file, seen)


def _unique(name: str, file: PurePosixPath, seen: list[str]) -> str:
    if name in seen:
        raise RoutingError(f"pages/{file}: parameter {name!r} appears twice in the same path")
    return name


def starlette_patterns(spec: RouteSpec) -> tuple[str, str | None]:
    """The route's pattern as pyxle-framework 0.7 to 0.9 wrote it (Starlette's), which route hooks
    compare against: ``/docs/{slug:path}`` for ``/docs/{slug...}``. An optional catch-all was two
    routes there, so it is two patterns: ``(/shop/{slug:path}, /shop)``, the second for a URL
    without the slug; None for any other route."""
    pattern, last = spec.pattern, spec.rank[-1] if spec.rank else STATIC  # a catch-all is the last segment
    if last == OPTIONAL_CATCH_ALL:  # /shop/{slug...?}
        return pattern[:-5] + ":path}", pattern[: pattern.rindex("/{")] or "/"
    if last == CATCH_ALL:  # /docs/{slug...}
        return pattern[:-4] + ":path}", None
    return pattern, None
