"""docs/migrating.md gives every public name, config key, client export and command of
pyxle-framework 0.9.4 a status, and what it calls "same" is there.

The lists below are kept here, written from 0.9.4's documented and observed surface (its
`--help`, its config keys, `pyxle.__all__` and the names apps import), not read from its code.
"""

from __future__ import annotations

import importlib
import re

import click
import pytest

from tests.conftest import REPO

DOC = (REPO / "docs" / "migrating.md").read_text()
STATUS = re.compile(r"^(same|noted|refused|not needed|not provided)")

CONFIG_KEYS = [
    "name", "pagesDir", "publicDir", "buildDir", "debug", "starlette.host", "starlette.port", "vite.host", "vite.port",
    "middleware", "routeMiddleware.pages", "routeMiddleware.apis", "routeMiddleware.actions",
    "styling.globalStyles", "styling.globalScripts",
    "cors.origins", "cors.methods", "cors.headers", "cors.credentials", "cors.maxAge",
    "csrf.enabled", "csrf.cookieName", "csrf.headerName", "csrf.cookieSecure", "csrf.cookieSameSite", "csrf.exemptPaths",
    "cache",
    "assets.inlineStylesheets", "assets.inlineStylesheetLimit", "assets.publicMaxAge", "assets.modulePreload",
    "assets.hydration",
    "navigation.defaultPrefetchTtl",
    "rateLimit.requests", "rateLimit.window", "rateLimit.exemptPaths", "rateLimit.trustForwardedFor",
    "observability.requestId", "observability.requestIdHeader", "observability.trustIncomingRequestId",
    "observability.timing", "observability.metricsEndpoint", "observability.metricsEndpointPath",
    "observability.metricsEndpointToken", "observability.accessLog", "observability.logFormat",
    "observability.logLevel", "observability.otel", "observability.otelServiceName", "observability.otelSampleRatio",
    "llms.enabled", "llms.autoConvert", "studio.enabled", "studio.allowedHosts", "dev.watch", "dev.ignore", "plugins",
]

CLIENT_EXPORTS = [
    "Head", "Script", "Image", "ClientOnly", "Slot", "SlotProvider", "useSlot", "useSlots", "Link", "navigate",
    "prefetch", "refresh", "invalidate", "getRouter", "Form", "useAction", "usePathname", "useAuth", "useWebSocket",
    "mergeSlotLayers", "normalizeSlots",
]

COMMANDS = {
    "pyxle": ["--version", "--log-format", "--verbose", "--quiet", "--install-completion", "--show-completion"],
    "init": ["name", "--force", "--template", "--tailwind", "--shadcn", "--import-alias", "--yes", "--install"],
    "install": ["directory", "--python", "--node", "--break-system-packages"],
    "dev": ["directory", "--host", "--port", "--vite-host", "--vite-port", "--debug", "--ssr-workers", "--config",
            "--print-config", "--tailwind", "--dashboard", "--inspect", "--inspect-port", "--inspect-wait", "--verbose"],
    "studio": ["all"],
    "build": ["directory", "--config", "--out-dir", "--incremental", "--static", "--analyze"],
    "serve": ["directory", "--host", "--port", "--dist-dir", "--skip-build", "--config", "--serve-static",
              "--ssr-workers", "--workers"],
    "check": ["directory", "--config"],
    "typecheck": ["directory", "--config"],
    "routes": ["directory", "--config", "--json"],
    "openapi": ["directory", "--config", "--out", "--title", "--api-version"],
}

PYTHON_NAMES = {
    "pyxle": ["__version__", "server", "sign_cookie", "verify_cookie"],
    "pyxle.runtime": ["server", "action", "ActionCookies", "ActionError", "ValidationActionError", "LoaderError",
                      "invalidate_routes", "ActionBodyError", "PydanticNotInstalledError",
                      "UnannotatedActionBodyError"],
    "pyxle.plugins": ["PyxlePlugin", "PluginSpec", "PluginContext", "plugin", "active_context", "set_active_context",
                      "load_plugins", "run_startup", "run_shutdown", "PluginError", "PluginResolutionError",
                      "PluginServiceError"],
    "pyxle.devserver.route_hooks": ["RouteContext", "RouteHook", "load_route_hooks", "wrap_with_route_hooks"],
    "pyxle.config": ["load_config", "PyxleConfig", "CorsConfig", "CsrfConfig", "ConfigError", "ObservabilityConfig",
                     "RateLimitConfig", "AssetsConfig", "CacheConfig", "DevConfig", "LlmsConfig", "NavigationConfig",
                     "StudioConfig", "apply_env_overrides", "default_csrf_cookie_name"],
    "pyxle.env": ["load_env_files", "EnvLoadResult", "get_public_env_vars", "parse_env_file"],
    "pyxle.cli.logger": ["ConsoleLogger", "LogFormat", "Verbosity"],
    "pyxle.security": ["sign_cookie", "verify_cookie", "MissingSecretKeyError"],
    "pyxle.testing": ["load_page", "load_loader"],
    "pyxle.realtime": ["Broker", "ChannelHandle", "InProcessBroker", "Message", "RedisBroker",
                       "authenticate_websocket", "broker_for", "build_broker", "channel", "origin_allowed"],
    "pyxle.observability": ["get_request_id", "request_timing_ms", "RequestIdMiddleware", "configure_logging",
                            "MetricsRegistry", "setup_otel", "render_dashboard"],
    "pyxle.middleware": ["RateLimitMiddleware", "StreamingGZipMiddleware"],
    "pyxle.tasks": ["TaskQueue", "enqueue"],
    "pyxle.cache": ["PageCache", "build_page_cache", "invalidate"],
}


