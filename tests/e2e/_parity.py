"""Helpers of the test_client_parity* modules: a throwaway project served by `pyxle serve`, on
React 19 and on React 18."""

from __future__ import annotations

import pytest

from tests.conftest import NODE_MODULES, NODE_MODULES_REACT18, serving, write_project


def react_app(files: dict[str, str], name: str):  # type: ignore[no-untyped-def]
    """A module fixture: the project of ``files`` under `pyxle serve`, once on React 19, once on 18."""

    @pytest.fixture(scope="module", params=["19", "18"])
    def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
        modules = NODE_MODULES if request.param == "19" else NODE_MODULES_REACT18
        with serving(write_project(tmp_path_factory.mktemp(f"{name}{request.param}") / "app", files, modules),
                     "--ssr-workers", "1") as server:
            yield server

    return app
