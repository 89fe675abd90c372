"""Commands: serve, dev, build, check, routes, install, init, openapi, typecheck."""

from __future__ import annotations

import dataclasses
import io
import json
import logging.config
import os
import signal
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyxle import __version__
from pyxle.cli._project import CliError, Mode, errors_as_json, export_for_workers, load_project, note, with_secret

if TYPE_CHECKING:
    from pyxle.bundler import BuildResult
    from pyxle.config import PyxleConfig
    from pyxle.routing import RouteTable

DIRECTORY = click.argument("directory", default=".", type=click.Path(path_type=Path))


class HostValue(click.ParamType):
    """``--host``'s value, checked by the rule PYXLE_HOST and starlette.host are checked by, so an
    empty one or one with a space is a usage error naming the flag (exit code 2), as other flags'."""

    name = "host"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pyxle.config._rules import HOST as RULE

        if isinstance(value, str) and not RULE.check(value):
            self.fail(f"must be {RULE.expected} (got {value!r})", param, ctx)
        return value


PRINT_CONFIG = click.option("--print-config/--no-print-config", default=False,
                            help="Print the merged configuration of this command's mode (secrets masked) and exit.")
HOST = click.option("--host", type=HostValue(), default=None,
                    help="Address or host name to listen on (default 127.0.0.1; a name: its first address).")
PORT = click.option("--port", type=click.IntRange(0, 65535), default=None,
                    help="Port (default: starlette.port or PYXLE_PORT, else 8000; 0: any free port).")


