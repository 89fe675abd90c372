"""Loader data is encoded by orjson but keeps the standard library's rules (pages/_data.dumps)."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

import pytest

from pyxle.pages._data import dumps


@pytest.mark.parametrize("value", [
    {"a": 1, "b": [1.5, -0.0, 1e300, None, True], "c": {"ü": "snow ☃", "s": "</script>"}},
    {1: "int keys become strings", "x": (1, 2)},
    {"big": 2 ** 70},  # beyond orjson's 64-bit ints: the standard library takes it
    {"surrogate": "\ud800"},
    [],
])
def test_same_json_as_the_standard_library(value: object) -> None:
    assert json.loads(dumps(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize("value", [float("nan"), float("inf"), {"a": [1, {"b": float("-inf")}]}])
def test_non_finite_floats_are_errors_not_null(value: object) -> None:
    with pytest.raises(ValueError):
        dumps(value)


def test_null_alone_is_fine() -> None:
    assert dumps({"a": None}) == '{"a":null}'


@dataclass
class Point:
    x: int


@pytest.mark.parametrize("value", [{"when": datetime.date(2026, 1, 1)}, {"p": Point(1)}, {"s": {1, 2}}, object()])
def test_types_json_cannot_carry_are_refused_as_before(value: object) -> None:
    with pytest.raises(TypeError):
        dumps(value)
