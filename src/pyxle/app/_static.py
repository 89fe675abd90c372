"""``public/`` at ``/``, behind every route, and the build's hashed assets under ``/_pyxle/``;
anything unmatched ends in a JSON 404. Both send a whole file for a ``Range`` they cannot read,
and small files from memory (``_memfiles``)."""

from __future__ import annotations

import logging
import mimetypes
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from stat import S_ISREG

from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from pyxle._fileanswer import conditional, satisfiable_only, without_bad_range
from pyxle._hidden import hidden
from pyxle._memo import remember
from pyxle._refused import not_found, unrouted
from pyxle.app._compress import compressible, negotiate
from pyxle.app._memfiles import SmallFiles
from pyxle.app._slash import route_path, slashed, without_slash
from pyxle.pages._endpoint import ALLOW  # what a file's URL takes, as a page's does
from pyxle.routing import RouteSpec

# Precompressed siblings of a built file, in the order we prefer them on a tie.
_PRECOMPRESSED = {b"br": ".br", b"gzip": ".gz"}
_TWIN_SUFFIXES = frozenset(_PRECOMPRESSED.values())
# public/ files may change at a deploy under the same URL: stale at once, so browsers ask again
# (a 304 from their ETag). Without it they guessed a freshness of a tenth of the file's age.
PUBLIC_CACHE = "public, max-age=0"

# Content types by file name: Python's own table and the web's types below (mime-db's, as Next.js
# sends them), never the host's /etc/mime.types, which a slim container image lacks: served there,
# fonts and source maps were octet-stream, and served here a `.ts` was a Qt file. The web's types are
# pinned even where Python has one, as its table changes by version (3.10 lacks `.avif`).
_TYPES = mimetypes.MimeTypes()
for _suffix, _kind in {
    ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript", ".map": "application/json",
    ".md": "text/markdown", ".markdown": "text/markdown", ".xml": "application/xml",
    ".jsonld": "application/ld+json", ".ics": "text/calendar", ".vcf": "text/vcard",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml", ".xhtml": "application/xhtml+xml",
    ".xslt": "application/xslt+xml", ".geojson": "application/geo+json",
    ".webmanifest": "application/manifest+json", ".wasm": "application/wasm",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject", ".webp": "image/webp", ".apng": "image/apng", ".avif": "image/avif",
    ".jxl": "image/jxl", ".heic": "image/heic", ".heif": "image/heif", ".ogg": "audio/ogg",
    ".oga": "audio/ogg", ".ogv": "video/ogg", ".m4a": "audio/mp4", ".flac": "audio/flac", ".wav": "audio/wav",
    ".weba": "audio/webm", ".webm": "video/webm", ".mpd": "application/dash+xml",
    ".glb": "model/gltf-binary", ".gltf": "model/gltf+json", ".usdz": "model/vnd.usdz+zip",
}.items():
    _TYPES.add_type(_kind, _suffix)


def media_type(name: str) -> str:
    """The Content-Type a file named ``name`` is sent with, the same on every machine."""
    kind = _TYPES.guess_type(name)[0]
    return kind or "application/octet-stream"


def file_test(directory: Path) -> Callable[[str], bool] | None:
    """Whether ``public_files(directory)`` has a file at a URL path (``/robots.txt``), which the
    router serves before a dynamic route that would take it; None without the folder. One ``stat``."""
    if not directory.is_dir():
        return None
    find = _finder(str(directory))

    def has(path: str) -> bool:
        name = os.path.normpath(os.path.join(*path.split("/")))  # as StaticFiles.get_path reads it
        if name in (".", "") or hidden(name):
            return False
        try:
            return find(name) is not None
        except (OSError, ValueError):  # a name the OS refuses (too long)
            return False

    return has


def public_twins(routes: Iterable[RouteSpec], directory: Path) -> list[tuple[RouteSpec, str]]:
    """The routes at one fixed URL (``pages/robots.txt.pyxl``) that a file of ``directory`` has too,
    with that file's name in it: the route answers the URL, so the file is never served. A dynamic
    route is left out (no one file is its twin), and so is a file ``pyxle._hidden`` leaves out."""
    found = []
    for spec in routes:
        name = spec.pattern.lstrip("/")
        if spec.regex is None and name and not hidden(name) and (directory / name).is_file():
            found.append((spec, name))
    return found


def http_only(app: ASGIApp) -> ASGIApp:
    """``app`` (a health check, the metrics, the OpenAPI document) for HTTP; a WebSocket upgrade to
    it is refused (403), as at an API route without ``websocket``. Passed on, the upgrade was
    answered with the HTTP response and ``101``'s headers, and logged as an accepted socket."""
    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008, reason="This route does not accept WebSocket connections")(
                scope, receive, send)
            return
        await app(scope, receive, send)

    return answer


_told_unreadable: set[str] = set()  # files logged as unreadable by this worker (one line each)


