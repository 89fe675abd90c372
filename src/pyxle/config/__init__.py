"""Pyxle's configuration: ``pyxle.config.json``, ``.env`` files and ``PYXLE_*`` overrides.

Precedence, lowest first: defaults < pyxle.config.json < PYXLE_* variables < CLI flags.
Depends on nothing else in Pyxle. Public names:

- ``load_config(root, *, mode, overrides, environ, load_env) -> PyxleConfig``
- ``PyxleConfig``, ``CacheConfig``, ``CacheRoute``, ``CompressionConfig``, ``CorsConfig``, ``CsrfConfig``, ``OpenApiConfig``, ``ObservabilityConfig``,
  ``RateLimitConfig``, ``RealtimeConfig``, ``StylingConfig``: the frozen, validated result
- ``ConfigError``: invalid configuration; ``.problems`` lists all of them, ``.path`` the file
- ``load_env_files(root, mode, environ) -> dict``: load ``.env*`` files into the environment
- ``public_env(environ) -> dict``: only the browser-safe ``PYXLE_PUBLIC_*`` variables
- ``masked_url(url) -> str``: a URL with its password shown as ``****`` (Pyxle's Redis messages use it too)
- ``socket_timeout(url) -> float | None``: a Redis URL's ``?socket_timeout=`` (the features' wait limit)
- ``CONFIG_FILENAME``, ``PUBLIC_ENV_PREFIX``, ``DEFAULT_SECURITY_HEADERS``
"""

from ._env import PUBLIC_ENV_PREFIX, load_env_files, public_env
from ._errors import ConfigError
from ._loader import CONFIG_FILENAME, load_config
from ._model import (
    DEFAULT_SECURITY_HEADERS,
    CacheConfig,
    CacheRoute,
    CompressionConfig,
    CorsConfig,
    CsrfConfig,
    ObservabilityConfig,
    OpenApiConfig,
    PyxleConfig,
    RateLimitConfig,
    RealtimeConfig,
    StylingConfig,
)
from ._rules import masked_url, socket_timeout

__all__ = [
    "CONFIG_FILENAME",
    "DEFAULT_SECURITY_HEADERS",
    "PUBLIC_ENV_PREFIX",
    "CacheConfig",
    "CacheRoute",
    "CompressionConfig",
    "ConfigError",
    "CorsConfig",
    "CsrfConfig",
    "ObservabilityConfig",
    "OpenApiConfig",
    "PyxleConfig",
    "RateLimitConfig",
    "RealtimeConfig",
    "StylingConfig",
    "load_config",
    "load_env_files",
    "masked_url",
    "public_env",
    "socket_timeout",
]
