"""``pyxle dev``: apply an edited ``pyxle.config.json`` or ``.env`` setting by replacing the worker.

The config is read once per process, when the app is built, so an edit can only take effect in a
new worker. The worker sees the edit and asks its server process (SIGHUP, ``DEV_RELOAD_PID``),
which then does what ``pyxle serve`` does on ``kill -HUP`` (``_serve.checked_reload``), with this
first: the config is loaded here as start-up loads it. If it does not load, the error is logged as
start-up reports it and the worker keeps serving the last good config. A setting that only a new
server can take (the address it listens on, the log's format and level, the keep-alive and
shutdown timeouts granian was started with) is named in one line instead of being half applied.
A refusal is also written to the report file the worker follows (``DEV_REPORT``), which shows it
in the open browsers as the overlay until an edit is applied or leaves the settings as they were.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyxle.app import LimitError, Limits
from pyxle.app._reload import DEV_RELOAD_PID, DEV_REPORT, new_worker_env
from pyxle.config import CONFIG_FILENAME, ConfigError, PyxleConfig, load_config, load_env_files
from pyxle.config._env import env_file_names

logger = logging.getLogger("pyxle")

__all__ = ["DEV_RELOAD_PID", "DevReload"]


@dataclass(frozen=True)
class Loaded:
    """The project's settings as start-up would load them now."""

    config: PyxleConfig
    limits: Limits
    env: Mapping[str, str]
    origins: Mapping[str, str]  # variable -> the "<.env file>:<line>" that set it


# What only a new server process can take: (its key in pyxle.config.json, its variable, its value).
RESTART_ONLY: tuple[tuple[str | None, str | None, Callable[[Loaded], Any]], ...] = (
    ("starlette.host", "PYXLE_HOST", lambda loaded: loaded.config.host),
    ("starlette.port", "PYXLE_PORT", lambda loaded: loaded.config.port),
    ("logFormat", "PYXLE_LOG_FORMAT", lambda loaded: loaded.config.log_format),
    ("observability.logLevel", None, lambda loaded: loaded.config.observability.log_level),
    (None, "PYXLE_KEEP_ALIVE_TIMEOUT", lambda loaded: loaded.limits.keep_alive_timeout),
    (None, "PYXLE_SHUTDOWN_TIMEOUT", lambda loaded: loaded.limits.shutdown_timeout),
)
_NOT_COMPARED = {variable for _, variable, _ in RESTART_ONLY} | {"PYXLE_DOTENV_KEYS"}


