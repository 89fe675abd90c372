"""Validating the parsed ``pyxle.config.json`` object into ``PyxleConfig`` field values.

Hand-written rather than schema-library driven so each message names the exact key
path and what was expected. Every problem is collected (not just the first), and
unknown keys become warnings with a "did you mean" hint, since typos are the usual cause; errors
when that hint is a setting that guards the app (``SECURITY_KEYS``).
"""

from __future__ import annotations

import copy
import difflib
import types
from collections.abc import Iterable, Mapping
from typing import Any

from pyxle.routing import canonical

from . import _rules as r
from ._model import (
    DEFAULT_SECURITY_HEADERS,
    CacheConfig,
    CacheRoute,
    CompressionConfig,
    CorsConfig,
    CsrfConfig,
    ObservabilityConfig,
    OpenApiConfig,
    RateLimitConfig,
    RealtimeConfig,
    StylingConfig,
)
from ._rules import Rule, describe, problem
from ._unsupported import TOP_LEVEL, unsupported

# Keys allowed in the file, per object; the values say nothing, the handlers below do.
TOP_LEVEL_KEYS = tuple(dict.fromkeys((
    "name", "lang", "pagesDir", "publicDir", "buildDir", "distDir", "debug", "starlette", "middleware",
    "routeMiddleware", "cors", "csrf", "plugins", "securityHeaders", "maxBodySize", "accessLog", "logFormat",
    "styling", "openapi", "observability", "rateLimit", "realtime", "navigation", "cache", "compression",
    "forwardedAllowIps", *TOP_LEVEL,
)))
OPENAPI_KEYS = ("enabled", "path", "production")
STARLETTE_KEYS = ("host", "port")
ROUTE_MIDDLEWARE_KEYS = ("pages", "apis", "actions")
PLUGIN_KEYS = ("name", "settings", "module", "attribute")
CORS_KEYS = ("origins", "methods", "headers", "credentials", "maxAge")
NAVIGATION_KEYS = ("defaultPrefetchTtl",)
STYLING_KEYS = ("globalStyles", "globalScripts")
CSRF_KEYS = (
    "enabled", "cookieName", "headerName", "cookieSecure", "cookieSameSite",
    "exemptPaths", "apiRoutes",
)

OBSERVABILITY_KEYS = (
    "requestId", "requestIdHeader", "trustIncomingRequestId", "timing", "serverTiming", "metricsEndpoint",
    "metricsEndpointPath", "metricsEndpointToken", "accessLog", "logFormat", "logLevel", "otel",
    "otelServiceName", "otelSampleRatio",
)
RATE_LIMIT_KEYS = ("requests", "window", "exemptPaths", "trustForwardedFor", "redisUrl")
# "cache": keys starting with "/" are route patterns; these are its settings.
CACHE_SETTINGS = ("backend", "redisUrl", "maxEntries", "maxBytes", "sessionCookies", "sessionHeaders")
CACHE_ROUTE_KEYS = ("sMaxage", "maxAge", "staleWhileRevalidate", "shared")
COMPRESSION_KEYS = ("enabled", "minimumSize", "gzipLevel", "brotliQuality", "zstdLevel")
REALTIME_KEYS = (
    "broker", "redisUrl", "channelPrefix", "maxMessageSize", "maxPublishSize", "sendQueue", "pingInterval",
    "apiRoutes",
)

# The settings that guard the app: an unknown key taken for one of them (its "did you mean") stops
# start-up rather than be ignored, since the app would then run unguarded ("ratelimit" limits nothing).
SECURITY_KEYS = frozenset((
    "middleware", "routeMiddleware", "plugins", "cors", "csrf", "securityHeaders", "forwardedAllowIps", "rateLimit",
    "maxBodySize", "cors.origins", "cors.credentials", "cors.methods", "cors.headers",
    "observability.metricsEndpointToken", "observability.trustIncomingRequestId", "realtime.apiRoutes",
))

# Ignored silently: editors use "$schema" to offer completion for JSON files.
_SILENT_KEYS = frozenset({"$schema"})

# Top-level keys people write for a nested one.
_TOP_LEVEL_HINTS = {"host": "starlette.host", "port": "starlette.port", "origins": "cors.origins",
                     "metricsendpointtoken": "observability.metricsEndpointToken",
                     "trustincomingrequestid": "observability.trustIncomingRequestId"}
