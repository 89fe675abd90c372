"""The validated, merged configuration: immutable dataclasses other subsystems read."""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pyxle._forwarded import DEFAULT_ALLOWED

from ._mask import mask_secrets, plain

DEFAULT_SECURITY_HEADERS: Mapping[str, str] = types.MappingProxyType(
    {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
)

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024


def _also_named(**old_names: str) -> Any:
    """A config class that also takes pyxle-framework 0.9's name of a field (``old="new"``), as a
    constructor keyword and as an attribute: both lead to the one field, which ``replace()``,
    equality and ``repr`` know."""

    def wrap(cls: type) -> type:
        init = cls.__init__  # type: ignore[misc]

        @functools.wraps(init)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            for old, new in old_names.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{cls.__name__}() got both {new!r} and {old!r}, its 0.9 name")
                    kwargs[new] = kwargs.pop(old)
            init(self, *args, **kwargs)

        cls.__init__ = __init__  # type: ignore[misc]
        for old, new in old_names.items():
            setattr(cls, old, property(operator.attrgetter(new), doc=f"``{new}``, by its pyxle-framework 0.9 name"))
        return cls

    return wrap


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(value, types.MappingProxyType):
        return value
    return types.MappingProxyType(dict(value))


@dataclass(frozen=True)
class CorsConfig:
    """Cross-origin resource sharing; disabled unless at least one origin is listed."""

    origins: tuple[str, ...] = ()
    methods: tuple[str, ...] = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
    headers: tuple[str, ...] = ()
    credentials: bool = False
    max_age: int = 600

    @property
    def enabled(self) -> bool:
        return bool(self.origins)


@_also_named(cookie_samesite="cookie_same_site")
@dataclass(frozen=True)
class CsrfConfig:
    """Double-submit CSRF protection; always on for actions, for API routes only when opted in."""

    enabled: bool = True
    cookie_name: str = "pyxle-csrf"
    header_name: str = "x-csrf-token"
    # None: mark the cookie Secure when the request came over https.
    cookie_secure: bool | None = None
    cookie_same_site: str = "lax"
    exempt_paths: tuple[str, ...] = ()
    # False: API routes are not checked; True: all are; a tuple: those under these prefixes; None
    # (not set): not checked, and start-up names the routes that take unsafe methods unchecked.
    api_routes: bool | tuple[str, ...] | None = None


@dataclass(frozen=True)
class OpenApiConfig:
    """The OpenAPI document (``<path>.json``) and its docs page (``<path>``): on in ``pyxle dev``,
    off in production unless ``production`` is true; ``enabled: false`` turns both off."""

    enabled: bool = True
    path: str = "/api/__openapi"
    production: bool = False


@dataclass(frozen=True)
class ObservabilityConfig:
    """Request ids, timing, metrics and tracing (the keys of 0.9.4's ``observability`` block).

    ``accessLog`` and ``logFormat`` in the block set the top-level fields of the same names.
    """

    request_id: bool = True
    request_id_header: str = "X-Request-Id"
    trust_incoming_request_id: bool = False
    timing: bool = True  # request_timing_ms(request)
    server_timing: bool = False  # the Server-Timing response header: opt-in, it tells clients how long things take
    metrics_endpoint: bool = False
    metrics_endpoint_path: str = "/api/__pyxle/metrics"
    metrics_endpoint_token: str | None = field(default=None, repr=False)
    log_level: str = "INFO"
    otel: bool = False
    otel_service_name: str = "pyxle-app"
    otel_sample_ratio: float = 0.05
    # 0.9's names for the top-level accessLog and logFormat, read by apps and plugins written for it:
    # PyxleConfig keeps them in step with its own fields (log_format in 0.9's words, "console" or "json").
    access_log: bool = field(default=True, compare=False)
    log_format: str = field(default="console", compare=False)


@_also_named(window_seconds="window")
@dataclass(frozen=True)
class RateLimitConfig:
    """Requests per client address per window; ``requests == 0`` turns the limit off.

    Counters live in this process unless ``redis_url`` names a Redis shared by every worker.
    """

    requests: int = 0
    window: float = 60.0
    exempt_paths: tuple[str, ...] = ()
    trust_forwarded_for: bool = False
    redis_url: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        return self.requests > 0


@dataclass(frozen=True)
class RealtimeConfig:
    """WebSockets and channels: the broker that carries messages, and the per-socket limits."""

    broker: str = "memory"  # "memory" (this process) or "redis" (across workers and machines)
    redis_url: str = "redis://localhost:6379"
    channel_prefix: str = "pyxle:rt:"
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE  # larger incoming messages close the socket (1009)
    max_publish_size: int = DEFAULT_MAX_MESSAGE_SIZE  # larger published messages raise ValueError
    send_queue: int = 1024  # channel messages waiting for one socket; more closes it (1013)
    ping_interval: int = 20  # seconds of silence before TCP keepalive probes a peer; 0: off
    # Whether API routes' WebSocket upgrades get the Origin check too (pages always do):
    # False: none; True: all; a tuple: those under these prefixes; None (unset): none, and start-up
    # names the API routes that take WebSockets from any site.
    api_routes: bool | tuple[str, ...] | None = None


@dataclass(frozen=True)
class CacheRoute:
    """A ``cache`` entry: pages under ``pattern`` are kept ``s_maxage`` seconds, then served stale
    for up to ``stale_while_revalidate`` more while one request renders them again.

    ``shared``: the route varies on nothing, so signed-in visitors get the stored copy too.
    """

    pattern: str  # "/about", "/docs/*" (that folder and below), "/posts/[id]" (one segment)
    s_maxage: int
    stale_while_revalidate: int
    shared: bool = False


@dataclass(frozen=True)
class CompressionConfig:
    """Compressed answers (brotli, zstd, gzip) for clients that accept them; on by default."""

    enabled: bool = True
    minimum_size: int = 1024  # bytes: smaller answers are sent as they are
    gzip_level: int = 4
    brotli_quality: int = 4
    zstd_level: int | None = None  # zstd (the zstandard package) is offered only when a level is set


DEFAULT_CACHE_ENTRIES = 512
DEFAULT_CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CacheConfig:
    """The page cache: which routes the config caches, and where entries live.

    Loaders opt in on their own too (``{"data": ..., "revalidate": N}``). ``backend`` "memory"
    keeps entries in each process; "redis" shares them (and ``invalidate``) across workers and
    machines; "off" turns the page cache off.
    """

    routes: tuple[CacheRoute, ...] = ()
    backend: str = "memory"
    redis_url: str | None = field(default=None, repr=False)
    max_entries: int = DEFAULT_CACHE_ENTRIES
    max_bytes: int = DEFAULT_CACHE_BYTES
    # Cookies that mean "a signed-in visitor": a request carrying one never gets or makes a stored page.
    session_cookies: tuple[str, ...] = ("pyxle_session", "session")
    # ... and headers (an auth proxy's X-Forwarded-User), as ``Authorization`` always is.
    session_headers: tuple[str, ...] = ()


@dataclass(frozen=True)
class StylingConfig:
    """Files every page carries: stylesheets (through the project's PostCSS) and browser scripts.

    Paths are relative to the project root, in the order they are loaded, before any page's own.
    """

    global_styles: tuple[str, ...] = ()
    global_scripts: tuple[str, ...] = ()


@dataclass(frozen=True)
class PyxleConfig:
    """The whole configuration of one project, after defaults, file, environment and flags."""

    root: Path
    name: str = ""  # the app's name, a label only
    lang: str = "en"  # <html lang>: the language of the pages, for screen readers and translation
    pages_dir: str = "pages"
    public_dir: str = "public"
    build_dir: str = ".pyxle-build"  # pyxle dev's working build
    dist_dir: str = "dist"  # pyxle build / pyxle serve
    debug: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    middleware: tuple[str, ...] = ()
    page_hooks: tuple[str, ...] = ()
    api_hooks: tuple[str, ...] = ()
    action_hooks: tuple[str, ...] = ()
    cors: CorsConfig = field(default_factory=CorsConfig)
    csrf: CsrfConfig = field(default_factory=CsrfConfig)
    openapi: OpenApiConfig = field(default_factory=OpenApiConfig)
    realtime: RealtimeConfig = field(default_factory=RealtimeConfig)
    security_headers: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_SECURITY_HEADERS, hash=False
    )
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    access_log: bool = True
    log_format: str = "text"
    # Peers (addresses, CIDR networks, "*") whose X-Forwarded-For and X-Forwarded-Proto are believed
    forwarded_allow_ips: tuple[str, ...] = DEFAULT_ALLOWED
    observability: ObservabilityConfig = field(default_factory=ObservabilityConfig)
    rate_limit: RateLimitConfig = field(default_factory=RateLimitConfig)
    styling: StylingConfig = field(default_factory=StylingConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    compression: CompressionConfig = field(default_factory=CompressionConfig)
    plugins: tuple[Any, ...] = field(default=(), hash=False)
    # navigation.defaultPrefetchTtl: seconds the browser may reuse a page's navigation data;
    # None: pages with loaders fetch theirs at each navigation.
    prefetch_ttl: int | None = None
    # Never shown by repr(); to_dict() masks it unless asked not to.
    secret_key: str | None = field(default=None, repr=False)
    # PYXLE_SECRET_KEY_FALLBACKS: older keys, which verify what they signed and never sign.
    secret_key_fallbacks: tuple[str, ...] = field(default=(), repr=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    # Where the settings naming a Redis were given ("rateLimit.redisUrl", "realtime.broker",
    # "realtime.redisUrl", "cache.backend", "cache.redisUrl"), and the host ("starlette.host"):
    # "<file>: <key>", the variable ("<.env file>:<line>: <variable>") or the flag ("--host"), so a
    # Redis that fails at start-up, or a host that cannot be bound, is traced to its setting.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # Accept the loose forms other code naturally writes (str root, plain dicts, lists)
        # while keeping the instance absolute and immutable.
        object.__setattr__(self, "root", Path(self.root).absolute())
        object.__setattr__(self, "security_headers", _frozen_mapping(self.security_headers))
        object.__setattr__(self, "sources", _frozen_mapping(self.sources))
        for name in ("middleware", "page_hooks", "api_hooks", "action_hooks", "plugins", "warnings", "forwarded_allow_ips"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        seen = self.observability
        log_format = "console" if self.log_format == "text" else self.log_format
        if (seen.access_log, seen.log_format) != (self.access_log, log_format):
            object.__setattr__(self, "observability", replace(seen, access_log=self.access_log, log_format=log_format))

    @property
    def project_root(self) -> Path:
        """The project folder, under the name plugins read from their context's settings."""
        return self.root

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def public_path(self) -> Path:
        return self.root / self.public_dir

    @property
    def build_path(self) -> Path:
        return self.root / self.build_dir

    @property
    def dist_path(self) -> Path:
        return self.root / self.dist_dir

    def to_dict(self, *, masked: bool = True) -> dict[str, Any]:
        """The merged configuration with the JSON file's camelCase keys (backs --print-config).

        With ``masked`` (the default) the secret key and any value whose key looks
        secret (secret, token, password, key, ...) are replaced by ``"********"``.
        """
        csrf = self.csrf
        api_routes = csrf.api_routes
        data: dict[str, Any] = {
            "name": self.name,
            "lang": self.lang,
            "pagesDir": self.pages_dir,
            "publicDir": self.public_dir,
            "buildDir": self.build_dir,
            "distDir": self.dist_dir,
            "debug": self.debug,
            "starlette": {"host": self.host, "port": self.port},
            "middleware": list(self.middleware),
            "routeMiddleware": {
                "pages": list(self.page_hooks), "apis": list(self.api_hooks), "actions": list(self.action_hooks),
            },
            "cors": {
                "origins": list(self.cors.origins),
                "methods": list(self.cors.methods),
                "headers": list(self.cors.headers),
                "credentials": self.cors.credentials,
                "maxAge": self.cors.max_age,
            },
            "csrf": {
                "enabled": csrf.enabled,
                "cookieName": csrf.cookie_name,
                "headerName": csrf.header_name,
                "cookieSecure": csrf.cookie_secure,
                "cookieSameSite": csrf.cookie_same_site,
                "exemptPaths": list(csrf.exempt_paths),
                # null when unset, as the file would have it: that is not false (start-up notes unchecked routes)
                "apiRoutes": list(api_routes) if isinstance(api_routes, tuple) else api_routes,
            },
            "openapi": {"enabled": self.openapi.enabled, "path": self.openapi.path,
                        "production": self.openapi.production},
            "realtime": self._realtime_dict(),
            "securityHeaders": self._security_headers_dict(),
            "maxBodySize": self.max_body_size,
            "accessLog": self.access_log,
            "logFormat": self.log_format,
            "forwardedAllowIps": list(self.forwarded_allow_ips),
            "observability": self._observability_dict(),
            "rateLimit": {
                "requests": self.rate_limit.requests,
                "window": self.rate_limit.window,
                "exemptPaths": list(self.rate_limit.exempt_paths),
                "trustForwardedFor": self.rate_limit.trust_forwarded_for,
                "redisUrl": _without_password(self.rate_limit.redis_url),
            },
            "styling": {
                "globalStyles": list(self.styling.global_styles),
                "globalScripts": list(self.styling.global_scripts),
            },
            "cache": self._cache_dict(),
            "compression": {"enabled": self.compression.enabled, "minimumSize": self.compression.minimum_size,
                            "gzipLevel": self.compression.gzip_level,
                            "brotliQuality": self.compression.brotli_quality, "zstdLevel": self.compression.zstd_level},
            "plugins": plain(self.plugins),
            "navigation": {"defaultPrefetchTtl": self.prefetch_ttl},
            "secretKey": self.secret_key,
            "secretKeyFallbacks": list(self.secret_key_fallbacks),
        }
        return mask_secrets(data) if masked else data

    def _observability_dict(self) -> dict[str, Any]:
        o = self.observability
        return {
            "requestId": o.request_id, "requestIdHeader": o.request_id_header,
            "trustIncomingRequestId": o.trust_incoming_request_id, "timing": o.timing,
            "serverTiming": o.server_timing, "metricsEndpoint": o.metrics_endpoint,
            "metricsEndpointPath": o.metrics_endpoint_path, "metricsEndpointToken": o.metrics_endpoint_token,
            "logLevel": o.log_level, "otel": o.otel, "otelServiceName": o.otel_service_name,
            "otelSampleRatio": o.otel_sample_ratio,
        }

    def _cache_dict(self) -> dict[str, Any]:
        c = self.cache
        routes = {r.pattern: {"sMaxage": r.s_maxage, "staleWhileRevalidate": r.stale_while_revalidate,
                              "shared": r.shared} for r in c.routes}
        return {**routes, "backend": c.backend, "redisUrl": _without_password(c.redis_url),
                "maxEntries": c.max_entries, "maxBytes": c.max_bytes, "sessionCookies": list(c.session_cookies),
                "sessionHeaders": list(c.session_headers)}

    def _realtime_dict(self) -> dict[str, Any]:
        rt = self.realtime
        url = urlsplit(rt.redis_url)
        shown = url._replace(netloc=url.netloc.replace(f":{url.password}@", ":********@", 1)).geturl() \
            if url.password else rt.redis_url  # the password in a Redis URL is never printed
        return {
            "broker": rt.broker, "redisUrl": shown, "channelPrefix": rt.channel_prefix,
            "maxMessageSize": rt.max_message_size, "maxPublishSize": rt.max_publish_size, "sendQueue": rt.send_queue, "pingInterval": rt.ping_interval,
            "apiRoutes": list(rt.api_routes) if isinstance(rt.api_routes, tuple) else rt.api_routes,
        }

    def _security_headers_dict(self) -> dict[str, str | None]:
        # A default the user turned off shows as null, as it was written in the file.
        present = {name.lower() for name in self.security_headers}
        removed = {n: None for n in DEFAULT_SECURITY_HEADERS if n.lower() not in present}
        return {**dict(self.security_headers), **removed}


def _without_password(url: str | None) -> str | None:
    """A Redis URL as --print-config shows it: the password masked."""
    if not url:
        return url
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":********@", 1)).geturl()
