"""``finite_check``: built from an annotation when a route loads, it finds an infinity or NaN
wherever the annotation can hold a float, and is None where it cannot (no walk is paid)."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Any, Optional, Union

import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel

from pyxle.validation._finite import finite_check

INF, NAN = float("inf"), float("nan")


class Item(BaseModel):
    sku: str
    qty: int
    price: float


class Order(BaseModel):
    title: str
    when: datetime.date | None = None
    items: list[Item] = []


class Tree(BaseModel):
    value: float
    children: list[Tree] = []


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str


class Colour(enum.Enum):
    RED = "red"


class Plain(BaseModel):
    name: str
    count: int
    colour: Colour
    tags: list[str] = []


@pytest.mark.parametrize("annotation", [int, str, bool, bytes, datetime.datetime, Colour, Plain, list[str],
                                        dict[str, int], int | None, Annotated[int, Field(gt=0)]])
def test_types_that_hold_no_float_get_no_check(annotation: Any) -> None:
    assert finite_check(annotation) is None


@pytest.mark.parametrize(("annotation", "bad", "good"), [
    (float, INF, 1.5),
    (float | None, NAN, None),
    (Optional[float], INF, None),  # noqa: UP045 - typing's spelling, as older code writes it
    (Annotated[float, Field(ge=0)], INF, 0.0),
    (list[float], [1.0, -INF], [1.0, 2.0]),
    (tuple[float, ...], (NAN,), (1.0,)),
    (tuple[int, float], (1, INF), (1, 2.0)),  # a fixed tuple is walked whole
    (dict[str, list[float]], {"a": [INF]}, {"a": [1.0]}),
    (Union[int, float, str], INF, "x"),  # noqa: UP007 - a union of several types is walked whole
    (Any, {"deep": [INF]}, {"deep": [1.0]}),
])
def test_every_shape_that_can_hold_a_float_is_checked(annotation: Any, bad: Any, good: Any) -> None:
    check = finite_check(annotation)
    assert check is not None and check(bad) and not check(good)


def test_a_models_floats_are_found_through_its_lists_and_other_models() -> None:
    check = finite_check(Order)
    assert check is not None
    assert check(Order(title="t", items=[Item(sku="a", qty=1, price=2.0), Item(sku="b", qty=1, price=INF)]))
    assert not check(Order(title="t", items=[Item(sku="a", qty=1, price=2.0)]))
    assert not check(Order(title="t"))


def test_a_model_that_holds_itself_is_checked_at_every_depth() -> None:
    check = finite_check(Tree)
    assert check is not None
    assert check(Tree(value=1.0, children=[Tree(value=2.0, children=[Tree(value=NAN)])]))
    assert not check(Tree(value=1.0, children=[Tree(value=2.0)]))


def test_extras_a_model_keeps_and_a_root_models_root_are_checked() -> None:
    loose = finite_check(Loose)
    assert loose is not None and loose(Loose(name="a", other=INF)) and not loose(Loose(name="a", other=1.0))
    prices = RootModel[list[float]]
    root = finite_check(prices)
    assert root is not None and root(prices([1.0, INF])) and not root(prices([1.0]))
