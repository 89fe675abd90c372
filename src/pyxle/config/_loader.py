"""``load_config``: env files, then the JSON file, then ``PYXLE_*`` variables, then flags."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import os
from collections.abc import Mapping, MutableMapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import _rules as r
from ._dirs import KEYS as DIR_KEYS
from ._dirs import check_dirs
from ._env import env_file_names, load_env_files
from ._errors import ConfigError, read_text
from ._model import PyxleConfig
from ._overrides import (
    ENV_OVERRIDES,
    env_overrides,
    fallback_warnings,
    flag_overrides,
    unknown_variables,
    with_env_secrets,
)
from ._rules import problem
from ._validate import validate_config

CONFIG_FILENAME = "pyxle.config.json"
# Overrides the CLI passes from a flag, named as the user typed them in errors.
FLAG_NAMES = {"dist_dir": "--out-dir", "host": "--host"}


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers keys it saw twice (json keeps only the last silently), and the
    line of each key, so an unknown one that stops start-up is named where it is written."""

    duplicate_keys: tuple[str, ...] = ()
    key_lines: Mapping[str, int] = {}


def _object_pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicates = []
        for key, _ in pairs:
            if key in seen and key not in duplicates:
                duplicates.append(key)
            seen.add(key)
        obj.duplicate_keys = tuple(duplicates)
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _with_key_lines(s_and_end: tuple[str, int], strict: bool, scan_once: Any, object_hook: Any,
                    object_pairs_hook: Any, memo: Any = None) -> tuple[Any, int]:
    """json's own object parser, noting on the ``_Object`` it makes the line of each key (of the
    ``:`` before its value); the pure-Python scanner calls this for every object of the file."""
    text = s_and_end[0]
    starts: list[int] = []

    def scan_value(string: str, index: int) -> Any:
        starts.append(index)
        return scan_once(string, index)

    def with_lines(pairs: list[tuple[str, Any]]) -> Any:
        obj = object_pairs_hook(pairs)
        obj.key_lines = {key: text.count("\n", 0, text.rfind(":", 0, start)) + 1
                         for (key, _), start in zip(pairs, starts, strict=True)}
        return obj

    return json.decoder.JSONObject(s_and_end, strict, scan_value, object_hook, with_lines, memo)  # type: ignore[no-any-return]


def _decoder() -> json.JSONDecoder:
    """A decoder whose objects are ``_Object``s knowing their duplicate keys and their keys' lines."""
    decoder = json.JSONDecoder(object_pairs_hook=_object_pairs, parse_constant=_reject_constant)
    decoder.parse_object = _with_key_lines  # type: ignore[assignment]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]  # the one that calls it
    return decoder


MISSING: Any = object()


def read_config_file(path: Path) -> Any:
    """The parsed JSON of the config file, or MISSING when there is no file."""
    if not path.exists():
        return MISSING
    text = read_text(path, "utf-8-sig")
    try:
        return _decoder().decode(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{_json_hint(text, exc)}", path
        ) from None
    except ValueError as exc:  # NaN / Infinity
        raise ConfigError(f"invalid JSON: {exc}", path) from None
    except RecursionError:  # the parser recurses per level, as for a request body (api/_request.py)
        raise ConfigError("invalid JSON: nested too deeply for the parser; hint: settings go a few levels "
                          "deep at most: look for a long run of [ or {", path) from None


def _json_hint(text: str, exc: json.JSONDecodeError) -> str:
    """What Python's message means in the mistakes it words least plainly: an empty file, a
    trailing comma, a comment (editors' JSONC allows them, JSON does not)."""
    if not text.strip():
        return "; hint: the file is empty: write {} for no settings"
    comment = text[exc.pos:exc.pos + 2]
    if comment in ("//", "/*"):
        return f"; hint: JSON has no comments: remove the {'//' if comment == '//' else '/* */'} comment"
    before = text[: exc.pos].rstrip()
    if exc.msg.startswith(("Expecting property name", "Expecting value")) and before.endswith(","):
        return "; hint: JSON allows no trailing comma: remove the , before it"
    return ""


