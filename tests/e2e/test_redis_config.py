"""The Redis URLs of the configuration, as `pyxle serve`, `pyxle dev` and `pyxle check` take them:
a URL redis-py would refuse, a Redis that does not answer or refuses the password, and a URL given
without the setting that would use it. Real CLI processes and real redis-servers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import SHARED_SECRET, pyxle_command, server_env
from tests.docs._blocks import cites, doc_block

API = {"pages/api/hello.py": "async def get(request):\n    return {'hello': 'world'}\n"}
LIMITS = {"requests": 10, "window": 60}
BAD_URLS = {  # URL -> what redis-py says of it
    "redis://127.0.0.1:abc/0": "Port could not be cast to integer value as 'abc'",
    "redis://127.0.0.1:99999/0": "Port out of range 0-65535",
    "redis://[::1/0": "Invalid IPv6 URL",
    "redis://127.0.0.1:6379/0?db=zz": "Invalid value for 'db' in connection URL",
    "redis://127.0.0.1:6379/0?socket_timeout=abc": "Invalid value for 'socket_timeout' in connection URL",
    "redis://127.0.0.1:6379/0?colour=blue": "unexpected keyword argument 'colour'",
}


def settings(key: str, url: str) -> dict[str, object]:
    """The config file that gives ``url`` as ``key`` ("rateLimit", "cache" or "realtime"), used."""
    return {"rateLimit": {"rateLimit": {**LIMITS, "redisUrl": url}},
            "cache": {"cache": {"backend": "redis", "redisUrl": url}},
            "realtime": {"realtime": {"broker": "redis", "redisUrl": url}}}[key]


def project(make_project, config: dict[str, object] | None = None, **files: str) -> Path:  # type: ignore[no-untyped-def]
    extra = {} if config is None else {"pyxle.config.json": json.dumps(config)}
    return make_project({**API, **extra, **files})


def pyxle(root: Path, command: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``pyxle <command> <root>``, as a user runs it, until it exits (a refused start-up does at once)."""
    if command in ("serve", "dev"):
        args = ("--host", "127.0.0.1", "--port", "0", *args)
    return subprocess.run([*pyxle_command(), command, str(root), *args], cwd=root, capture_output=True, text=True,
                          timeout=120, env=server_env(**SHARED_SECRET, **env), check=False)


def refused(run: subprocess.CompletedProcess[str]) -> str:
    """The `pyxle:` line(s) of a start-up that stopped: exit 1, no traceback."""
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "Traceback" not in out, out
    return out


# 1. A URL redis-py would refuse is a configuration error, in every command.

@cites("docs/configuration.md", "is parsed by redis-py as the server will parse it")
@pytest.mark.parametrize(("command", "key", "url"), [
    *(("serve", "rateLimit", url) for url in BAD_URLS),
    ("serve", "cache", "redis://127.0.0.1:abc/0"), ("serve", "realtime", "redis://127.0.0.1:99999/0"),
    ("dev", "rateLimit", "redis://[::1/0"), ("dev", "cache", "redis://127.0.0.1:abc/0"),
    ("dev", "realtime", "redis://127.0.0.1:6379/0?db=zz"),
    ("check", "rateLimit", "redis://127.0.0.1:abc/0"), ("check", "cache", "redis://127.0.0.1:6379/0?socket_timeout=abc"),
    ("check", "realtime", "redis://[::1/0"),
])
def test_a_url_redis_py_refuses_is_one_line_naming_the_file_and_key(make_project, command: str, key: str,
                                                                    url: str) -> None:
    root = project(make_project, settings(key, url))
    extra = ("--workers", "2") if command == "serve" else ()
    out = refused(pyxle(root, command, *extra))
    line = next(line for line in out.splitlines() if line.startswith("pyxle: "))
    assert line.startswith(f"pyxle: {root / 'pyxle.config.json'}: {key}.redisUrl must be a Redis URL like "
                           '"redis://localhost:6379/0"'), out
    assert f'(got "{url}", which redis-py refuses: ' in line and BAD_URLS[url] in line, out


def test_the_documented_refusal_is_what_pyxle_check_prints(make_project) -> None:
    root = project(make_project, settings("cache", "redis://127.0.0.1:abc/0"))
    run = pyxle(root, "check")
    documented = doc_block("docs/configuration.md", "redis-url-refused").strip()
    assert refused(run) and run.stderr.strip() == documented.replace("/app/", f"{root}/")


def test_the_password_of_a_refused_url_is_masked(make_project) -> None:
    root = project(make_project, settings("cache", "redis://:hunter2@127.0.0.1:abc/0"))
    out = refused(pyxle(root, "serve"))
    assert '(got "redis://:****@127.0.0.1:abc/0", which redis-py refuses' in out
    assert "hunter2" not in out


