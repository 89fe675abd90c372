"""What the server sends is what the OpenAPI document and the generated types say: model keys by
alias, a RootModel as its root, and no infinity or NaN either way (a 422 in, a logged 500 out).
Real `pyxle serve`, `pyxle openapi` and `pyxle typecheck` runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import server_env, serving, write_project
from tests.docs._blocks import cites

VALIDATION = "docs/validation.md"
TYPES = "docs/types.md"

MODELS = """
    from pydantic import BaseModel, Field, RootModel, computed_field


    class Person(BaseModel):
        full_name: str = Field(alias="fullName")


    class Tags(RootModel[list[str]]):
        pass


    class Profile(BaseModel):
        full_name: str = Field(alias="fullName")
        tags: Tags


    class Reading(BaseModel):
        value: float


    class Basket(BaseModel):
        items: list[str]

        @computed_field
        @property
        def count(self) -> int:
            return len(self.items)
    """

API = {
    "models.py": MODELS,
    "pages/api/people.py": """
        from models import Person

        async def put(request, body: Person) -> Person:
            return body
        """,
    "pages/api/baskets.py": """
        from models import Basket, Tags

        async def post(request, body: Basket) -> Basket:
            return body

        async def get(request) -> Tags:
            return Tags(["a", "b"])
        """,
    "pages/api/readings.py": """
        from models import Reading

        async def post(request, body: Reading) -> Reading:
            return body

        async def get(request, f: float):
            return {"f": f}
        """,
    "pages/api/bare.py": """
        from typing import Annotated
        from pyxle.validation import Body

        async def post(request, numbers: Annotated[list[float], Body()]):
            return {"sum": sum(numbers)}
        """,
    "pages/api/scaled/[v].py": """
        from typing import Annotated
        from pyxle.validation import Header

        async def get(request, v: float, x_scale: Annotated[float, Header()] = 1.0):
            return {"v": v * x_scale}
        """,
    "pages/api/infinite/untyped.py": """
        async def get(request):
            return {"x": float("inf")}
        """,
    "pages/api/infinite/model.py": """
        from models import Reading

        async def get(request) -> Reading:
            return Reading(value=float("inf"))
        """,
    "pages/api/infinite/mapping.py": """
        async def get(request) -> dict[str, list[float]]:
            return {"x": [1.0, float("nan")]}
        """,
    "pages/api/infinite/loose.py": """
        async def get(request) -> dict:
            return {"x": float("inf")}
        """,
}

PAGE = """
from models import Profile, Tags


@server
async def load(request) -> Profile:
    return Profile(fullName="Ada", tags=Tags(["math", "engines"]))


