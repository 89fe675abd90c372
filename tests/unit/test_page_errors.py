"""`LoaderError` and `ActionError` as pyxle-framework 0.9 made them: their `data` is a dict even
when none is given, so code written for 0.9 (`{**exc.data}`, `exc.data.get(...)`) keeps working."""

from __future__ import annotations

from pyxle.runtime import ActionError, LoaderError, ValidationActionError
from tests.docs._blocks import cites


@cites("docs/migrating.md", "`data` is `{}` when none is given, as in 0.9")
def test_data_is_an_empty_dict_when_none_is_given() -> None:
    for error in (LoaderError("x"), ActionError("bad"), ActionError("bad", fields={"a": ["no"]}),
                  ValidationActionError(fields={"a": ["no"]})):
        assert error.data == {} and {**error.data} == {}
    assert LoaderError("x", data={"id": 1}).data == {"id": 1}
    assert (LoaderError("x").status_code, ActionError("x").status_code) == (500, 400)
