"""`pyxle openapi` documents an `HTTPEndpoint` class route's typed parameters and body as it does a
function handler's (`id: int` an integer path parameter, a model body its schema): serve binds
them, and the document listed `id` as a string and no body."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from tests.docs._blocks import cites
from tests.e2e.test_openapi import _openapi

FILES = {
    "pages/api/users/[id].py": """
        from pydantic import BaseModel
        from starlette.endpoints import HTTPEndpoint

        class Rename(BaseModel):
            name: str

        class User(HTTPEndpoint):
            async def get(self, request, id: int, expand: bool = False) -> Rename:
                return Rename(name=str(id))

            async def put(self, request, id: int, body: Rename):
                return {"id": id, "name": body.name}

            async def delete(self, request):
                return {}
        """,
}

ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}


@cites("docs/validation.md", "its methods' typed parameters, body and return as a function handler's")
def test_an_endpoint_class_documents_its_methods_typed_parameters_and_body(make_project) -> None:
    result = _openapi(make_project(FILES))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    user = doc["paths"]["/api/users/{id}"]
    assert user["get"]["parameters"] == [ID, {"name": "expand", "in": "query", "required": False,
                                              "schema": {"type": "boolean"}}]
    assert user["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Rename"}
    assert user["put"]["parameters"] == [ID]
    assert user["put"]["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Rename"}
    assert "requestBody" not in user["delete"]
    assert user["delete"]["parameters"] == [{**ID, "schema": {"type": "string"}}]  # untyped: a string, as a function's
