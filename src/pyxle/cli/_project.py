"""Loading a project for a command, with one-line errors for what users get wrong most."""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any, Literal

import click

from pyxle.config import ConfigError, PyxleConfig, load_config
from pyxle.security import SecretKeyError, resolve_secret

logger = logging.getLogger("pyxle")
Mode = Literal["development", "production"]


class CliError(click.ClickException):
    """Printed as ``pyxle: <message>`` with exit code 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"pyxle: {self.message}", err=True)


def project_root(directory: Path) -> Path:
    root = directory.resolve()
    if not root.exists():
        raise CliError(f"no such folder: {directory}")
    if not root.is_dir():
        raise CliError(f"not a folder: {directory}")
    return root


def load_project(directory: Path, mode: Mode, overrides: dict[str, Any] | None = None) -> PyxleConfig:
    """Config for the project in ``directory`` (env files, PYXLE_* and CLI overrides applied)."""
    root = project_root(directory)
    try:
        config = load_config(root, mode=mode, overrides={k: v for k, v in (overrides or {}).items() if v is not None})
    except ConfigError as exc:
        raise CliError(str(exc)) from None
    for warning in config.warnings:
        click.echo(f"pyxle: warning: {warning}", err=True)
    if not config.pages_path.is_dir():
        raise CliError(
            f"{directory} has no {config.pages_dir}/ folder; a Pyxle project keeps its routes in "
            f"{config.pages_dir}/ (API routes in {config.pages_dir}/api/)"
        )
    return config


def with_secret(config: PyxleConfig, mode: Mode) -> PyxleConfig:
    """Validate PYXLE_SECRET_KEY, or generate one for this server and share it with its workers."""
    try:
        secret, warning = resolve_secret(os.environ.get("PYXLE_SECRET_KEY"), mode=mode)
    except SecretKeyError as exc:
        raise CliError(str(exc)) from None
    if warning and mode == "production":
        click.echo(f"pyxle: warning: {warning}", err=True)
    text = secret.decode("utf-8")
    os.environ["PYXLE_SECRET_KEY"] = text  # worker processes inherit the same key
    return dataclasses.replace(config, secret_key=text)


def export_for_workers(config: PyxleConfig, mode: Mode) -> None:
    """Worker processes rebuild the app from the environment; pass what the CLI decided."""
    os.environ.update(
        PYXLE_PROJECT_ROOT=str(config.root),
        PYXLE_MODE=mode,
        PYXLE_HOST=config.host,
        PYXLE_PORT=str(config.port),
        PYXLE_LOG_FORMAT=config.log_format,
        PYXLE_ACCESS_LOG="1" if config.access_log else "0",
        PYXLE_STARTUP_NOTED="1",  # the CLI's check printed the start-up notes; workers do not repeat them
    )
