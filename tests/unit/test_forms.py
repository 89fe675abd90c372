"""``pyxle.validation.form_fields``: the one reading of a submitted form as a dict."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Optional

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints
from starlette.datastructures import UploadFile
from typing_extensions import NotRequired, TypedDict

from pyxle.validation import form_fields
from pyxle.validation._forms import blank_keys, list_keys, one_keys


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


def test_last_wins_keeps_the_last_value_of_every_key_in_the_place_it_was_first_sent() -> None:
    items = [("agree", "off"), ("title", "x"), ("agree", "on"), ("tag", "a"), ("tag", "b")]
    data = form_fields(items, last_wins=True)
    assert data == {"agree": "on", "title": "x", "tag": "b"} and list(data) == ["agree", "title", "tag"]


def test_last_wins_makes_a_key_carrying_several_files_the_list_of_them() -> None:
    a, b, c = (UploadFile(io.BytesIO(b"x"), filename=name) for name in ("a.txt", "b.txt", "c.txt"))
    items = [("doc", a), ("title", "x"), ("doc", b), ("doc", c), ("one", a), ("title", "y"), ("swap", "t"), ("swap", b)]
    data = form_fields(items, last_wins=True)
    assert data == {"doc": [a, b, c], "title": "y", "one": a, "swap": b}
    assert form_fields([("doc", a), ("doc", "text")], last_wins=True) == {"doc": "text"}  # text: its last value


def test_a_key_in_last_keeps_its_last_value_and_the_others_are_lists() -> None:
    items = [("agree", "off"), ("agree", "on"), ("tag", "a"), ("tag", "b"), ("tags", "a")]
    assert form_fields(items, last={"agree"}, many={"tags"}) == {"agree": "on", "tag": ["a", "b"], "tags": ["a"]}


def test_a_key_in_blank_posted_empty_is_left_out_and_any_other_is_an_empty_string() -> None:
    assert form_fields([("age", ""), ("bio", "")], blank={"age"}) == {"bio": ""}


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


class Blanks(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    bio: str
    nickname: str | None = None
    maybe: Optional[str] = None  # noqa: UP045 - as 0.9-era apps spell it
    motto: str = "carpe diem"
    anything: Any = None
    either: str | list[str] = ""
    age: int | None = Field(None, alias="Age")
    agree: bool = False
    size: Literal["s", "m"] = "m"
    title: Annotated[str, Field(min_length=1)]
    name: str = Field(min_length=1)
    code: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")] = "a"
    tags: list[str] = []


class Filled(BaseModel):
    model_config = ConfigDict(str_min_length=1)
    bio: str


class Form(TypedDict):
    title: NotRequired[Annotated[str, Field(min_length=1)]]
    bio: str


def test_the_blank_keys_are_the_one_value_fields_that_an_empty_string_is_no_valid_value_of() -> None:
    assert blank_keys(Blanks) == {"age", "Age", "agree", "size", "title", "name", "code"}
    assert blank_keys(Filled) == {"bio"}  # the model's str_min_length
    assert blank_keys(Form) == {"title"} and blank_keys(Note) == frozenset()
    assert blank_keys(Annotated[Blanks, "body"] | None) == blank_keys(Blanks) and blank_keys(dict) == frozenset()


def test_the_one_keys_are_the_fields_that_no_list_is_a_value_of() -> None:
    assert one_keys(Blanks) == {"bio", "nickname", "maybe", "motto", "age", "Age", "agree", "size", "title", "name",
                                "code"}
    assert one_keys(Note) == {"title"} and one_keys(dict) == frozenset()
