"""Single-value rules shared by the file, environment and flag validators.

Each rule pairs a check with the phrase naming what was expected, so every source
reports the same words: ``<where> must be <expected> (got <value>)``.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyxle._forwarded import allowed_peer

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_IMPORT_PATH = re.compile(rf"{_IDENT}(\.{_IDENT})*:{_IDENT}(\.{_IDENT})*")
_DOTTED_PATH = re.compile(rf"{_IDENT}(\.{_IDENT})+")  # "module.path.ClassName", as 0.4 plugins wrote it; hooks too
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 9110 token: header names, cookie names, methods
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/\s?#]+")
# "https://*.example.com": "*." begins the host, at least two labels follow, then an optional port
_SUBDOMAINS = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\*(?:\.[A-Za-z0-9_\-]+){2,}(?::[0-9]{1,5})?")


@dataclass(frozen=True)
class Rule:
    expected: str
    check: Callable[[Any], bool]
    plural: str = ""  # how a list of such values is named: "a list of <plural>"
    # What "(got ...)" says of a bad value, when the value alone does not show what is wrong
    shown: Callable[[Any], str] | None = None


def describe(value: Any) -> str:
    """How a bad value is quoted back to the user: JSON spelling, short."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problem(where: str, rule: Rule | str, value: Any) -> str:
    expected = rule.expected if isinstance(rule, Rule) else rule
    shown = rule.shown(value) if isinstance(rule, Rule) and rule.shown else describe(value)
    return f"{where} must be {expected} (got {shown})"


def is_int(value: Any) -> bool:
    # bool is an int subclass in Python; true/false is never a number here.
    return isinstance(value, int) and not isinstance(value, bool)


def is_str(value: Any) -> bool:
    return isinstance(value, str)