@cites("docs/configuration.md", "`REDIS_URL` is checked as `cache.redisUrl` is")
@pytest.mark.parametrize("command", ["serve", "check"])
@pytest.mark.parametrize("url", ["garbage", "http://127.0.0.1:6379/0", "redis://127.0.0.1:abc/0"])
def test_a_bad_redis_url_variable_is_one_line_naming_it(make_project, command: str, url: str) -> None:
    root = project(make_project, {"cache": {"backend": "redis"}})
    out = refused(pyxle(root, command, REDIS_URL=url))
    assert 'pyxle: REDIS_URL must be a Redis URL like "redis://localhost:6379/0"' in out, out
    assert "it is the page cache's Redis, as cache.redisUrl is not set" in out


def test_a_bad_redis_url_from_an_env_file_names_its_line(make_project) -> None:
    root = project(make_project, {"cache": {"backend": "redis"}}, **{".env": "# Redis\nREDIS_URL=redis://h:abc/0\n"})
    out = refused(pyxle(root, "serve"))
    assert f"pyxle: {root / '.env'}:2: REDIS_URL must be a Redis URL" in out
    assert "Port could not be cast to integer value as 'abc'" in out


def test_a_page_cache_variable_redis_py_refuses_is_one_line(make_project) -> None:
    root = project(make_project)
    out = refused(pyxle(root, "dev", PYXLE_PAGE_CACHE_BACKEND="redis", PYXLE_PAGE_CACHE_REDIS_URL="redis://h:99999/0"))
    assert "pyxle: PYXLE_PAGE_CACHE_REDIS_URL must be a Redis URL" in out
    assert "Port out of range 0-65535" in out


@cites("docs/configuration.md", "Any other path (`redis://h:6379/cache`), which redis-py would take as database 0\n"
       "without a word, stops start-up the same way")
@pytest.mark.parametrize(("command", "key", "variable"), [
    ("serve", "cache", ""), ("dev", "realtime", ""), ("check", "rateLimit", ""),
    ("serve", "", "PYXLE_REALTIME_REDIS_URL"), ("check", "", "REDIS_URL"),
])
def test_a_path_that_is_not_a_database_number_is_one_line_naming_the_key(make_project, command: str, key: str,
                                                                          variable: str) -> None:
    """redis-py reads ``/cache`` as database 0, silently: the app would share another app's keys."""
    url = "redis://:hunter2@127.0.0.1:6379/cache"
    config = settings(key, url) if key else (
        {"realtime": {"broker": "redis"}} if variable.startswith("PYXLE_REALTIME") else {"cache": {"backend": "redis"}})
    root = project(make_project, config)
    out = refused(pyxle(root, command, **({variable: url} if variable else {})))
    line = next(line for line in out.splitlines() if line.startswith("pyxle: "))
    where = f"{root / 'pyxle.config.json'}: {key}.redisUrl" if key else variable
    assert line.startswith(f'pyxle: {where} must be a Redis URL like "redis://localhost:6379/0"'), out
    assert ('(got "redis://:****@127.0.0.1:6379/cache", whose path must be a database number, like /0, '
            "not /cache)") in line and "hunter2" not in out, out


@pytest.mark.parametrize("path", ["/", ""])
def test_a_url_without_a_database_number_still_starts(make_project, start_server, redis_server, path: str) -> None:
    url = redis_server.url.removesuffix("/0") + path
    server = start_server(project(make_project, settings("rateLimit", url)), "serve", env=SHARED_SECRET)
    assert httpx.get(server.url + "/api/hello").json() == {"hello": "world"}


# 2. A Redis that cannot be used at start-up: where its URL was given, and why.

@cites("docs/configuration.md", "names where the URL was given (the file and key, or the variable)")
@cites("docs/configuration.md", "`pyxle: PYXLE_PAGE_CACHE_REDIS_URL: Redis at redis://10.0.0.5:6379/0 does not answer "
                                "(ConnectionError: ...)` and `hint: start redis-server, or correct the URL`")