def _readable(path: str) -> bool:
    """Whether the server's user may read the file at ``path``. One that it may not (a deploy left
    it at mode 600) was handed to granian as found, which then answered its own bare 404 after an
    access-log line of 200, and no line said why."""
    return os.access(path, os.R_OK)


def _unreadable(path: str) -> None:
    """Answer a file the server may not read with a 500, logged once per file with what to do."""
    if path not in _told_unreadable and len(_told_unreadable) < 1024:
        _told_unreadable.add(path)
        logging.getLogger("pyxle.error").error(
            "%s cannot be read by the server (Permission denied): its requests answer 500; hint: make it "
            "readable by the user the server runs as (chmod a+r)", path)
    raise HTTPException(500)


def public_files(directory: Path, fallback: ASGIApp = not_found) -> ASGIApp:
    """Starlette's StaticFiles (ETag, Last-Modified, 304, HEAD, symlinks kept inside) for GET/HEAD,
    never a file ``pyxle._hidden`` leaves out (``.env``: ``fallback`` answers, as for a file not there);
    OPTIONS 204 or 405 for other methods at a file's URL; anything it does not have goes to
    ``fallback``. A file asked for with a trailing slash is redirected to its URL, as a page's is
    (``_slash``): StaticFiles served it, a folder's URL."""
    if not directory.is_dir():
        return fallback
    files = StaticFiles(directory=directory)
    find = _finder(str(directory))
    small = SmallFiles()

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        path = files.get_path(scope) if scope["type"] == "http" else ""
        if hidden(path):  # .env, .git/...: as a file not there (pyxle._hidden)
            await fallback(scope, receive, send)
            return
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            scope = without_bad_range(scope)
            try:
                found = find(path)
            except (OSError, ValueError):  # a name too long, a folder it may not read: as StaticFiles answers them
                response = await _or_not_found(files.get_response(path, scope))
            else:
                if found is not None and not _readable(found[0]):
                    _unreadable(found[0])
                if found is not None:
                    scope = satisfiable_only(scope, found[1].st_size)
                response = FileResponse(found[0], stat_result=found[1]) if found is not None else None
                if response is not None:
                    _typed(response)
            if response is not None and response.status_code in (200, 206, 304):
                response.headers["cache-control"] = PUBLIC_CACHE
            if response is not None and scope["path"].endswith("/"):
                response = _slash_away(scope)
            elif isinstance(response, FileResponse):
                response = conditional(scope, response)
            if response is not None:
                await small.answer(response, scope, receive, send)
                return
        elif scope["type"] == "http" and not scope["path"].endswith("/") and _found(find, path):
            await _other_method(scope, receive, send)
            return
        await fallback(scope, receive, send)

    return serve


# How a file compressed already is sent, by its coding (Python's mimetypes reads it from the name):
# as the type of its bytes. Starlette sends `data.json.gz` as JSON, which it is not until
# decompressed, and the app's compression then encoded it again. `.svgz` is SVG with its coding
# named, as Apache sends it, so that an <img> shows it.
_ENCODED_TYPES = {"gzip": "application/gzip", "bzip2": "application/x-bzip2", "xz": "application/x-xz",
                  "compress": "application/x-compress", "br": "application/x-brotli"}
_SENT_AS: dict[str, tuple[str, str]] = {}  # file name -> (Content-Type, Content-Encoding), or ("", "")


def _typed(response: FileResponse) -> None:
    """The file's type by its name (``media_type``); a file compressed already (``data.json.gz``,
    ``logo.svgz``) gets its bytes' type, or, an ``.svgz``, its coding; then the compressor leaves
    it as it is."""
    name = os.path.basename(response.path)
    sent_as = _SENT_AS.get(name)
    if sent_as is None:
        sent_as = remember(_SENT_AS, name, _sent_as(name))
    kind, coding = sent_as
    response.headers["content-type"] = kind
    if coding:
        response.headers["content-encoding"] = coding


def _sent_as(name: str) -> tuple[str, str]:
    """(Content-Type, Content-Encoding or "") for a file named ``name``."""
    kind, coding = _TYPES.guess_type(name)
    if coding is None:
        return _with_charset(media_type(name)), ""
    if name.lower().endswith(".svgz"):
        return kind or "image/svg+xml", coding
    return _ENCODED_TYPES.get(coding, "application/octet-stream"), ""


def _with_charset(kind: str) -> str:
    """Text types name their charset, as Starlette writes them: files are taken as UTF-8."""
    return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind


def _found(find: Callable[[str], tuple[str, os.stat_result] | None], path: str) -> bool:
    try:
        return find(path) is not None
    except (OSError, ValueError):  # a name the OS refuses (too long, a NUL byte): no file there
        return False