def section(title: str) -> list[list[str]]:
    """The table rows of the `## title` section, as lists of cells."""
    body = DOC.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in body.splitlines() if line.startswith("|") and not line.startswith("|---")]


def named(cell: str, name: str) -> bool:
    return f"`{name}`" in cell


def status_of(rows: list[list[str]], match) -> str:  # type: ignore[no-untyped-def]
    found = [row[-1] for row in rows if match(row)]
    assert found, "not listed"
    assert all(STATUS.match(status) for status in found), found
    return found[0]


@pytest.mark.parametrize("key", CONFIG_KEYS)
def test_every_config_key_of_0_9_has_a_status(key: str) -> None:
    status_of(section("Configuration keys"), lambda row: named(row[0], key))


@pytest.mark.parametrize("export", CLIENT_EXPORTS)
def test_every_client_export_of_0_9_has_a_status(export: str) -> None:
    status_of(section("`pyxle/client`"), lambda row: named(row[0], export))


def test_the_default_export_is_ours_alone_and_not_called_same() -> None:
    """0.9.4's `pyxle/client` has no default export: the table of its exports does not list one as
    "same", and the doc says ours is an addition."""
    assert not [row for row in section("`pyxle/client`") if "default export" in row[0]]
    body = DOC.split("\n## `pyxle/client`\n", 1)[1].split("\n## ", 1)[0]
    assert "0.9.4's `pyxle/client` has no default export" in " ".join(body.split())


def command_rows() -> list[list[str]]:
    """Rows with the command filled in where the doc leaves it blank under the one above."""
    rows, current = [], ""
    for row in section("Commands and flags")[1:]:
        current = row[0] or current
        rows.append([current, *row[1:]])
    return rows


@pytest.mark.parametrize(("command", "flag"), [(c, f) for c, flags in COMMANDS.items() for f in flags])
def test_every_command_and_flag_of_0_9_has_a_status_and_same_ones_exist(command: str, flag: str) -> None:
    from pyxle.cli import main

    status = status_of(command_rows(), lambda row: row[0].startswith(f"`{command}`") and
                       (named(row[1], flag) or row[1].startswith(flag)))
    if status.startswith("same") and flag.startswith("--"):
        group: click.Group = main  # type: ignore[assignment]
        cli = group if command == "pyxle" else group.commands[command]
        assert any(flag in param.opts + param.secondary_opts for param in cli.params), f"{command} {flag}"


@pytest.mark.parametrize(("command", "flag"), [(c, f) for c, flags in COMMANDS.items() for f in flags if f.startswith("-")])
def test_every_flag_not_provided_is_in_the_clis_table_with_the_docs_hint(command: str, flag: str) -> None:
    """The CLI names what replaces a flag of 0.9 it does not take (pyxle.cli._main.REMOVED_FLAGS):
    the hint is the doc's, so the two cannot drift apart."""
    from pyxle.cli._main import REMOVED_FLAGS

    status = status_of(command_rows(), lambda row: row[0].startswith(f"`{command}`") and named(row[1], flag))
    if status.startswith("not provided") and command != "studio":
        assert REMOVED_FLAGS[flag] in status.replace("`", ""), (flag, status)


def test_every_flag_in_the_clis_table_is_not_provided_in_the_doc() -> None:
    from pyxle.cli._main import REMOVED_FLAGS

    for flag, hint in REMOVED_FLAGS.items():
        found = [row[-1] for row in command_rows() if named(row[1], flag)]
        assert found and all(s.startswith("not provided") and hint in s.replace("`", "") for s in found), flag


# 0.9's boolean flags that had a --no- form: scripts pass those too, whatever the flag's status
# (the --no- form of a feature this Pyxle lacks asks for what it does anyway).
NEGATED = {"init": ["--tailwind", "--shadcn", "--install"], "serve": ["--skip-build", "--serve-static"],
           "dev": ["--debug", "--print-config", "--tailwind", "--dashboard", "--inspect", "--inspect-wait"],
           "build": ["--incremental", "--static", "--analyze"]}


@pytest.mark.parametrize(("command", "flag"), [(c, f) for c, flags in NEGATED.items() for f in flags])
def test_the_no_form_of_every_negatable_flag_of_0_9_is_accepted(command: str, flag: str) -> None:
    from pyxle.cli import main

    negated = "--no-" + flag.removeprefix("--")
    group: click.Group = main  # type: ignore[assignment]
    assert any(negated in param.opts + param.secondary_opts for param in group.commands[command].params), negated

def python_rows() -> list[list[str]]:
    return section("Python names")[1:]


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in PYTHON_NAMES.items() for n in names])
def test_every_public_python_name_of_0_9_has_a_status_and_same_ones_import(module: str, name: str) -> None:
    status = status_of(python_rows(), lambda row: named(row[0], module) and (
        named(row[1], name) or row[1] in ("every name", "the names above")))
    if status.startswith("same"):
        assert hasattr(importlib.import_module(module), name), f"{module}.{name}"