def load_config(
    root: Path | str,
    *,
    mode: str = "production",
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    load_env: bool = True,
    config_path: Path | str | None = None,
) -> PyxleConfig:
    """The project's configuration: defaults < pyxle.config.json < PYXLE_* < ``overrides``.

    ``config_path`` reads another file in place of ``<root>/pyxle.config.json`` (relative paths
    are under ``root``).
    ``mode`` ("development" for ``pyxle dev``, "production" for ``pyxle serve``) picks
    the ``.env.<mode>`` files, which are loaded into ``environ`` (default ``os.environ``)
    first when ``load_env`` is true. Raises ConfigError listing every problem found.
    """
    root = Path(root).absolute()
    env_file_names(mode)  # rejects a mode that is not a plain name, even with load_env off
    if environ is None:
        environ = os.environ
    origins: dict[str, str] = {}  # variable -> the .env file:line it came from
    if load_env:
        if not isinstance(environ, MutableMapping):
            environ = dict(environ)
        load_env_files(root, mode, environ, origins)

    path = root / (config_path or CONFIG_FILENAME)
    if config_path is not None and not path.is_file():
        raise ConfigError("does not exist (it was named as the configuration file)", path)
    data = read_config_file(path)
    fields: dict[str, Any] = {}
    warnings: tuple[str, ...] = ()
    if data is not MISSING:
        fields, problems, file_warnings = validate_config(data)
        warnings = tuple(f"{path}: {warning}" for warning in file_warnings)
        if problems:
            raise ConfigError(problems, path, warnings=warnings)

    warnings += unknown_variables(environ, origins) + fallback_warnings(environ, origins)
    from_env, env_problems = env_overrides(environ, origins)
    from_flags, flag_problems = flag_overrides(overrides or {})
    if env_problems or flag_problems:
        raise ConfigError(env_problems + flag_problems, warnings=warnings)
    dir_sources = _dir_sources(path, fields, from_env, from_flags, origins)

    realtime_env = from_env.pop("realtime", None)
    cache_env = from_env.pop("cache", None)
    config = PyxleConfig(root=root, warnings=warnings, **fields)
    if realtime_env:  # PYXLE_REALTIME_* set single keys of the file's "realtime" object
        config = replace(config, realtime=replace(config.realtime, **realtime_env))
    if cache_env:  # PYXLE_PAGE_CACHE_* likewise for "cache"
        config = replace(config, cache=replace(config.cache, **cache_env))
    sources = _redis_sources(path, data, environ, origins, from_flags)
    sources.update(_host_source(path, fields, from_env, from_flags, origins))
    if (pages := dir_sources.get("pages_dir")) is not None:  # a missing pages folder is traced to it
        sources["pagesDir"] = f"{pages[1]}: {pages[0]}" if pages[1] else pages[0]
    if "plugins" in fields and "plugins" not in from_flags:
        sources["plugins"] = str(path)  # a plugin that fails to start is named with its entry there
    config = _with_redis_url_variable(config, environ, origins, sources, warnings)
    config = with_env_secrets(replace(config, **{**from_env, **from_flags}, sources=sources), environ)
    config = replace(config, warnings=config.warnings + _unused_redis_urls(sources, config))
    dir_problems = check_dirs(config, dir_sources)
    if dir_problems:
        raise ConfigError(dir_problems, warnings=warnings)
    return config


# The settings that name a Redis (in the file) -> the PYXLE_* variable that overrides each
_REDIS_SETTINGS = {
    "rateLimit.redisUrl": None, "realtime.broker": "PYXLE_REALTIME_BROKER",
    "realtime.redisUrl": "PYXLE_REALTIME_REDIS_URL", "cache.backend": "PYXLE_PAGE_CACHE_BACKEND",
    "cache.redisUrl": "PYXLE_PAGE_CACHE_REDIS_URL",
}
_BLOCK_FIELDS = {"rateLimit": "rate_limit", "realtime": "realtime", "cache": "cache"}
# The page cache's Redis when cache.redisUrl names none, as hosting platforms name it
REDIS_URL_VARIABLE = "REDIS_URL"


def _variable(name: str, origins: Mapping[str, str]) -> str:
    """A variable as a start-up error names it: with the .env file:line it came from, if any."""
    return f"{origins[name]}: {name}" if name in origins else name


def _redis_sources(path: Path, data: Any, environ: Mapping[str, str], origins: Mapping[str, str],
                   from_flags: Mapping[str, Any]) -> dict[str, str]:
    """Where each of ``_REDIS_SETTINGS`` was given (``PyxleConfig.sources``); a variable wins
    over the file, as its value does. A block a flag replaced (the Python API) has none."""
    sources = {}
    for key, variable in _REDIS_SETTINGS.items():
        block, name = key.split(".")
        section = data.get(block) if isinstance(data, dict) else None
        if _BLOCK_FIELDS[block] in from_flags:
            continue
        if variable and environ.get(variable, "").strip():
            sources[key] = _variable(variable, origins)
        elif isinstance(section, dict) and section.get(name) is not None:
            sources[key] = f"{path}: {key}"
    return sources


