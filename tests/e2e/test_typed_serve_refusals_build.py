"""What `pyxle serve` refuses as it loads, `pyxle build`, `build --no-types` and `pyxle typecheck`
refuse too, with serve's own message: an untyped page's action that takes more than the request
and a body (and `pyxle check`, from the page's source), and a typed API route parameter pydantic
cannot validate. They passed both, and the deployed server did not start."""

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

OPAQUE = '''
class Opaque:
    pass


async def post(request, o: Opaque):
    return {}
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


@cites("docs/types.md", "An API route whose handlers carry annotations is imported by `pyxle build`")
@pytest.mark.parametrize("command", COMMANDS[1:], ids=["build", "no-types", "typecheck"])
def test_a_typed_api_parameter_serve_refuses_stops_build_and_typecheck(make_project, command: tuple[str, ...]) -> None:
    root = make_project({"pages/api/opaque.py": OPAQUE, "pages/index.pyxl": UNTYPED.replace(", a, b", "")}, node=True)
    done = pyxle(*command, str(root), cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "pages/api/opaque.py:5: post(): parameter 'o': <class 'pages.api.opaque.Opaque'> cannot be validated" in output
    assert "hint: annotate with types pydantic validates (int, str, list[str], a BaseModel...)" in output
    assert "Traceback" not in output, output
    assert not (root / "dist" / "server").exists()
