"""``PYXLE_*`` environment overrides and command-line flag overrides.

Both are applied over the validated file, environment first, flags last, and are
checked with the same rules as the file so a bad value reads the same wherever it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from typing import Any

from pyxle._forwarded import split_peers

from . import _rules as r
from ._env import PUBLIC_ENV_PREFIX
from ._model import (
    CacheConfig,
    CompressionConfig,
    CorsConfig,
    CsrfConfig,
    ObservabilityConfig,
    PyxleConfig,
    RateLimitConfig,
    RealtimeConfig,
    StylingConfig,
)
from ._rules import Rule, problem
from ._validate import suggest

_TRUE = ("1", "true", "yes")
_FALSE = ("0", "false", "no")
_ENV_BOOL = Rule("one of 1, 0, true, false, yes, no", lambda v: isinstance(v, bool))


def _as_int(text: str) -> int | str:
    text = text.strip()
    return int(text) if text.lstrip("+-").isdigit() else text


def _as_bool(text: str) -> bool | str:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return text


def _as_str(text: str) -> str:
    return text.strip()


# variable -> (field, parse the text, rule for the parsed value)
ENV_OVERRIDES: dict[str, tuple[str, Callable[[str], Any], Rule]] = {
    "PYXLE_HOST": ("host", _as_str, r.HOST),
    "PYXLE_PORT": ("port", _as_int, r.ANY_PORT),
    "PYXLE_DEBUG": ("debug", _as_bool, _ENV_BOOL),
    "PYXLE_PAGES_DIR": ("pages_dir", _as_str, r.NON_EMPTY_STR),
    "PYXLE_PUBLIC_DIR": ("public_dir", _as_str, r.NON_EMPTY_STR),  # also a public variable, as in 0.9
    "PYXLE_BUILD_DIR": ("build_dir", _as_str, r.NON_EMPTY_STR),
    "PYXLE_DIST_DIR": ("dist_dir", _as_str, r.NON_EMPTY_STR),
    "PYXLE_MAX_BODY_SIZE": ("max_body_size", _as_int, r.POSITIVE_INT),
    "PYXLE_LOG_FORMAT": ("log_format", lambda t: t.strip().lower(), r.LOG_FORMAT),
    "PYXLE_ACCESS_LOG": ("access_log", _as_bool, _ENV_BOOL),
    # uvicorn's variable, which pyxle-framework 0.9 ran under; Pyxle's own, after it, wins
    "FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", split_peers, r.FORWARDED_PEERS),
    "PYXLE_FORWARDED_ALLOW_IPS": ("forwarded_allow_ips", split_peers, r.FORWARDED_PEERS),
}
SECRET_KEY_VAR = "PYXLE_SECRET_KEY"
# Secrets of nested blocks, kept out of the committed config file: variable -> (block, field).
ENV_SECRETS = {"PYXLE_METRICS_TOKEN": ("observability", "metrics_endpoint_token")}
# variable -> (RealtimeConfig field, parse, rule): the names pyxle-framework 0.9 apps already set
REALTIME_ENV: dict[str, tuple[str, Callable[[str], Any], Rule]] = {
    "PYXLE_REALTIME_BROKER": ("broker", lambda t: t.strip().lower(), r.BROKER),
    "PYXLE_REALTIME_REDIS_URL": ("redis_url", _as_str, r.REDIS_URL),
    "PYXLE_REALTIME_CHANNEL_PREFIX": ("channel_prefix", _as_str, r.NON_EMPTY_STR),
    "PYXLE_REALTIME_MAX_MESSAGE_SIZE": ("max_message_size", _as_int, r.POSITIVE_INT),
}

# variable -> (CacheConfig field, parse, rule): the names pyxle-framework 0.9 apps already set
CACHE_ENV: dict[str, tuple[str, Callable[[str], Any], Rule]] = {
    "PYXLE_PAGE_CACHE_BACKEND": ("backend", lambda t: t.strip().lower(), r.CACHE_BACKEND),
    "PYXLE_PAGE_CACHE_REDIS_URL": ("redis_url", _as_str, r.REDIS_URL),
    "PYXLE_PAGE_CACHE_MAX_ENTRIES": ("max_entries", _as_int, r.POSITIVE_INT),
    "PYXLE_PAGE_CACHE_MAX_BYTES": ("max_bytes", _as_int, r.POSITIVE_INT),
}
# PYXLE_KEEP_ALIVE_TIMEOUT, ..., PYXLE_SSR_QUEUE: the server's limits (pyxle.app.Limits)
LIMIT_ENV: dict[str, tuple[str, Callable[[str], Any], Rule]] = {
    f"PYXLE_{name.upper()}": (name, parse, rule) for name, (parse, rule) in r.LIMITS.items()
}
_FILE_BACKEND = ("PYXLE_PAGE_CACHE_BACKEND=file is not supported: use memory (one process) or redis "
                 "(shared by every worker and machine)")


def env_overrides(
    environ: Mapping[str, str], origins: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Field values from ``PYXLE_*`` variables: (values, problems naming the variable).

    A problem with a variable that ``origins`` places in a ``.env`` file starts with that
    ``file:line``. An empty variable counts as unset (``PYXLE_PORT=`` from an unset shell substitution).
    ``PYXLE_REALTIME_*`` values come as one dict under ``"realtime"``: fields of ``RealtimeConfig``;
    ``PYXLE_PAGE_CACHE_*`` ones under ``"cache"``. The limits (``PYXLE_*_TIMEOUT``, ``PYXLE_SSR_QUEUE``)
    and the secret key's length are checked here too, so every bad variable is listed at once.
    """
    values: dict[str, Any] = {}
    realtime: dict[str, Any] = {}
    cache: dict[str, Any] = {}
    problems: list[str] = []
    checked: dict[str, Any] = {}  # the limits: pyxle.app.Limits reads them; checked here to name their .env line
    for table, into in ((ENV_OVERRIDES, values), (REALTIME_ENV, realtime), (CACHE_ENV, cache), (LIMIT_ENV, checked)):
        for variable, (name, parse, rule) in table.items():
            text = environ.get(variable)
            if text is None or text.strip() == "" or _overridden(table, variable, environ):
                continue
            value = parse(text)
            if rule.check(value):
                into[name] = value
                continue
            where = (origins or {}).get(variable)
            found = _FILE_BACKEND if variable == "PYXLE_PAGE_CACHE_BACKEND" and value == "file" \
                else problem(variable, rule, text)
            problems.append(f"{where}: {found}" if where else found)
    if realtime:
        values["realtime"] = realtime
    if cache:
        values["cache"] = cache
    secret = environ.get(SECRET_KEY_VAR)
    if secret:  # never echoed: only its size is reported
        values["secret_key"] = secret
        refusal = r.secret_key_problem(secret)
        if refusal is not None:
            where = (origins or {}).get(SECRET_KEY_VAR)
            problems.append(f"{where}: {refusal}" if where else refusal)
    if fallbacks := r.split_fallbacks(environ.get(r.SECRET_KEY_FALLBACKS_VAR)):
        values["secret_key_fallbacks"] = fallbacks
    return values, tuple(problems)