_SECRET_HINT = (
    'key "{key}" is ignored: the secret key is read only from the {variable} '
    "environment variable (e.g. in .env.local), so it is never committed with the config"
)

_INVALID = object()  # a value that failed validation; its field keeps the default


def _normalise(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a mistyped name, ignoring case, "_" and "-"."""
    by_norm = {_normalise(c): c for c in candidates}
    match = difflib.get_close_matches(_normalise(name), list(by_norm), n=1, cutoff=0.6)
    return by_norm[match[0]] if match else None


class Validator:
    """Walks the config object once, collecting problems and warnings as it goes."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.warnings: list[str] = []

    # -- building blocks -------------------------------------------------------------

    def value(self, where: str, value: Any, rule: Rule) -> Any:
        if rule.check(value):
            return value
        self.problems.append(problem(where, rule, value))
        return _INVALID

    def object(
        self, where: str, value: Any, known: tuple[str, ...] | None, *, guards: bool = False
    ) -> Mapping[str, Any] | None:
        """The value if it is an object; ``known=None`` means any key is allowed. In a block that
        ``guards`` something (hooks, CSRF) an unknown key is an error: a misspelt one would leave
        something unguarded."""
        if not isinstance(value, dict):
            self.problems.append(problem(where, "an object", value))
            return None
        self.duplicates(where, value)
        if known is not None:
            self.unknown_keys(where, value, known, guards=guards)
        return value

    def unknown_keys(self, where: str, obj: Mapping[str, Any], known: tuple[str, ...], *, guards: bool = False) -> None:
        prefix = f"{where}." if where else ""
        for key in obj:
            if key in known or (not where and key in _SILENT_KEYS):
                continue
            if not where and _normalise(key) in ("secretkey", "secret", "secretkeyfallbacks"):
                variable = "PYXLE_SECRET_KEY_FALLBACKS" if _normalise(key) == "secretkeyfallbacks" else "PYXLE_SECRET_KEY"
                self.warnings.append(_SECRET_HINT.format(key=key, variable=variable))
                continue
            hint = _TOP_LEVEL_HINTS.get(_normalise(key)) if not where else None
            if hint is None:
                close = suggest(key, known)
                hint = f"{prefix}{close}" if close else None
            line = getattr(obj, "key_lines", {}).get(key)
            at = f"line {line}: " if line else ""
            if guards:
                message = f'{at}unknown key "{prefix}{key}" (known: {", ".join(known)})'
                self.problems.append(f'{message}; did you mean "{hint}"?' if hint else message)
                continue
            if hint in SECURITY_KEYS:
                self.problems.append(f'{at}unknown key "{prefix}{key}"; did you mean "{hint}"? (a setting that '
                                     "guards the app is never ignored: correct the key, or remove it)")
                continue
            message = f'unknown key "{prefix}{key}" is ignored'
            self.warnings.append(f'{message} (did you mean "{hint}"?)' if hint else message)

    def duplicates(self, where: str, obj: Mapping[str, Any]) -> None:
        prefix = f"{where}." if where else ""
        for key in getattr(obj, "duplicate_keys", ()):
            self.warnings.append(f'key "{prefix}{key}" appears more than once; the last value is used')

    def list_of(self, where: str, value: Any, rule: Rule) -> tuple[Any, ...] | Any:
        if not isinstance(value, list):
            self.problems.append(problem(where, f"a list of {rule.plural or 'values'}", value))
            return _INVALID
        before = len(self.problems)
        items = tuple(self.value(f"{where}[{i}]", item, rule) for i, item in enumerate(value))
        return _INVALID if len(self.problems) > before else items

    def forwarded_allow_ips(self, value: Any) -> tuple[str, ...] | Any:
        """A list, or one string of them separated by commas as the flag takes it; ``[]``: no peer
        is trusted, so forwarded headers are never read."""
        where = "forwardedAllowIps"
        if isinstance(value, str):
            items = tuple(item.strip() for item in value.split(","))
            bad = [item for item in items if not r.FORWARDED_PEER.check(item)]
            if bad:
                self.problems.append(problem(where, r.FORWARDED_PEERS, value))
                return _INVALID
            return items
        items = self.list_of(where, value, r.FORWARDED_PEER)
        return items if items is _INVALID else tuple(item.strip() for item in items)

    def exempt_paths(self, where: str, value: Any, off: str) -> tuple[str, ...] | Any:
        """Path prefixes in their canonical form ("/api//hooks/." is "/api/hooks"), as requests are
        matched against them. One that is the root is dropped with a warning: it would exempt every
        path, which is turning the protection off (pyxle-framework 0.9 ignored it too). One without
        its leading "/" ("api/webhooks/") is that path, as 0.9 read it."""
        if isinstance(value, list):
            value = ["/" + item if isinstance(item, str) and item and not item.startswith("/") else item
                     for item in value]
        items = self.list_of(where, value, r.PATH_PREFIX)
        if items is _INVALID:
            return items
        kept = []
        for i, item in enumerate(items):
            path = canonical(item)
            if path == "/":
                self.warnings.append(f'{where}[{i}] "{item}" is ignored: it would exempt every path; list the '
                                     f'prefixes to exempt (such as "/api/webhooks"), {off}')
            else:
                kept.append(path)
        return tuple(kept)

    # -- the file ----------------------------------------------------------------------

    def fields(self, block: str, obj: Mapping[str, Any], rules: Mapping[str, tuple[str, Rule]]) -> dict[str, Any]:
        """The keys of ``obj`` that ``rules`` names (key -> (field, rule)), checked: ``{field: value}``,
        a value being ``_INVALID`` where its problem was recorded."""
        return {name: self.value(f"{block}.{key}", obj[key], rule) for key, (name, rule) in rules.items() if key in obj}

    def config(self, data: Any) -> dict[str, Any]:
        """Field values for ``PyxleConfig`` (only the keys the file set, and set validly)."""
        fields: dict[str, Any] = {}
        if not isinstance(data, dict):
            self.problems.append(
                f"the configuration must be a JSON object {{...}} (got {describe(data)})"
            )
            return fields
        unset = [key for key, value in data.items() if value is None and key in NULL_IS_UNSET]
        if unset:
            data = copy.copy(data)  # the loader's object, which knows its duplicate keys
            for key in unset:
                del data[key]
        self.object("", data, TOP_LEVEL_KEYS)
        refused, notes = unsupported(data)
        self.problems += refused
        self.warnings += notes

        simple = {
            "name": ("name", r.STR),
            "lang": ("lang", r.LANG),
            "pagesDir": ("pages_dir", r.NON_EMPTY_STR),
            "publicDir": ("public_dir", r.NON_EMPTY_STR),
            "buildDir": ("build_dir", r.NON_EMPTY_STR),
            "distDir": ("dist_dir", r.NON_EMPTY_STR),
            "debug": ("debug", r.BOOL),
            "maxBodySize": ("max_body_size", r.POSITIVE_INT),
            "accessLog": ("access_log", r.BOOL),
            "logFormat": ("log_format", r.LOG_FORMAT),
        }
        for key, (name, rule) in simple.items():
            if key in data:
                fields[name] = self.value(key, data[key], rule)

        if "starlette" in data:
            starlette = self.object("starlette", data["starlette"], STARLETTE_KEYS)
            if starlette is not None:
                if "host" in starlette:
                    fields["host"] = self.value("starlette.host", starlette["host"], r.HOST)
                if "port" in starlette:
                    fields["port"] = self.value("starlette.port", starlette["port"], r.PORT)

        if "forwardedAllowIps" in data:
            fields["forwarded_allow_ips"] = self.forwarded_allow_ips(data["forwardedAllowIps"])

        if "middleware" in data:
            fields["middleware"] = self.list_of("middleware", data["middleware"], r.MIDDLEWARE)

        if "routeMiddleware" in data:
            hooks = self.object("routeMiddleware", data["routeMiddleware"], ROUTE_MIDDLEWARE_KEYS, guards=True)
            if hooks is not None:
                if "pages" in hooks:
                    fields["page_hooks"] = self.list_of("routeMiddleware.pages", hooks["pages"], r.HOOK)
                if "apis" in hooks:
                    fields["api_hooks"] = self.list_of("routeMiddleware.apis", hooks["apis"], r.HOOK)
                if "actions" in hooks:
                    fields["action_hooks"] = self.list_of("routeMiddleware.actions", hooks["actions"], r.HOOK)

        if "navigation" in data:
            navigation = self.object("navigation", data["navigation"], NAVIGATION_KEYS)
            if navigation is not None and navigation.get("defaultPrefetchTtl") is not None:
                fields["prefetch_ttl"] = self.value("navigation.defaultPrefetchTtl",
                                                    navigation["defaultPrefetchTtl"], r.SECONDS)

        if "cors" in data:
            fields["cors"] = self.cors(data["cors"])
        if "csrf" in data:
            fields["csrf"] = self.csrf(data["csrf"])
        if "openapi" in data:
            fields["openapi"] = self.openapi(data["openapi"])
        if "realtime" in data:
            fields["realtime"] = self.realtime(data["realtime"])
        if "securityHeaders" in data:
            fields["security_headers"] = self.security_headers(data["securityHeaders"])
        if "observability" in data:
            fields["observability"] = self.observability(data["observability"], data, fields)
        if "rateLimit" in data:
            fields["rate_limit"] = self.rate_limit(data["rateLimit"])
        if "cache" in data:
            fields["cache"] = self.cache(data["cache"])
        if data.get("compression") is not None:
            fields["compression"] = self.compression(data["compression"])

        if "styling" in data:
            fields["styling"] = self.styling(data["styling"])
        if "plugins" in data:
            fields["plugins"] = self.plugins(data["plugins"])

        return {name: value for name, value in fields.items() if value is not _INVALID}

    def cors(self, value: Any) -> CorsConfig | Any:
        obj = self.object("cors", value, CORS_KEYS)
        if obj is None:
            return _INVALID
        kwargs: dict[str, Any] = {}
        if obj.get("origins") is not None:  # null: the default (none), as 0.9 read it; so for the lists below
            kwargs["origins"] = self.origins(obj["origins"])
        if obj.get("methods") is not None:
            methods = self.list_of("cors.methods", obj["methods"], r.METHOD)
            kwargs["methods"] = methods if methods is _INVALID else tuple(m.upper() for m in methods)
        if obj.get("headers") is not None:
            kwargs["headers"] = self.list_of("cors.headers", obj["headers"], r.HEADER_NAME)
        if "credentials" in obj:
            kwargs["credentials"] = self.value("cors.credentials", obj["credentials"], r.BOOL)
        if "maxAge" in obj:
            kwargs["max_age"] = self.value("cors.maxAge", obj["maxAge"], r.NON_NEGATIVE_INT)
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        config = CorsConfig(**kwargs)
        if config.credentials and "*" in config.origins:
            self.warnings.append(
                'cors.credentials is true with "*" in cors.origins: any site can then make '
                "credentialed requests; list the allowed origins explicitly"
            )
        if "*" in config.origins:
            self.warnings.append(
                '"*" in cors.origins lets any site read your answers, not open WebSockets: a browser sends '
                "an upgrade with your visitors' cookies, so other sites' upgrades are still refused (1008); "
                "list the sites that may open them in cors.origins"
            )
        return config

    def origins(self, value: Any) -> tuple[str, ...] | Any:
        """``cors.origins``: each an exact origin, "*" alone, or one for the subdomains of a host
        ("https://*.example.com"), in the form browsers send (``origin_as_sent``). A "*" anywhere else ("https://ex*.com") is refused with a hint:
        origins are compared whole, so it would match nothing."""
        wild = [(i, origin) for i, origin in enumerate(value if isinstance(value, list) else ())
                if isinstance(origin, str) and origin != "*" and "*" in origin and not r.subdomain_origin(origin)]
        for i, origin in wild:
            self.problems.append(
                f'cors.origins[{i}] "{origin}" has a "*" that is not a subdomain wildcard; '
                'hint: "*." may only begin the host, before at least two labels ("https://*.example.com" allows '
                'the subdomains of example.com), or use "*" alone for any site'
            )
        if not wild:
            origins = self.list_of("cors.origins", value, r.ORIGIN)
            return origins if origins is _INVALID else tuple(dict.fromkeys(map(r.origin_as_sent, origins)))
        refused = dict(wild)
        for i, origin in enumerate(value):  # the others still checked, each named once
            if i not in refused:
                self.value(f"cors.origins[{i}]", origin, r.ORIGIN)
        return _INVALID

    def styling(self, value: Any) -> StylingConfig | Any:
        obj = self.object("styling", value, STYLING_KEYS)
        if obj is None:
            return _INVALID
        kwargs: dict[str, Any] = {}
        if "globalStyles" in obj:
            kwargs["global_styles"] = self.list_of("styling.globalStyles", obj["globalStyles"], r.PROJECT_FILE)
        if "globalScripts" in obj:
            kwargs["global_scripts"] = self.list_of("styling.globalScripts", obj["globalScripts"], r.PROJECT_FILE)
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        return StylingConfig(**kwargs)

    def csrf(self, value: Any) -> CsrfConfig | Any:
        if isinstance(value, bool):
            return CsrfConfig(enabled=value)
        if not isinstance(value, dict):
            self.problems.append(problem("csrf", "an object, or false to disable CSRF protection", value))
            return _INVALID
        obj = self.object("csrf", value, CSRF_KEYS, guards=True)
        assert obj is not None
        kwargs: dict[str, Any] = {}
        if "enabled" in obj:
            kwargs["enabled"] = self.value("csrf.enabled", obj["enabled"], r.BOOL)
        if obj.get("cookieName") is not None:  # null: the default name, as earlier releases allowed
            kwargs["cookie_name"] = self.value("csrf.cookieName", obj["cookieName"], r.TOKEN_NAME)
        if "headerName" in obj:
            header = self.value("csrf.headerName", obj["headerName"], r.TOKEN_NAME)
            kwargs["header_name"] = header if header is _INVALID else header.lower()
        if "cookieSecure" in obj:
            kwargs["cookie_secure"] = self.value("csrf.cookieSecure", obj["cookieSecure"], r.OPTIONAL_BOOL)
        if "cookieSameSite" in obj:
            same_site = self.value("csrf.cookieSameSite", obj["cookieSameSite"], r.SAME_SITE)
            kwargs["cookie_same_site"] = same_site if same_site is _INVALID else same_site.lower()
        if obj.get("exemptPaths") is not None:  # null: none, as 0.9 read it
            kwargs["exempt_paths"] = self.exempt_paths("csrf.exemptPaths", obj["exemptPaths"],
                                                       'or "csrf": false to turn CSRF checks off')
        if obj.get("apiRoutes") is not None:  # null: unset, as --print-config shows the default
            kwargs["api_routes"] = self.api_routes(obj["apiRoutes"])
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        if kwargs.get("cookie_same_site") == "none" and kwargs.get("cookie_secure") is False:
            self.problems.append(
                'csrf.cookieSecure cannot be false when csrf.cookieSameSite is "none" '
                "(browsers drop SameSite=None cookies that are not Secure)"
            )
            return _INVALID
        name = kwargs.get("cookie_name", "")
        # In any case: browsers match the prefixes so (RFC 6265bis), and drop "__host-x" without Secure too.
        prefix = next((p for p in ("__Host-", "__Secure-") if name.lower().startswith(p.lower())), None)
        if prefix is not None and kwargs.get("cookie_secure") is not True:
            self.problems.append(
                f'csrf.cookieName "{name}" needs "cookieSecure": true (browsers drop a {prefix} cookie '
                "sent without Secure, and every unsafe request would then be refused)"
            )
            return _INVALID
        return CsrfConfig(**kwargs)

    def openapi(self, value: Any) -> OpenApiConfig | Any:
        if value is False:
            return OpenApiConfig(enabled=False)
        obj = self.object("openapi", value, OPENAPI_KEYS)
        if obj is None:
            return _INVALID
        kwargs = self.fields("openapi", obj, {"enabled": ("enabled", r.BOOL), "path": ("path", r.PATH_PREFIX),
                                              "production": ("production", r.BOOL)})
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        if isinstance(kwargs.get("path"), str):
            # Canonical, as metricsEndpointPath: "/api/docs/" was served nowhere (the router sends it to
            # "/api/docs"), and slipped past the start-up check of a route answering the same URLs.
            kwargs["path"] = canonical(kwargs["path"])
        return OpenApiConfig(**kwargs)

    def observability(self, value: Any, data: Mapping[str, Any], fields: dict[str, Any]) -> ObservabilityConfig | Any:
        """The block, as 0.9.4 spelled it; ``true``/``false`` alone turns request ids and timing on/off.

        Its ``accessLog`` and ``logFormat`` ("console" is "text") set the top-level fields, unless
        the top level sets them too (then the top level wins, with a warning).
        """
        if isinstance(value, bool):
            return ObservabilityConfig(request_id=value, timing=value)
        if not isinstance(value, dict):
            self.problems.append(problem("observability", "an object, or true/false", value))
            return _INVALID
        obj = self.object("observability", value, OBSERVABILITY_KEYS)
        assert obj is not None
        rules = {
            "requestId": ("request_id", r.BOOL), "requestIdHeader": ("request_id_header", r.REQUEST_ID_HEADER),
            "trustIncomingRequestId": ("trust_incoming_request_id", r.BOOL), "timing": ("timing", r.BOOL),
            "serverTiming": ("server_timing", r.BOOL), "metricsEndpoint": ("metrics_endpoint", r.BOOL),
            "metricsEndpointPath": ("metrics_endpoint_path", r.ABSOLUTE_PATH),
            "metricsEndpointToken": ("metrics_endpoint_token", r.OPTIONAL_SECRET),
            "logLevel": ("log_level", r.LOG_LEVEL), "otel": ("otel", r.BOOL),
            "otelServiceName": ("otel_service_name", r.NON_EMPTY_STR), "otelSampleRatio": ("otel_sample_ratio", r.RATIO),
        }
        kwargs = self.fields("observability", obj, rules)
        if isinstance(kwargs.get("metrics_endpoint_path"), str):
            # Canonical, as exemptPaths: "/api/free/" was served nowhere (the router sends it to
            # "/api/free"), and slipped past the start-up check of a route answering the same URL.
            kwargs["metrics_endpoint_path"] = canonical(kwargs["metrics_endpoint_path"])
        if isinstance(kwargs.get("log_level"), str):
            kwargs["log_level"] = kwargs["log_level"].upper()
        for key, name, rule in (("accessLog", "access_log", r.BOOL), ("logFormat", "log_format", r.BLOCK_LOG_FORMAT)):
            if key not in obj:
                continue
            checked = self.value(f"observability.{key}", obj[key], rule)
            if checked is _INVALID:
                return _INVALID
            if key in data:
                self.warnings.append(f'"{key}" and "observability.{key}" are both set; the top-level "{key}" is used')
            else:
                fields[name] = "text" if checked == "console" else checked
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        return ObservabilityConfig(**kwargs)

    def rate_limit(self, value: Any) -> RateLimitConfig | Any:
        obj = self.object("rateLimit", value, RATE_LIMIT_KEYS, guards=True)
        if obj is None:
            return _INVALID
        kwargs: dict[str, Any] = {}
        if "requests" in obj:
            kwargs["requests"] = self.value("rateLimit.requests", obj["requests"], r.RATE_REQUESTS)
        if "window" in obj:
            window = self.value("rateLimit.window", obj["window"], r.POSITIVE_NUMBER)
            kwargs["window"] = window if window is _INVALID else float(window)
        if obj.get("exemptPaths") is not None:  # null: none, as 0.9 read it
            kwargs["exempt_paths"] = self.exempt_paths("rateLimit.exemptPaths", obj["exemptPaths"],
                                                       'or remove "rateLimit" to turn limits off')
        if "trustForwardedFor" in obj:
            kwargs["trust_forwarded_for"] = self.value("rateLimit.trustForwardedFor", obj["trustForwardedFor"], r.BOOL)
        if "redisUrl" in obj:
            kwargs["redis_url"] = self.value("rateLimit.redisUrl", obj["redisUrl"], r.OPTIONAL_REDIS_URL)
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        return RateLimitConfig(**kwargs)

    def cache(self, value: Any) -> CacheConfig | Any:
        """``{"/about": 60, "/docs/*": {"sMaxage": 300, "shared": true}, "backend": "redis", ...}``:
        the shape pyxle-framework 0.9 read (pattern -> seconds), plus settings under plain names."""
        if not isinstance(value, dict):
            self.problems.append(problem("cache", "an object mapping route patterns to seconds", value))
            return _INVALID
        self.duplicates("cache", value)
        before = len(self.problems)
        routes = []
        kwargs: dict[str, Any] = {}
        for key, item in value.items():
            where = f"cache.{key}"
            if key.startswith("/"):
                route = self.cache_route(f'cache["{key}"]', key, item)
                if route is not None:
                    routes.append(route)
            elif key == "backend":
                checked = self.value(where, item, r.CACHE_BACKEND)
                kwargs["backend"] = checked.lower() if checked is not _INVALID else checked
            elif key == "redisUrl":
                kwargs["redis_url"] = self.value(where, item, r.OPTIONAL_REDIS_URL)
            elif key == "maxEntries":
                kwargs["max_entries"] = self.value(where, item, r.POSITIVE_INT)
            elif key == "maxBytes":
                kwargs["max_bytes"] = self.value(where, item, r.POSITIVE_INT)
            elif key == "sessionCookies":
                kwargs["session_cookies"] = self.list_of(where, item, r.TOKEN_NAME)
            elif key == "sessionHeaders":
                kwargs["session_headers"] = self.list_of(where, item, r.TOKEN_NAME)
            else:
                close = suggest(key, CACHE_SETTINGS)
                hint = f'; did you mean "cache.{close}"?' if close else ""
                self.problems.append(f'"{where}" is neither a route pattern (starting with "/") nor a setting '
                                     f'({", ".join(CACHE_SETTINGS)}){hint}')
        if len(self.problems) > before:
            return _INVALID
        return CacheConfig(routes=tuple(routes), **kwargs)

    def cache_route(self, where: str, pattern: str, value: Any) -> CacheRoute | None:
        """Seconds, or ``{"sMaxage" (or "maxAge"), "staleWhileRevalidate", "shared"}``; stale defaults to 5x."""
        if " " in pattern or "?" in pattern or "#" in pattern:
            self.problems.append(f'{where}: a route pattern is a path like "/docs/*", without spaces, "?" or "#"')
            return None
        shared = False
        stale = None
        if isinstance(value, dict):
            self.unknown_keys(where, value, CACHE_ROUTE_KEYS)
            seconds = value.get("sMaxage", value.get("maxAge"))
            if seconds is None:
                self.problems.append(f'{where} needs "sMaxage": the seconds a stored page is served as is')
                return None
            if "staleWhileRevalidate" in value:
                stale = self.value(f"{where}.staleWhileRevalidate", value["staleWhileRevalidate"], r.NON_NEGATIVE_INT)
            if "shared" in value:
                shared = self.value(f"{where}.shared", value["shared"], r.BOOL)
            where = f"{where}.sMaxage"
        else:
            seconds = value
        seconds = self.value(where, seconds, r.CACHE_SECONDS)
        if _INVALID in (seconds, stale, shared):
            return None
        return CacheRoute(pattern, seconds, seconds * 5 if stale is None else stale, shared)

    def compression(self, value: Any) -> CompressionConfig | Any:
        """``false`` (off), ``true`` (defaults), or the object of ``COMPRESSION_KEYS``."""
        if isinstance(value, bool):
            return CompressionConfig(enabled=value)
        obj = self.object("compression", value, COMPRESSION_KEYS)
        if obj is None:
            return _INVALID
        rules = {"enabled": ("enabled", r.BOOL), "minimumSize": ("minimum_size", r.NON_NEGATIVE_INT),
                 "gzipLevel": ("gzip_level", r.GZIP_LEVEL), "brotliQuality": ("brotli_quality", r.BROTLI_QUALITY),
                 "zstdLevel": ("zstd_level", r.ZSTD_LEVEL)}
        kwargs = self.fields("compression", obj, rules)
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        return CompressionConfig(**kwargs)

    def realtime(self, value: Any) -> RealtimeConfig | Any:
        obj = self.object("realtime", value, REALTIME_KEYS)
        if obj is None:
            return _INVALID
        rules = {
            "broker": ("broker", r.BROKER), "redisUrl": ("redis_url", r.REDIS_URL),
            "channelPrefix": ("channel_prefix", r.NON_EMPTY_STR), "maxMessageSize": ("max_message_size", r.POSITIVE_INT),
            "maxPublishSize": ("max_publish_size", r.POSITIVE_INT), "sendQueue": ("send_queue", r.POSITIVE_INT),
            "pingInterval": ("ping_interval", r.NON_NEGATIVE_INT),
        }
        kwargs = self.fields("realtime", obj, rules)
        if "broker" in kwargs and kwargs["broker"] is not _INVALID:
            kwargs["broker"] = kwargs["broker"].lower()
        if obj.get("apiRoutes") is not None:  # null: unset, as --print-config shows the default
            kwargs["api_routes"] = self.api_routes(obj["apiRoutes"], "realtime.apiRoutes")
        if any(v is _INVALID for v in kwargs.values()):
            return _INVALID
        return RealtimeConfig(**kwargs)

    def plugins(self, value: Any) -> tuple[Any, ...] | Any:
        """``"package-name"`` or ``{"name": ..., "settings": {...}}`` (``module``/``attribute`` optional)."""
        if not isinstance(value, list):
            self.problems.append(problem("plugins", "a list of plugin names or objects", value))
            return _INVALID
        before = len(self.problems)
        for index, entry in enumerate(value):
            where = f"plugins[{index}]"
            if isinstance(entry, str):
                self.value(where, entry, r.PLUGIN_NAME)
                continue
            if not isinstance(entry, dict):
                self.problems.append(problem(where, "a plugin name or an object", entry))
                continue
            obj = self.object(where, entry, PLUGIN_KEYS, guards=True)  # "setings" would drop the settings
            if obj is None:
                continue
            self.value(f"{where}.name", obj.get("name"), r.PLUGIN_NAME)
            if "settings" in obj and obj["settings"] is not None:
                self.object(f"{where}.settings", obj["settings"], None)
            for key in ("module", "attribute"):
                if key in obj:
                    self.value(f"{where}.{key}", obj[key], r.NON_EMPTY_STR)
        return _INVALID if len(self.problems) > before else tuple(value)

    def api_routes(self, value: Any, where: str = "csrf.apiRoutes") -> bool | tuple[str, ...] | Any:
        if isinstance(value, bool):
            return value
        if not isinstance(value, list):
            self.problems.append(problem(where, "true, false or a list of path prefixes", value))
            return _INVALID
        prefixes = self.list_of(where, value, r.PATH_PREFIX)
        if prefixes is _INVALID:
            return prefixes
        # Canonical ("/api//admin/." is "/api/admin"), as requests are matched against them. An
        # empty list protects nothing: say so with False rather than a falsy tuple.
        return tuple(canonical(prefix) for prefix in prefixes) or False

    def security_headers(self, value: Any) -> Mapping[str, str] | Any:
        obj = self.object("securityHeaders", value, None)
        if obj is None:
            return _INVALID
        merged = dict(DEFAULT_SECURITY_HEADERS)
        before = len(self.problems)
        for name, header_value in obj.items():
            if not r.TOKEN_NAME.check(name):
                self.problems.append(
                    f'securityHeaders key "{name}" must be a header name like "X-Frame-Options"'
                )
                continue
            if self.value(f"securityHeaders.{name}", header_value, r.HEADER_VALUE) is _INVALID:
                continue
            # Header names are case-insensitive: the user's spelling replaces the default's.
            for existing in [k for k in merged if k.lower() == name.lower()]:
                del merged[existing]
            merged[name] = header_value
        if len(self.problems) > before:
            return _INVALID
        return types.MappingProxyType({k: v for k, v in merged.items() if v is not None})


# Keys whose null pyxle-framework 0.9 read as "not set", dropped before anything reads them (its
# other keys refused it, and so do ours): null asks for nothing, the defaults (CSRF on, no limit).
NULL_IS_UNSET = frozenset({"name", "starlette", "middleware", "routeMiddleware", "plugins", "styling", "observability",
                           "navigation", "cors", "csrf", "rateLimit", "cache"})


def validate_config(data: Any) -> tuple[dict[str, Any], tuple[str, ...], tuple[str, ...]]:
    """Validate a parsed config object: (field values, problems, warnings)."""
    validator = Validator()
    fields = validator.config(data)
    return fields, tuple(validator.problems), tuple(validator.warnings)
