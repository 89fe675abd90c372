"""Whether a value holds a float JSON cannot carry: orjson writes NaN and the infinities as
``null``, so a caller that must refuse them looks (only when ``null`` is in the output)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any


def non_finite(value: Any) -> bool:
    """A NaN or infinite float anywhere orjson would look: dicts, lists, tuples, dataclasses."""
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(non_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(non_finite(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(non_finite(getattr(value, field.name)) for field in dataclasses.fields(value))
    return False