class LogFormat(click.Choice):
    """``--log-format``: ``text`` or ``json``. 0.9's ``console`` is refused, as 0.9's flags this
    Pyxle does not take are (``REMOVED_FLAGS``), but named as 0.9's ``text``, not click's bare list."""

    def __init__(self) -> None:
        super().__init__(["text", "json"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "console":
            command = ctx.info_name if ctx is not None else "serve"
            self.fail(f"'console' is 0.9's name for text: pyxle {command} --log-format text (text or json)", param, ctx)
        return super().convert(value, param, ctx)


LOG_FORMAT = click.option("--log-format", type=LogFormat(), default=None, help="Log line format.")
ACCESS_LOG = click.option("--access-log/--no-access-log", default=None, help="One log line per request.")
SSR_WORKERS = click.option("--ssr-workers", type=click.IntRange(0, 256), default=None,
                           help="Node processes rendering pages, per server worker (default, or 0: the number "
                                "of cores divided among the server workers, at least 1).")


class PeerList(click.ParamType):
    """``--forwarded-allow-ips``: addresses and networks separated by commas, or ``*``; a bad entry
    is a usage error naming the flag (the value then reaches the workers as its variable)."""

    name = "addresses"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from pyxle._forwarded import allowed_peer, split_peers

        if not isinstance(value, str):
            return value
        items = split_peers(value)
        bad = [item for item in items if not allowed_peer(item)] if items else [value]
        if bad:
            self.fail(f"{bad[0]!r} is not an IP address or network: give addresses such as 127.0.0.1 or networks "
                      "such as 10.0.0.0/8, separated by commas, or * for every peer", param, ctx)
        return ",".join(items)


FORWARDED_ALLOW_IPS = click.option(
    "--forwarded-allow-ips", type=PeerList(), default=None, metavar="ADDRESSES",
    help="Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: addresses or CIDR networks, "
         "comma-separated, * for all (default 127.0.0.1,::1; forwardedAllowIps).")


def forwarded_from(value: str | None) -> None:
    """The flag's value, for this process's config and the workers' (PYXLE_FORWARDED_ALLOW_IPS)."""
    if value is not None:
        os.environ["PYXLE_FORWARDED_ALLOW_IPS"] = value


class LimitValue(click.ParamType):
    """A limit flag's value, checked by the rule its PYXLE_* variable is checked by, so a malformed
    one is a usage error naming the flag and the value as typed (not the variable, reformatted)."""

    name = "limit"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str) or param is None:
            return value
        from pyxle.app._limits import LimitError, limit_value

        try:
            return limit_value(param.name or "", value.strip())
        except LimitError as exc:
            self.fail(str(exc), param, ctx)


# Timeouts and the render queue: flags set the PYXLE_* variable of the same name, which worker
# processes read like the ones from the shell or .env files (pyxle.app.Limits;
# docs/deployment.md#timeouts-and-limits).
LIMIT = LimitValue()
LIMIT_FLAGS = (
    click.option("--keep-alive-timeout", type=LIMIT, default=None, metavar="SECONDS",
                 help="Close a connection that sends no complete request head for this long (default 30)."),
    click.option("--body-timeout", type=LIMIT, default=None, metavar="SECONDS",
                 help="Answer 408 to a request whose body takes longer than this to arrive (default 60)."),
    click.option("--shutdown-timeout", type=LIMIT, default=None, metavar="SECONDS",
                 help="After SIGTERM, wait this long for requests in progress, then close them (default 10)."),
    click.option("--worker-timeout", type=LIMIT, default=None, metavar="SECONDS",
                 help="Replace a worker whose event loop has been blocked this long, after logging its "
                      "threads' stacks (default 30; pyxle serve only)."),
    click.option("--ssr-timeout", type=LIMIT, default=None, metavar="SECONDS",
                 help="A render that runs longer fails and its worker is replaced (default 10)."),
    click.option("--ssr-queue", type=LIMIT, default=None, metavar="N",
                 help="Renders that may wait for a busy SSR worker; more are answered 503 (default 128 per SSR worker)."),
)


def limit_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(LIMIT_FLAGS):
        command = option(command)
    return command


def not_needed(*option: str, why: str, takes_value: bool = False,
               ignored: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A pyxle-framework 0.9 flag this Pyxle does not need (docs/migrating.md, "not needed"):
    accepted, so the scripts that pass it keep working, and named on stderr with why. ``option``
    is its names as click declares them ("--yes", "-y"; "--analyze/--no-analyze"). ``ignored``:
    what to say of the ``--no-`` form when it asked for what this Pyxle does anyway."""

    def note(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        if ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.COMMANDLINE:
            if value is False and param.secondary_opts:
                flag = param.secondary_opts[0]
                said = f"is ignored: {ignored}" if ignored else f"is not needed: {why}"
            else:
                flag, said = param.opts[0], f"is not needed: {why}"
            click.echo(f"pyxle: {flag} {said}", err=True)

    if takes_value:
        return click.option(*option, hidden=True, expose_value=False, default=None, callback=note)
    return click.option(*option, hidden=True, expose_value=False, is_flag=True, default=None, callback=note)


# pyxle-framework 0.3 to 0.9's flags this Pyxle does not take, and what to use instead: the hints
# of docs/migrating.md's "Commands and flags", "not provided" (tests/unit/test_migrating_doc.py).
_LOG_LEVEL = 'set "observability": {"logLevel": "%s"} in pyxle.config.json'
_COMPLETION = ('click\'s completion: eval "$(_PYXLE_COMPLETE=bash_source pyxle)" '
               "(zsh_source or fish_source for those shells)")
_DEBUGGER = "pyxle dev hosts no debugger; debug pages in the browser's developer tools"
_TEMPLATE = "one template; --api makes an API-only project"
REMOVED_FLAGS = {
    "--log-format": "dev and serve take it after the command: pyxle serve --log-format json "
                    "(text or json; for 0.9's console write text)",
    "--verbose": _LOG_LEVEL % "debug",
    "--quiet": _LOG_LEVEL % "warning",
    "-q": _LOG_LEVEL % "warning",
    "--install-completion": _COMPLETION,
    "--show-completion": _COMPLETION,
    "--force": "init never overwrites a file: init into a new folder",
    "--template": _TEMPLATE,
    "-t": _TEMPLATE,
    "--shadcn": "init sets up no shadcn/ui; 0.9's shadcn starters serve unchanged",
    "--import-alias": "set paths in jsconfig.json or tsconfig.json (@/* resolves)",
    "--install": "run pyxle install",
    "--python": "pyxle install runs pip with the Python that runs it: python -m pyxle install",
    "--node": "pyxle install runs the npm on PATH",
    "--break-system-packages": "set PIP_BREAK_SYSTEM_PACKAGES=1, which pip reads",
    "--debug": "pyxle dev always shows error detail (debug in pyxle.config.json does so for pyxle serve)",
    "--dashboard": "metrics are at observability.metricsEndpoint",
    "--inspect": _DEBUGGER,
    "--inspect-port": _DEBUGGER,
    "--inspect-wait": _DEBUGGER,
    "--config": "Pyxle reads the project's pyxle.config.json; PYXLE_* variables override its keys",
    "--static": "pages are rendered when asked for; a cache route or a loader's revalidate envelope has "
                "the page cache store them once rendered",
    "--dist-dir": "set distDir in pyxle.config.json or PYXLE_DIST_DIR",
}


class _NamesRemovedFlags(click.Command):
    """Where click finds an option it does not know: one of 0.3 to 0.9's is named with what replaces
    it (exit code 2), where click said "No such option", or offered its hidden ``--no-`` form."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            hint = REMOVED_FLAGS.get(exc.option_name)
            if hint is None:
                raise
            raise click.UsageError(f"{exc.option_name} is not provided (pyxle-framework 0.3 to 0.9 had it)\n"
                                   f"    hint: {hint}", exc.ctx) from None


class _Group(_NamesRemovedFlags, click.Group):
    """The ``pyxle`` group: flags before the command too, and its commands too."""

    command_class = _NamesRemovedFlags


def display_width(text: str) -> int:
    """The columns ``text`` takes in a terminal: 2 for a wide (CJK) character, 0 for a combining one."""
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns, as ``str.ljust`` pads ASCII."""
    return text + " " * (width - display_width(text))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pyxle", message="%(version)s")  # bare, as 0.9 printed it
def main() -> None:
    """Pyxle: file-based API routes and React pages, served from one process tree."""
    for stream in (sys.stdout, sys.stderr):  # a cp1252 stdout (Windows, piped) prints 日本 as \u65e5\u672c, not a traceback
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="backslashreplace")


@main.command()
@DIRECTORY
@HOST
@PORT
@click.option("--workers", "-w", type=click.IntRange(0, 512), default=1, show_default=True,
              help="Worker processes sharing the port (0: one per CPU core).")
@LOG_FORMAT
@ACCESS_LOG
@SSR_WORKERS
@FORWARDED_ALLOW_IPS
@click.option("--skip-build/--no-skip-build", default=False, help="Serve the existing build without checking that it is current.")
@PRINT_CONFIG
@limit_flags
@not_needed("--serve-static/--no-serve-static", why="public/ and the build's assets are always served",
            ignored="Pyxle serves public/ and the build's assets itself (a CDN in front still caches them)")
def serve(directory: Path, host: str | None, port: int | None, workers: int, log_format: str | None,
          access_log: bool | None, ssr_workers: int | None, forwarded_allow_ips: str | None, skip_build: bool,
          print_config: bool, **limits: float | None) -> None:
    """Run the project with the production server (building pages first when the build is stale)."""
    forwarded_from(forwarded_allow_ips)
    overrides = {"host": host, "port": port, "log_format": log_format, "access_log": access_log}
    if print_config:  # what production runs with: the .env.production files
        _print_config(directory, "production", overrides)
        return
    if skip_build:
        os.environ["PYXLE_SKIP_BUILD"] = "1"
    for name, value in limits.items():
        if value is not None:
            os.environ["PYXLE_" + name.upper()] = repr(value)  # exact: f"{value:g}" rounded to 6 digits
    _run(directory, "production", overrides, workers, ssr_workers)


def _print_config(directory: Path, mode: Mode, overrides: dict[str, Any]) -> None:
    """``--print-config``: the configuration ``mode`` would run with, secrets masked."""
    config = load_project(directory, mode, overrides, from_build=mode == "production")
    click.echo(json.dumps(config.to_dict(masked=True), indent=2))


@main.command()
@DIRECTORY
@HOST
@PORT
@LOG_FORMAT
@ACCESS_LOG
@SSR_WORKERS
@FORWARDED_ALLOW_IPS
@PRINT_CONFIG
@not_needed("--vite-host", why="there is no Vite server", takes_value=True)
@not_needed("--vite-port", why="there is no Vite server", takes_value=True)
@not_needed("--tailwind/--no-tailwind", why="Tailwind runs in the bundler, on every rebuild")
@not_needed("--no-debug", why="pyxle dev has no debug switch")
@not_needed("--no-dashboard", why="there is no dashboard")
@not_needed("--no-inspect", why="there is no debugger to host")
@not_needed("--no-inspect-wait", why="there is no debugger to host")
def dev(directory: Path, host: str | None, port: int | None, log_format: str | None, access_log: bool | None,
        ssr_workers: int | None, forwarded_allow_ips: str | None, print_config: bool) -> None:
    """Run the project for development: reloads on change, shows error detail."""
    forwarded_from(forwarded_allow_ips)
    overrides = {"host": host, "port": port, "log_format": log_format, "access_log": access_log}
    if print_config:
        _print_config(directory, "development", overrides)
        return
    _run(directory, "development", overrides, 1, ssr_workers)


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
    widths = [max(display_width(str(row[i])) for row in [headers, *table]) for i in range(len(headers))]
    for row in [headers, *table]:
        click.echo("  ".join(pad(str(cell), width) for cell, width in zip(row, widths, strict=True)).rstrip())


@main.command("build")
@DIRECTORY
@click.option("--out-dir", type=click.Path(path_type=Path), default=None,
              help="Where to write the build (default: distDir, dist). `pyxle serve` serves distDir.")
@click.option("--types/--no-types", default=True, show_default=True,
              help="Write the pages' TypeScript types to .pyxle/types/ (from loader and action annotations); "
                   "the annotations pyxle serve refuses stop the build either way.")
@not_needed("--analyze/--no-analyze", why="build always prints each page's JavaScript and CSS size")
@not_needed("--no-static", why="pages are rendered when asked for")
@not_needed("--incremental/--no-incremental", why="builds are fingerprinted and reused while current")
def build_command(directory: Path, out_dir: Path | None, types: bool) -> None:
    """Compile and bundle every page; print the size of each page's JavaScript and CSS."""
    from pyxle.app._app import note_hidden_public
    from pyxle.app._staging import discard, promote, stage

    config = load_project(directory, "production", {"dist_dir": str(out_dir) if out_dir else None})
    note_hidden_public(config)
    try:
        config.dist_path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"cannot write the build to {config.dist_path}: {_reason(exc, config.dist_path)}") from None
    # A server may be serving distDir meanwhile (`pyxle serve --skip-build`): the build is made
    # beside it and put in its place once checked, keeping the previous build's hashed browser files
    # for the pages its workers and browsers' caches still hold, as a reload's build is (app._staging).
    staging = stage(config.dist_path)  # None where no sibling can be written: built in place then
    try:
        result = _build_checked(config, staging or config.dist_path, types)
        if result is None:
            return
        if staging is not None:
            promote(staging, config.dist_path)
            result = dataclasses.replace(result, out_dir=config.dist_path)
    finally:
        if staging is not None:
            discard(staging)
    public = result.public_dir
    click.echo(f"{'PAGE':<32} {'JS':>10} {'JS gzip':>10} {'CSS':>8}")
    for page_id, assets in sorted(result.manifest["pages"].items()):
        files = [assets["js"], *assets["imports"]]
        raw = sum((public / f.lstrip("/")).stat().st_size for f in files)
        gz = sum((public / (f.lstrip("/") + ".gz")).stat().st_size for f in files)
        css = sum((public / f.lstrip("/")).stat().st_size for f in assets["css"])
        click.echo(f"{pad(page_id, 32)} {raw / 1024:>8.1f}kB {gz / 1024:>8.1f}kB {css / 1024:>6.1f}kB")
    pages = len(result.manifest["pages"])
    click.echo(f"pyxle build: {pages} page{'s' if pages != 1 else ''} in {result.out_dir}", err=True)


def _build_checked(config: PyxleConfig, out: Path, types: bool) -> BuildResult | None:
    """``pyxle build``'s build into ``out``, the types made meanwhile (None: API routes alone, nothing
    to bundle); one message, and nothing put in distDir's place, for a routing or bundling error or
    an SSR bundle that would not load."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from pyxle.app._ssrcheck import bundle_problem
    from pyxle.bundler import BuildError, TypesProblem, build, generate_types
    from pyxle.config import public_env
    from pyxle.routing import RoutingError, scan

    with ThreadPoolExecutor(1) as pool:  # the types are made while Node bundles (Python only waits there)
        generated: list[Future[list[TypesProblem]]] = []

        def start_types() -> None:  # --no-types: the pages are still checked as pyxle serve loads them
            generated.append(pool.submit(generate_types, config.root, config.pages_path, table, write=types))

        try:
            table = scan(config.pages_path)
            broken_api_routes(config, table, pages=True)
            if not (table.pages or table.specials):  # as pyxle serve: API routes need no bundle, nor npm
                click.echo("pyxle build: no pages to bundle; the API routes are served from their source", err=True)
                return None
            result = build(config.root, config.pages_path, table, out, mode="production",
                           public_env=public_env(), force=True, other_outputs=(config.build_path, config.dist_path),
                           global_styles=config.styling.global_styles,
                           global_scripts=config.styling.global_scripts, while_bundling=start_types,
                           public_dir=config.public_path)
        except RoutingError as exc:
            raise CliError("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
        except BuildError as exc:
            raise CliError("\n".join(exc.messages)) from None
        except OSError as exc:  # a read-only project whose dist/ exists: the first write names why
            raise CliError(f"cannot write the build to {config.dist_path} ({_os_reason(exc)})\n"
                           "    hint: run `pyxle build` where the project is writable, or give --out-dir a "
                           "writable folder") from None
        found = generated[0].result() if generated else []
        refused = [problem.text for problem in found if problem.refused]
        if refused:  # pyxle serve would stop on these pages: so does the build (nothing goes in distDir)
            raise CliError("\n".join(refused))
        for problem in found:
            click.echo(f"pyxle: warning: {problem.text}", err=True)
    problem = bundle_problem(result.ssr_bundle, config.root)  # what every server worker would die of
    if problem is not None:
        raise CliError(problem)
    return result


@main.command()
@DIRECTORY
def install(directory: Path) -> None:
    """Install the project's dependencies: pip for requirements.txt, npm for package.json."""
    import shutil
    import subprocess

    from pyxle.cli._project import project_root

    root = project_root(directory)
    steps = []
    cleanup: list[Path] = []
    if (root / "requirements.txt").is_file():
        from pyxle.cli._install import pip_command

        command, cleanup, left_out = pip_command(root)
        for line, why in left_out:
            click.echo(f"pyxle install: {line!r} left out: {why}", err=True)
        steps.append(("pip", command))
    if (root / "package.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise CliError("package.json needs npm, which is not installed (install Node.js from nodejs.org or your OS)")
        steps.append(("npm", [npm, "install", "--no-audit", "--no-fund"]))
    if not steps:
        click.echo("pyxle install: nothing to install (no requirements.txt or package.json)")
        return
    try:
        for name, command in steps:
            click.echo(f"pyxle install: {name} ({' '.join(command[3:] if name == 'pip' else command[1:])})...", err=True)
            if subprocess.run(command, cwd=root, check=False).returncode != 0:
                hint = ("\nhint: a requirement that conflicts with this Pyxle's own is named above (\"The conflict is "
                        "caused by\"): change or remove that line") if name == "pip" else ""
                raise CliError(f"{name} failed; see its output above{hint}")
    finally:
        for path in cleanup:
            path.unlink(missing_ok=True)
    click.echo("pyxle install: done", err=True)


@main.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path))
@click.option("--api", "api_only", is_flag=True, help="API routes only: a project that needs nothing but Python.")
@click.option("--tailwind/--no-tailwind", default=False, help="Style the pages with Tailwind CSS 4 (through PostCSS).")
@not_needed("--yes", "-y", why="init never prompts")
@not_needed("--no-install", why="init installs nothing; run pyxle install")
@not_needed("--no-shadcn", why="init sets up no shadcn/ui")
def init(directory: Path, api_only: bool, tailwind: bool) -> None:
    """Create a project in DIRECTORY (default: here): a page, a layout and an API route, or with
    --api, API routes only. Never overwrites a file."""
    import shlex

    from pyxle.cli._init import folder_for, scaffold

    kind = "api" if api_only else "app"
    directory, name = folder_for(directory)
    written = scaffold(directory, kind, tailwind=tailwind, name=name)
    label = f"{kind} starter, Tailwind CSS 4" if tailwind else f"{kind} starter"
    click.echo(f"pyxle init: created {len(written)} files in {directory} ({label})")
    for name in written:
        click.echo(f"  {name}")
    steps = ([f"cd {shlex.quote(str(directory))}"] if directory.resolve() != Path.cwd().resolve() else [])
    steps += ["pyxle dev"] if api_only else ["pyxle install", "pyxle dev"]
    click.echo("next:\n" + "\n".join(f"  {step}" for step in steps))


