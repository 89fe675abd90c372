"""The pytest plugin (entry point ``pytest11: pyxle``): ``pyxle_project`` and ``pyxle_client``.

``pyxle_project`` is the nearest folder, from pytest's root directory upwards, that holds
``pages/`` (override the fixture to point elsewhere); ``pyxle_client`` is the started app.
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
def pyxle_client(pyxle_project: Path) -> Iterator[object]:
    from pyxle.testing import app_client

    with app_client(pyxle_project) as client:
        yield client
