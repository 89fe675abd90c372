"""pyxle.config: pyxle.config.json validation, precedence, the model and masking."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pyxle.config import (
    CONFIG_FILENAME,
    DEFAULT_SECURITY_HEADERS,
    ConfigError,
    CorsConfig,
    CsrfConfig,
    PyxleConfig,
    StylingConfig,
    load_config,
)
from tests.docs._blocks import cites, doc_block


def write_config(root: Path, data: Any) -> Path:
    path = root / CONFIG_FILENAME
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def load(root: Path, data: Any = None, **kwargs: Any) -> PyxleConfig:
    if data is not None:
        write_config(root, data)
    kwargs.setdefault("environ", {})
    return load_config(root, **kwargs)


def problems_for(root: Path, data: Any) -> tuple[str, ...]:
    write_config(root, data)
    with pytest.raises(ConfigError) as info:
        load_config(root, environ={})
    return info.value.problems


# -- defaults -------------------------------------------------------------------------


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config.root == tmp_path.absolute()
    assert config.pages_dir == "pages"
    assert config.public_dir == "public"
    assert config.build_dir == ".pyxle-build"
    assert config.dist_dir == "dist"
    assert config.debug is False
    assert (config.host, config.port) == ("127.0.0.1", 8000)
    assert config.middleware == config.page_hooks == config.api_hooks == ()
    assert config.cors == CorsConfig()
    assert config.cors.enabled is False
    assert config.csrf == CsrfConfig()
    assert config.csrf.enabled is True
    assert config.csrf.cookie_secure is None
    assert config.csrf.api_routes is None  # unset: API routes unchecked, and start-up names those taking POST
    assert dict(config.security_headers) == {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
    assert config.max_body_size == 10 * 1024 * 1024
    assert config.access_log is True
    assert config.log_format == "text"
    assert config.styling == StylingConfig()
    assert config.plugins == ()
    assert config.secret_key is None
    assert config.warnings == ()


def test_empty_object_is_all_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, {}) == PyxleConfig(root=tmp_path)


def test_paths_are_absolute_under_root(tmp_path: Path) -> None:
    config = load(tmp_path, {"pagesDir": "src/pages", "publicDir": "static", "buildDir": "out", "distDir": "ship"})
    assert config.pages_path == tmp_path / "src/pages"
    assert config.public_path == tmp_path / "static"
    assert config.build_path == tmp_path / "out"
    assert config.dist_path == tmp_path / "ship"
    assert load_config(tmp_path, environ={"PYXLE_DIST_DIR": "env-dist"}).dist_path == tmp_path / "env-dist"


def test_relative_root_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(".", environ={})
    assert config.root.is_absolute()
    assert config.root == tmp_path.absolute()


def test_config_is_immutable(tmp_path: Path) -> None:
    config = load(tmp_path, {"styling": {"globalStyles": ["app.css"]}})
    with pytest.raises(AttributeError):
        config.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.security_headers["X-New"] = "1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        config.styling.global_styles = ()  # type: ignore[misc]
    assert config.styling.global_styles == ("app.css",)
    hash(config)


def test_direct_construction_accepts_loose_forms(tmp_path: Path) -> None:
    config = PyxleConfig(
        root=str(tmp_path),  # type: ignore[arg-type]
        middleware=["a.b:C"],  # type: ignore[arg-type]
        security_headers={"X-Frame-Options": "DENY"},
    )
    assert config.root == tmp_path
    assert config.middleware == ("a.b:C",)
    with pytest.raises(TypeError):
        config.security_headers["X"] = "y"  # type: ignore[index]


# -- every key's valid values -----------------------------------------------------------


def test_all_keys_valid(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        {
            "$schema": "./node_modules/pyxle/schema.json",
            "pagesDir": "app/pages",
            "publicDir": "assets",
            "buildDir": "out",
            "debug": True,
            "starlette": {"host": "0.0.0.0", "port": 3000},
            "middleware": ["app.middleware:Timing", "app.auth.mw:Auth"],
            "routeMiddleware": {"pages": ["app.hooks:require_login"], "apis": ["app.hooks:api_key"]},
            "cors": {
                "origins": ["https://example.com", "http://localhost:5173"],
                "methods": ["get", "POST"],
                "headers": ["X-Requested-With", "Content-Type"],
                "credentials": True,
                "maxAge": 0,
            },
            "csrf": {
                "enabled": True,
                "cookieName": "my-csrf",
                "headerName": "X-My-Token",
                "cookieSecure": True,
                "cookieSameSite": "Strict",
                "exemptPaths": ["/webhooks/"],
                "apiRoutes": ["/api/private"],
            },
            "styling": {"globalStyles": ["styles/reset.css", "pages/app.css"], "globalScripts": ["scripts/analytics.js"]},
            "plugins": ["pyxle-auth", {"name": "x", "settings": {"a": 1}}],
            "securityHeaders": {"Content-Security-Policy": "default-src 'self'"},
            "maxBodySize": 1024,
            "accessLog": False,
            "logFormat": "json",
        },
    )
    assert config.warnings == ()
    assert (config.pages_dir, config.public_dir, config.build_dir) == ("app/pages", "assets", "out")
    assert config.debug is True
    assert (config.host, config.port) == ("0.0.0.0", 3000)
    assert config.middleware == ("app.middleware:Timing", "app.auth.mw:Auth")
    assert config.page_hooks == ("app.hooks:require_login",)
    assert config.api_hooks == ("app.hooks:api_key",)
    assert config.cors == CorsConfig(
        origins=("https://example.com", "http://localhost:5173"),
        methods=("GET", "POST"),
        headers=("X-Requested-With", "Content-Type"),
        credentials=True,
        max_age=0,
    )
    assert config.cors.enabled is True
    assert config.csrf == CsrfConfig(
        enabled=True,
        cookie_name="my-csrf",
        header_name="x-my-token",
        cookie_secure=True,
        cookie_same_site="strict",
        exempt_paths=("/webhooks",),  # canonical, as requests are matched against it
        api_routes=("/api/private",),
    )
    assert config.styling == StylingConfig(global_styles=("styles/reset.css", "pages/app.css"),
                                           global_scripts=("scripts/analytics.js",))
    assert config.plugins == ("pyxle-auth", {"name": "x", "settings": {"a": 1}})
    assert dict(config.security_headers) == {
        **DEFAULT_SECURITY_HEADERS,
        "Content-Security-Policy": "default-src 'self'",
    }
    assert config.max_body_size == 1024
    assert config.access_log is False
    assert config.log_format == "json"


def test_partial_nested_objects_keep_other_defaults(tmp_path: Path) -> None:
    config = load(tmp_path, {"starlette": {"port": 9000}, "cors": {"origins": ["*"]}, "csrf": {}})
    assert (config.host, config.port) == ("127.0.0.1", 9000)
    assert config.cors.methods == CorsConfig().methods
    assert config.csrf == CsrfConfig()


@pytest.mark.parametrize(
    ("csrf", "expected"),
    [
        (False, CsrfConfig(enabled=False)),
        (True, CsrfConfig()),
        ({"enabled": False}, CsrfConfig(enabled=False)),
        ({"apiRoutes": True}, CsrfConfig(api_routes=True)),
        ({"apiRoutes": False}, CsrfConfig(api_routes=False)),
        ({"apiRoutes": []}, CsrfConfig(api_routes=False)),
        ({"apiRoutes": ["/api/a", "/api/b"]}, CsrfConfig(api_routes=("/api/a", "/api/b"))),
        ({"cookieSecure": None}, CsrfConfig(cookie_secure=None)),
        ({"cookieSecure": False}, CsrfConfig(cookie_secure=False)),
        ({"cookieSameSite": "none", "cookieSecure": True}, CsrfConfig(cookie_same_site="none", cookie_secure=True)),
        ({"cookieSameSite": "LAX"}, CsrfConfig(cookie_same_site="lax")),
        ({"cookieName": "__Host-pyxle-csrf", "cookieSecure": True},
         CsrfConfig(cookie_name="__Host-pyxle-csrf", cookie_secure=True)),
    ],
)
def test_csrf_forms(tmp_path: Path, csrf: Any, expected: CsrfConfig) -> None:
    assert load(tmp_path, {"csrf": csrf}).csrf == expected


def test_cors_wildcards(tmp_path: Path) -> None:
    config = load(tmp_path, {"cors": {"origins": ["*"], "methods": ["*"], "headers": ["*"]}})
    assert config.cors == CorsConfig(origins=("*",), methods=("*",), headers=("*",))
    subdomains = load(tmp_path, {"cors": {"origins": ["https://*.example.com", "http://*.dev.test:8080"]}})
    assert subdomains.cors.origins == ("https://*.example.com", "http://*.dev.test:8080")


def test_security_headers_merge_over_defaults(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        {
            "securityHeaders": {
                "x-frame-options": "SAMEORIGIN",  # header names are case-insensitive
                "Referrer-Policy": None,  # null: do not send it
                "Permissions-Policy": "camera=()",
            }
        },
    )
    assert dict(config.security_headers) == {
        "X-Content-Type-Options": "nosniff",
        "x-frame-options": "SAMEORIGIN",
        "Permissions-Policy": "camera=()",
    }


@cites("docs/migrating.md", "one without its leading `/`, `api/webhooks/`, is `/api/webhooks`, as 0.9 read it")
def test_an_exempt_path_without_its_leading_slash_is_that_path_as_in_0_9(tmp_path: Path) -> None:
    write_config(tmp_path, {"csrf": {"exemptPaths": ["api/webhooks/"]}, "rateLimit": {"exemptPaths": ["healthz"]}})
    config = load_config(tmp_path, environ={})
    assert config.csrf.exempt_paths == ("/api/webhooks",)
    assert config.rate_limit.exempt_paths == ("/healthz",)


def test_config_file_with_bom(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).write_bytes(b"\xef\xbb\xbf" + b'{"debug": true}')
    assert load(tmp_path).debug is True


# -- error messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"csrf": {"cookieSameSite": "loose"}}, 'csrf.cookieSameSite must be one of strict, lax, none (got "loose")'),
        ({"starlette": {"port": 70000}}, "starlette.port must be an integer between 1 and 65535 (got 70000)"),
        ({"starlette": {"port": "8000"}}, 'starlette.port must be an integer between 1 and 65535 (got "8000")'),
        ({"starlette": {"port": True}}, "starlette.port must be an integer between 1 and 65535 (got true)"),
        ({"starlette": {"port": 0}}, "starlette.port must be an integer between 1 and 65535 (got 0)"),
        ({"starlette": {"host": ""}}, 'starlette.host must be a non-empty host name or address without spaces (got "")'),
        ({"starlette": []}, "starlette must be an object (got a list)"),
        ({"middleware": ["a.b:C", 42]}, 'middleware[1] must be a string "module.path:ClassName" (got 42)'),
        ({"middleware": ["app_middleware"]}, 'middleware[0] must be a string "module.path:ClassName" (got "app_middleware")'),
        ({"middleware": "a.b:C"}, 'middleware must be a list of strings "module.path:ClassName" (got "a.b:C")'),
        ({"routeMiddleware": {"pages": ["hooks"]}}, 'routeMiddleware.pages[0] must be a string "module.path:attr" (got "hooks")'),
        ({"routeMiddleware": {"apis": [None]}}, 'routeMiddleware.apis[0] must be a string "module.path:attr" (got null)'),
        ({"routeMiddleware": "x"}, 'routeMiddleware must be an object (got "x")'),
        ({"debug": "yes"}, 'debug must be true or false (got "yes")'),
        ({"debug": 1}, "debug must be true or false (got 1)"),
        ({"pagesDir": ""}, 'pagesDir must be a non-empty string (got "")'),
        ({"publicDir": 3}, "publicDir must be a non-empty string (got 3)"),
        ({"buildDir": None}, "buildDir must be a non-empty string (got null)"),
        ({"maxBodySize": 0}, "maxBodySize must be an integer greater than 0 (got 0)"),
        ({"maxBodySize": 1.5}, "maxBodySize must be an integer greater than 0 (got 1.5)"),
        ({"accessLog": "no"}, 'accessLog must be true or false (got "no")'),
        ({"logFormat": "xml"}, 'logFormat must be one of text, json (got "xml")'),
        ({"cors": {"maxAge": -1}}, "cors.maxAge must be an integer >= 0 (got -1)"),
        ({"cors": {"credentials": "true"}}, 'cors.credentials must be true or false (got "true")'),
        ({"cors": {"origins": "*"}}, 'cors.origins must be a list of origins like "https://example.com", or "*" (got "*")'),
        (
            {"cors": {"origins": ["https://example.com/"]}},
            ('cors.origins[0] must be "*" or an origin like "https://example.com" '
             '(scheme://host[:port], no path) or "https://*.example.com" (got "https://example.com/")'),
        ),
        ({"cors": {"methods": ["GET POST"]}}, 'cors.methods[0] must be an HTTP method name like "GET", or "*" (got "GET POST")'),
        ({"cors": {"headers": ["a b"]}}, 'cors.headers[0] must be a header name like "X-Requested-With", or "*" (got "a b")'),
        ({"cors": True}, "cors must be an object (got true)"),
        ({"csrf": "off"}, 'csrf must be an object, or false to disable CSRF protection (got "off")'),
        ({"csrf": {"enabled": "no"}}, 'csrf.enabled must be true or false (got "no")'),
        ({"csrf": {"cookieName": "my cookie"}}, 'csrf.cookieName must be a non-empty name without spaces or separators (got "my cookie")'),
        ({"csrf": {"headerName": ""}}, 'csrf.headerName must be a non-empty name without spaces or separators (got "")'),
        ({"csrf": {"cookieSecure": "auto"}}, 'csrf.cookieSecure must be true, false or null (got "auto")'),
        ({"csrf": {"exemptPaths": [7]}}, 'csrf.exemptPaths[0] must be a path prefix starting with "/" (got 7)'),
        ({"csrf": {"apiRoutes": "all"}}, 'csrf.apiRoutes must be true, false or a list of path prefixes (got "all")'),
        ({"csrf": {"apiRoutes": ["api"]}}, 'csrf.apiRoutes[0] must be a path prefix starting with "/" (got "api")'),
        ({"csrf": {"cookieName": "__Host-pyxle-csrf"}},
         ('csrf.cookieName "__Host-pyxle-csrf" needs "cookieSecure": true (browsers drop a __Host- cookie sent '
          "without Secure, and every unsafe request would then be refused)")),
        ({"csrf": {"cookieName": "__Secure-csrf", "cookieSecure": None}},
         ('csrf.cookieName "__Secure-csrf" needs "cookieSecure": true (browsers drop a __Secure- cookie sent '
          "without Secure, and every unsafe request would then be refused)")),
        (
            {"csrf": {"cookieSameSite": "none", "cookieSecure": False}},
            ('csrf.cookieSecure cannot be false when csrf.cookieSameSite is "none" '
             "(browsers drop SameSite=None cookies that are not Secure)"),
        ),
        ({"securityHeaders": {"X-Frame-Options": 1}}, "securityHeaders.X-Frame-Options must be a string without line breaks, or null (to not send the header) (got 1)"),
        ({"securityHeaders": {"X-Evil": "a\r\nSet-Cookie: x=1"}}, 'securityHeaders.X-Evil must be a string without line breaks, or null (to not send the header) (got "a\\r\\nSet-Cookie: x=1")'),
        ({"securityHeaders": {"Bad Name": "x"}}, 'securityHeaders key "Bad Name" must be a header name like "X-Frame-Options"'),
        ({"securityHeaders": None}, "securityHeaders must be an object (got null)"),
        ({"styling": []}, "styling must be an object (got a list)"),
        ({"plugins": {}}, "plugins must be a list of plugin names or objects (got an object)"),
        ({"plugins": [3]}, "plugins[0] must be a plugin name or an object (got 3)"),
        ({"plugins": [""]}, 'plugins[0] must be a plugin\'s package name like "pyxle-db", or "module.path" of your own (got "")'),
        ({"plugins": [{"settings": {}}]}, 'plugins[0].name must be a plugin\'s package name like "pyxle-db", or "module.path" of your own (got null)'),
        ({"plugins": [{"name": "x", "settings": 3}]}, "plugins[0].settings must be an object (got 3)"),
        ({"routeMiddleware": {"actions": ["hooks"]}}, 'routeMiddleware.actions[0] must be a string "module.path:attr" (got "hooks")'),
        ({"name": 3}, "name must be a string (got 3)"),
        ({"styling": {"globalStyles": "app.css"}}, 'styling.globalStyles must be a list of paths relative to the project root, like "styles/app.css" (got "app.css")'),
        ({"styling": {"globalStyles": ["/srv/app.css"]}}, 'styling.globalStyles[0] must be a path relative to the project root and inside it, like "styles/app.css" (got "/srv/app.css")'),
        ({"styling": {"globalScripts": ["js/../../x.js"]}}, 'styling.globalScripts[0] must be a path relative to the project root and inside it, like "styles/app.css" (got "js/../../x.js")'),
        ({"styling": {"globalScripts": [""]}}, 'styling.globalScripts[0] must be a path relative to the project root and inside it, like "styles/app.css" (got "")'),
        ({"styling": {"globalStyles": [1]}}, 'styling.globalStyles[0] must be a path relative to the project root and inside it, like "styles/app.css" (got 1)'),
    ],
)
def test_error_messages(tmp_path: Path, data: Any, message: str) -> None:
    assert problems_for(tmp_path, data) == (message,)


def test_str_lists_every_problem_prefixed_by_the_file(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "starlette": {"port": 70000},
            "middleware": ["ok.module:Class", 42],
            "csrf": {"cookieSameSite": "loose"},
            "logFormat": "xml",
        },
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    error = info.value
    assert error.path == path
    assert len(error.problems) == 4
    assert str(error).splitlines() == [f"{path}: {problem}" for problem in error.problems]
    assert set(error.problems) == {
        "starlette.port must be an integer between 1 and 65535 (got 70000)",
        'middleware[1] must be a string "module.path:ClassName" (got 42)',
        'csrf.cookieSameSite must be one of strict, lax, none (got "loose")',
        'logFormat must be one of text, json (got "xml")',
    }


def test_several_list_items_reported(tmp_path: Path) -> None:
    assert problems_for(tmp_path, {"middleware": [1, "x", "a:B"]}) == (
        'middleware[0] must be a string "module.path:ClassName" (got 1)',
        'middleware[1] must be a string "module.path:ClassName" (got "x")',
    )


def test_long_values_are_shortened(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, {"logFormat": "x" * 200})
    assert problem.startswith('logFormat must be one of text, json (got "xxx')
    assert problem.endswith('...)')
    assert len(problem) < 120


@pytest.mark.parametrize("data", ["[]", '"pages"', "42", "null"])
def test_config_must_be_an_object(tmp_path: Path, data: str) -> None:
    (problem,) = problems_for(tmp_path, data)
    assert problem.startswith("the configuration must be a JSON object {...} (got ")


def test_invalid_json_reports_line_and_column(tmp_path: Path) -> None:
    path = write_config(tmp_path, '{\n  "debug": true,\n  "pagesDir" "pages"\n}\n')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert info.value.path == path
    assert info.value.problems == ("invalid JSON at line 3, column 14: Expecting ':' delimiter",)
    assert str(info.value) == f"{path}: invalid JSON at line 3, column 14: Expecting ':' delimiter"


def test_trailing_comma_is_invalid_json(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, '{"debug": true,}')
    assert problem == "invalid JSON at line 1, column 16: Illegal trailing comma before end of object" or (
        problem.startswith("invalid JSON at line 1, column 16: ")
    )


def test_empty_file_is_invalid_json(tmp_path: Path) -> None:
    assert problems_for(tmp_path, "") == (
        "invalid JSON at line 1, column 1: Expecting value; hint: the file is empty: write {} for no settings",)


def test_nan_is_rejected(tmp_path: Path) -> None:
    assert problems_for(tmp_path, '{"maxBodySize": NaN}') == ("invalid JSON: NaN is not valid JSON",)


def test_config_path_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / CONFIG_FILENAME).mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert info.value.problems[0].startswith("cannot be read")


# -- warnings -------------------------------------------------------------------------------


def test_unknown_keys_warn_with_suggestions(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        {
            "pagesdir": "x",
            "pages_dir": "y",
            "port": 9000,
            "cors": {"maxage": 60},
            "starlette": {"hots": "0.0.0.0"},
            "styling": {"globalStyle": ["app.css"]},
            "completelyUnrelated": 1,
        },
    )
    config = load_config(tmp_path, environ={})
    assert config.pages_dir == "pages"  # unknown keys are ignored
    assert set(config.warnings) == {
        f'{path}: unknown key "pagesdir" is ignored (did you mean "pagesDir"?)',
        f'{path}: unknown key "pages_dir" is ignored (did you mean "pagesDir"?)',
        f'{path}: unknown key "port" is ignored (did you mean "starlette.port"?)',
        f'{path}: unknown key "cors.maxage" is ignored (did you mean "cors.maxAge"?)',
        f'{path}: unknown key "starlette.hots" is ignored (did you mean "starlette.host"?)',
        f'{path}: unknown key "styling.globalStyle" is ignored (did you mean "styling.globalStyles"?)',
        f'{path}: unknown key "completelyUnrelated" is ignored',
    }


def test_secret_key_in_file_is_ignored_with_a_pointer(tmp_path: Path) -> None:
    config = load(tmp_path, {"secretKey": "oops"})
    assert config.secret_key is None
    (warning,) = config.warnings
    assert 'key "secretKey" is ignored' in warning and "PYXLE_SECRET_KEY" in warning
    assert "oops" not in warning


def test_duplicate_keys_warn(tmp_path: Path) -> None:
    path = write_config(tmp_path, '{"debug": false, "debug": true, "csrf": {"enabled": true, "enabled": false}}')
    config = load_config(tmp_path, environ={})
    assert config.debug is True
    assert config.csrf.enabled is False
    assert config.warnings == (
        f'{path}: key "debug" appears more than once; the last value is used',
        f'{path}: key "csrf.enabled" appears more than once; the last value is used',
    )


def test_credentials_with_wildcard_origin_warns(tmp_path: Path) -> None:
    config = load(tmp_path, {"cors": {"origins": ["*"], "credentials": True}})
    assert any('"*" in cors.origins' in w for w in config.warnings)


def test_error_carries_warnings_too(tmp_path: Path) -> None:
    write_config(tmp_path, {"debug": "x", "pagesdir": "a"})
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert len(info.value.warnings) == 1
    assert "pagesdir" not in str(info.value)


# -- precedence --------------------------------------------------------------------------------


def test_precedence_defaults_file_env_flags(tmp_path: Path) -> None:
    write_config(
        tmp_path,
        {"starlette": {"host": "file-host", "port": 1111}, "debug": False, "logFormat": "json", "pagesDir": "p"},
    )
    environ = {"PYXLE_HOST": "env-host", "PYXLE_PORT": "2222", "PYXLE_DEBUG": "yes"}
    config = load_config(
        tmp_path,
        environ=environ,
        overrides={"port": 3333, "host": None, "debug": None},
    )
    assert config.build_dir == ".pyxle-build"  # default
    assert config.pages_dir == "p"  # file
    assert config.log_format == "json"  # file
    assert config.host == "env-host"  # env over file; None flag ignored
    assert config.debug is True  # env over file
    assert config.port == 3333  # flag over env


def test_env_overrides_each_field(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        environ={
            "PYXLE_HOST": "0.0.0.0",
            "PYXLE_PORT": " 9000 ",
            "PYXLE_DEBUG": "TRUE",
            "PYXLE_PAGES_DIR": "src/pages",
            "PYXLE_BUILD_DIR": "out",
            "PYXLE_MAX_BODY_SIZE": "2048",
            "PYXLE_LOG_FORMAT": "JSON",
            "PYXLE_ACCESS_LOG": "0",
            "PYXLE_SECRET_KEY": "s3cret-of-at-least-thirty-two-bytes",
            "PYXLE_PUBLIC_DIR": "static",  # as 0.4 to 0.9 read it (and still a public variable)
        },
    )
    assert (config.host, config.port, config.debug) == ("0.0.0.0", 9000, True)
    assert (config.pages_dir, config.build_dir, config.public_dir) == ("src/pages", "out", "static")
    assert (config.max_body_size, config.log_format, config.access_log) == (2048, "json", False)
    assert config.secret_key == "s3cret-of-at-least-thirty-two-bytes"


@pytest.mark.parametrize(("text", "expected"), [("1", True), ("yes", True), ("true", True), ("0", False), ("no", False), ("False", False)])
def test_env_booleans(tmp_path: Path, text: str, expected: bool) -> None:
    assert load(tmp_path, environ={"PYXLE_DEBUG": text}).debug is expected


def test_empty_env_values_count_as_unset(tmp_path: Path) -> None:
    config = load(tmp_path, environ={"PYXLE_PORT": "", "PYXLE_SECRET_KEY": "", "PYXLE_HOST": "  "})
    assert (config.port, config.host, config.secret_key) == (8000, "127.0.0.1", None)


def test_bad_env_values_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(
            tmp_path,
            environ={
                "PYXLE_PORT": "eighty",
                "PYXLE_DEBUG": "maybe",
                "PYXLE_MAX_BODY_SIZE": "-5",
                "PYXLE_LOG_FORMAT": "xml",
                "PYXLE_ACCESS_LOG": "on?",
                "PYXLE_HOST": "my host",
            },
        )
    assert info.value.path is None
    assert info.value.problems == (
        'PYXLE_HOST must be a non-empty host name or address without spaces (got "my host")',
        'PYXLE_PORT must be an integer between 0 and 65535 (0: any free port) (got "eighty")',
        'PYXLE_DEBUG must be one of 1, 0, true, false, yes, no (got "maybe")',
        'PYXLE_MAX_BODY_SIZE must be an integer greater than 0 (got "-5")',
        'PYXLE_LOG_FORMAT must be one of text, json (got "xml")',
        'PYXLE_ACCESS_LOG must be one of 1, 0, true, false, yes, no (got "on?")',
    )
    assert str(info.value).splitlines() == list(info.value.problems)


def test_port_out_of_range_in_env(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, environ={"PYXLE_PORT": "70000"})
    assert str(info.value) == 'PYXLE_PORT must be an integer between 0 and 65535 (0: any free port) (got "70000")'


def test_port_zero_means_any_free_port_from_flags_and_env_only(tmp_path: Path) -> None:
    assert load(tmp_path, overrides={"port": 0}).port == 0
    assert load(tmp_path, environ={"PYXLE_PORT": "0"}).port == 0
    assert problems_for(tmp_path, {"starlette": {"port": 0}}) == (
        "starlette.port must be an integer between 1 and 65535 (got 0)",
    )


def test_flag_overrides(tmp_path: Path) -> None:
    cors = CorsConfig(origins=("https://a.example",))
    config = load(
        tmp_path,
        overrides={
            "host": "0.0.0.0",
            "port": 9000,
            "debug": True,
            "public_dir": "static",
            "middleware": ["a.b:C"],
            "cors": cors,
            "secret_key": "from-flag",
        },
    )
    assert (config.host, config.port, config.debug, config.public_dir) == ("0.0.0.0", 9000, True, "static")
    assert config.middleware == ("a.b:C",)
    assert config.cors is cors
    assert config.secret_key == "from-flag"


def test_bad_flag_overrides(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, overrides={"port": -1, "prot": 1, "debug": "yes", "middleware": ["nope"], "csrf": {}, "secret_key": ""})
    assert info.value.problems == (
        'override "port" must be an integer between 0 and 65535 (0: any free port) (got -1)',
        'unknown override "prot" (did you mean "port"?)',
        'override "debug" must be true or false (got "yes")',
        'override "middleware" must be a list of strings "module.path:ClassName" (got a list)',
        'override "csrf" must be a CsrfConfig (got an object)',
        'override "secret_key" must be a non-empty string (got "********")',
    )


def test_env_and_flag_problems_reported_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, environ={"PYXLE_PORT": "x"}, overrides={"log_format": "xml"})
    assert len(info.value.problems) == 2


def test_environ_is_not_read_from_os_when_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYXLE_PORT", "1234")
    assert load(tmp_path, environ={}).port == 8000
    assert load_config(tmp_path, load_env=False).port == 1234


def test_bad_mode_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_config(tmp_path, mode="../x", environ={})


# -- masking ----------------------------------------------------------------------------------


def test_to_dict_uses_file_keys_and_masks_the_secret(tmp_path: Path) -> None:
    config = load(tmp_path, {"starlette": {"port": 3000}}, environ={"PYXLE_SECRET_KEY": "hunter2-hunter2-hunter2-hunter2!"})
    data = config.to_dict()
    assert data["starlette"] == {"host": "127.0.0.1", "port": 3000}
    assert data["secretKey"] == "********"
    assert data["csrf"]["cookieName"] == "pyxle-csrf"
    assert data["csrf"]["headerName"] == "x-csrf-token"
    assert data["cors"]["credentials"] is False
    assert "hunter2-hunter2-hunter2-hunter2!" not in json.dumps(data)
    assert config.to_dict(masked=False)["secretKey"] == "hunter2-hunter2-hunter2-hunter2!"
    assert "hunter2-hunter2-hunter2-hunter2!" not in repr(config)
    assert "hunter2-hunter2-hunter2-hunter2!" not in str(config)


def test_to_dict_secret_key_null_when_unset(tmp_path: Path) -> None:
    assert load(tmp_path).to_dict()["secretKey"] is None


def test_to_dict_masks_secret_looking_keys_anywhere(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        {
            "plugins": [{"name": "auth", "settings": {"apiKey": "k1", "clientSecret": "s1", "authToken": "t1", "db_password": "p1", "enabled": True}}],
            "securityHeaders": {"X-Api-Key": "hk"},
        },
    )
    config = dataclasses.replace(config, plugins=(
        *config.plugins,
        {"auth": {"provider": "github", "pin": 1234, "password": 99}},
        {"keyframes": "visible", "token": None, "theme": {"private_key": "pk"}},
    ))
    data = config.to_dict()
    assert data["securityHeaders"]["X-Api-Key"] == "********"
    assert data["plugins"][1] == {"auth": {"provider": "github", "pin": 1234, "password": "********"}}
    assert data["plugins"][2] == {"keyframes": "visible", "token": None, "theme": {"private_key": "********"}}
    del data["plugins"][1:]
    assert data["plugins"] == [{"name": "auth", "settings": {
        "apiKey": "********", "clientSecret": "********", "authToken": "********", "db_password": "********", "enabled": True}}]
    unmasked = config.to_dict(masked=False)
    assert unmasked["plugins"][0]["settings"]["apiKey"] == "k1"


def test_to_dict_round_trips_through_the_file(tmp_path: Path) -> None:
    original = load(
        tmp_path,
        {
            "debug": True,
            "middleware": ["a.b:C"],
            "cors": {"origins": ["https://x.example"]},
            "csrf": {"apiRoutes": ["/api/"], "cookieSecure": False},
            "securityHeaders": {"X-Frame-Options": None},
            "styling": {"globalStyles": ["a.css", "b/c.scss"], "globalScripts": ["d.js"]},
            "plugins": [{"name": "b", "settings": {"b": 2}}],
        },
    )
    data = original.to_dict(masked=False)
    del data["secretKey"], data["secretKeyFallbacks"]  # read from the environment only
    other = tmp_path / "again"
    other.mkdir()
    again = load(other, data)
    assert again.warnings == ()
    assert data["securityHeaders"]["X-Frame-Options"] is None  # turned off, shown as written
    assert again.to_dict(masked=False) == original.to_dict(masked=False)
    assert again == PyxleConfig(**{**original.__dict__, "root": other})


def test_to_dict_is_a_copy(tmp_path: Path) -> None:
    config = load(tmp_path, {"plugins": [{"name": "a", "settings": {"b": {"c": 1}}}]})
    config.to_dict(masked=False)["plugins"][0]["settings"]["b"]["c"] = 2
    assert config.plugins[0]["settings"]["b"]["c"] == 1


def test_the_complete_example_in_the_configuration_docs_is_valid(tmp_path: Path) -> None:
    example = doc_block("docs/configuration.md", "complete-config")
    config = load(tmp_path, json.loads(example))
    assert config.warnings == ()
    assert config.styling == StylingConfig(global_styles=("styles/reset.css",))


# -- navigation ---------------------------------------------------------------------------------


def test_navigation_default_prefetch_ttl_is_whole_seconds(tmp_path: Path) -> None:
    assert load(tmp_path).prefetch_ttl is None
    assert load(tmp_path, {"navigation": {"defaultPrefetchTtl": 30}}).prefetch_ttl == 30
    assert load(tmp_path, {"navigation": {"defaultPrefetchTtl": 0}}).prefetch_ttl == 0
    assert load(tmp_path, {"navigation": {"defaultPrefetchTtl": None}}).prefetch_ttl is None
    assert load(tmp_path, {"navigation": None}).prefetch_ttl is None
    for bad in (1.5, -1, True, "30"):
        problems = problems_for(tmp_path, {"navigation": {"defaultPrefetchTtl": bad}})
        expected = f"navigation.defaultPrefetchTtl must be a whole number of seconds >= 0, or null (got {json.dumps(bad)})"
        assert problems == (expected,)
    assert problems_for(tmp_path, {"navigation": 5}) == ("navigation must be an object (got 5)",)


def test_navigation_unknown_keys_warn_and_the_key_round_trips(tmp_path: Path) -> None:
    config = load(tmp_path, {"navigation": {"defaultPrefetchTTL": 5, "defaultPrefetchTtl": 10}})
    assert any('"navigation.defaultPrefetchTTL"' in w and "navigation.defaultPrefetchTtl" in w for w in config.warnings)
    assert config.to_dict()["navigation"] == {"defaultPrefetchTtl": 10}
    write_config(tmp_path, config.to_dict(masked=False) | {"secretKey": None})
    assert load_config(tmp_path, environ={}).prefetch_ttl == 10


def test_to_dict_shows_an_unset_csrf_api_routes_as_null_and_reads_it_back_as_unset(tmp_path: Path) -> None:
    """Unset is not false: unset notes the API routes left unchecked at start-up, false does not."""
    default = load(tmp_path)
    assert default.csrf.api_routes is None and default.to_dict()["csrf"]["apiRoutes"] is None
    other = tmp_path / "again"
    other.mkdir()
    assert load(other, default.to_dict(masked=False) | {"secretKey": None}).csrf.api_routes is None
    assert load(other, {"csrf": {"apiRoutes": False}}).to_dict()["csrf"]["apiRoutes"] is False


@pytest.mark.parametrize("data,words", [
    ({"distDir": "."}, 'distDir "." is the project folder'),
    ({"buildDir": "./"}, 'buildDir "./" is the project folder'),
    ({"distDir": "/"}, 'distDir "/" contains the project folder'),
    ({"distDir": "pages"}, 'distDir "pages" is the same folder as pagesDir "pages"'),
    ({"buildDir": "public/x"}, 'buildDir "public/x" is inside publicDir "public"'),
    ({"publicDir": "."}, 'publicDir "." is the project folder'),
    ({"publicDir": ".."}, 'publicDir ".." contains the project folder'),
    ({"publicDir": "pages/.."}, 'publicDir "pages/.." is the project folder'),
    ({"publicDir": "site", "pagesDir": "site/pages"}, 'publicDir "site" contains pagesDir "site/pages"'),
])
def test_folders_that_would_delete_or_publish_the_project_are_refused(tmp_path: Path, data, words) -> None:
    write_config(tmp_path, data)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert any(p.startswith(f"{tmp_path / CONFIG_FILENAME}: {words}") and "hint: " in p for p in info.value.problems), \
        info.value.problems


def test_folder_variables_meet_the_same_rules_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={"PYXLE_DIST_DIR": "."})
    assert info.value.problems[0].startswith('PYXLE_DIST_DIR "." is the project folder')
    (tmp_path / ".env.local").write_text("PYXLE_BUILD_DIR=..\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert info.value.problems[0].startswith(f'{tmp_path / ".env.local"}:1: PYXLE_BUILD_DIR ".." contains the project')
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={"PYXLE_BUILD_DIR": "out"}, overrides={"dist_dir": "pages"})
    assert info.value.problems[0].startswith('--out-dir "pages" is the same folder as pagesDir "pages"')


def test_folders_of_their_own_load(tmp_path: Path) -> None:
    config = load(tmp_path, {"publicDir": "static", "distDir": "../elsewhere/dist", "buildDir": "out/dev",
                             "pagesDir": "src/pages"})
    assert config.dist_path == tmp_path / "../elsewhere/dist"


@cites("docs/configuration.md", "one of the nested ones written at the top level, outside its block, is taken\nfor it too")
def test_a_nested_security_setting_written_at_the_top_level_stops_start_up(tmp_path: Path) -> None:
    """Written beside the blocks, these were ignored with a bare warning: CORS off, the metrics open."""
    path = write_config(tmp_path, {"origins": ["https://a.test"], "metricsEndpointToken": "t0ken-t0ken",
                                   "trust_incoming_request_id": False})
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    text = str(info.value)
    for key, meant in (("origins", "cors.origins"), ("metricsEndpointToken", "observability.metricsEndpointToken"),
                       ("trust_incoming_request_id", "observability.trustIncomingRequestId")):
        assert f'{path}: line ' in text and f'unknown key "{key}"; did you mean "{meant}"?' in text, text


def test_fallback_keys_in_the_config_file_are_ignored_naming_their_variable(tmp_path: Path) -> None:
    config = load(tmp_path, {"secretKeyFallbacks": ["x" * 40]})
    assert config.secret_key_fallbacks == ()
    assert any("PYXLE_SECRET_KEY_FALLBACKS environment variable" in warning for warning in config.warnings)
