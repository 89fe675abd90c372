"""The declarations of one page (bundler._types.declarations): what reaches `data`, per action
its body and result, and the props of pages and layouts."""

from __future__ import annotations

from pathlib import PurePosixPath

from starlette.responses import RedirectResponse
from typing_extensions import TypedDict

from pyxle.bundler import declarations


class Post(TypedDict):
    title: str


async def as_tuple(request) -> tuple[Post, int]:  # type: ignore[no-untyped-def]
    return {"title": "x"}, 201


async def or_redirect(request) -> Post | RedirectResponse:  # type: ignore[no-untyped-def]
    return RedirectResponse("/")


async def untyped(request):  # type: ignore[no-untyped-def]
    return {}


async def typed_request_only(request: object):  # type: ignore[no-untyped-def]
    return {}


def test_a_data_status_tuple_and_a_response_in_a_union_leave_the_data_type() -> None:
    for loader in (as_tuple, or_redirect):
        text = declarations(PurePosixPath("blog.pyxl"), "pages/blog.pyxl", loader, {})
        assert "export type Data = Post\n" in text


def test_a_page_without_annotations_has_no_declarations() -> None:
    assert declarations(PurePosixPath("a.pyxl"), "pages/a.pyxl", untyped, {"save": untyped}) is None
    assert declarations(PurePosixPath("a.pyxl"), "pages/a.pyxl", typed_request_only, {}) is None


def test_an_untyped_loader_beside_a_typed_action_gives_loose_data() -> None:
    async def save(request, body: Post) -> None:  # type: ignore[no-untyped-def]
        return None

    text = declarations(PurePosixPath("a.pyxl"), "pages/a.pyxl", untyped, {"save": save})
    assert "export type Data = Record<string, any>\n" in text
    assert "  save: {\n    body: Post\n    result: Record<string, any>\n  }" in text


def test_layouts_and_templates_get_children_the_route_path_and_their_actions_prop() -> None:
    for name in ("layout.pyxl", "template.pyxl"):
        text = declarations(PurePosixPath("blog") / name, f"pages/blog/{name}", as_tuple, {})
        assert text.endswith('export interface Props {\n  data: Data\n  layoutData: Record<string, any>\n  routePath: string\n'
                             '  children?: import("react").ReactNode\n  action?: import("pyxle/client").ActionProp\n'
                             '  slots: import("pyxle/client").SlotRegistry\n}\n')


def test_a_page_gets_its_actions_prop() -> None:
    text = declarations(PurePosixPath("blog.pyxl"), "pages/blog.pyxl", as_tuple, {})
    assert text.endswith('export interface Props {\n  data: Data\n  layoutData: Record<string, any>\n  action?: import("pyxle/client").ActionProp\n'
                         '  slots: import("pyxle/client").SlotRegistry\n}\n')