def fallback_warnings(environ: Mapping[str, str], origins: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Start-up's warnings for the short keys of PYXLE_SECRET_KEY_FALLBACKS, with its .env line."""
    where = (origins or {}).get(r.SECRET_KEY_FALLBACKS_VAR)
    found = r.short_fallbacks(r.split_fallbacks(environ.get(r.SECRET_KEY_FALLBACKS_VAR)))
    return tuple(f"{where}: {warning}" if where else warning for warning in found)


# PYXLE_* variables Pyxle sets for its own processes, and those pyxle-framework 0.9 read that are
# not read here (docs/migrating.md): never taken for a misspelt one.
INTERNAL_VARIABLES = frozenset({
    "PYXLE_DOTENV_KEYS", "PYXLE_PROJECT_ROOT", "PYXLE_MODE", "PYXLE_STARTUP_NOTED", "PYXLE_STARTED_FILE",
    "PYXLE_SERVER_WORKERS", "PYXLE_REDIS_CHECKED", "PYXLE_LISTENER", "PYXLE_LISTENER_SLOT", "PYXLE_HEARTBEAT_DIR",
    "PYXLE_GENERATED_SECRET_KEY", "PYXLE_DEV_SAID", "PYXLE_DEV_REPORT", "PYXLE_DEV_RELOAD_PID",
    "PYXLE_BUILT_BY_SERVER", "PYXLE_SKIP_BUILD", "PYXLE_SSR_WORKERS",
    "PYXLE_VITE_HOST", "PYXLE_VITE_PORT", "PYXLE_SSR_WORKER_CONCURRENCY", "PYXLE_PAGE_CACHE_DIR",
    "PYXLE_ENV_WARNED",
})
_PREFIX = "PYXLE_"


def variables_read() -> tuple[str, ...]:
    """The ``PYXLE_*`` variables a user sets for Pyxle to read (not ``PYXLE_PUBLIC_*``)."""
    names = (*ENV_OVERRIDES, SECRET_KEY_VAR, r.SECRET_KEY_FALLBACKS_VAR, *ENV_SECRETS, *REALTIME_ENV, *CACHE_ENV, *LIMIT_ENV)
    return tuple(name for name in names if name.startswith(_PREFIX))


def unknown_variables(environ: Mapping[str, str], origins: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Warnings for ``PYXLE_*`` variables Pyxle does not read that look like one it does
    (``PYXLE_SECRETKEY``): set, they are ignored, and the setting meant keeps its default. Only the
    part after ``PYXLE_`` is compared, so that the prefix alone makes no name look like another."""
    known = variables_read()
    by_rest = {name[len(_PREFIX):]: name for name in known}
    warnings = []
    for name in sorted(environ):
        if not name.startswith(_PREFIX) or name.startswith(PUBLIC_ENV_PREFIX) or name in known \
                or name in INTERNAL_VARIABLES:
            continue
        meant = _meant(name[len(_PREFIX):], by_rest)
        if meant is not None:
            where = (origins or {}).get(name)
            found = f'unknown variable "{name}" is ignored (did you mean "{meant}"?)'
            warnings.append(f"{where}: {found}" if where else found)
    return tuple(warnings)


def _meant(rest: str, by_rest: Mapping[str, str]) -> str | None:
    """The variable ``PYXLE_<rest>`` looks like: one Pyxle reads, or a public one misspelt
    (``PYXLE_PUBLC_API_URL`` is ``PYXLE_PUBLIC_API_URL``, which the browser gets)."""
    first, _, after = rest.partition("_")
    if after and suggest(first, ("PUBLIC",)):
        return f"{PUBLIC_ENV_PREFIX}{after}"
    close = suggest(rest, by_rest)
    return by_rest[close] if close is not None else None


def _overridden(table: Mapping[str, tuple[str, Any, Rule]], variable: str, environ: Mapping[str, str]) -> bool:
    """Whether a later variable of ``table`` sets the same field (PYXLE_FORWARDED_ALLOW_IPS over
    uvicorn's FORWARDED_ALLOW_IPS): this one is then not read, so not checked either."""
    names = list(table)
    field = table[variable][0]
    return any(table[later][0] == field and environ.get(later, "").strip() for later in names[names.index(variable) + 1:])


def with_env_secrets(config: PyxleConfig, environ: Mapping[str, str]) -> PyxleConfig:
    """``config`` with the nested secrets that ``ENV_SECRETS`` variables set (never echoed)."""
    for variable, (block, name) in ENV_SECRETS.items():
        secret = environ.get(variable, "").strip()
        if secret:
            config = replace(config, **{block: replace(getattr(config, block), **{name: secret})})
    return config


_OVERRIDE_RULES: dict[str, Rule] = {
    "name": r.STR,
    "pages_dir": r.NON_EMPTY_STR,
    "public_dir": r.NON_EMPTY_STR,
    "build_dir": r.NON_EMPTY_STR,
    "dist_dir": r.NON_EMPTY_STR,
    "debug": r.BOOL,
    "host": r.HOST,
    "port": r.ANY_PORT,
    "max_body_size": r.POSITIVE_INT,
    "access_log": r.BOOL,
    "log_format": r.LOG_FORMAT,
    "secret_key": r.NON_EMPTY_STR,
}
_OVERRIDE_LISTS: dict[str, Rule] = {
    "forwarded_allow_ips": r.FORWARDED_PEER,
    "middleware": r.MIDDLEWARE,
    "page_hooks": r.HOOK,
    "api_hooks": r.HOOK,
    "action_hooks": r.HOOK,
    "secret_key_fallbacks": r.NON_EMPTY_STR,
}
_OVERRIDE_TYPES: dict[str, tuple[type, str]] = {
    "cors": (CorsConfig, "a CorsConfig"),
    "csrf": (CsrfConfig, "a CsrfConfig"),
    "observability": (ObservabilityConfig, "an ObservabilityConfig"),
    "rate_limit": (RateLimitConfig, "a RateLimitConfig"),
    "realtime": (RealtimeConfig, "a RealtimeConfig"),
    "cache": (CacheConfig, "a CacheConfig"),
    "compression": (CompressionConfig, "a CompressionConfig"),
    "security_headers": (Mapping, "a mapping of header names to values"),
    "styling": (StylingConfig, "a StylingConfig"),
    "plugins": ((list, tuple), "a list"),  # type: ignore[dict-item]
}
OVERRIDABLE = tuple(f.name for f in fields(PyxleConfig) if f.name not in ("root", "warnings", "sources"))


def flag_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Check the already-parsed CLI values (keyed by field name; None means "not given")."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in overrides.items():
        if value is None:
            continue
        where = f'override "{name}"'
        if name not in OVERRIDABLE:
            close = suggest(name, OVERRIDABLE)
            hint = f' (did you mean "{close}"?)' if close else ""
            problems.append(f'unknown override "{name}"{hint}')
        elif name in _OVERRIDE_RULES:
            rule = _OVERRIDE_RULES[name]
            if rule.check(value):
                values[name] = value
            else:
                problems.append(problem(where, rule, "********" if name == "secret_key" else value))
        elif name in _OVERRIDE_LISTS:
            rule = _OVERRIDE_LISTS[name]
            if isinstance(value, (list, tuple)) and all(rule.check(item) for item in value):
                values[name] = tuple(value)
            else:
                shown = "********" if name == "secret_key_fallbacks" else value
                problems.append(problem(where, f"a list of {rule.plural}", shown))
        else:
            kind, expected = _OVERRIDE_TYPES[name]
            if isinstance(value, kind):
                values[name] = tuple(value) if name == "plugins" else value
            else:
                problems.append(problem(where, expected, value))
    return values, tuple(problems)