@pytest.mark.parametrize(("config", "env", "named"), [
    ({"cache": {"backend": "redis", "redisUrl": "@"}}, {}, "{file}: cache.redisUrl"),
    ({"rateLimit": {**LIMITS, "redisUrl": "@"}}, {}, "{file}: rateLimit.redisUrl"),
    ({}, {"PYXLE_PAGE_CACHE_BACKEND": "redis", "PYXLE_PAGE_CACHE_REDIS_URL": "@"}, "PYXLE_PAGE_CACHE_REDIS_URL"),
    ({"cache": {"backend": "redis"}}, {"REDIS_URL": "@"}, "REDIS_URL"),
    ({"realtime": {"broker": "redis"}}, {"PYXLE_REALTIME_REDIS_URL": "@"}, "PYXLE_REALTIME_REDIS_URL"),
], ids=["cache-file", "rate-limit-file", "cache-variables", "REDIS_URL", "realtime-variable"])
def test_a_redis_that_does_not_answer_is_named_with_where_its_url_was_given(
        make_project, start_redis, config: dict[str, dict[str, object]], env: dict[str, str], named: str) -> None:
    down = start_redis()
    down.stop()
    fill = lambda value: down.url if value == "@" else value
    config = {block: {k: fill(v) for k, v in values.items()} for block, values in config.items()}
    root = project(make_project, config)
    out = refused(pyxle(root, "serve", "--workers", "2", **{k: fill(v) for k, v in env.items()}))
    where = named.format(file=root / "pyxle.config.json")
    assert f"pyxle: {where}: Redis at {down.url} does not answer (ConnectionError" in out
    assert "hint: start redis-server, or correct the URL" in out
    assert "cache.backend" not in out


@cites("docs/configuration.md", "When several Redis URLs cannot be used, start-up names each of them, one `pyxle:` line\n"
       "(and its hint) for each")
def test_every_redis_that_does_not_answer_is_named_not_only_the_first(make_project, start_redis) -> None:
    """Only the first failing URL (the rate limit's) was named: the operator fixed one a run."""
    down, gone = start_redis(), start_redis()
    down.stop()
    gone.stop()
    root = project(make_project, {"rateLimit": {**LIMITS, "redisUrl": down.url},
                                  "realtime": {"broker": "redis", "redisUrl": gone.url},
                                  "cache": {"backend": "redis", "redisUrl": down.url}})
    out = refused(pyxle(root, "serve"))
    lines = [line for line in out.splitlines() if line.startswith("pyxle: ")]
    file = root / "pyxle.config.json"
    assert [line.split(": Redis at")[0] for line in lines] == [
        f"pyxle: {file}: rateLimit.redisUrl", f"pyxle: {file}: realtime.redisUrl", f"pyxle: {file}: cache.redisUrl"], out
    assert f"Redis at {gone.url} does not answer" in lines[1], out
    assert out.count("hint: start redis-server, or correct the URL") == 3, out


@cites("docs/configuration.md", "It must be a number of seconds above 0")
@pytest.mark.parametrize("value", ["0", "-1", "inf"])
def test_a_socket_timeout_that_is_no_wait_is_one_line_naming_the_key(make_project, value: str) -> None:
    """redis-py takes ``0`` (every command then fails at once) and ``inf`` (a hung Redis holds each request)."""
    root = project(make_project, settings("cache", f"redis://127.0.0.1:6379/0?socket_timeout={value}"))
    out = refused(pyxle(root, "check"))
    line = next(line for line in out.splitlines() if line.startswith("pyxle: "))
    assert line.startswith(f"pyxle: {root / 'pyxle.config.json'}: cache.redisUrl must be a Redis URL"), out
    assert "whose socket_timeout must be a number of seconds above 0, like ?socket_timeout=2)" in line, out


@pytest.fixture
def locked_redis(start_redis):  # type: ignore[no-untyped-def]
    """A redis-server of the test's own that asks for the password "s3cret"."""
    server = start_redis()
    with redis.Redis(port=server.port) as client:
        client.config_set("requirepass", "s3cret")
    return server


@cites("docs/configuration.md", "A Redis that refuses the password in the URL, or asks for one the URL does not give")
def test_a_wrong_password_is_said_to_be_one(make_project, locked_redis) -> None:
    url = f"redis://:wrong@127.0.0.1:{locked_redis.port}/0"
    root = project(make_project, settings("cache", url))
    out = refused(pyxle(root, "serve", "--workers", "2"))
    assert (f"pyxle: {root / 'pyxle.config.json'}: cache.redisUrl: Redis at redis://:****@127.0.0.1:"
            f"{locked_redis.port}/0 refused the password in the URL (AuthenticationError") in out
    assert "hint: the password (or user name) in the URL is wrong: correct it" in out
    assert "wrong@" not in out and "does not answer" not in out and "start redis-server" not in out


