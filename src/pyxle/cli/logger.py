"""Compatibility: ``ConsoleLogger``, which plugin commands written for earlier releases print
through (the ``pyxle-db`` command does). One line per message; warnings and errors to stderr."""

from __future__ import annotations

import click

__all__ = ["ConsoleLogger"]


class ConsoleLogger:
    """``info``/``step``/``success``/``debug`` to stdout, ``warning``/``error`` to stderr."""

    def __init__(self, *, verbose: bool = False) -> None:
        self.verbose = verbose

    def _line(self, prefix: str, message: str, *, err: bool = False) -> None:
        click.echo(f"{prefix}{message}", err=err)

    def info(self, message: str) -> None:
        self._line("", message)

    def step(self, message: str) -> None:
        self._line("-> ", message)

    def success(self, message: str) -> None:
        self._line("ok: ", message)

    def debug(self, message: str) -> None:
        if self.verbose:
            self._line("debug: ", message)

    def diagnostic(self, message: str) -> None:
        self.debug(message)

    def warning(self, message: str) -> None:
        self._line("warning: ", message, err=True)

    def error(self, message: str) -> None:
        self._line("error: ", message, err=True)
