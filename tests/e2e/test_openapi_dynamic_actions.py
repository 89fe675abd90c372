"""`pyxle openapi` lists a dynamic page's action at the URL a client posts to, the page's URL
pattern (`/api/__actions/posts/{id}/save`) with its `id` path parameter, as 0.9.4 wrote the path;
it listed the literal `posts/[id]`, which runs the action with no `id` at all."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from tests.docs._blocks import cites
from tests.e2e.test_openapi import _openapi

FILES = {
    "pages/posts/[id].pyxl": """
        from pydantic import BaseModel

        class Post(BaseModel):
            title: str

        @action
        async def save(request, body: Post):
            return {"id": request.path_params["id"]}

        export default function PostPage() { return null }
        """,
    "pages/docs/[[...slug]].pyxl": """
        @action
        async def ping(request):
            return {}

        export default function Docs() { return null }
        """,
    "pages/about.pyxl": """
        @action
        async def like(request):
            return {}

        export default function About() { return null }
        """,
}

ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}


@cites("docs/validation.md", "A dynamic page's action is listed at its page's URL pattern")
def test_a_dynamic_pages_action_is_listed_at_its_url_pattern_with_its_path_parameter(make_project) -> None:
    result = _openapi(make_project(FILES))
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    validate(doc)
    paths = doc["paths"]
    assert not [path for path in paths if "[" in path], list(paths)
    save = paths["/api/__actions/posts/{id}/save"]["post"]
    assert save["operationId"] == "action_posts_id_save"
    assert save["parameters"] == [ID]
    assert save["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Post"}
    # an optional catch-all: with and without the parameter, as an API route's
    assert "parameters" not in paths["/api/__actions/docs/ping"]["post"]
    assert paths["/api/__actions/docs/{slug}/ping"]["post"]["parameters"] == [{**ID, "name": "slug"}]
    assert "parameters" not in paths["/api/__actions/about/like"]["post"]  # a static page as before
