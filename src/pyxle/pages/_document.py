"""The HTML document around a page: head markup and props embedded so they cannot break out.

Server-side React rendering fills ``<div id="pyxle-root">``; until a renderer is present the
document still carries the head, the props and the status, so the page is inspectable.
"""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyxle.pages._data import dumps

if TYPE_CHECKING:
    from pyxle.routing import RouteTable

_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def embed_json(value: Any = None, *, serialised: str | None = None) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, ``<!--`` or U+2028 survive."""
    text = serialised if serialised is not None else dumps(value)
    for char, escape in _ESCAPES:  # a scan per character beats str.translate several times over
        if char in text:
            text = text.replace(char, escape)
    return text


AUTH_SCOPE_KEY = "pyxle.auth"  # where the pyxle-auth plugin's middleware puts the request's user


def auth_seed(scope: Any) -> str:
    """The signed-in user for ``useAuth`` (``#pyxle-auth``), when an auth plugin described one."""
    auth = scope.get(AUTH_SCOPE_KEY)
    if auth is None:
        return ""
    return f'<script type="application/json" id="pyxle-auth">{embed_json(auth)}</script>'


# What of pyxle-auth's seed is the same for every visitor: where its endpoints are (its
# ``authPathPrefix``) and which field signs in. Named, not filtered out: a key a plugin adds later
# is per visitor until said otherwise, so it never reaches a page served to others.
_SHARED_AUTH_KEYS = ("endpoints", "identifier")


def stored_auth_seed(scope: Any, *, anonymous: bool) -> str:
    """``#pyxle-auth`` for a page that goes into the store and is served to other visitors.

    It keeps the endpoint map (without it ``useAuth`` posts to ``/auth/...``, which a custom
    ``authPathPrefix`` moved) and never the user. ``anonymous``: the store serves this page only to
    visitors the plugin has not signed in, so the user is ``null``, as their own render would say.
    Otherwise (a ``"shared": true`` route, served to signed-in visitors too) the user is left out,
    which tells the hook to ask the plugin's ``me`` endpoint after hydration.
    """
    auth = scope.get(AUTH_SCOPE_KEY)
    if not isinstance(auth, dict):
        return ""
    seed: dict[str, Any] = {key: auth[key] for key in _SHARED_AUTH_KEYS if key in auth}
    if anonymous:
        seed["user"] = None
    return f'<script type="application/json" id="pyxle-auth">{embed_json(seed)}</script>'


DEFAULT_CSRF_NAMES = ("pyxle-csrf", "x-csrf-token")


def csrf_names(cookie_name: str, header_name: str) -> str:
    """``<meta name="pyxle-csrf">`` telling ``pyxle/client`` the configured CSRF cookie and header
    (``csrf.cookieName``, ``csrf.headerName``); nothing when they are the defaults it knows."""
    if (cookie_name, header_name) == DEFAULT_CSRF_NAMES:
        return ""
    return f'<meta name="pyxle-csrf" content="{html.escape(cookie_name)} {html.escape(header_name)}">'


def exposed_errors(exposed: bool) -> str:
    """``<meta name="pyxle-errors" content="exposed">`` when error pages carry the exception
    (``pyxle dev``, or ``debug``): the router's in-place error page then tells it too, as the
    server's would. Nothing otherwise, so a production document carries no trace of it."""
    return '<meta name="pyxle-errors" content="exposed">' if exposed else ""


def dotted_pages(manifest: dict[str, Any]) -> str:
    """``#pyxle-dotted-pages``: the build's URL shapes of pages whose last segment may hold a dot,
    which the browser's router needs (``/blog/v1.2`` is a page, ``/report.pdf`` a file). The document
    carries them, not each page's module, whose hash would change with every such page added."""
    shapes = manifest.get("dottedPages")
    if not shapes:
        return ""
    return f'<script type="application/json" id="pyxle-dotted-pages">{embed_json(shapes)}</script>'


def loading_pages(manifest: dict[str, Any]) -> str:
    """``#pyxle-loading-pages``: ``[shape, {js, css} or null]`` in match order (the bundler's
    ``loadingPages``), which the router reads to show a page's ``loading.pyxl`` while its navigation
    data is on its way, importing the page's module alongside. Nothing in an app without one."""
    pages = manifest.get("pages", {})
    found = [[shape, None if page is None else {"js": pages[page]["js"], "css": pages[page]["css"]}]
             for shape, page in manifest.get("loadingPages") or () if page is None or page in pages]
    if not found:
        return ""
    return f'<script type="application/json" id="pyxle-loading-pages">{embed_json(found)}</script>'


def shared_code(manifest: dict[str, Any]) -> str:
    """``<meta name="pyxle-shared">``: what names the code the build's pages share (the bundler's
    ``shared``), which the router compares with a page's navigation JSON to load a page of another
    build in full. The document carries it: in a page's module it would change every page's hash."""
    shared = manifest.get("shared")
    if not shared:
        return ""
    return f'<meta name="pyxle-shared" content="{html.escape(shared)}">'


def api_folders(table: RouteTable) -> str:
    """``#pyxle-api-folders``: the URL shapes of the nested ``api/`` folders that hold routes
    (``/admin/api``, ``/s/{slug}/api``), whose URLs the browser's router never asks for a page, as
    under ``/api/``. From the route table, not the build: API routes are no source of the bundle."""
    shapes = [list(spec.shapes[0]) for spec in table.api_folders if spec.pattern != "/api"]
    if not shapes:
        return ""
    return f'<script type="application/json" id="pyxle-api-folders">{embed_json(shapes)}</script>'


END = "</body></html>"
# The document's language, for screen readers, hyphenation and translation prompts: the config's
# ``lang``, English by default, as pyxle-framework 0.9 and Next.js's starter declare it. The
# built-in error and busy pages are Pyxle's own English text, so they keep it.
LANG = "en"
# Languages written right to left (their primary subtag), and scripts that are: a tag naming a script
# (``az-Arab``, ``ur-Latn``) goes by the script. The document gets ``dir="rtl"``, as an Arabic,
# Hebrew or Persian page needs and cannot set itself (the ``<html>`` is Pyxle's). One table, which
# the browser's head manager reads too (a page's ``<Head><html lang>`` after a client navigation).
_RTL = json.loads((Path(__file__).parents[1] / "client" / "_rtl.json").read_text())
_RTL_LANGUAGES = frozenset(_RTL["languages"])
_RTL_SCRIPTS = frozenset(_RTL["scripts"])
# A language tag, as the config's ``lang`` must be (config/_rules.LANG); and what ``dir`` may say.
_LANG_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")
_DIRS = frozenset({"ltr", "rtl", "auto"})


@functools.lru_cache(maxsize=64)
def _html_open(lang: str, direction: str | None = None) -> str:
    """``<html lang="...">``, with ``dir="rtl"`` for a language written right to left (``direction``: as given)."""
    if direction is None:
        language, *rest = lang.lower().split("-")
        script = next((part for part in rest if len(part) == 4 and part.isalpha()), None)
        rtl = script in _RTL_SCRIPTS if script is not None else language in _RTL_LANGUAGES
        direction = "rtl" if rtl else None
    lang = html.escape(lang)
    return f'<html lang="{lang}" dir="{html.escape(direction)}">' if direction else f'<html lang="{lang}">'


def page_root(lang: Any, direction: Any) -> tuple[str | None, str | None] | None:
    """The ``lang`` and ``dir`` a page's ``<Head><html>`` set (the SSR answer's), each None when it
    is no language tag or direction; None when neither is: the document keeps the config's."""
    own = (lang if isinstance(lang, str) and _LANG_TAG.fullmatch(lang) else None,
           direction if isinstance(direction, str) and direction in _DIRS else None)
    return own if own != (None, None) else None


# The viewport a page gets unless its head sets one (``_render.with_viewport``): the first of its
# managed head, so that a page's own replaces it (client/_headdom.js puts it back on a navigation
# to a page without one).
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def document(*, head: list[str], body_html: str, props: dict[str, Any] | None = None, props_json: str | None = None,
             scripts: str = "", assets: list[str] | None = None, end: str = END, rooted: bool = False,
             lang: str = LANG, own: tuple[str | None, str | None] | None = None) -> str:
    """The page's own head sits between two marker tags: client-side navigation replaces it. It
    holds a viewport (``VIEWPORT`` unless the page has its own).

    A streamed page is sent without ``end`` first: the rest of its render goes between. Its
    ``body_html`` is ``rooted``: it holds the root element itself. ``own``: the page's ``lang`` and
    ``dir`` (``page_root``), over the config's ``lang``, which ``<meta name="pyxle-lang">`` then
    keeps for the browser, to put back on a client navigation to a page that sets none.
    """
    root = body_html if rooted else f"<div id=\"pyxle-root\">{body_html}</div>"
    opening, default = _html_open(lang), ""
    if own is not None:
        opening = _html_open(own[0] or lang, own[1])
        default = f'<meta name="pyxle-lang" content="{html.escape(lang)}">'
    return (
        f"<!DOCTYPE html>\n{opening}<head><meta charset=\"utf-8\">" + default +
        "<meta name=\"pyxle-head\" content=\"start\">"
        + "".join(head)
        + "<meta name=\"pyxle-head\" content=\"end\">"
        + "".join(assets or ())
        + f"</head><body>{root}"
        + f"<script type=\"application/json\" id=\"pyxle-props\">{embed_json(props, serialised=props_json)}</script>"
        + scripts
        + end
    )
