"""The validated, merged configuration: immutable dataclasses other subsystems read."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._mask import mask_secrets, plain

DEFAULT_SECURITY_HEADERS: Mapping[str, str] = types.MappingProxyType(
    {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
)

DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024


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
    # False: API routes are not checked; True: all are; a tuple: those under these prefixes.
    api_routes: bool | tuple[str, ...] = False


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
    cors: CorsConfig = field(default_factory=CorsConfig)
    csrf: CsrfConfig = field(default_factory=CsrfConfig)
    security_headers: Mapping[str, str] = field(
        default_factory=lambda: DEFAULT_SECURITY_HEADERS, hash=False
    )
    max_body_size: int = DEFAULT_MAX_BODY_SIZE
    access_log: bool = True
    log_format: str = "text"
    styling: StylingConfig = field(default_factory=StylingConfig)
    plugins: tuple[Any, ...] = field(default=(), hash=False)
    # Never shown by repr(); to_dict() masks it unless asked not to.
    secret_key: str | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Accept the loose forms other code naturally writes (str root, plain dicts, lists)
        # while keeping the instance absolute and immutable.
        object.__setattr__(self, "root", Path(self.root).absolute())
        object.__setattr__(self, "security_headers", _frozen_mapping(self.security_headers))
        for name in ("middleware", "page_hooks", "api_hooks", "plugins", "warnings"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

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
            "pagesDir": self.pages_dir,
            "publicDir": self.public_dir,
            "buildDir": self.build_dir,
            "distDir": self.dist_dir,
            "debug": self.debug,
            "starlette": {"host": self.host, "port": self.port},
            "middleware": list(self.middleware),
            "routeMiddleware": {"pages": list(self.page_hooks), "apis": list(self.api_hooks)},
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
                "apiRoutes": api_routes if isinstance(api_routes, bool) else list(api_routes),
            },
            "securityHeaders": self._security_headers_dict(),
            "maxBodySize": self.max_body_size,
            "accessLog": self.access_log,
            "logFormat": self.log_format,
            "styling": {
                "globalStyles": list(self.styling.global_styles),
                "globalScripts": list(self.styling.global_scripts),
            },
            "plugins": plain(self.plugins),
            "secretKey": self.secret_key,
        }
        return mask_secrets(data) if masked else data

    def _security_headers_dict(self) -> dict[str, str | None]:
        # A default the user turned off shows as null, as it was written in the file.
        present = {name.lower() for name in self.security_headers}
        removed = {n: None for n in DEFAULT_SECURITY_HEADERS if n.lower() not in present}
        return {**dict(self.security_headers), **removed}
