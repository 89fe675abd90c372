"""Which npm package a JavaScript stack's error was thrown in: named in the SSR bundle's load error."""

from __future__ import annotations

import pytest

from pyxle.ssr import thrown_in_package


@pytest.mark.parametrize(("stack", "package"), [
    (("ReferenceError: window is not defined\n    at /app/node_modules/leaflet/dist/leaflet-src.js:12:5\n"
      "    at /app/pages/map.pyxl:1:1"), "leaflet"),
    ("ReferenceError: x\n    at Object.<anonymous> (/app/node_modules/@scope/chart/index.js:1:9)", "@scope/chart"),
    ("ReferenceError: x\n    at /app/node_modules/a/node_modules/b/index.js:3:1", "b"),  # the innermost package
    ("ReferenceError: x\n    at /app/pages/map.pyxl:5:1\n    at /app/node_modules/react/index.js:1:1", None),
    ("ReferenceError: x", None),
    (None, None),
])
def test_the_package_of_the_first_frame(stack: str | None, package: str | None) -> None:
    assert thrown_in_package(stack) == package
