"""Loading a project for a command, with one-line errors for what users get wrong most."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any, Literal

import click

from pyxle.config import CONFIG_FILENAME, ConfigError, PyxleConfig, load_config
from pyxle.security import SecretKeyError, resolve_secret
from pyxle.security._secret import GENERATED_SECRET_ENV

logger = logging.getLogger("pyxle")
Mode = Literal["development", "production"]


class CliError(click.ClickException):
    """Printed as ``pyxle: <message>`` with exit code 1; a record of the ``pyxle`` logger instead
    once the server's logs are JSON (``as_json``), so a collector gets no line it cannot parse."""

    as_json = False

    def show(self, file: Any = None) -> None:
        if CliError.as_json:
            shown(logging.ERROR, self.message)
        else:
            click.echo(f"pyxle: {self.message}", err=True)


def project_root(directory: Path) -> Path:
    root = directory.resolve()
    if not root.exists():
        raise CliError(f"no such folder: {directory}")
    if not root.is_dir():
        raise CliError(f"not a folder: {directory}")
    return root


def errors_as_json(directory: Path, mode: Mode, overrides: dict[str, Any]) -> bool:
    """Whether an error found while the config is loaded is a JSON record, as the log would be:
    ``--log-format``, else PYXLE_LOG_FORMAT (the shell's, then the .env files'), else the config
    file's own ``logFormat`` (top level, else ``observability.logFormat``), peeked at in its raw
    JSON since the error may be another of its values. A file that is not JSON cannot say: text."""
    from pyxle.config import load_env_files
    from pyxle.config._loader import read_config_file

    if overrides.get("log_format"):
        return overrides["log_format"] == "json"
    root, environ = directory.absolute(), dict(os.environ)
    try:
        load_env_files(root, mode, environ)  # into a copy: load_config loads them for real
    except ConfigError:
        pass  # told by load_config, in the format decided here
    variable = environ.get("PYXLE_LOG_FORMAT", "").strip().lower()
    if variable:
        return variable == "json"
    try:
        data = read_config_file(root / CONFIG_FILENAME)
    except ConfigError:
        return False
    if not isinstance(data, dict):
        return False
    block = data.get("observability")
    return data.get("logFormat", block.get("logFormat") if isinstance(block, dict) else None) == "json"


def note(message: str, *, json_logs: bool = False, warning: bool = True) -> None:
    """One of the CLI's notes on stderr: ``pyxle: warning: ...`` for people, or, when the server logs
    JSON (``pyxle serve --log-format json``; logging configured), a record of the ``pyxle`` logger,
    so a collector reading JSON lines gets no line it cannot parse."""
    if json_logs:
        shown(logging.WARNING if warning else logging.INFO, message)
    else:
        click.echo(f"pyxle: warning: {message}" if warning else message, err=True)


def shown(level: int, message: str) -> None:
    """A record of the ``pyxle`` logger written whatever ``logLevel`` is, as its text is printed
    whatever it is: at ``CRITICAL`` a refused start said nothing, and at ``WARNING`` the banner
    (``pyxle serve: http://...``) was dropped, so ``--port 0`` never said which port it took."""
    logger.handle(logger.makeRecord(logger.name, level, __file__, 0, "%s", (message,), None))


def load_project(directory: Path, mode: Mode, overrides: dict[str, Any] | None = None, *,
                 warn: bool = True, from_build: bool = False) -> PyxleConfig:
    """Config for the project in ``directory`` (env files, PYXLE_* and CLI overrides applied).
    Its warnings are printed unless ``warn`` is false (the caller notes them, in its log format).
    ``from_build`` (``pyxle serve``): a folder without pages that holds a build is served from it."""
    root = project_root(directory)
    try:
        config = load_config(root, mode=mode, overrides={k: v for k, v in (overrides or {}).items() if v is not None})
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    for warning in config.warnings if warn else ():
        note(warning)
    if not config.pages_path.is_dir() and not (from_build and (config.dist_path / "manifest.json").is_file()):
        raise CliError(_no_pages(directory, config, from_build))
    return config


def _no_pages(directory: Path, config: PyxleConfig, from_build: bool = False) -> str:
    """The missing pages folder, naming the setting that chose it when one did (the variable wins
    over the file, as in ``load_config``), as a bad value of any other setting is named; else, for
    ``pyxle serve`` (``from_build``), the build it could have served instead."""
    missing = f"{directory} has no {config.pages_dir}/ folder"
    if (setting := config.sources.get("pagesDir")) is not None:  # "PYXLE_PAGES_DIR" (with its .env line), "<file>: pagesDir"
        undo = "remove" if setting.endswith(": pagesDir") else "unset"
        return (f'{setting} "{config.pages_dir}": {missing}; hint: set it to the folder that holds the pages, '
                f'or {undo} it for pages/')
    if from_build:
        from pyxle.app._app import no_pages

        return no_pages(config, "production", str(directory))
    return f"{missing}; a Pyxle project keeps its routes in pages/ (API routes in pages/api/)"


def with_secret(config: PyxleConfig, mode: Mode, workers: int = 1) -> PyxleConfig:
    """Validate PYXLE_SECRET_KEY, or generate one for this server and share it with its workers.

    In production a generated key is refused when state is shared (``shared_state``): each
    machine would sign with its own key. A single local worker only gets the warning.
    """
    try:
        from pyxle.app._app import shared_state

        secret, warning = resolve_secret(os.environ.get("PYXLE_SECRET_KEY"), mode=mode,
                                         shared=shared_state(config, workers, os.environ))
    except SecretKeyError as exc:
        raise CliError(str(exc)) from None
    if warning and mode == "production":
        note(warning, json_logs=config.log_format == "json")
    text = secret.decode("utf-8")
    if not os.environ.get("PYXLE_SECRET_KEY"):  # generated: the workers inherit it, sign_cookie does not
        os.environ[GENERATED_SECRET_ENV] = text
    return dataclasses.replace(config, secret_key=text)


def export_for_workers(config: PyxleConfig, mode: Mode, workers: int = 1) -> None:
    """Worker processes rebuild the app from the environment; pass what the CLI decided (and what
    its start-up checked: call this once the app was built here)."""
    from pyxle.app._app import SERVER_WORKERS

    os.environ[SERVER_WORKERS] = str(workers)  # a reload's check asks whether state is shared, as start-up did
    os.environ.update(
        PYXLE_PROJECT_ROOT=str(config.root),
        PYXLE_MODE=mode,
        PYXLE_HOST=config.host,
        PYXLE_PORT=str(config.port),
        PYXLE_LOG_FORMAT=config.log_format,
        PYXLE_ACCESS_LOG="1" if config.access_log else "0",
        PYXLE_STARTUP_NOTED="1",  # the CLI's check printed the start-up notes; workers do not repeat them
    )
    from pyxle._redis import mark_checked
    from pyxle.app._app import redis_urls

    mark_checked(redis_urls(config, mode).values(), os.environ)  # the CLI's check found each answering
