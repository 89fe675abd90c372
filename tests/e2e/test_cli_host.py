"""Where `pyxle serve` and `pyxle dev` listen: a host name is looked up once and its address bound
(granian binds addresses only, and a name was a traceback), a bad host is one line naming its
setting, and the banner is a URL a browser opens. Real `pyxle` processes, httpx to the server."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from pyxle import __version__
from tests.conftest import Server, pyxle_command, server_env
from tests.docs._blocks import cites

ROUTE = "async def get(request):\n    return {'ok': True}\n"
UNRESOLVABLE = "no-such-host.invalid"  # .invalid never resolves (RFC 6761)


def pyxle(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(**env), check=False)


@pytest.fixture
def api(make_project) -> Path:
    return make_project({"pages/api/hello.py": ROUTE})


def one_line(run: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The one line a failed start printed (warnings aside), with no traceback."""
    assert run.returncode == code, run.stdout + run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line and not line.startswith("pyxle: warning:")]
    assert len(lines) == 1, run.stderr
    return lines[0]


@contextmanager
def listening(project: Path, command: str, *args: str, env: dict[str, str]) -> Iterator[Server]:
    """``pyxle <command>`` on a free port, ready; the host is what ``args``, ``env`` or the
    project's config file say (the ``start_server`` fixture passes ``--host 127.0.0.1``)."""
    server = Server([command, str(project), "--port", "0", *args], project, server_env(**env))
    try:
        server.wait_ready(60)
        yield server
    finally:
        server.stop()


@cites("docs/deployment.md", "A host name (`--host localhost`, `PYXLE_HOST`, `starlette.host`) is looked up once")
@pytest.mark.parametrize("command", ["serve", "dev"])
@pytest.mark.parametrize("given", ["flag", "variable", "config file"])
def test_a_host_name_is_bound_at_its_address(api: Path, command: str, given: str) -> None:
    """`--host localhost` printed the banner, then granian failed with `ValueError: invalid IP
    address syntax` and a traceback, from the flag, PYXLE_HOST or the config file alike."""
    args, env = ["--host", "localhost"] if given == "flag" else [], {}
    if given == "variable":
        env["PYXLE_HOST"] = "localhost"
    if given == "config file":
        (api / "pyxle.config.json").write_text(json.dumps({"starlette": {"host": "localhost"}}))
    expected = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)[0][4][0]  # its first address
    with listening(api, command, *args, env=env) as server:
        bracketed = f"[{expected}]" if ":" in expected else expected
        assert server.url.startswith(f"http://{bracketed}:"), server.output()
        assert f", localhost is {expected})" in server.output(), server.output()
        assert httpx.get(server.url + "/api/hello", timeout=10).json() == {"ok": True}


@cites("docs/deployment.md", 'resolve stops start-up with one line naming where it was set\n'
       '(`pyxle: PYXLE_HOST "web.internal" does not resolve to an address (...)`)')
@pytest.mark.parametrize("given", ["flag", "variable", "config file"])
def test_a_host_name_that_does_not_resolve_is_one_line_naming_its_setting(api: Path, given: str) -> None:
    args, env = ["--host", UNRESOLVABLE] if given == "flag" else [], {}
    if given == "variable":
        env["PYXLE_HOST"] = UNRESOLVABLE
    if given == "config file":
        (api / "pyxle.config.json").write_text(json.dumps({"starlette": {"host": UNRESOLVABLE}}))
    line = one_line(pyxle(api, "serve", ".", "--port", "0", *args, **env))
    named = {"flag": "--host", "variable": "PYXLE_HOST", "config file": f"{api / 'pyxle.config.json'}: starlette.host"}
    assert line.startswith(f'pyxle: {named[given]} "{UNRESOLVABLE}" does not resolve to an address'), line


@cites("docs/deployment.md", "`--host ''` or `--host 'a b'` is a usage error too")
@pytest.mark.parametrize("host", ["", "a b"])
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_an_empty_host_or_one_with_a_space_is_a_usage_error_naming_the_flag(api: Path, command: str, host: str) -> None:
    """It was `pyxle: override "host" must be ...` and exit code 1, naming no flag."""
    run = pyxle(api, command, ".", "--port", "0", "--host", host)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"Invalid value for '--host': must be a non-empty host name or address without spaces (got {host!r})" in (
        run.stderr), run.stderr


@cites("docs/deployment.md", "and an address that is\n  not this machine's names the host rather than the port")
def test_an_address_of_another_machine_is_one_line_naming_the_host(api: Path) -> None:
    """The hint said `choose another with --port`, for an address no port makes bindable."""
    line = one_line(pyxle(api, "serve", ".", "--port", "0", "--host", "192.0.2.1"))  # TEST-NET-1: never local
    assert line.startswith("pyxle: 192.0.2.1:0 cannot be bound ("), line
    assert "192.0.2.1 is not an address of this machine; choose another with --host" in line, line
    assert "--port" not in line, line


@cites("docs/deployment.md", "`--host` takes an address (`0.0.0.0`, `::1`) or a host name")
def test_host_0_0_0_0_listens_on_every_address_of_the_machine(api: Path, start_server) -> None:
    """What a container needs: answers at 127.0.0.1 and at 127.0.0.2 alike (a server bound to
    127.0.0.1 alone never answers the second)."""
    server = start_server(api, "serve", "--host", "0.0.0.0", ready=False)
    server.wait_for_output("pyxle serve: http://", 60)
    assert "pyxle serve: http://0.0.0.0:" in server.output(), server.output()
    server.url = server.url.replace("0.0.0.0", "127.0.0.1")
    server.wait_ready(60)
    for address in ("127.0.0.1", "127.0.0.2"):
        assert httpx.get(server.url.replace("127.0.0.1", address) + "/api/hello", timeout=10).json() == {"ok": True}


@cites("docs/deployment.md", "`--host` takes an address (`0.0.0.0`, `::1`) or a host name")
def test_an_ipv6_host_is_in_brackets_in_the_banner(api: Path, start_server) -> None:
    """The banner said `http://::1:8000`, which no browser opens."""
    server = start_server(api, "serve", "--host", "::1", ready=False)
    server.wait_for_output("pyxle serve: http://", 60)
    assert "pyxle serve: http://[::1]:" in server.output(), server.output()
    server.wait_ready(60)
    assert server.url.startswith("http://[::1]:")
    assert httpx.get(server.url + "/api/hello", timeout=10).json() == {"ok": True}


@cites("docs/migrating.md", "| `pyxle` | `--version` | same |")
def test_version_prints_the_bare_version_as_0_9_did(tmp_path: Path) -> None:
    """`pyxle --version` printed `pyxle, version 1.0.0`; 0.9.4 printed `0.9.4`, and scripts read it."""
    run = pyxle(tmp_path, "--version")
    assert (run.returncode, run.stdout, run.stderr) == (0, f"{__version__}\n", "")