class DevReload:
    """The server process's side of a dev reload: ``prepare`` before the project is checked in a
    separate process, ``applied`` once the new worker has started, ``refused`` if the check failed."""

    def __init__(self, root: Path, mode: str, overrides: Mapping[str, Any], shell: Mapping[str, str]) -> None:
        self.root, self.mode = root, mode
        self.overrides = {key: value for key, value in overrides.items() if value is not None}
        self.shell = dict(shell)  # the environment before any .env file was read: what the shell set
        self.files = self._contents()
        self.running = self.applied_settings = self._load()
        self.pending: dict[str, Any] = {}  # restart-only settings already named, with their new value
        self.label = CONFIG_FILENAME
        self._next: tuple[dict[str, bytes | None], Loaded] | None = None
        self.report: Path | None = None  # see report_to

    def report_to(self, file: Path) -> None:
        """Write each refusal to ``file`` (and nothing once settled): the worker shows it in the
        browsers (``pyxle.app._reload``), which otherwise kept showing the old app with no sign."""
        self.report = file
        os.environ[DEV_REPORT] = str(file)  # the workers inherit it

    def _write_report(self, text: str) -> None:
        if self.report is None:
            return
        partial = self.report.with_name(self.report.name + ".tmp")
        try:
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.report)  # whole: the worker never reads half of it
        except OSError as exc:
            logger.warning("could not tell the browsers about the settings (%s): %s", self.report, exc)

    def _contents(self) -> dict[str, bytes | None]:
        found: dict[str, bytes | None] = {}
        for name in (CONFIG_FILENAME, *env_file_names(self.mode)):
            try:
                found[name] = (self.root / name).read_bytes()
            except OSError:
                found[name] = None
        return found

    def _load(self) -> Loaded:
        """Load as start-up does: the shell's environment, the .env files over it, then the file and flags."""
        env: dict[str, str] = dict(self.shell)
        config = load_config(self.root, mode=self.mode, overrides=self.overrides, environ=env)
        origins: dict[str, str] = {}
        load_env_files(self.root, self.mode, dict(self.shell), origins)  # where each variable was set
        return Loaded(config, Limits.from_env(env), env, origins)

    def prepare(self) -> bool:
        """Whether to go on and replace the worker; when not, the log says why."""
        contents = self._contents()
        changed = [name for name, text in contents.items() if text != self.files[name]]
        self.label = " and ".join(self._applying(changed))
        try:
            loaded = self._load()
        except (ConfigError, LimitError) as exc:
            for warning in getattr(exc, "warnings", ()):
                logger.warning("%s", warning)
            self.refused(str(exc))
            return False
        for warning in loaded.config.warnings:
            if warning not in self.applied_settings.config.warnings:
                logger.warning("%s", warning)
        self._name_restart_only(loaded)
        self._next = (contents, loaded)
        if changed and self._same_apart_from_restart(loaded):
            self._accept()
            if not self.pending:
                logger.info("%s: no setting changed", self.label)
            return False
        return True

    def _name_restart_only(self, loaded: Loaded) -> None:
        """One line per restart-only setting whose new value was not named yet, naming where it is set."""
        for key, variable, value in RESTART_ONLY:
            name = variable or key or ""
            now, running = value(loaded), value(self.running)
            if now == running:
                self.pending.pop(name, None)
                continue
            if name in self.pending and self.pending[name] == now:
                continue  # named already
            self.pending[name] = now
            origin = (loaded.origins.get(variable) or self.running.origins.get(variable)) if variable else None
            if origin:  # a .env file sets it: "<path>:<line>"
                where = f"{Path(origin.rsplit(':', 1)[0]).name}: {variable}"
            else:
                where = f"{CONFIG_FILENAME}: {key}" if key else str(variable)
            logger.warning("%s changed; restart pyxle dev to use it", where)

    def _applying(self, changed: list[str]) -> list[str]:
        """The edited files a new worker would apply. The running worker reloads the ``.env``
        values that are not ``new_worker_env``'s in place without telling this process, whose
        ``files`` then lag: a later config edit is not an edit of the ``.env`` files too."""
        if CONFIG_FILENAME not in changed:
            return changed
        env = dict(self.shell)
        try:
            load_env_files(self.root, self.mode, env)
        except ConfigError:
            return changed  # the load names the file and line
        plugins = bool(self.applied_settings.config.plugins)  # what the running worker decides by

        def worker_only(values: Mapping[str, str]) -> dict[str, str]:
            return new_worker_env({k: v for k, v in values.items() if k not in _NOT_COMPARED}, plugins)

        return changed if worker_only(env) != worker_only(self.applied_settings.env) else [CONFIG_FILENAME]

    def _same_apart_from_restart(self, loaded: Loaded) -> bool:
        def settled(settings: Loaded) -> tuple[PyxleConfig, Limits, dict[str, str]]:
            config = settings.config
            config = dataclasses.replace(
                config, host="", port=0, log_format="text", warnings=(),
                observability=dataclasses.replace(config.observability, log_level="INFO"))
            limits = dataclasses.replace(settings.limits, keep_alive_timeout=0, shutdown_timeout=0)
            return config, limits, {k: v for k, v in settings.env.items() if k not in _NOT_COMPARED}

        return settled(loaded) == settled(self.applied_settings)

    def _accept(self) -> None:
        if self._next is not None:
            self.files, self.applied_settings = self._next
            self._next = None
        self._write_report("")

    def export(self, environ: MutableMapping[str, str]) -> None:
        """What the CLI passed its workers as variables and the new config now says otherwise. Not
        what a ``.env`` file sets (``PYXLE_SECRET_KEY``): the workers read the files themselves,
        and a value set here would count as the shell's, winning over every later edit of them."""
        if self._next is None:
            return
        environ["PYXLE_ACCESS_LOG"] = "1" if self._next[1].config.access_log else "0"

    def applied(self) -> None:
        self._accept()
        if self.label:
            logger.info("applied the new %s", self.label)
        else:  # a kill -HUP with nothing edited: the project's code and build, as pyxle serve reloads
            logger.info("reloaded the project in a new worker")

    def refused(self, problem: str) -> None:
        self._next = None
        if self.label:
            message = f"{self.label} not applied, the server keeps its last good configuration:\n{problem}"
        else:  # a module the middleware or plugins import, or a kill -HUP
            message = f"the project as edited does not load, the running worker keeps serving it as it was:\n{problem}"
        logger.error("%s", message)
        self._write_report(message)