@main.command()
@DIRECTORY
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None, help="Write the document here (default: stdout).")
@click.option("--title", default="Pyxle API", show_default=True, help="info.title of the document.")
@click.option("--api-version", default="0.1.0", show_default=True, help="info.version of the document.")
def openapi(directory: Path, out: Path | None, title: str, api_version: str) -> None:
    """Print (or write) the OpenAPI 3.1 document of every API route and action."""
    from pyxle.app._openapi import document
    from pyxle.cli._routes import load_routes

    config = load_project(directory, "development")
    loaded, actions = load_routes(config)
    entries = [*loaded, *([(None, actions)] if actions is not None else [])]
    text = json.dumps(document(entries, title=title, version=api_version), indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)  # as 0.9 did: `-o gen/api/openapi.json` in a fresh checkout
        out.write_text(text)
    except OSError as exc:
        raise CliError(f"cannot write the document to {out}: {_reason(exc, out)}") from None
    click.echo(f"pyxle openapi: wrote {out}", err=True)


def _os_reason(exc: OSError) -> str:
    """``Read-only file system: /app/dist/client``: what the system refused, and where."""
    reason = exc.strerror or str(exc)
    return f"{reason}: {exc.filename}" if exc.filename else reason


def _reason(exc: OSError, path: Path) -> str:
    """Why ``path`` cannot be written, in words: the errors users hit, named for what they mean."""
    if isinstance(exc, IsADirectoryError):
        return "it is a folder; name a file, such as openapi.json, in it"
    if isinstance(exc, FileNotFoundError) and not path.parent.exists():
        return f"its folder {path.parent} cannot be created ({exc.strerror or exc})"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):  # FileExistsError: a folder to make is a file
        return "a part of the path is a file, not a folder"
    return f"it cannot be created there ({exc.strerror or exc})"


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