@cites("docs/configuration.md", "is reported as `answered the connection with an error (ResponseError: DB index is out\nof range)`")
def test_a_database_number_redis_does_not_have_is_said_to_be_an_answer_not_silence(make_project, start_redis) -> None:
    server = start_redis()
    url = f"redis://127.0.0.1:{server.port}/99"
    root = project(make_project)
    out = refused(pyxle(root, "serve", "--workers", "2", PYXLE_PAGE_CACHE_BACKEND="redis", PYXLE_PAGE_CACHE_REDIS_URL=url))
    assert (f"pyxle: PYXLE_PAGE_CACHE_REDIS_URL: Redis at {url} answered the connection with an error "
            "(ResponseError: DB index is out of range)") in out
    assert "hint: correct the URL (its database number must be below the server's `databases` setting" in out
    assert "does not answer" not in out and "start redis-server" not in out


def test_a_missing_password_is_said_to_be_missing(make_project, locked_redis) -> None:
    url = f"redis://127.0.0.1:{locked_redis.port}/0"
    root = project(make_project)
    out = refused(pyxle(root, "dev", PYXLE_REALTIME_BROKER="redis", PYXLE_REALTIME_REDIS_URL=url))
    assert f"pyxle: PYXLE_REALTIME_REDIS_URL: Redis at {url} asks for a password, and the URL gives none" in out
    assert "hint: put it in the URL: redis://:PASSWORD@host:port/db" in out
    assert "start redis-server" not in out


def test_the_right_password_starts(make_project, locked_redis, start_server) -> None:
    url = f"redis://:s3cret@127.0.0.1:{locked_redis.port}/0"
    server = start_server(project(make_project, settings("rateLimit", url)), "serve", env=SHARED_SECRET)
    assert httpx.get(server.url + "/api/hello").json() == {"hello": "world"}


# 3. A URL without the setting that would use it: a warning, as 0.9 never took a URL alone for Redis.

@cites("docs/configuration.md", 'A `redisUrl` without `"backend": "redis"` is not used')
@cites("docs/configuration.md", "A `rateLimit.redisUrl` with the limit off (`requests` 0, the default) is not used either, and\nwarns the same way")
@cites("docs/configuration.md", '`pyxle: warning: /app/pyxle.config.json: cache.redisUrl is set, but cache.backend is not '
                                '"redis", so the URL is not used: ...; hint: add "backend": "redis" to "cache" (or '
                                'PYXLE_PAGE_CACHE_BACKEND=redis)`')
@pytest.mark.parametrize(("config", "key", "hint"), [
    ({"cache": {"/": 60, "redisUrl": "redis://127.0.0.1:1/0"}}, "cache.redisUrl",
     ('cache.backend is not "redis", so the URL is not used: each process stores its own pages, and an '
     'invalidation reaches one process only; hint: add "backend": "redis" to "cache"')),
    ({"realtime": {"redisUrl": "redis://127.0.0.1:1/0"}}, "realtime.redisUrl",
     ('realtime.broker is not "redis", so the URL is not used: each process has a broker of its own, and a '
     'message reaches the sockets of one process only; hint: add "broker": "redis" to "realtime"')),
    ({"rateLimit": {"redisUrl": "redis://127.0.0.1:1/0"}}, "rateLimit.redisUrl",
     ('rateLimit.requests is 0 (the limit is off), so the URL is not used: no request is counted; '
      'hint: set "requests" in "rateLimit" to turn the limit on, or remove the URL')),
    ({"rateLimit": {"requests": 0, "redisUrl": "redis://127.0.0.1:1/0"}}, "rateLimit.redisUrl",
     'rateLimit.requests is 0 (the limit is off), so the URL is not used'),
], ids=["cache", "realtime", "rate-limit", "rate-limit-off"])
def test_a_redis_url_alone_starts_with_a_warning_naming_file_and_key(make_project, start_server,
                                                                     config: dict[str, object], key: str,
                                                                     hint: str) -> None:
    root = project(make_project, config)
    server = start_server(root, "serve", "--workers", "2", env=SHARED_SECRET)
    assert f"pyxle: warning: {root / 'pyxle.config.json'}: {key} is set, but {hint}" in server.output()
    checked = pyxle(root, "check")
    assert checked.returncode == 0 and f"{key} is set, but" in checked.stderr


def test_a_page_cache_url_variable_alone_is_named_in_the_warning(make_project, start_server) -> None:
    server = start_server(project(make_project), "dev", env={"PYXLE_PAGE_CACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert 'pyxle: warning: PYXLE_PAGE_CACHE_REDIS_URL is set, but cache.backend is not "redis"' in server.output()


def test_a_url_with_its_backend_in_a_variable_is_used_without_a_warning(make_project, start_server,
                                                                        redis_server) -> None:
    root = project(make_project, {"cache": {"redisUrl": redis_server.url}})
    server = start_server(root, "serve", env={**SHARED_SECRET, "PYXLE_PAGE_CACHE_BACKEND": "redis"})
    assert "is set, but" not in server.output()
