"""What `pyxle serve` refuses as it loads, `pyxle build`, `build --no-types` and `pyxle typecheck`
refuse too, with serve's own message: an action that takes more than the request and a body, on
an untyped page as well (and `pyxle check`, from the page's source). They passed it, and the
deployed server did not start."""

from __future__ import annotations

import pytest

from tests.docs._blocks import cites
from tests.e2e.test_typed_body_build import pyxle

UNTYPED = '''
@action
async def save(request, a, b):
    return {}


export default function Index() { return <p>index</p> }
'''

COMMANDS = [("check",), ("build",), ("build", "--no-types"), ("typecheck",)]


@cites("docs/types.md", "An action that takes more than the request and one body is refused by `pyxle check`")
@pytest.mark.parametrize("command", COMMANDS, ids=["check", "build", "no-types", "typecheck"])
@pytest.mark.parametrize("params", ["a, b", "body: dict, other: int"], ids=["untyped", "typed"])
def test_an_action_with_a_third_parameter_stops_check_build_and_typecheck(make_project, params: str,
                                                                          command: tuple[str, ...]) -> None:
    root = make_project({"pages/index.pyxl": UNTYPED.replace("a, b", params)}, node=True)
    done = pyxle(*command, str(root), cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "pages/index.pyxl:2:1: action save() takes 3 parameters" in output, output
    assert "hint: an action takes the request and, optionally, one typed body: (request, body: Model)" in output
    assert "Traceback" not in output, output
    assert not (root / "dist" / "server").exists()

