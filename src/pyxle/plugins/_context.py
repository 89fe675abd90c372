"""Services that plugins register at start-up and code looks up by name."""

from __future__ import annotations

from typing import Any

from pyxle.plugins._errors import PluginServiceError

_MISSING: Any = object()


class PluginContext:
    """The registry one app's plugins share: ``"db.database"`` -> the open database, and so on.

    ``settings`` is the host's configuration (``settings.project_root`` is the project folder).
    The app keeps it at ``request.app.state.pyxle_plugins``.
    """

    def __init__(self, *, settings: Any = None) -> None:
        self._settings = settings
        self._services: dict[str, Any] = {}

    @property
    def settings(self) -> Any:
        return self._settings

    def register(self, name: str, service: Any) -> None:
        """Add a service; a name already taken is an error (``replace`` overrides on purpose)."""
        _check_name(name)
        if name in self._services:
            raise PluginServiceError(f"service {name!r} is already registered; use replace() to override it")
        self._services[name] = service

    def replace(self, name: str, service: Any) -> None:
        """Set a service whether or not one is registered under ``name``."""
        _check_name(name)
        self._services[name] = service

    def get(self, name: str, default: Any = None) -> Any:
        return self._services.get(name, default)

    def has(self, name: str) -> bool:
        return name in self._services

    def require(self, name: str) -> Any:
        """The service, or ``PluginServiceError`` listing what is registered."""
        service = self._services.get(name, _MISSING)
        if service is _MISSING:
            registered = ", ".join(sorted(self._services)) or "none"
            raise PluginServiceError(f"no service {name!r} is registered (registered: {registered})")
        return service

    def names(self) -> tuple[str, ...]:
        """The registered service names, sorted (as pyxle-framework 0.9 gave them)."""
        return tuple(sorted(self._services))


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise PluginServiceError(f"a service name must be a non-empty string (got {name!r})")


# The context of the app serving in this process: set when its plugins start, cleared when they stop.
_active: PluginContext | None = None


def set_active_context(ctx: PluginContext | None) -> None:
    """Make ``ctx`` the one ``plugin()`` reads (the app does this at start-up; tests may too)."""
    global _active
    _active = ctx


def active_context() -> PluginContext:
    if _active is None:
        raise PluginServiceError(
            "no plugins are running in this process: plugin() works while the app serves "
            "(in loaders, actions and API routes), or after set_active_context(ctx) in a test"
        )
    return _active


def plugin(name: str, default: Any = _MISSING) -> Any:
    """The service ``name`` of the running app, e.g. ``plugin("db.database")``.

    Without ``default`` a missing service is an error; with it, ``default`` is returned instead.
    """
    ctx = active_context()
    if default is _MISSING:
        return ctx.require(name)
    return ctx.get(name, default)
