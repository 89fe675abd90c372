"""An action body `pyxle serve` refuses as the page loads (an `UploadFile`, a plain class, a typed
body without pydantic; a third parameter: test_typed_serve_refusals_build) stops `pyxle build`,
`build --no-types` and `pyxle typecheck` too, with serve's own message (file, line, hint): they
passed it, and the deployed server did not start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import server_env
from tests.docs._blocks import cites
from tests.e2e.test_typegen_validation_checks import without_pydantic

UPLOAD = '''
from starlette.datastructures import UploadFile


@action
async def upload(request, body: UploadFile):
    return {"name": body.filename}


export default function Upload() { return <p>upload</p> }
'''

OPAQUE = '''
class Opaque:
    pass


@action
async def save(request, body: Opaque):
    return {}


export default function Plain() { return <p>plain</p> }
'''

TYPED = '''
from typing_extensions import TypedDict


class Post(TypedDict):
    title: str


@action
async def save(request, body: Post):
    return {"saved": body["title"]}


export default function Typed() { return <p>typed</p> }
'''

BODY_HINT = "hint: annotate the body with a pydantic model, a TypedDict or a dataclass"
REFUSALS = [
    "pages/upload.pyxl:5: action upload(): <class 'starlette.datastructures.UploadFile'> cannot be validated: ",
    "pages/plain.pyxl:6: action save(): <class '",
]


def pyxle(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=env or server_env(),
                          capture_output=True, text=True, timeout=300, check=False)


@cites("docs/types.md", "So does an action\nbody serve cannot read (an `UploadFile` or a plain class, a third parameter, a typed body without\npydantic), with serve's message, in `pyxle build` and `pyxle typecheck` alike.")
@pytest.mark.parametrize("command", [("build",), ("build", "--no-types"), ("typecheck",)],
                         ids=["build", "no-types", "typecheck"])
def test_an_action_body_serve_refuses_stops_the_build_and_typecheck(make_project, command: tuple[str, ...]) -> None:
    root = make_project({"pages/upload.pyxl": UPLOAD, "pages/plain.pyxl": OPAQUE},
                        node=True)
    done = pyxle(*command, str(root), cwd=root)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for refusal in REFUSALS:
        assert refusal in output, output
    assert "cannot be validated" in output.split(REFUSALS[1], 1)[1].split("\n", 1)[0], output
    assert output.count(BODY_HINT) == 2
    assert "Traceback" not in output, output
    assert not (root / "dist" / "server").exists()


@pytest.mark.parametrize("command", [("build",), ("build", "--no-types"), ("typecheck",)],
                         ids=["build", "no-types", "typecheck"])
@cites("docs/types.md", "a typed body without\npydantic), with serve's message")
def test_a_typed_action_body_without_pydantic_stops_the_build_as_serve(make_project, tmp_path,
                                                                       command: tuple[str, ...]) -> None:
    root = make_project({"pages/index.pyxl": TYPED}, node=True)
    done = pyxle(*command, str(root), cwd=root, env=without_pydantic(tmp_path))
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "pages/index.pyxl:9: action save(): typed parameters need pydantic, which is not installed" in output
    assert "hint: install the validation extra: pip install 'pyxle-framework[validation]'" in output
    assert "Traceback" not in output and "warning" not in output, output
    assert not (root / "dist" / "server").exists()
