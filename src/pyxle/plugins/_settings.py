"""``ctx.settings``: the app's configuration, read also under the names pyxle-framework 0.9 gave it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# 0.9's settings named the Vite dev server it ran beside; Pyxle bundles with esbuild in-process.
_NO_VITE = ("vite_host", "vite_port")


class PluginSettings:
    """The configuration plugins see: every attribute of the app's ``PyxleConfig``, plus the 0.9
    names a plugin may still read (``app_name``, ``starlette_host``, ``starlette_port``,
    ``build_root``, and ``debug`` as 0.9 meant it: errors shown in full, so true in ``pyxle dev``)."""

    def __init__(self, config: Any, *, debug: bool) -> None:
        self._config = config
        self._debug = debug

    @property
    def app_name(self) -> str:
        return str(self._config.name)

    @property
    def starlette_host(self) -> str:
        return str(self._config.host)

    @property
    def starlette_port(self) -> int:
        return int(self._config.port)

    @property
    def build_root(self) -> Path:
        """``buildDir`` under the project (``.pyxle-build``), as 0.9 gave it."""
        return Path(self._config.build_path)

    @property
    def debug(self) -> bool:
        return self._debug

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not the config's: copying or unpickling looks these up before __init__
            raise AttributeError(name)
        if name in _NO_VITE:
            raise AttributeError(f"ctx.settings.{name}: Pyxle runs no Vite dev server (pyxle-framework 0.9 did); "
                                 "pages are bundled in-process, so there is no Vite address to read")
        return getattr(self._config, name)

    def __repr__(self) -> str:
        return f"PluginSettings({self._config!r}, debug={self._debug})"