def _with_redis_url_variable(config: PyxleConfig, environ: Mapping[str, str], origins: Mapping[str, str],
                             sources: dict[str, str], warnings: tuple[str, ...]) -> PyxleConfig:
    """``config`` with REDIS_URL as the page cache's Redis when it uses one and names none.

    Checked as cache.redisUrl is: a URL redis-py would refuse stops start-up here, naming the
    variable, rather than as a traceback from inside redis-py.
    """
    url = environ.get(REDIS_URL_VARIABLE, "").strip()
    if config.cache.backend != "redis" or config.cache.redis_url or not url:
        return config
    if not r.REDIS_URL.check(url):
        found = (f"{problem(REDIS_URL_VARIABLE, r.REDIS_URL, url)}; it is the page cache's Redis, "
                 "as cache.redisUrl is not set")
        where = origins.get(REDIS_URL_VARIABLE)
        raise ConfigError(f"{where}: {found}" if where else found, warnings=warnings)
    sources["cache.redisUrl"] = _variable(REDIS_URL_VARIABLE, origins)
    return replace(config, cache=replace(config.cache, redis_url=url))


# A Redis URL given alone -> the setting that would use it, what is shared without it, and the fix
_UNUSED_URLS = {
    "cache.redisUrl": (
        "cache.backend", "each process stores its own pages, and an invalidation reaches one process only",
        '"backend": "redis" to "cache" (or PYXLE_PAGE_CACHE_BACKEND=redis)'),
    "realtime.redisUrl": (
        "realtime.broker",
        "each process has a broker of its own, and a message reaches the sockets of one process only",
        '"broker": "redis" to "realtime" (or PYXLE_REALTIME_BROKER=redis)'),
}


def _unused_redis_urls(sources: Mapping[str, str], config: PyxleConfig) -> tuple[str, ...]:
    """Warnings for a Redis URL given without the setting that would use it: as in
    pyxle-framework 0.9, a URL alone does not choose Redis, and every worker would go its own way.
    The rate limit's is used once the limit is on (``requests`` above 0)."""
    warnings = []
    for url_key, (switch, meanwhile, fix) in _UNUSED_URLS.items():
        if url_key in sources and switch not in sources:
            warnings.append(f'{sources[url_key]} is set, but {switch} is not "redis", so the URL is not used: '
                            f"{meanwhile}; hint: add {fix}")
    if "rateLimit.redisUrl" in sources and not config.rate_limit.requests:
        warnings.append(f'{sources["rateLimit.redisUrl"]} is set, but rateLimit.requests is 0 (the limit is off), so '
                        'the URL is not used: no request is counted; hint: set "requests" in "rateLimit" to turn the '
                        "limit on, or remove the URL")
    return tuple(warnings)


def _host_source(path: Path, from_file: Mapping[str, Any], from_env: Mapping[str, Any], from_flags: Mapping[str, Any],
                 origins: Mapping[str, str]) -> dict[str, str]:
    """Where the host to listen on was given (``PyxleConfig.sources["starlette.host"]``), the last
    source winning, so a host the server cannot use is traced to its setting; none for the default."""
    if "host" in from_flags:
        return {"starlette.host": FLAG_NAMES["host"]}
    if "host" in from_env:
        return {"starlette.host": _variable("PYXLE_HOST", origins)}
    if "host" in from_file:
        return {"starlette.host": f"{path}: starlette.host"}
    return {}


def _dir_sources(path: Path, from_file: Mapping[str, Any], from_env: Mapping[str, Any],
                 from_flags: Mapping[str, Any], origins: Mapping[str, str]) -> dict[str, tuple[str, str | None]]:
    """How each folder setting was given, the last source winning: (its name, file[:line] or None)."""
    sources: dict[str, tuple[str, str | None]] = {}
    variables = {field: variable for variable, (field, _, _) in ENV_OVERRIDES.items()}
    for field, key in DIR_KEYS.items():
        if field in from_flags:
            sources[field] = (FLAG_NAMES.get(field, f'override "{field}"'), None)
        elif field in from_env:
            sources[field] = (variables[field], origins.get(variables[field]))
        elif field in from_file:
            sources[field] = (key, str(path))
    return sources
