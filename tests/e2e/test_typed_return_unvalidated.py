"""A loader or action whose return annotation names a type pydantic cannot build a validator for
(a dataclass or TypedDict holding a class pydantic does not know) cannot filter what it sends: a
real `pyxle serve` refuses it at start-up, as it refuses such a typed API route (same wording, same
hint), naming the `.pyxl` file and the function's line; `pyxle build` names it and types nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import server_env
from tests.docs._blocks import cites

DOC = "docs/validation.md"

PAGE = '''
from dataclasses import dataclass


class Opaque:
    pass


@dataclass
class Out:
    a: int
    thing: Opaque


@server
async def load(request) -> Out:
    return {"a": 1, "thing": Opaque(), "secret": "s3cret"}


@action
async def save(request) -> Out:
    return {"a": 1, "thing": Opaque(), "secret": "s3cret"}


export default function Page({ data }) {
  return <p>{JSON.stringify(data)}</p>
}
'''

ROUTE = '''
from dataclasses import dataclass


class Opaque:
    pass


@dataclass
class Out:
    a: int
    thing: Opaque


async def get(request) -> Out:
    return {"a": 1, "thing": Opaque(), "secret": "s3cret"}
'''

UNVALIDATED = "cannot be validated: Unable to generate pydantic-core schema for <class"
HINT = "hint: annotate with types pydantic validates (int, str, list[str], a BaseModel...)"


def pyxle(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=timeout, check=False)


def refused(root: Path) -> str:
    """stderr of a `pyxle serve` expected to stop at start-up; one still running after 60 s started."""
    try:
        done = pyxle("serve", str(root), "--host", "127.0.0.1", "--port", "0", cwd=root, timeout=60)
    except subprocess.TimeoutExpired as exc:
        started = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        raise AssertionError(f"pyxle serve started instead of stopping:\n{started}") from None
    assert done.returncode == 1, done.stderr
    return done.stderr


@cites(DOC, "A handler whose annotations cannot be validated")
def test_a_typed_api_route_whose_return_type_cannot_be_validated_stops_start_up(make_project) -> None:
    root = make_project({"pages/api/out.py": ROUTE})
    stderr = refused(root)
    assert "pages/api/out.py:14: get(): <class 'pages.api.out.Out'> " + UNVALIDATED in stderr, stderr
    assert HINT in stderr
    assert "If you got this error" not in stderr  # pydantic's first line says it; the rest is noise here


@cites(DOC, "So does a loader or action whose return annotation names a type pydantic cannot validate")
@pytest.mark.parametrize(("source", "where"), [
    (PAGE, "pages/index.pyxl:15: load(): "),
    (PAGE.replace("@server\nasync def load(request) -> Out:", "@server\nasync def load(request):"),
     "pages/index.pyxl:20: save(): "),
], ids=["loader", "action"])
def test_pyxle_serve_refuses_a_loader_or_action_whose_return_type_cannot_be_validated(
        make_project, source: str, where: str) -> None:
    root = make_project({"pages/index.pyxl": source}, node=True)
    stderr = refused(root)
    assert where in stderr and UNVALIDATED in stderr.split(where, 1)[1].split("\n", 1)[0], stderr
    assert HINT in stderr


@cites("docs/validation.md", "`pyxle\nbuild` stops on it too (exit code 1, nothing put in `dist/`), so a CI step that builds fails\nwhere the server would not start.")
def test_pyxle_build_names_the_loader_and_generates_no_type_for_it(make_project) -> None:
    root = make_project({"pages/index.pyxl": PAGE}, node=True)
    built = pyxle("build", str(root), cwd=root, timeout=300)
    output = built.stdout + built.stderr
    assert "pages/index.pyxl:15: load(): " in output and UNVALIDATED in output, output
    assert not (root / ".pyxle" / "types" / "index.d.ts").exists()
    # pyxle serve would refuse the page: the build fails too, as for an API route it cannot load,
    # so a CI step that builds stops where the server would not start; nothing is put in dist/.
    assert built.returncode == 1 and "Traceback" not in output, output
    assert "warning" not in output, output
    assert not (root / "dist" / "server").exists()


LISTED = '''
class Item:
    pass


@server
async def load(request) -> list[Item]:
    return [Item()]


export default function Listed({ data }) {
  return <main>{data.length}</main>
}
'''


@cites("docs/types.md", "`pyxle build --no-types` skips\nwriting the types, not these checks")
@pytest.mark.parametrize(("source", "refusal"), [
    (PAGE, "pages/index.pyxl:15: load(): "),
    (LISTED, "pages/index.pyxl:6: load() returns list[Item], which is not a JSON object"),
], ids=["unvalidated", "not-an-object"])
def test_pyxle_build_no_types_still_stops_on_a_page_serve_would_refuse(make_project, source: str, refusal: str) -> None:
    """`--no-types` skipped the whole step, its checks with it: `pyxle build --no-types` passed on
    a page that `pyxle serve` refuses as it loads, so CI went green and the deployed server did not
    start. Only the writing of the types is skipped now."""
    root = make_project({"pages/index.pyxl": source}, node=True)
    built = pyxle("build", str(root), "--no-types", cwd=root, timeout=300)
    output = built.stdout + built.stderr
    assert built.returncode == 1, output
    assert refusal in output and "Traceback" not in output and "warning" not in output, output
    assert not (root / "dist" / "server").exists()
    assert not (root / ".pyxle").exists()  # no types written
