"""`pyxle openapi` names a model defined in a route file whose path has a `[param]` (its module is
`pages.api.orders.[id]`) as any other: `Order`, shared as docs/validation.md says; pydantic read the
brackets as a generic's and named it `orders___id___Order`."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from tests.docs._blocks import cites
from tests.e2e.test_openapi import _openapi

FILES = {
    "pages/api/orders/[id].py": """
        from pydantic import BaseModel, computed_field

        class Order(BaseModel):
            title: str

            @computed_field
            @property
            def slug(self) -> str:
                return self.title.lower()

        async def put(request, id: int, order: Order) -> Order:
            return order
        """,
    "pages/api/[shop]/items.py": """
        from pydantic import BaseModel

        class Item(BaseModel):
            sku: str

        async def get(request) -> list[Item]:
            return []
        """,
    "pages/api/docs/[[...slug]].py": """
        from typing import Generic, TypeVar
        from pydantic import BaseModel

        T = TypeVar("T")

        class Doc(BaseModel):
            text: str

        class Paged(BaseModel, Generic[T]):
            items: list[T]

        async def get(request) -> Paged[Doc]:
            return Paged[Doc](items=[])
        """,
    "pages/posts/[id].pyxl": """
        from pydantic import BaseModel

        class Post(BaseModel):
            title: str

        @action
        async def save(request, body: Post) -> Post:
            return body

        export default function PostPage() { return null }
        """,
}


@cites("docs/validation.md", "a model that differs between the two is two components, `Order-Input` and `Order-Output`")
def test_models_of_bracketed_route_files_keep_their_own_names(make_project) -> None:
    result = _openapi(make_project(FILES))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    assert set(doc["components"]["schemas"]) == {"Error", "ValidationError", "Order-Input", "Order-Output", "Item",
                                                 "Doc", "Paged_Doc_", "Post"}
    put = doc["paths"]["/api/orders/{id}"]["put"]
    assert put["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Order-Input"}
