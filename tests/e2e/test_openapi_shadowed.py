"""OpenAPI URLs that a route of the project answers (a catch-all), on a real `pyxle dev` and
`pyxle serve`: said at start-up, naming both, as a shadowed metrics path is."""

from __future__ import annotations

import json

import httpx

from tests.docs._blocks import cites

CATCH_ALL = "async def get(request):\n    return {'caught': request.path_params['rest']}\n"
FILES = {"pages/api/[...rest].py": CATCH_ALL}
SAID = ("pyxle.config.json: openapi.path /api/__openapi: /api/__openapi.json and /api/__openapi are also the URL "
        "of pages/api/[...rest].py, which answers instead of the OpenAPI document")


@cites("docs/validation.md", "`pyxle dev` warns at start-up,\nnaming both")
def test_pyxle_dev_warns_when_a_catch_all_route_answers_the_openapi_urls(make_project, start_server) -> None:
    server = start_server(make_project(FILES), "dev")
    assert SAID in server.output()
    assert 'hint: set "openapi": {"path": ...} to a URL no route answers' in server.output()
    assert httpx.get(server.url + "/api/__openapi.json").json() == {"caught": "__openapi.json"}


@cites("docs/validation.md", "`pyxle serve` with `production: true` stops, as for a shadowed `metricsEndpointPath`")
def test_pyxle_serve_with_openapi_in_production_stops_when_a_route_answers_its_urls(make_project,
                                                                                    start_server) -> None:
    project = make_project({**FILES, "pyxle.config.json": json.dumps({"openapi": {"production": True}})})
    server = start_server(project, ready=False)
    assert server.wait_exit(60) == 1
    assert f"pyxle: {SAID}" in server.output() and "Traceback" not in server.output()


def test_openapi_turned_off_in_dev_says_nothing_about_its_urls(make_project, start_server) -> None:
    server = start_server(make_project({**FILES, "pyxle.config.json": '{"openapi": false}'}), "dev")
    assert "openapi.path" not in server.output()


def test_a_docs_path_with_a_trailing_slash_over_a_route_stops_pyxle_serve_too(make_project, start_server) -> None:
    """"/api/ok/" beside pages/api/ok.py slipped past the check, and the page was served nowhere."""
    config = {"openapi": {"production": True, "path": "/api/ok/"}}
    files = {"pages/api/ok.py": "async def get(request):\n    return {'ok': True}\n",
             "pyxle.config.json": json.dumps(config)}
    server = start_server(make_project(files), ready=False)
    assert server.wait_exit(60) == 1
    assert ("pyxle: pyxle.config.json: openapi.path /api/ok: /api/ok is also the URL of pages/api/ok.py, "
            "which answers instead of the OpenAPI document") in server.output()