async def _other_method(scope: Scope, receive: Receive, send: Send) -> None:
    """A method other than GET or HEAD at a file's URL: OPTIONS is a 204 naming the methods a file
    takes, anything else a 405 with them, as a page answers (StaticFiles and nginx answer 405 too;
    a 404 said the file was not there)."""
    if scope["method"] != "OPTIONS":
        raise HTTPException(405, headers=ALLOW)
    await Response(status_code=204, headers=ALLOW)(scope, receive, send)


def _slash_away(scope: Scope) -> Response | None:
    """A file's URL with a trailing slash: the redirect without it, else (a slash sent as "%2F", a
    path that begins "//") None, a 404."""
    path = route_path(scope)
    return without_slash(scope, path) if slashed(scope, path) else None


async def _or_not_found(answer: Awaitable[Response]) -> Response | None:
    try:
        return await answer
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        return None


def _finder(directory: str) -> Callable[[str], tuple[str, os.stat_result] | None]:
    """Looks a request's file up under ``directory`` as StaticFiles does (never outside it, through
    a symlink either, and in the request's thread), with one ``stat`` a request: where a path leads
    is worked out again only when the file it reaches is another (StaticFiles resolves each part of
    the path, a system call each, every time). Returns the file's real path and its stat."""
    known: dict[str, tuple[tuple[int, int], str | None]] = {}

    def find(path: str) -> tuple[str, os.stat_result] | None:
        if path.startswith(("/", "\\")):
            return None
        joined = os.path.join(directory, path)
        try:
            stat = os.stat(joined)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not S_ISREG(stat.st_mode):
            return None  # a folder: no index.html here
        file_id = (stat.st_dev, stat.st_ino)
        seen = known.get(joined)
        if seen is None or seen[0] != file_id:
            real, top = os.path.realpath(joined), os.path.realpath(directory)
            if len(known) >= 4096:
                known.clear()
            known[joined] = seen = (file_id, real if os.path.commonpath([real, top]) == top else None)
        return None if seen[1] is None else (seen[1], stat)

    return find


def build_assets(directory: Path) -> ASGIApp:
    """Hashed bundle files under ``/_pyxle/``: cached for a year, brotli or gzip when precompressed,
    304 when the client holds the variant it would get. The ``.br``/``.gz`` twins have no URL of
    their own (as with nginx's gzip_static): under the plain type and no ``Content-Encoding`` they
    would reach the page as compressed bytes, so a request for one is a 404."""
    find = _finder(str(directory))
    small = SmallFiles()

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await not_found(scope, receive, send)
            return
        asset: str = scope["path_params"]["asset"]
        try:
            found = find(asset)
        except (OSError, ValueError):  # a name the OS refuses (a NUL byte, too long)
            found = None
        if found is None or asset.endswith("/") or _is_twin(Path(found[0])):
            await _no_such_asset(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _other_method(scope, receive, send)
            return
        if not _readable(found[0]):
            _unreadable(found[0])
        path, stat = Path(found[0]), found[1]
        scope = without_bad_range(scope)
        kind = media_type(path.name)
        headers = {"Cache-Control": "public, max-age=31536000, immutable"}
        if compressible(kind.encode("latin-1")):  # text: precompressed, or encoded on the way out
            headers["Vary"] = "Accept-Encoding"  # an image's or a font's answer never depends on it
        accept = next((value for name, value in scope["headers"] if name == b"accept-encoding"), b"")
        coding = None
        if accept:
            built = {name: (variant, found) for name, suffix in _PRECOMPRESSED.items()
                     if (found := _stat(variant := path.with_name(path.name + suffix))) is not None
                     and _readable(str(variant))}  # one the server may not read is left out: the plain file goes
            coding = negotiate(accept, built) if built else None  # never one the client gave q=0
            if coding is not None:
                headers["Content-Encoding"] = coding.decode()
                path, stat = built[coding]
        scope = satisfiable_only(scope, stat.st_size)  # a range of the copy sent, as Content-Range says
        response = FileResponse(path, headers=headers, media_type=kind, stat_result=stat)
        if coding is not None:  # the twin's own tag, marked with its coding as Apache's mod_deflate does
            response.headers["etag"] = response.headers["etag"][:-1] + f'-{coding.decode()}"'
        await small.answer(conditional(scope, response), scope, receive, send)

    return serve


async def _no_such_asset(scope: Scope, receive: Receive, send: Send) -> None:
    """A name no build here made: the 404 of any URL, but never stored. A page of a build not yet
    deployed on this machine (a rolling deploy) asks for its chunk before the file is here; a CDN
    that keeps 404s by default would go on answering it after."""
    raise unrouted(scope, {"Cache-Control": "no-store"})


def _stat(path: Path) -> os.stat_result | None:
    try:
        found = path.stat()
    except (OSError, ValueError):
        return None
    return found if S_ISREG(found.st_mode) else None


def _is_twin(path: Path) -> bool:
    """Whether ``path`` is the precompressed copy of a built file beside it."""
    return path.suffix in _TWIN_SUFFIXES and _stat(path.with_suffix("")) is not None


