"""The pytest plugin (entry point ``pytest11: pyxle``): ``pyxle_project``, ``pyxle_client`` and
``pyxle_session_client``.

``pyxle_project`` is the nearest folder, from pytest's root directory upwards, that holds
``pages/`` (override the fixture to point elsewhere); ``pyxle_session_client`` is the app, started once
for the session; ``pyxle_client``, a test's own client of it (its own cookie jar).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pyxle_project(request: pytest.FixtureRequest) -> Path:
    start = Path(str(request.config.rootpath)).resolve()
    for folder in (start, *start.parents):
        if (folder / "pages").is_dir():
            return folder
    raise pytest.UsageError(f"no Pyxle project (a folder with pages/) at or above {start}; "
                            "override the pyxle_project fixture to name it")


@pytest.fixture(scope="session")
def pyxle_session_client(pyxle_project: Path) -> Iterator[object]:
    """The app, started once for the session (its build and Node workers are costly)."""
    from pyxle.testing import app_client

    with app_client(pyxle_project) as client:
        yield client


@pytest.fixture
def pyxle_client(pyxle_session_client: object) -> Iterator[object]:
    """A test's own client of the session's app: a sign-in (a cookie) is not the next test's."""
    client = pyxle_session_client.fresh()  # type: ignore[attr-defined]
    try:
        yield client
    finally:
        client.close()