@main.command()
@DIRECTORY
def typecheck(directory: Path) -> None:
    """Check pages and components with TypeScript (tsc --noEmit), the pages' data typed from their
    loaders' annotations; errors as file:line:col of the .pyxl (exit code 1 on any error)."""
    from pyxle.bundler import TypecheckUnavailable
    from pyxle.bundler import typecheck as run_typecheck
    from pyxle.routing import RoutingError, scan

    config = load_project(directory, "development")
    try:
        table = scan(config.pages_path)
        broken_api_routes(config, table)
        problems, pages = run_typecheck(config.root, config.pages_path, table,
                                        exclude=[config.dist_path, config.build_path])
    except TypecheckUnavailable as exc:
        raise CliError(str(exc)) from None
    except OSError as exc:  # a read-only project: tsc is given the pages' code in .pyxle/typecheck/
        raise CliError(f"cannot write the files tsc checks to {config.root / '.pyxle'} ({_os_reason(exc)})\n"
                       "    hint: pyxle typecheck writes the pages' code and types to .pyxle/ first: run it where "
                       "the project is writable") from None
    except RoutingError as exc:
        raise CliError("invalid routes:\n  " + "\n  ".join(exc.problems)) from None
    for problem in problems:
        click.echo(problem.format() + "\n")
    files = len({p.file for p in problems if p.file})
    if problems:
        click.echo(f"pyxle typecheck: {len(problems)} error{'s' if len(problems) != 1 else ''}"
                   + (f" in {files} file{'s' if files != 1 else ''}" if files else ""), err=True)
        raise SystemExit(1)
    click.echo(f"pyxle typecheck: no type errors ({pages} page{'s' if pages != 1 else ''} checked)", err=True)