BOOL = Rule("true or false", lambda v: isinstance(v, bool))
OPTIONAL_BOOL = Rule("true, false or null", lambda v: v is None or isinstance(v, bool))
STR = Rule("a string", lambda v: is_str(v))
LANG = Rule('a language tag such as "en" or "pt-BR"',
            lambda v: is_str(v) and re.fullmatch(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*", v) is not None)
PLUGIN_NAME = Rule(
    'a plugin\'s package name like "pyxle-db", or "module.path" of your own',
    lambda v: is_str(v) and v.strip() != "" and not any(c.isspace() for c in v),
)
NON_EMPTY_STR = Rule("a non-empty string", lambda v: is_str(v) and v.strip() != "")
HOST = Rule(
    "a non-empty host name or address without spaces",
    lambda v: is_str(v) and v != "" and not any(c.isspace() for c in v),
)
PORT = Rule("an integer between 1 and 65535", lambda v: is_int(v) and 1 <= v <= 65535)
# Flags and PYXLE_PORT may also ask for any free port (`--port 0`), which tests and the
# CLI's worker hand-off use; a port written in the config file must be a real one.
ANY_PORT = Rule(
    "an integer between 0 and 65535 (0: any free port)", lambda v: is_int(v) and 0 <= v <= 65535
)
POSITIVE_INT = Rule("an integer greater than 0", lambda v: is_int(v) and v > 0)
NON_NEGATIVE_INT = Rule("an integer >= 0", lambda v: is_int(v) and v >= 0)
BLOCK_LOG_FORMAT = Rule(
    "one of console, text, json", lambda v: is_str(v) and v in ("console", "text", "json")
)
LOG_LEVEL = Rule(
    "one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
    lambda v: is_str(v) and v.upper() in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
)
ABSOLUTE_PATH = Rule('a path starting with "/"', lambda v: is_str(v) and v.startswith("/") and " " not in v)
OPTIONAL_SECRET = Rule("a non-empty string or null", lambda v: v is None or (is_str(v) and v.strip() != ""))
RATIO = Rule("a number from 0 to 1", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1)
# Finite: JSON's 1e999 parses as infinity, and a rate limit window of infinity turned the limit off.
POSITIVE_NUMBER = Rule(
    "a number of seconds greater than 0",
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0,
)
RATE_REQUESTS = Rule("an integer >= 0 (0 turns the limit off)", lambda v: is_int(v) and v >= 0)
SECONDS = Rule("a whole number of seconds >= 0, or null", lambda v: is_int(v) and v >= 0)
LOG_FORMAT = Rule("one of text, json", lambda v: v in ("text", "json") and is_str(v))
SAME_SITE = Rule(
    "one of strict, lax, none",
    lambda v: is_str(v) and v.lower() in ("strict", "lax", "none"),
)
MIDDLEWARE = Rule(
    'a string "module.path:ClassName"',
    lambda v: is_str(v) and (_IMPORT_PATH.fullmatch(v) or _DOTTED_PATH.fullmatch(v)) is not None,
    'strings "module.path:ClassName"',
)
HOOK = Rule(
    'a string "module.path:attr"',
    lambda v: is_str(v) and (_IMPORT_PATH.fullmatch(v) or _DOTTED_PATH.fullmatch(v)) is not None,
    'strings "module.path:attr"',
)
PATH_PREFIX = Rule(
    'a path prefix starting with "/"',
    lambda v: is_str(v) and v.startswith("/"),
    'path prefixes starting with "/"',
)
FORWARDED_PEER = Rule(
    'an IP address ("10.0.0.5"), a network ("10.0.0.0/8") or "*"',
    lambda v: is_str(v) and allowed_peer(v),
    'IP addresses and networks ("10.0.0.0/8"), or "*"',
)
FORWARDED_PEERS = Rule(
    'IP addresses ("10.0.0.5") or networks ("10.0.0.0/8") separated by commas, or "*"',
    lambda v: isinstance(v, tuple) and len(v) > 0 and all(FORWARDED_PEER.check(item) for item in v),
    shown=lambda v: describe(",".join(v) if isinstance(v, tuple) else v),
)
ORIGIN = Rule(
    '"*" or an origin like "https://example.com" (scheme://host[:port], no path) or "https://*.example.com"',
    lambda v: is_str(v) and (v == "*" or _ORIGIN.fullmatch(v) is not None),
    'origins like "https://example.com", or "*"',
)


def subdomain_origin(value: Any) -> bool:
    """Whether ``value`` is an origin for the subdomains of a host ("https://*.example.com")."""
    return is_str(value) and _SUBDOMAINS.fullmatch(value) is not None


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def origin_as_sent(origin: str) -> str:
    """A valid ``cors.origins`` entry in the form browsers send an ``Origin`` in (RFC 6454): scheme
    and host in lower case, the scheme's default port left out (``"HTTPS://App.Example.com:443"`` is
    ``"https://app.example.com"``), which is what the header is compared with, whole."""
    if origin == "*":
        return origin
    scheme, _, host = origin.lower().partition("://")
    name, colon, port = host.rpartition(":")
    if colon and port.isascii() and port.isdigit():  # ("http://[::1]" has none: its last ":" is inside [])
        host = name if int(port) == _DEFAULT_PORTS.get(scheme) else f"{name}:{int(port)}"
    return f"{scheme}://{host}"


METHOD = Rule(
    'an HTTP method name like "GET", or "*"',
    lambda v: is_str(v) and _TOKEN.fullmatch(v) is not None,
    'HTTP method names like "GET"',
)
HEADER_NAME = Rule(
    'a header name like "X-Requested-With", or "*"',
    lambda v: is_str(v) and _TOKEN.fullmatch(v) is not None,
    'header names like "X-Requested-With"',
)
TOKEN_NAME = Rule(
    "a non-empty name without spaces or separators", lambda v: is_str(v) and _TOKEN.fullmatch(v) is not None
)
# Headers an answer carries for its own sake: as the request id's name, the handler's own would be
# dropped for the id (one X-Request-Id per answer), or a second sent beside it.
_ANSWER_HEADERS = frozenset({
    "accept-ranges", "age", "allow", "cache-control", "connection", "content-disposition", "content-encoding",
    "content-language", "content-length", "content-location", "content-range", "content-security-policy",
    "content-type", "date", "etag", "expires", "keep-alive", "last-modified", "link", "location", "retry-after",
    "server", "server-timing", "set-cookie", "strict-transport-security", "trailer", "transfer-encoding", "upgrade",
    "vary", "www-authenticate", "x-content-type-options", "x-frame-options", "referrer-policy",
})
REQUEST_ID_HEADER = Rule(
    'a header name of its own (no spaces or separators), not one answers carry for their own sake '
    '(such as "Content-Type")',
    lambda v: TOKEN_NAME.check(v) and v.lower() not in _ANSWER_HEADERS,
)
HEADER_VALUE = Rule(
    "a string without line breaks, or null (to not send the header)",
    lambda v: v is None or (is_str(v) and "\r" not in v and "\n" not in v and "\0" not in v),
)
CACHE_BACKEND = Rule("one of memory, redis, off", lambda v: is_str(v) and v.lower() in ("memory", "redis", "off"))
CACHE_SECONDS = Rule("a whole number of seconds >= 0, or an object with sMaxage",
                     lambda v: is_int(v) and v >= 0)
GZIP_LEVEL = Rule("an integer from 1 to 9", lambda v: is_int(v) and 1 <= v <= 9)
BROTLI_QUALITY = Rule("an integer from 0 to 11", lambda v: is_int(v) and 0 <= v <= 11)
ZSTD_LEVEL = Rule("an integer from 1 to 22, or null (zstd not offered)", lambda v: v is None or (is_int(v) and 1 <= v <= 22))
# "inprocess" and "in-process" are pyxle-framework 0.9's other names for "memory"
BROKER = Rule("one of memory, redis", lambda v: is_str(v) and v.lower() in ("memory", "redis", "inprocess", "in-process"))


def as_seconds(text: str) -> float | str:
    """A timeout variable's or flag's text as seconds; the text itself when it is no number."""
    try:
        return float(text)
    except ValueError:
        return text


def as_count(text: str) -> int | str:
    """A count's text as an int; the text itself unless it is ASCII digits ("²" is a digit to
    ``isdigit()``, not to ``int()``)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else text


SECONDS_LIMIT = Rule("a number of seconds above 0 and under a year",  # also refuses nan and inf
                     lambda v: isinstance(v, float) and 0 < v < 86400 * 365)
RENDER_QUEUE = Rule("a whole number of renders, 0 or more", lambda v: is_int(v) and v >= 0)
# The server's limits (pyxle.app.Limits field -> parse, rule): read by the app from PYXLE_<FIELD>,
# given by pyxle serve's flags; checked here too, so a bad variable is named with its .env line.
LIMITS: dict[str, tuple[Callable[[str], Any], Rule]] = {
    "keep_alive_timeout": (as_seconds, SECONDS_LIMIT), "body_timeout": (as_seconds, SECONDS_LIMIT),
    "shutdown_timeout": (as_seconds, SECONDS_LIMIT), "worker_timeout": (as_seconds, SECONDS_LIMIT),
    "ssr_timeout": (as_seconds, SECONDS_LIMIT), "ssr_queue": (as_count, RENDER_QUEUE),
}
# The shortest PYXLE_SECRET_KEY taken, in bytes (pyxle.security's MIN_SECRET_BYTES: config imports
# nothing of it), and how to make one.
SECRET_KEY_BYTES = 32
SECRET_KEY_FALLBACKS_VAR = "PYXLE_SECRET_KEY_FALLBACKS"
HOW_TO_MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def secret_key_problem(value: str) -> str | None:
    """Why PYXLE_SECRET_KEY cannot sign anything (too short), naming its size, never the key."""
    size = len(value.encode("utf-8", "surrogateescape"))
    if size >= SECRET_KEY_BYTES:
        return None
    return (f"PYXLE_SECRET_KEY is {size} bytes; it must be at least {SECRET_KEY_BYTES}. Make one with: {HOW_TO_MAKE_SECRET}. "
            f"To keep what the old key signed valid (sessions, CSRF tokens), set a new PYXLE_SECRET_KEY and move the "
            f"old one to {SECRET_KEY_FALLBACKS_VAR}")


def split_fallbacks(text: str | None) -> tuple[str, ...]:
    """The keys of PYXLE_SECRET_KEY_FALLBACKS: comma-separated, spaces around each dropped
    (pyxle.security's ``split_fallbacks`` is the same rule)."""
    return tuple(key for part in (text or "").split(",") if (key := part.strip()))


def short_fallbacks(keys: tuple[str, ...]) -> tuple[str, ...]:
    """A warning per fallback key under 32 bytes, named by its position, never by its value: it is
    taken (it only verifies old values), but should go once they have expired."""
    count = len(keys)
    return tuple(
        f"{SECRET_KEY_FALLBACKS_VAR}: key {index} of {count} is {size} bytes (under {SECRET_KEY_BYTES}); it only "
        "verifies values signed before the rotation: remove it once the cookies and tokens it signed have expired"
        for index, key in enumerate(keys, 1)
        if (size := len(key.encode("utf-8", "surrogateescape"))) < SECRET_KEY_BYTES
    )


_REDIS_NETLOC = re.compile(r"([^:/?#]+://)([^/?#]*)")


def masked_url(url: str) -> str:
    """``url`` with the password of its user part masked; for any text, even one no URL parser takes."""
    match = _REDIS_NETLOC.match(url)
    if match is None or "@" not in match[2]:
        return url
    user, at, host = match[2].rpartition("@")
    if ":" in user:
        user = user.split(":", 1)[0] + ":****"
    return match[1] + user + at + host + url[match.end():]


def _redis_scheme(value: Any) -> bool:
    return is_str(value) and "://" in value and value.split("://", 1)[0] in ("redis", "rediss", "unix")


# The path of a redis:// URL is its database: none, or a number. redis-py reads /cache as 0, silently.
_DATABASE_PATH = re.compile(r"(/(\d+/?)?)?")


def redis_url_refusal(url: str) -> str | None:
    """Why ``url`` cannot be used as written, as the words after the refused URL; None if it can.

    redis-py itself parses it (both clients: the start-up check's and the server's) and builds a
    connection from it without connecting, so this rule is the one a server meets, not a copy that
    could drift from it. Without redis-py installed, only the path is checked (start-up then says
    how to install it).
    """
    refusal = _redis_py_refusal(url)
    if refusal is not None:
        return f"which redis-py refuses: {refusal}"
    try:
        path = urlsplit(url).path
    except ValueError:  # redis-py not installed, and no URL either
        return None
    if not url.startswith("unix:") and not _DATABASE_PATH.fullmatch(path):
        return f"whose path must be a database number, like /0, not {path}"
    try:
        socket_timeout(url)
    except ValueError:  # redis-py takes 0 or "inf", and every command then fails or waits for ever
        return "whose socket_timeout must be a number of seconds above 0, like ?socket_timeout=2"
    return None


def socket_timeout(url: str) -> float | None:
    """The URL's ``?socket_timeout=`` in seconds, as redis-py reads it (None when it gives none):
    the operator's own bound on a wait for Redis, which Pyxle's features then wait for a command
    rather than their built-in fraction of a second. ``ValueError`` when it is no number above 0."""
    try:
        values = parse_qs(urlsplit(url).query).get("socket_timeout")
    except ValueError:
        return None
    if not values:
        return None
    seconds = float(values[0])
    if not 0 < seconds < math.inf:
        raise ValueError(f"socket_timeout must be above 0, not {values[0]}")
    return seconds


def _redis_py_refusal(url: str) -> str | None:
    """What redis-py says of ``url``, in its words; None if it takes it (or is not installed)."""
    try:
        import redis
        import redis.asyncio
    except ImportError:
        return None
    for client in (redis, redis.asyncio):
        try:
            pool = client.ConnectionPool.from_url(url)
            pool.connection_class(**pool.connection_kwargs)  # what its first command does, short of connecting
        except (ValueError, TypeError, redis.RedisError) as exc:
            return str(exc).rstrip(".")
    return None


def _shown_redis_url(value: Any) -> str:
    """A refused URL quoted back with its password masked, and why it is refused when that is known."""
    if not is_str(value):
        return describe(value)
    refusal = redis_url_refusal(value) if _redis_scheme(value) else None
    shown = describe(masked_url(value))
    return f"{shown}, {refusal}" if refusal else shown


REDIS_URL = Rule(
    'a Redis URL like "redis://localhost:6379/0" (redis://, rediss:// or unix://)',
    lambda v: _redis_scheme(v) and redis_url_refusal(v) is None, shown=_shown_redis_url,
)
OPTIONAL_REDIS_URL = Rule(f"{REDIS_URL.expected[:-1]}, or null)", lambda v: v is None or REDIS_URL.check(v),
                          shown=_shown_redis_url)


def _inside_project(value: Any) -> bool:
    if not is_str(value) or value.strip() == "" or "\\" in value or "\0" in value:
        return False
    if value.startswith("/") or re.match(r"[A-Za-z]:", value):
        return False
    normal = posixpath.normpath(value)
    return normal != ".." and not normal.startswith("../")


PROJECT_FILE = Rule(
    'a path relative to the project root and inside it, like "styles/app.css"',
    _inside_project,
    'paths relative to the project root, like "styles/app.css"',
)
