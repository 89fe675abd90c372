"""Commands: serve, dev, routes."""

from __future__ import annotations

import dataclasses
import json
import logging.config
from pathlib import Path

import click

from pyxle import __version__
from pyxle.cli._project import CliError, export_for_workers, load_project, with_secret

DIRECTORY = click.argument("directory", default=".", type=click.Path(path_type=Path))
HOST = click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
PORT = click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (default 8000).")
LOG_FORMAT = click.option("--log-format", type=click.Choice(["text", "json"]), default=None, help="Log line format.")
ACCESS_LOG = click.option("--access-log/--no-access-log", default=None, help="One log line per request.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pyxle")
def main() -> None:
    """Pyxle: file-based API routes and React pages, served from one process tree."""


@main.command()
@DIRECTORY
@HOST
@PORT
@click.option("--workers", type=click.IntRange(1, 512), default=1, show_default=True, help="Worker processes sharing the port.")
@LOG_FORMAT
@ACCESS_LOG
def serve(directory: Path, host: str | None, port: int | None, workers: int, log_format: str | None, access_log: bool | None) -> None:
    """Run the project with the production server."""
    _run(directory, "production", dict(host=host, port=port, log_format=log_format, access_log=access_log), workers)


@main.command()
@DIRECTORY
@HOST
@PORT
@LOG_FORMAT
@ACCESS_LOG
@click.option("--print-config", is_flag=True, help="Print the merged configuration (secrets masked) and exit.")
def dev(directory: Path, host: str | None, port: int | None, log_format: str | None, access_log: bool | None, print_config: bool) -> None:
    """Run the project for development: reloads on change, shows error detail."""
    overrides = dict(host=host, port=port, log_format=log_format, access_log=access_log)
    if print_config:
        config = load_project(directory, "development", overrides)
        click.echo(json.dumps(config.to_dict(masked=True), indent=2))
        return
    _run(directory, "development", overrides, 1)


@main.command()
@DIRECTORY
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
def routes(directory: Path, as_json: bool) -> None:
    """Print the route table in match order: URL pattern, file, methods, WebSocket, loader, actions."""
    from pyxle.cli._routes import route_rows

    config = load_project(directory, "development")
    rows = route_rows(config)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ("PATTERN", "FILE", "METHODS", "WS", "LOADER", "ACTIONS")
    table = [
        (r["pattern"], r["file"], ",".join(r["methods"]) or "-", "yes" if r["websocket"] else "no",
         r.get("loader") or "-", ",".join(r.get("actions", [])) or "-")
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in [headers, *table]) for i in range(len(headers))]
    for row in [headers, *table]:
        click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())


@main.command()
@DIRECTORY
def check(directory: Path) -> None:
    """Compile every .pyxl file and report errors as file:line:col (exit code 1 on any error)."""
    from pyxle.cli._check import check_pages

    config = load_project(directory, "development")
    errors, files = check_pages(config)
    for message in errors:
        click.echo(message + "\n")
    summary = f"checked {files} file{'s' if files != 1 else ''}: {len(errors)} error{'s' if len(errors) != 1 else ''}"
    click.echo(summary, err=bool(errors))
    if errors:
        raise SystemExit(1)


def _run(directory: Path, mode: str, overrides: dict, workers: int) -> None:  # type: ignore[type-arg]
    from pyxle import server
    from pyxle.app import StartupError, create_app

    config = with_secret(load_project(directory, mode, overrides), mode)  # type: ignore[arg-type]
    logging.config.dictConfig(server.log_config(config.log_format == "json"))
    try:
        create_app(config, mode=mode)  # type: ignore[arg-type]  # fail here, once, before workers start
        port = server.resolve_port(config.host, config.port)
    except StartupError as exc:
        raise CliError(str(exc)) from None
    except server.BindError as exc:
        raise CliError(str(exc)) from None
    config = dataclasses.replace(config, port=port)
    export_for_workers(config, mode)  # type: ignore[arg-type]
    command = "dev" if mode == "development" else "serve"
    click.echo(f"pyxle {command}: http://{config.host}:{port} (workers: {workers})", err=True)
    server.run(config.host, port, workers=workers, json_logs=config.log_format == "json")