def broken_api_routes(config: PyxleConfig, table: RouteTable, *, pages: bool = False) -> None:
    """Stop as ``pyxle serve`` would on an API route it cannot load (``file:line``, source line,
    hint), so a CI step that builds or type-checks fails where the server would not start. With
    ``pages`` (``pyxle build``), also on what ``pyxle check`` finds in the pages' Python (a name
    nothing defines, an import of a module that is not there), a ``middleware`` entry whose
    module is not there, and a route at the URL of a file of ``public/`` (which it hides)."""
    from pyxle.bundler import page_files
    from pyxle.cli._check import api_source_problems, middleware_problems, pages_python_problems

    found = api_source_problems(config, (config.pages_path / spec.file for spec in table.api))
    problems = [message for messages in found.values() for message in messages]
    if pages:
        from pyxle.app._app import public_conflicts

        problems += middleware_problems(config)
        problems += pages_python_problems(config, (config.pages_path / file for file in page_files(table)))
        problems += [f"{problem}\n    hint: {hint}" for problem, hint in public_conflicts(config, table)]
    if problems:
        raise CliError("\n\n".join(problems))


def _try_plugins(app: Any) -> None:
    """Start and stop the app's plugins once, here, before any worker exists: a plugin that cannot
    start (a bad setting, its database unreachable) is then one message and exit code 1, where
    every worker failed in turn and was started again, each time with a traceback."""
    if app.plugins is None:
        return
    import asyncio

    from pyxle.app import StartupError
    from pyxle.plugins import PluginError

    async def start_and_stop() -> None:
        await app.plugins.start()
        await app.plugins.stop()

    try:
        asyncio.run(start_and_stop())
    except PluginError as exc:
        raise StartupError(str(exc)) from None


