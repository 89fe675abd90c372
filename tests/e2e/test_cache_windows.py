"""A page cache window longer than any cache keeps (`CACHE = {"revalidate": 1e308}`, or the
loader's envelope saying the same) is stored as long as RFC 9111's largest delta-seconds, 2^31:
every request was a 500 (`int()` of an infinite stale window). An int literal too large for a
float stops start-up naming the file, as the directive's other bad forms do (a review probe)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_SECRET, Server, server_env, serving, write_project

FOREVER = "public, s-maxage=2147483648, stale-while-revalidate=2147483648"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    files = {
        "pages/directive.pyxl": 'CACHE = {"revalidate": 1e308}\n\nexport default function P() { return <p>kept</p> }\n',
        "pages/envelope.pyxl": ('@server\nasync def load(request):\n    return {"data": {}, "revalidate": 1e308}\n\n'
                                "export default function P() { return <p>kept</p> }\n"),
    }
    with serving(write_project(tmp_path_factory.mktemp("windows") / "app", files), env=SHARED_SECRET) as server:
        yield server


@pytest.mark.parametrize("path", ["/directive", "/envelope"])
def test_a_window_longer_than_any_cache_keeps_is_stored_as_long_as_the_longest(app: Server, path: str) -> None:
    first, second = httpx.get(app.url + path), httpx.get(app.url + path)
    assert first.status_code == 200 and first.headers["cache-control"] == FOREVER
    assert second.status_code == 200 and second.headers["x-pyxle-cache"] == "HIT"


def test_a_cache_directive_too_large_for_a_float_stops_the_build_naming_the_file(tmp_path: Path) -> None:
    project = write_project(tmp_path / "app", {
        "pages/index.pyxl": f'CACHE = {{"revalidate": 1{"0" * 400}}}\n\nexport default function P() {{ return <p/> }}\n'})
    ran = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                         env=server_env(), check=False, timeout=120)
    out = ran.stdout + ran.stderr
    assert ran.returncode != 0 and "pages/index.pyxl:1:" in out, out
    assert "CACHE 'revalidate' must be a non-negative number of seconds" in out and "Traceback" not in out
