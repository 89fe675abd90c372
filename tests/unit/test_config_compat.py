"""Configuration files written for pyxle-framework 0.3-0.9: every key is honoured, or refused by name."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyxle.config import CONFIG_FILENAME, ConfigError, CsrfConfig, PyxleConfig, load_config
from pyxle.config._unsupported import NOT_YET

# Every key pyxle-framework 0.9.4 accepts (found by running it), with a value an app would write.
KEYS_094: dict[str, Any] = {
    "name": "shop",
    "pagesDir": "pages",
    "publicDir": "public",
    "buildDir": ".pyxle-build",
    "debug": False,
    "starlette.host": "127.0.0.1",
    "starlette.port": 8000,
    "vite.host": "127.0.0.1",
    "vite.port": 5173,
    "middleware": ["app.mw:Timing"],
    "routeMiddleware.pages": ["app.hooks:page"],
    "routeMiddleware.apis": ["app.hooks:api"],
    "routeMiddleware.actions": ["app.hooks:action"],
    "styling.globalStyles": ["styles/global.css"],
    "styling.globalScripts": ["scripts/analytics.js"],
    "cors.origins": ["https://example.com"],
    "cors.methods": ["GET", "POST"],
    "cors.headers": ["X-Requested-With"],
    "cors.credentials": True,
    "cors.maxAge": 600,
    "csrf.enabled": True,
    "csrf.cookieName": "my-csrf",
    "csrf.headerName": "x-csrf-token",
    "csrf.cookieSecure": True,
    "csrf.cookieSameSite": "lax",
    "csrf.exemptPaths": ["/api/webhooks"],
    "cache": {"/docs/*": 60},
    "assets.inlineStylesheets": "small",
    "assets.inlineStylesheetLimit": 8192,
    "assets.publicMaxAge": 3600,
    "assets.modulePreload": False,
    "assets.hydration": "idle",
    "navigation.defaultPrefetchTtl": 30,
    "rateLimit.requests": 100,
    "rateLimit.window": 60,
    "rateLimit.exemptPaths": ["/healthz"],
    "rateLimit.trustForwardedFor": True,
    "observability.requestId": True,
    "observability.requestIdHeader": "X-Request-Id",
    "observability.trustIncomingRequestId": False,
    "observability.timing": True,
    "observability.metricsEndpoint": True,
    "observability.metricsEndpointPath": "/api/__pyxle/metrics",
    "observability.metricsEndpointToken": None,
    "observability.accessLog": True,
    "observability.logFormat": "json",
    "observability.logLevel": "INFO",
    "observability.otel": False,
    "observability.otelServiceName": "shop",
    "observability.otelSampleRatio": 0.05,
    "llms.enabled": True,
    "llms.autoConvert": True,
    "studio.enabled": True,
    "studio.allowedHosts": ["localhost"],
    "dev.watch": ["lib"],
    "dev.ignore": ["tmp"],
    "plugins": ["pyxle-db"],
}


def nested(key: str, value: Any) -> dict[str, Any]:
    block, _, name = key.partition(".")
    return {block: {name: value}} if name else {block: value}


def outcome(root: Path, data: dict[str, Any]) -> tuple[PyxleConfig | None, str]:
    (root / CONFIG_FILENAME).write_text(json.dumps(data))
    try:
        config = load_config(root, environ={})
    except ConfigError as exc:
        return None, str(exc) + "\n" + "\n".join(exc.warnings)
    return config, "\n".join(config.warnings)


@pytest.mark.parametrize("key", list(KEYS_094))
def test_every_094_key_is_honoured_or_refused_by_name(tmp_path: Path, key: str) -> None:
    config, text = outcome(tmp_path, nested(key, KEYS_094[key]))
    assert "unknown key" not in text
    if config is None:  # refused, or a value the key's own rules reject: either way the error names it
        top = key.split(".")[0]
        assert f'"{key}" is refused' in text or f'"{top}" is refused' in text or f"{key} must be" in text


@pytest.mark.parametrize("key", ["routeMiddleware.actions", "routeMiddleware.pages", "routeMiddleware.apis",
                                 "csrf.enabled", "csrf.exemptPaths", "plugins", "rateLimit.requests"])
def test_a_key_that_guards_something_is_never_only_warned_about(tmp_path: Path, key: str) -> None:
    config, text = outcome(tmp_path, nested(key, KEYS_094[key]))
    if config is not None:
        assert text == ""  # honoured: no "has no effect" note


@pytest.mark.parametrize("key", sorted(NOT_YET))
def test_every_key_in_the_refusal_table_is_refused_by_name(tmp_path: Path, key: str) -> None:
    value = KEYS_094.get(key, {"enabled": True})
    config, text = outcome(tmp_path, nested(key, value))
    assert config is None and f'"{key}" is refused: {NOT_YET[key]}; remove it from the file to start without it' in text


def test_route_middleware_actions_is_read(tmp_path: Path) -> None:
    config, _ = outcome(tmp_path, {"routeMiddleware": {"pages": ["h:p"], "actions": ["h:a", "h:b"]}})
    assert config is not None
    assert config.action_hooks == ("h:a", "h:b") and config.page_hooks == ("h:p",)
    assert config.to_dict()["routeMiddleware"] == {"pages": ["h:p"], "apis": [], "actions": ["h:a", "h:b"]}


def test_a_misspelt_route_middleware_or_csrf_key_stops_start_up(tmp_path: Path) -> None:
    _, text = outcome(tmp_path, {"routeMiddleware": {"action": ["h:a"]}, "csrf": {"exemptPath": ["/x"]}})
    assert 'unknown key "routeMiddleware.action" (known: pages, apis, actions); did you mean "routeMiddleware.actions"?' in text
    assert 'unknown key "csrf.exemptPath"' in text and 'did you mean "csrf.exemptPaths"?' in text


def test_development_tool_settings_are_accepted_with_a_note(tmp_path: Path) -> None:
    config, text = outcome(tmp_path, {"vite": {"port": 5173}, "studio": {"enabled": True}, "dev": {"watch": ["lib"]}})
    assert config is not None
    assert '"vite" has no effect: Pyxle bundles with esbuild and runs no Vite server' in text
    assert '"studio" has no effect' in text and '"dev" has no effect' in text


def test_values_that_ask_for_what_pyxle_does_anyway_are_accepted(tmp_path: Path) -> None:
    config, text = outcome(tmp_path, {"assets": {"modulePreload": True, "hydration": "eager", "inlineStylesheets": "never"},
                                      "llms": {"enabled": False}, "styling": {"globalStyles": []}, "rateLimit": {}})
    assert config is not None and text == ""
    config, text = outcome(tmp_path, {"assets": {"modulePreload": 1}})
    assert config is None and '"assets" is refused' in text


def test_name_is_kept_and_a_null_csrf_cookie_name_means_the_default(tmp_path: Path) -> None:
    config, text = outcome(tmp_path, {"name": "shop", "csrf": {"cookieName": None}})
    assert config is not None and text == ""
    assert config.name == "shop" and config.csrf == CsrfConfig()


def test_plugin_entries_in_both_forms(tmp_path: Path) -> None:
    entries = ["pyxle-db", {"name": "pyxle-auth", "settings": {"strict": False}},
               {"name": "mine", "module": "app.plugin", "attribute": "Plugin"}]
    config, text = outcome(tmp_path, {"plugins": entries})
    assert config is not None and text == ""
    assert config.plugins == tuple(entries)
    assert config.project_root == tmp_path


def test_a_misspelt_key_in_a_plugin_entry_stops_start_up(tmp_path: Path) -> None:
    _, text = outcome(tmp_path, {"plugins": [{"name": "pyxle-auth", "setings": {"strict": True}}]})
    assert 'unknown key "plugins[0].setings"' in text and 'did you mean "plugins[0].settings"?' in text


@pytest.mark.parametrize(("data", "seen"), [
    ({}, (True, "console")),
    ({"accessLog": False, "logFormat": "json"}, (False, "json")),
    ({"observability": {"accessLog": False, "logFormat": "console"}}, (False, "console")),
])
def test_the_observability_block_has_0_9s_access_log_and_log_format_in_step_with_the_top_level(
        tmp_path: Path, data: dict[str, Any], seen: tuple[bool, str]) -> None:
    """Plugins written for 0.9 read ``config.observability.access_log`` and ``.log_format``, which
    were missing (an AttributeError): they follow the top-level fields, in 0.9's words."""
    config, _ = outcome(tmp_path, data)
    assert config is not None
    assert (config.observability.access_log, config.observability.log_format) == seen
    overridden = replace(config, access_log=not seen[0], log_format="json")  # as --no-access-log, --log-format do
    assert (overridden.observability.access_log, overridden.observability.log_format) == (not seen[0], "json")