def check_worker() -> None:
    """What a reload checks in a process of its own before it replaces the workers: the app builds
    as a new worker's would, its plugins start, and an SSR worker loads its build (a setting a
    plugin refuses, or a page that reads ``window`` as it loads, would otherwise stop every new
    worker, and the old ones with them). The build is made beside the served one and replaces it
    only once checked: the running workers' SSR renderers load the served one again whenever a
    Node process dies (``pyxle.app._staging``)."""
    from pyxle._redis import CHECKED, mark_checked
    from pyxle.app import StartupError, worker_app
    from pyxle.app._app import redis_urls

    signal.signal(signal.SIGTERM, _stopped)  # the server stops: the staged build is discarded (_checked)
    try:
        app = worker_app(staged=True)
        _checked(app)
    except StartupError as exc:
        print(f"pyxle: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    checked: dict[str, str] = {}
    mark_checked(redis_urls(app.config, app.mode).values(), checked)
    print(f"{CHECKED}={checked[CHECKED]}")  # the last line: the Redis URLs the new workers may count on


def _checked(app: Any) -> None:
    """What would stop every worker, checked once in this process (the plugins start, the
    middleware's lifespan runs, the SSR bundle loads); then the build staged beside ``dist/`` is put
    in place. Whatever fails, or a SIGTERM meanwhile, the staged copy is discarded."""
    from pyxle.app._ssrcheck import check_ssr
    from pyxle.app._staging import discard, promote

    try:
        _try_plugins(app)
        app.check_middleware()
        check_ssr(app)
        if app.build_into is not None:
            promote(app.build_into, app.config.dist_path)
    finally:
        if app.build_into is not None:
            discard(app.build_into)


def _stopped(signum: int, frame: Any) -> None:
    """A reload check's SIGTERM (the server stops, ``_serve.ReloadCheck``): unwinds, so that what
    it staged is discarded rather than left half-made, or put in place after the server is gone."""
    raise SystemExit(128 + signum)


def _run(directory: Path, mode: str, overrides: dict, workers: int, ssr_workers: int | None = None) -> None:  # type: ignore[type-arg]
    from pyxle._redis import CHECKED as REDIS_CHECKED
    from pyxle._tmpdirs import temp_problem
    from pyxle.app import BUILT_BY_SERVER, StartupError, create_app
    from pyxle.app._app import note_workers_apart
    from pyxle.cli import _serve as server
    from pyxle.cli._stdio import steady_stdio

    steady_stdio()  # before logging binds to the streams: a log reader that goes must not stop the server
    if (problem := temp_problem()) is not None:
        raise CliError(problem)
    detected = workers == 0  # pyxle-framework 0.9's "auto-detect": one per core
    workers = workers or max(1, os.cpu_count() or 1)
    shell = dict(os.environ)  # before the .env files: pyxle dev loads them again as start-up does
    # What the flag, the environment or the file says already: an error in the config itself is a JSON line too.
    CliError.as_json = errors_as_json(directory, mode, overrides)  # type: ignore[arg-type]
    if CliError.as_json:
        logging.config.dictConfig(server.log_config(True))
    config = load_project(directory, mode, overrides, warn=False, from_build=mode == "production")  # type: ignore[arg-type]
    dev = None
    if mode == "development":
        from pyxle.cli._devreload import DEV_RELOAD_PID, DevReload
        from pyxle.config import ConfigError

        try:
            dev = DevReload(config.root, mode, overrides, shell)  # the settings as loaded here
        except (ConfigError, server.LimitError) as exc:  # edited since, already
            raise CliError(str(exc)) from None
    json_logs, level = config.log_format == "json", config.observability.log_level
    logging.config.dictConfig(server.log_config(json_logs, level))  # the notes below are in the log's format
    CliError.as_json = json_logs
    for warning in config.warnings:
        note(warning, json_logs=json_logs)
    if mode == "development":
        from pyxle.cli._install import npm_install_for_dev

        npm_install_for_dev(config.root, lambda text, warning: note(text, json_logs=json_logs, warning=warning))
    config = with_secret(config, mode, workers)  # type: ignore[arg-type]
    try:
        limits = server.Limits.from_env(os.environ)  # flags and .env files are in the environment by now
    except server.LimitError as exc:
        raise CliError(str(exc)) from None
    if config.observability.metrics_endpoint:
        from pyxle.observability import MetricsDirError, prepare_multiprocess_dir

        try:
            prepare_multiprocess_dir()  # before any worker imports prometheus-client
        except MetricsDirError as exc:
            raise CliError(str(exc)) from None
    # Renders are CPU-bound: the cores are shared among the server workers' pools, not multiplied.
    ssr_workers = ssr_workers or max(1, (os.cpu_count() or 2) // workers)
    os.environ.pop(REDIS_CHECKED, None)  # this is the start-up that checks Redis, whatever the shell says
    setting = config.sources.get("starlette.host", "starlette.host")  # "--host", "PYXLE_HOST", "<file>: starlette.host"
    try:
        address = server.resolve_host(config.host, setting)  # before the build: a typo in the name fails at once
        # Fail here, once, and build: in production beside dist/ and put in place once checked, as a
        # reload's build is, keeping the previous build's hashed browser files for open pages.
        # pyxle dev starts with pages that do not build, showing their errors as after an edit.
        app = create_app(config, mode=mode, ssr_workers=ssr_workers, staged=mode == "production",  # type: ignore[arg-type]
                         keep_broken_pages=mode == "development")
        _checked(app)
        note_workers_apart(app, workers)
        port, holder = server.reserve_port(address, config.port, setting.rpartition(": ")[2])
    except StartupError as exc:
        raise CliError(str(exc)) from None
    except server.BindError as exc:
        raise CliError(str(exc)) from None
    config = dataclasses.replace(config, port=port)
    export_for_workers(config, mode, workers)  # type: ignore[arg-type]
    if mode == "production" and (config.dist_path / "manifest.json").is_file() and not app.unrendered:
        # The workers serve the build made and checked above. (Unrendered, the build in dist/ is
        # stale and none could be made: a worker would serve it, or refuse one of another Pyxle.)
        os.environ[BUILT_BY_SERVER] = "1"
    os.environ["PYXLE_SSR_WORKERS"] = str(ssr_workers)
    if dev is not None:  # the worker asks for a new one when a setting was edited (cli._devreload)
        os.environ[DEV_RELOAD_PID] = str(os.getpid())
    command = "dev" if mode == "development" else "serve"
    picked = ", one per CPU core" if detected else ""
    resolved = f", {config.host} is {address}" if address != config.host else ""  # a name: what was bound
    note(f"pyxle {command}: http://{server.url_host(address)}:{port} (workers: {workers}{picked}{resolved})",
         json_logs=json_logs, warning=False)
    try:
        server.run(address, port, workers=workers, json_logs=json_logs, log_level=level,
                   limits=limits, dev=dev)
    finally:
        if holder is not None:  # held until the server has stopped: see reserve_port
            holder.close()
