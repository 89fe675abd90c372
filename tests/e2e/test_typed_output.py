"""What a return annotation filters, and what the OpenAPI document says of the less usual
annotations: another model, a dataclass or an object with attributes returned through a model
annotation is validated from its attributes and filtered (FastAPI's ``response_model``), in API
routes, loaders and actions; ``-> Model | Response`` documents the model; an ``UploadFile`` field is
a binary string; a list body is JSON only. Real `pyxle serve`, `pyxle openapi` and `pyxle build`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import NODE_MODULES, server_env, serving, write_project
from tests.docs._blocks import cites

VALIDATION = "docs/validation.md"

MODELS = """
    from dataclasses import dataclass

    from pydantic import BaseModel, ConfigDict, Field
    from starlette.datastructures import UploadFile


    class UserIn(BaseModel):
        username: str
        password: str


    class UserOut(BaseModel):
        username: str


    class Aliased(BaseModel):
        full_name: str = Field(alias="fullName")


    @dataclass
    class Row:
        username: str
        password: str


    class Record:
        \"\"\"An ORM-like object: attributes, no model.\"\"\"

        def __init__(self, username, password):
            self.username = username
            self.password = password


    class Public(BaseModel):
        x: int


    class Out(BaseModel):
        x: int
        secret: str


    class Item(BaseModel):
        a: int


    class Upload(BaseModel):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        title: str
        file: UploadFile
        more: list[UploadFile] = []
    """

FILES = {
    "models.py": MODELS,
    "pages/api/users.py": """
        from models import Record, Row, UserIn, UserOut

        async def post(request, user: UserIn) -> UserOut:
            return user

        async def get(request) -> UserOut:
            return Row(username="ada", password="pw")

        async def put(request) -> list[UserOut]:
            return [Record("ada", "pw"), Row(username="bob", password="pw")]
        """,
    "pages/api/aliased.py": """
        from dataclasses import dataclass

        from models import Aliased, UserIn

        @dataclass
        class Named:
            full_name: str

        async def get(request) -> Aliased:
            return Named(full_name="Ada")

        async def post(request, user: UserIn) -> Aliased:
            return user
        """,
    "pages/api/upload.py": """
        from models import Upload

        async def post(request, body: Upload) -> dict:
            return {"title": body.title, "file": body.file.filename, "more": len(body.more)}
        """,
    "pages/api/items.py": """
        from models import Item

        async def post(request, items: list[Item]) -> list[Item]:
            return items
        """,
    "pages/api/odd.py": """
        from pydantic import BaseModel, ConfigDict

        class Opaque:
            pass

        class Odd(BaseModel):
            model_config = ConfigDict(arbitrary_types_allowed=True)
            name: str
            thing: Opaque | None = None

        async def post(request, body: Odd) -> dict:
            return {"name": body.name}
        """,
    "pages/api/weird.py": """
        from pydantic import BaseModel
        from pydantic_core import core_schema

        class Weird:
            @classmethod
            def __get_pydantic_core_schema__(cls, source, handler):
                return core_schema.any_schema()

            @classmethod
            def __get_pydantic_json_schema__(cls, schema, handler):
                raise RuntimeError("no schema for Weird")

        class Holder(BaseModel):
            w: Weird = None

        async def get(request) -> Holder:
            return Holder()
        """,
    "pages/attach.pyxl": """
        from typing import Optional

        from models import Upload


        @action
        async def attach(request, body: Upload) -> dict:
            return {"title": body.title}


        @action
        async def maybe(request, avatar: Optional[Upload] = None):
            return {}


        export default function Attach() {
          return <p>attach</p>
        }
        """,
    "pages/index.pyxl": """
        from starlette.responses import Response

        from models import Out, Public


        @server
        async def load(request) -> tuple[Public, int] | Response:
            return Out(x=1, secret="s"), 203


        @action
        async def save(request, body: Public) -> Public | Response:
            if body.x < 0:
                return Response("no", status_code=409)
            return Out(x=body.x, secret="s")


        export default function Page({ data }) {
          return <p>{data.x}</p>
        }
        """,
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("typeout"), FILES, NODE_MODULES)
    with serving(root) as server:
        yield root, server


def _pyxle(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args, str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


def _openapi(root: Path) -> dict:
    done = _pyxle(root, "openapi")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@cites(VALIDATION, "another model, a dataclass or any object with those attributes (an ORM row) is\nread from its attributes")
def test_an_api_route_returning_another_model_a_dataclass_or_an_object_sends_only_the_annotated_fields(app) -> None:
    _, server = app
    with httpx.Client(base_url=server.url) as client:
        posted = client.post("/api/users", json={"username": "ada", "password": "pw"})
        assert posted.status_code == 200, posted.text
        assert posted.json() == {"username": "ada"}
        got = client.get("/api/users")
        assert got.status_code == 200, got.text
        assert got.json() == {"username": "ada"}
        listed = client.put("/api/users")
        assert listed.status_code == 200, listed.text
        assert listed.json() == [{"username": "ada"}, {"username": "bob"}]


def test_a_returned_model_with_aliases_is_read_by_its_field_names_too(app) -> None:
    _, server = app
    named = httpx.get(server.url + "/api/aliased")
    assert named.status_code == 200, named.text
    assert named.json() == {"fullName": "Ada"}
    wrong = httpx.post(server.url + "/api/aliased", json={"username": "ada", "password": "pw"})
    assert wrong.status_code == 500
    assert "pw" not in wrong.text


def test_a_loader_and_an_action_returning_another_model_send_only_the_annotated_fields(app) -> None:
    _, server = app
    with httpx.Client(base_url=server.url) as client:
        page = client.get("/", headers={"x-pyxle-navigation": "1"})
        assert page.status_code == 203, page.text
        assert page.json()["props"]["data"] == {"x": 1}
        client.get("/")  # the document sets the CSRF cookie (navigation JSON sets none)
        token = client.cookies["pyxle-csrf"]
        saved = client.post("/api/__actions/index/save", json={"x": 2}, headers={"x-csrf-token": token})
        assert saved.status_code == 200, saved.text
        assert saved.json() == {"ok": True, "x": 2}
        refused = client.post("/api/__actions/index/save", json={"x": -1}, headers={"x-csrf-token": token})
        assert refused.status_code == 409


@cites(VALIDATION, "A response annotated `Model | Response`\n(an API route's or an action's, as a loader's) is documented as `Model`")
@cites("docs/types.md", "so `-> Saved | Response` is\n  `result: Saved`")
def test_an_action_returning_model_or_response_is_documented_and_typed_as_the_model(app) -> None:
    root, server = app
    served = httpx.get(server.url + "/api/__openapi.json")
    assert served.status_code in (200, 404)  # served in production only when configured
    doc = _openapi(root)
    ok = doc["paths"]["/api/__actions/index/save"]["post"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["allOf"][1] == {"$ref": "#/components/schemas/Public"}
    done = _pyxle(root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    types = (root / ".pyxle" / "types" / "index.d.ts").read_text()
    assert "result: Public\n" in types, types


@cites(VALIDATION, "is a binary string (`{\"type\":\n\"string\", \"format\": \"binary\"}`), as FastAPI documents it")
def test_an_upload_field_is_documented_as_a_binary_string(app) -> None:
    root, server = app
    sent = httpx.post(server.url + "/api/upload", data={"title": "t"},
                      files=[("file", ("a.txt", b"hi")), ("more", ("b.txt", b"x")), ("more", ("c.txt", b"y"))])
    assert sent.json() == {"title": "t", "file": "a.txt", "more": 2}
    doc = _openapi(root)
    body = doc["paths"]["/api/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["file"] == {"type": "string", "format": "binary", "title": "File"}
    assert upload["properties"]["more"]["items"] == {"type": "string", "format": "binary"}


@cites("docs/types.md", "an `UploadFile` (a multipart form's file) | `File`")
def test_an_upload_field_of_an_actions_body_is_typed_as_the_browsers_file(app) -> None:
    root, _ = app
    done = _pyxle(root, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    types = (root / ".pyxle" / "types" / "attach.d.ts").read_text()
    body = types.split("export interface UploadInput {\n", 1)[1].split("}", 1)[0]
    assert body == "  title: string\n  file: File\n  more?: File[]\n", types
    assert "  attach: {\n    body: UploadInput\n" in types
    assert "  maybe: {\n    body: UploadInput | null\n" in types


@cites(VALIDATION, "unless it can never be an object (`list[Item]`),\nwhich a form cannot send: then as JSON only")
def test_a_list_body_is_offered_as_json_only(app) -> None:
    root, _ = app
    content = _openapi(root)["paths"]["/api/items"]["post"]["requestBody"]["content"]
    assert list(content) == ["application/json"]
    assert list(_openapi(root)["paths"]["/api/odd"]["post"]["requestBody"]["content"]) == [
        "application/json", "application/x-www-form-urlencoded", "multipart/form-data"]


@cites(VALIDATION, "A body holding an upload is offered as `multipart/form-data` only")
def test_a_body_holding_an_upload_is_offered_as_multipart_only(app) -> None:
    root, _ = app
    assert list(_openapi(root)["paths"]["/api/upload"]["post"]["requestBody"]["content"]) == ["multipart/form-data"]


@cites(VALIDATION, "that schema is\nleft out, any JSON, with a `description` that names the type and says why")
def test_a_type_without_a_json_schema_is_left_out_of_the_document_with_a_note(app) -> None:
    root, _ = app
    doc = _openapi(root)
    body = doc["paths"]["/api/odd"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    odd = doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert odd["properties"]["name"] == {"type": "string", "title": "Name"}
    thing = json.dumps(odd["properties"]["thing"])
    assert "Opaque" in thing and "Not described" in thing


def test_a_type_whose_schema_fails_is_left_out_and_the_rest_documented(app) -> None:
    root, _ = app
    doc = _openapi(root)
    ok = doc["paths"]["/api/weird"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "Not described: pages.api.weird.Holder" in ok["description"] and "no schema for Weird" in ok["description"]
    assert "/api/users" in doc["paths"] and "Holder" not in doc["components"]["schemas"]
