"""``pyxle.validation.form_fields``: the one reading of a submitted form as a dict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from starlette.datastructures import UploadFile
from typing_extensions import NotRequired, TypedDict

from pyxle.validation import form_fields
from pyxle.validation._forms import list_keys


def test_a_key_sent_more_than_once_becomes_a_list_in_the_order_sent() -> None:
    items = [("title", "x"), ("tag", "a"), ("tag", "b"), ("tag", "c")]
    assert form_fields(items) == {"title": "x", "tag": ["a", "b", "c"]}


def test_skipped_keys_are_left_out() -> None:
    assert form_fields([("csrf_token", "t"), ("title", "x"), ("csrf_token", "u")], skip=("csrf_token",)) == {"title": "x"}


def test_text_only_drops_uploaded_files_and_keeps_them_otherwise() -> None:
    upload = UploadFile(file=None, filename="a.txt")  # type: ignore[arg-type]
    items = [("name", "Ada"), ("avatar", upload), ("name", "Grace")]
    assert form_fields(items, text_only=True) == {"name": ["Ada", "Grace"]}
    assert form_fields(items)["avatar"] is upload


def test_a_key_of_a_list_field_is_a_list_even_when_sent_once() -> None:
    items = [("title", "x"), ("tags", "a")]
    assert form_fields(items, many={"tags"}) == {"title": "x", "tags": ["a"]}
    assert form_fields([*items, ("tags", "b")], many={"tags"}) == {"title": "x", "tags": ["a", "b"]}


class Post(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    tags: list[str] = []
    ids: set[int] | None = None
    pair: Annotated[tuple[str, ...], Field(max_length=2)] = ()
    either: str | list[str] = ""  # takes one value as it is
    labels: list[str] = Field([], alias="Labels")
    codes: list[int] = Field([], validation_alias=AliasChoices("code", "c"))
    title: str = ""


class Draft(TypedDict):
    tags: NotRequired[list[str]]
    title: str


@dataclass
class Note:
    tags: list[str]
    title: str = ""


def test_the_list_keys_of_a_body_are_read_from_its_model_typeddict_or_dataclass() -> None:
    assert list_keys(Post) == {"tags", "ids", "pair", "Labels", "labels", "code", "c", "codes"}
    assert list_keys(Annotated[Post, "body"] | None) == list_keys(Post)
    assert list_keys(Draft) == {"tags"} and list_keys(Note) == {"tags"}
    assert list_keys(dict) == frozenset() and list_keys(list[Post]) == frozenset()