export default function Page({ data }) {
  return (
    <main>
      <h1>{data.fullName.toUpperCase()}</h1>
      <ul>{data.tags.map((tag) => <li key={tag}>{tag}</li>)}</ul>
    </main>
  )
}
"""




@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("wire"), API, None)
    with serving(root) as server:
        yield root, server


def _openapi(root: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "pyxle", "openapi", str(root)], capture_output=True, text=True,
                          env=server_env(), timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _component(doc: dict, schema: dict) -> dict:
    return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]


@cites(VALIDATION, "Models are sent by alias, as FastAPI sends them:\n`full_name: str = Field(alias=\"fullName\")` is sent as `fullName`")
def test_a_response_model_with_an_alias_is_sent_with_the_keys_its_openapi_schema_names(api) -> None:
    root, server = api
    sent = httpx.put(server.url + "/api/people", json={"fullName": "Ada"})
    assert sent.status_code == 200
    assert sent.json() == {"fullName": "Ada"}
    doc = _openapi(root)
    ok = doc["paths"]["/api/people"]["put"]["responses"]["200"]["content"]["application/json"]["schema"]
    response = _component(doc, ok)
    assert set(response["properties"]) == set(sent.json()) and response["required"] == ["fullName"]


@cites(VALIDATION, "a model that differs between the two is two components, `Order-Input` and `Order-Output`")
def test_a_model_that_sends_more_than_it_reads_gets_a_request_and_a_response_schema(api) -> None:
    root, server = api
    sent = httpx.post(server.url + "/api/baskets", json={"items": ["x", "y"]}).json()
    assert sent == {"items": ["x", "y"], "count": 2}
    doc = _openapi(root)
    post = doc["paths"]["/api/baskets"]["post"]
    request = _component(doc, post["requestBody"]["content"]["application/json"]["schema"])
    response = _component(doc, post["responses"]["200"]["content"]["application/json"]["schema"])
    assert (request["title"], response["title"]) == ("Basket", "Basket")
    assert {"Basket-Input", "Basket-Output"} <= set(doc["components"]["schemas"])
    assert set(request["properties"]) == {"items"}
    assert set(response["properties"]) == set(sent)


def test_a_root_model_is_documented_and_sent_as_its_root(api) -> None:
    root, server = api
    assert httpx.get(server.url + "/api/baskets").json() == ["a", "b"]
    doc = _openapi(root)
    schema = doc["paths"]["/api/baskets"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert _component(doc, schema) == {"items": {"type": "string"}, "title": "Tags", "type": "array"}


@pytest.mark.parametrize(("method", "path", "kwargs", "field"), [
    ("post", "/api/readings", {"content": b'{"value": 1e999}', "headers": {"content-type": "application/json"}}, "value"),
    ("post", "/api/readings", {"content": b'{"value": NaN}', "headers": {"content-type": "application/json"}}, "value"),
    ("post", "/api/readings", {"content": b'{"value": -Infinity}', "headers": {"content-type": "application/json"}},
     "value"),
    ("post", "/api/readings", {"json": {"value": "inf"}}, "value"),
    ("post", "/api/readings", {"data": {"value": "inf"}}, "value"),
    ("get", "/api/readings?f=1e400", {}, "f"),
    ("get", "/api/readings?f=nan", {}, "f"),
    ("get", "/api/scaled/inf", {}, "v"),
    ("get", "/api/scaled/2", {"headers": {"x-scale": "-infinity"}}, "x-scale"),
    ("post", "/api/bare", {"content": b"[1, 1e999]", "headers": {"content-type": "application/json"}}, "1"),
], ids=["json-1e999", "json-NaN", "json-Infinity", "json-string", "form", "query-1e400", "query-nan", "path",
        "header", "bare-list"])
@cites(VALIDATION, "a `float` that is not finite (`1e999`, `NaN`, `\"inf\"`, from a\nJSON body, a form, the query string, the path or a header: `\"Input should be a finite number\"`")
def test_a_float_input_that_is_not_finite_is_a_422_naming_the_field(api, method: str, path: str, kwargs: dict,
                                                                    field: str) -> None:
    _, server = api
    response = httpx.request(method, server.url + path, **kwargs)
    assert response.status_code == 422, response.text
    assert response.json() == {"error": "Validation failed", "fields": {field: ["Input should be a finite number"]}}


def test_finite_floats_still_pass_every_reader(api) -> None:
    _, server = api
    assert httpx.post(server.url + "/api/readings", json={"value": 1.5e300}).json() == {"value": 1.5e300}
    assert httpx.post(server.url + "/api/readings", data={"value": "-2.5"}).json() == {"value": -2.5}
    assert httpx.get(server.url + "/api/scaled/3", headers={"x-scale": "0.5"}).json() == {"v": 1.5}


@cites(VALIDATION, "A\nresponse holding an infinity or NaN, which JSON cannot carry, is a server error (a 500 with the\ngeneric body, the traceback in the log)")
@pytest.mark.parametrize("path", ["/api/infinite/untyped", "/api/infinite/model", "/api/infinite/mapping",
                                  "/api/infinite/loose"])
def test_a_response_holding_an_infinity_is_a_logged_500_with_the_generic_body(api, path: str) -> None:
    _, server = api
    response = httpx.get(server.url + path)
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error"}
    log = server.wait_for_output(f'"GET {path}" 500')
    assert "Traceback" in log and "Traceback" not in response.text
    if path.endswith("untyped"):  # a plain dict: the log names the key, as for a datetime in it
        assert "get() in pages/api/infinite/untyped.py returned data that is not JSON-serialisable: data.x: inf is not valid JSON" in log
    else:
        assert "ValueError: Out of range float values" in log or "ValueError: the response holds an infinity or NaN" in log


def _typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


@cites(TYPES, "Pyxle sends it as the JSON object it dumps to, keyed by\n  alias")
@cites(TYPES, "`class Tags(RootModel[list[str]])` is `export type Tags = string[]`")
def test_loader_data_is_sent_by_alias_and_a_root_model_as_its_root_as_the_generated_types_say(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"models.py": MODELS, "pages/index.pyxl": PAGE}, node=True)
    done = _typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    types = (root / ".pyxle" / "types" / "index.d.ts").read_text()
    assert "export type Tags = string[]\n" in types
    assert "export interface Profile {\n  fullName: string\n  tags: Tags\n}" in types
    server = start_server(root)
    page = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"})
    assert page.json()["props"]["data"] == {"fullName": "Ada", "tags": ["math", "engines"]}


def test_reading_a_root_models_root_key_fails_typecheck_since_the_server_never_sends_it(make_project) -> None:
    page = PAGE.replace("{data.tags.map((tag) => <li key={tag}>{tag}</li>)}", "{data.tags.root.length}")
    root = make_project({"models.py": MODELS, "pages/index.pyxl": page}, node=True)
    done = _typecheck(root)
    assert done.returncode == 1
    assert "Property 'root' does not exist" in done.stdout
