"""`pyxle openapi` and the docs page of `pyxle dev`: an OpenAPI 3.1 document the validator accepts."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from openapi_spec_validator import validate

from tests.conftest import server_env
from tests.docs._blocks import cites

FILES = {
    "models.py": """
        from pydantic import BaseModel, Field

        class Item(BaseModel):
            sku: str
            qty: int = Field(ge=1)

        class Order(BaseModel):
            title: str
            items: list[Item] = []
        """,
    "pages/api/orders/[id].py": """
        from typing import Annotated
        from pydantic import Field
        from pyxle.validation import Header
        from models import Order

        async def get(request, id: int, expand: list[str] = [], limit: Annotated[int, Field(le=50)] = 10) -> Order:
            \"\"\"One order.\"\"\"
            return Order(title="t")

        async def put(request, id: int, order: Order, x_token: Annotated[str, Header()]) -> Order:
            return order
        """,
    "pages/api/hello.py": "async def get(request): return {'hello': 'world'}\n",
    "pages/api/files/[...path].py": "async def get(request): return {}\n",
    "pages/index.pyxl": """
        from models import Order

        @action
        async def save(request, body: Order):
            \"\"\"Save an order.\"\"\"
            return {"saved": body.title}

        @action
        async def ping(request):
            return {}

        export default function Page() { return null }
        """,
}


def _openapi(project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "openapi", str(project), *args], capture_output=True,
                          text=True, env=server_env(), timeout=60, check=False)


@cites("docs/validation.md", "(`pyxle openapi [DIR]`; without `--out` it prints the document)")
def test_pyxle_openapi_prints_a_valid_openapi_3_1_document(make_project) -> None:
    result = _openapi(make_project(FILES))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)  # raises on any violation of the 3.1 specification
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {"/api/hello", "/api/files/{path}", "/api/orders/{id}",
                                 "/api/__actions/index/save", "/api/__actions/index/ping"}


def test_typed_parameters_bodies_and_responses_are_described(make_project) -> None:
    doc = json.loads(_openapi(make_project(FILES)).stdout)
    get = doc["paths"]["/api/orders/{id}"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert params["id"] == {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    assert params["expand"]["in"] == "query" and params["expand"]["schema"]["type"] == "array"
    assert params["limit"]["schema"]["maximum"] == 50 and params["limit"]["required"] is False
    assert get["summary"] == "One order."
    assert get["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order"}
    assert get["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationError")
    assert get["responses"]["405"]["headers"]["Allow"]["description"] == "GET, HEAD, PUT, OPTIONS"
    put = doc["paths"]["/api/orders/{id}"]["put"]
    assert {"name": "x-token", "in": "header", "required": True, "schema": {"type": "string"}} in put["parameters"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order"}
    assert set(doc["components"]["schemas"]) >= {"Order", "Item", "ValidationError", "Error"}


@cites("docs/validation.md", "and every action (`POST /api/__actions/<page>/<name>`, its body, its 200, 400,\n403 and 422)")
def test_actions_are_described_with_their_body_and_error_answers(make_project) -> None:
    doc = json.loads(_openapi(make_project(FILES)).stdout)
    save = doc["paths"]["/api/__actions/index/save"]["post"]
    assert save["summary"] == "Save an order."
    assert save["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["$ref"].endswith("/Order")
    assert {"200", "400", "403", "422"} <= set(save["responses"])
    assert "requestBody" not in doc["paths"]["/api/__actions/index/ping"]["post"]


def test_an_untyped_route_is_still_listed_with_its_path_parameters(make_project) -> None:
    doc = json.loads(_openapi(make_project(FILES)).stdout)
    files = doc["paths"]["/api/files/{path}"]["get"]
    assert files["parameters"] == [{"name": "path", "in": "path", "required": True, "schema": {"type": "string"}}]
    assert "422" not in files["responses"]


def test_out_writes_the_document_to_a_file(make_project, tmp_path) -> None:
    target = tmp_path / "openapi.json"
    result = _openapi(make_project(FILES), "--out", str(target), "--title", "Shop")
    assert result.returncode == 0
    assert json.loads(target.read_text())["info"]["title"] == "Shop"


def test_pyxle_dev_serves_the_document_and_a_docs_page(make_project, start_server) -> None:
    files = {k: v for k, v in FILES.items() if not k.endswith(".pyxl")}
    server = start_server(make_project(files), "dev")
    doc = httpx.get(server.url + "/api/__openapi.json").json()
    validate(doc)
    page = httpx.get(server.url + "/api/__openapi")
    assert page.headers["content-type"].startswith("text/html")
    assert "/api/orders/{id}" in page.text and "One order." in page.text


def test_the_docs_path_is_configurable(make_project, start_server) -> None:
    files = {**{k: v for k, v in FILES.items() if not k.endswith(".pyxl")},
             "pyxle.config.json": '{"openapi": {"path": "/docs/api"}}'}
    server = start_server(make_project(files), "dev")
    assert httpx.get(server.url + "/docs/api.json").json()["openapi"] == "3.1.0"
    assert httpx.get(server.url + "/api/__openapi.json").status_code == 404


@pytest.mark.parametrize(("config", "served"), [("{}", False), ('{"openapi": {"production": true}}', True)])
def test_production_serves_the_document_only_when_enabled(make_project, start_server, config: str,
                                                          served: bool) -> None:
    files = {**{k: v for k, v in FILES.items() if not k.endswith(".pyxl")}, "pyxle.config.json": config}
    server = start_server(make_project(files), "serve")
    assert (httpx.get(server.url + "/api/__openapi.json").status_code == 200) is served


@cites("docs/validation.md", "it is taken in its canonical form, as `metricsEndpointPath` is: `/docs/api/` is `/docs/api`")
def test_a_docs_path_with_a_trailing_slash_is_served_without_it(make_project, start_server) -> None:
    """"/docs/api/" was served nowhere: the router sends /docs/api/ to /docs/api, and .json hung off the slash."""
    config = {"openapi": {"path": "/docs//api/", "production": True}}
    files = {**{k: v for k, v in FILES.items() if not k.endswith(".pyxl")}, "pyxle.config.json": json.dumps(config)}
    server = start_server(make_project(files), "serve")
    assert httpx.get(server.url + "/docs/api.json").json()["openapi"] == "3.1.0"
    assert httpx.get(server.url + "/docs/api").headers["content-type"].startswith("text/html")


ROUTE_SHAPES = {
    "pages/api/docs/[[...slug]].py": "async def get(request, slug: str = ''):\n    return {'slug': slug}\n",
    "pages/api/users.py": """
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import JSONResponse

        class Users(HTTPEndpoint):
            \"\"\"The users.\"\"\"

            async def get(self, request):
                return JSONResponse([])

            async def delete(self, request):
                return JSONResponse({})
        """,
}


def test_optional_catch_alls_and_endpoint_classes_are_described_validly(make_project) -> None:
    """``{slug...?}`` was written as the path (invalid), and ``HTTPEndpoint`` routes were left out."""
    result = _openapi(make_project(ROUTE_SHAPES))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    assert set(doc["paths"]) == {"/api/docs", "/api/docs/{slug}", "/api/users"}
    assert "parameters" not in doc["paths"]["/api/docs"]["get"]
    assert doc["paths"]["/api/docs/{slug}"]["get"]["parameters"] == [
        {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]
    users = doc["paths"]["/api/users"]
    assert set(users) == {"get", "delete"} and users["get"]["summary"] == "The users."
    assert users["get"]["responses"]["405"]["headers"]["Allow"]["description"] == "GET, HEAD, DELETE, OPTIONS"


def test_a_body_with_a_status_documents_its_model(make_project) -> None:
    files = {"pages/api/count.py": """
        from pydantic import BaseModel

        class Count(BaseModel):
            n: int

        async def post(request) -> tuple[Count, int]:
            return Count(n=1), 201
        """}
    doc = json.loads(_openapi(make_project(files)).stdout)
    ok = doc["paths"]["/api/count"]["post"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Count"}


COLLIDING = {
    "pages/api/users/[id].py": "async def get(request, id: int):\n    return {'id': id}\n",
    "pages/api/users/id.py": "async def get(request):\n    return {}\n",
    "pages/api/users/id_2.py": "async def get(request):\n    return {}\n",
    "pages/api/a-b.py": "async def get(request):\n    return {}\n",
    "pages/api/a_b.py": "async def get(request):\n    return {}\n",
    "pages/blog.pyxl": "@action\nasync def post_save(request):\n    return {}\n\nexport default function Page() { return null }\n",
    "pages/blog/post.pyxl": "@action\nasync def save(request):\n    return {}\n\nexport default function Page() { return null }\n",
}


def test_routes_whose_names_read_alike_get_distinct_operation_ids(make_project) -> None:
    """``users/[id]`` and ``users/id`` were both ``get_api_users_id``: the spec needs unique ids. The
    first in URL order keeps its id; the next takes the first free ``_2``, ``_3``."""
    result = _openapi(make_project(COLLIDING))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    ids = {(path, method): op["operationId"] for path, ops in doc["paths"].items() for method, op in ops.items()}
    assert len(set(ids.values())) == len(ids)
    assert ids == {
        ("/api/a-b", "get"): "get_api_a_b", ("/api/a_b", "get"): "get_api_a_b_2",
        ("/api/users/id", "get"): "get_api_users_id", ("/api/users/id_2", "get"): "get_api_users_id_2",
        ("/api/users/{id}", "get"): "get_api_users_id_3",
        ("/api/__actions/blog/post/save", "post"): "action_blog_post_save",
        ("/api/__actions/blog/post_save", "post"): "action_blog_post_save_2",
    }
