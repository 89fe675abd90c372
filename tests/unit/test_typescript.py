"""``pyxle.validation.typescript``: Python annotations -> TypeScript declarations (pure, no I/O)."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, NewType, Optional, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, computed_field
from typing_extensions import NotRequired, TypedDict

from pyxle.validation import typescript
from tests.docs._blocks import cites

UserId = NewType("UserId", int)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@pytest.mark.parametrize(("annotation", "expected"), [
    (str, "string"), (int, "number"), (float, "number"), (bool, "boolean"), (None, "null"), (Any, "any"),
    (object, "any"), (bytes, "string"), (datetime.datetime, "string"), (datetime.date, "string"),
    (uuid.UUID, "string"), (Decimal, "string"), (UserId, "number"), (datetime.time, "string"),
    (datetime.timedelta, "string"), (Path, "string"), (HttpUrl, "string"),
    (Sequence[int], "number[]"), (Mapping[str, bool], "Record<string, boolean>"),
    (list[int], "number[]"), (set[str], "string[]"), (tuple[int, ...], "number[]"), (tuple[int, str], "[number, string]"),
    (list[int | None], "(number | null)[]"), (dict[str, int], "Record<string, number>"), (dict, "Record<string, any>"), (list, "any[]"),
    (Optional[str], "string | null"), (Union[int, str, None], "number | string | null"),  # noqa: UP007, UP045 - the old spellings
    (int | None, "number | null"),
    (Literal["a", "b"], '"a" | "b"'), (Literal[1, True, None], "1 | true | null"),  # noqa: PYI061 - None among the literals
    (Annotated[int, Field(ge=1)], "number"), (list[Annotated[str, "x"]], "string[]"),
])
def test_builtin_and_typing_annotations_map_to_their_json_types(annotation: Any, expected: str) -> None:
    assert typescript({"T": annotation}) == f"export type T = {expected}\n"


def test_an_enum_becomes_a_union_of_its_values() -> None:
    assert typescript({"T": list[Color]}) == 'export type Color = "red" | "blue"\n\nexport type T = Color[]\n'


class Item(BaseModel):
    """An item."""

    sku: str = Field(description="the */ stock unit")
    qty: int = 1
    tags: list[str] = []


class Order(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    order_id: int = Field(alias="orderId")
    items: list[Item]
    parent: Order | None = None

    @computed_field
    @property
    def total(self) -> int:
        return len(self.items)


def test_a_pydantic_model_as_sent_has_every_field_and_its_computed_fields() -> None:
    text = typescript({"Data": Order})
    assert "export interface Order {\n  orderId: number\n  items: Item[]\n  parent: Order | null\n  total: number\n}" in text
    assert text.endswith("export type Data = Order\n")
    assert '/** An item. */\nexport interface Item {\n  /** the * / stock unit */\n  sku: string\n  qty: number\n  tags: string[]\n}' in text


@cites("docs/types.md", "A body is\n  read as input: a field with a default is optional (`?`), a computed field is left out, a\n"
                        "  `Decimal` is `number | string` (pydantic accepts both)")
def test_a_pydantic_model_as_received_makes_defaults_optional_and_reads_aliases() -> None:
    text = typescript({"Body": Order}, inputs={"Body"})
    assert "export interface OrderInput {\n  orderId: number\n  items: ItemInput[]\n  parent?: OrderInput | null\n}" in text
    assert "export interface ItemInput {\n  /** the * / stock unit */\n  sku: string\n  qty?: number\n  tags?: string[]\n}" in text
    assert text.endswith("export type Body = OrderInput\n")
    assert typescript({"Price": Decimal}, inputs={"Price"}) == "export type Price = number | string\n"


def test_a_model_read_the_same_both_ways_is_declared_once() -> None:
    class Point(BaseModel):
        x: int
        y: int

    text = typescript({"A": Point, "B": Point}, inputs={"B"})
    assert text.count("export interface Point") == 1
    assert "PointInput" not in text
    assert text.endswith("export type A = Point\n\nexport type B = Point\n")


class Author(TypedDict):
    name: str
    email: NotRequired[str]


@dataclasses.dataclass
class Stats:
    views: int
    ratio: float = 0.5
    label: str = dataclasses.field(default="", init=False)


def test_typeddicts_keep_their_optional_keys_and_dataclasses_their_defaults_on_input() -> None:
    text = typescript({"Out": tuple[Author, Stats], "In": Stats}, inputs={"In"})
    assert "export interface Author {\n  name: string\n  email?: string\n}" in text
    assert "export interface Stats {\n  views: number\n  ratio: number\n  label: string\n}" in text
    assert "export interface StatsInput {\n  views: number\n  ratio?: number\n}" in text


def test_nested_mappings_are_object_types_with_inputs_named_by_dotted_path() -> None:
    text = typescript({"Actions": {"save": {"body": Item, "result": Stats}, "ping": {}}}, inputs={"Actions.save.body"})
    assert text.endswith("export type Actions = {\n  save: {\n    body: ItemInput\n    result: Stats\n  }\n  ping: {}\n}\n")


def test_a_declaration_named_like_its_model_is_that_models_interface() -> None:
    class Data(BaseModel):
        n: int

    assert typescript({"Data": Data}) == "export interface Data {\n  n: number\n}\n"


def test_models_with_the_same_name_or_a_reserved_name_get_distinct_names() -> None:
    def make() -> type:
        class Item(BaseModel):
            other: bool

        return Item

    text = typescript({"Data": list[Item], "Other": make(), "Actions": dict[str, int]})
    assert "export interface Item {" in text and "export interface Item2 {\n  other: boolean\n}" in text
    assert "export type Other = Item2" in text


def test_property_names_that_are_not_identifiers_are_quoted() -> None:
    Weird = TypedDict("Weird", {"content-type": str, "ok": bool})
    assert '  "content-type": string\n  ok: boolean\n' in typescript({"T": Weird})
