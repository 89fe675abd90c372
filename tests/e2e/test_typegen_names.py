"""Names and shapes of generated declarations that a user's models could upset: a model named like a
TypeScript type the file uses (`File` of an upload field), two models of one name next to a third
whose own name is the numbered one (`Item2`), and a model that sends extra keys (`extra="allow"`).
Checked as a user would: `pyxle typecheck` over a TSX page using the values as sent, then the page
served and its data read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_env
from tests.docs._blocks import cites

DOC = "docs/types.md"

UPLOAD = '''
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile


class File(BaseModel):
    path: str


class Upload(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    doc: UploadFile


class Date(BaseModel):
    day: str


@action
async def up(request, body: Upload) -> File:
    return File(path=body.doc.filename or "")


@action
async def when(request) -> Date:
    return Date(day="monday")


# --- TSX ---
import type { Actions, FileModel } from 'pyxle/types/upl'

const sent: Actions['up']['body'] = { doc: new File(["x"], "a.txt") }
const saved: FileModel = { path: sent.doc.name }
const day: Actions['when']['result'] = { day: new Date().toISOString() }

export default function Upl() {
  return <main>{saved.path.toUpperCase()} {day.day}</main>
}
'''

OTHER = '''
from pydantic import BaseModel


class Item(BaseModel):
    theirs: str
'''

COLLIDING = '''
from pydantic import BaseModel

import lib.other


class Item(BaseModel):
    mine: int


class Item2(BaseModel):
    second: bool


class Both(BaseModel):
    mine: Item
    theirs: lib.other.Item
    second: Item2


@server
async def load(request) -> Both:
    return Both(mine=Item(mine=1), theirs=lib.other.Item(theirs="t"), second=Item2(second=True))


# --- TSX ---
import type { Item2 } from 'pyxle/types/coll2'

export default function Coll2({ data }) {
  const second: Item2 = data.second
  const flag: boolean = second.second
  return <main>{data.theirs.theirs.toUpperCase()} {data.mine.mine.toFixed(0)} {String(flag)}</main>
}
'''

EXTRA = '''
from typing import Optional

from pydantic import BaseModel, ConfigDict


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: int
    b: Optional[str] = None
    tags: list[str] = []


class Page(BaseModel):
    loose: Loose


@server
async def load(request) -> Page:
    return Page(loose=Loose(a=1, zz="extra"))


# --- TSX ---
export default function Index({ data }) {
  const zz: unknown = data.loose.zz
  const a: number = data.loose.a
  return <main>{a.toFixed(0)} {String(zz)} {data.loose.tags.length}</main>
}
'''

MAYBE = '''
from typing import Optional

from pydantic import BaseModel


class Item(BaseModel):
    id: int


class PageData(BaseModel):
    item: Item


class Result(BaseModel):
    n: int


@server
async def load(request) -> PageData | None:
    return None if request.query_params.get("none") else PageData(item=Item(id=7))


@action
async def maybe(request) -> Optional[Result]:
    return None


# --- TSX ---
import type { Actions, Data } from 'pyxle/types/maybe'

function shown(data: Data): string {
  return 'item' in data ? String(data.item.id) : 'no item'
}
function counted(result: Actions['maybe']['result']): number {
  return 'n' in result ? result.n : 0
}

export default function Maybe({ data }) {
  return <main>{shown(data)} {counted({})}</main>
}
'''

STRICT = '{"compilerOptions": {"strict": true, "exactOptionalPropertyTypes": true, "noUncheckedIndexedAccess": true}}\n'


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=300, check=False)


def typechecked(make_project, files: dict[str, str], page: str) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """The project made of ``files`` once `pyxle typecheck` passed on it, and ``page``'s declarations."""
    root = make_project(files, node=True)
    done = pyxle("typecheck", str(root), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return root, (root / ".pyxle" / "types" / f"{page}.d.ts").read_text()


@cites(DOC, "or like a TypeScript type the file uses (`Record`, and `File` for an upload)")
@cites(DOC, "TypeScript's other global types (`Date`, `Blob`, `Promise`) are not used by the file, so a model\n  may take their names")
def test_a_model_named_file_does_not_take_the_browsers_file_of_an_upload_field(make_project) -> None:
    _, text = typechecked(make_project, {"pages/upl.pyxl": UPLOAD}, "upl")
    assert "export interface UploadInput {\n  doc: File\n}" in text
    assert "export interface FileModel {\n  path: string\n}" in text
    assert "    result: FileModel\n" in text
    assert "interface File " not in text
    assert "export interface Date {\n  day: string\n}" in text  # TypeScript's Date is not used by the file


@cites(DOC, "a type whose own name is unique keeps it")
def test_a_unique_model_keeps_its_name_next_to_two_models_of_one_name(make_project, start_server) -> None:
    root, text = typechecked(make_project, {"pages/coll2.pyxl": COLLIDING, "lib/__init__.py": "", "lib/other.py": OTHER}, "coll2")
    assert "export interface Both {\n  mine: Item\n  theirs: Item3\n  second: Item2\n}" in text
    assert "export interface Item2 {\n  second: boolean\n}" in text
    assert "export interface Item3 {\n  theirs: string\n}" in text
    server = start_server(root, "serve")
    data = httpx.get(server.url + "/coll2", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]
    assert data == {"mine": {"mine": 1}, "theirs": {"theirs": "t"}, "second": {"second": True}}


@cites(DOC, 'a model with `extra="allow"` sends the keys it was given besides its fields, so its interface')
def test_a_model_allowing_extras_is_typed_with_an_index_signature_a_strict_tsc_accepts(make_project, start_server) -> None:
    root, text = typechecked(make_project, {"pages/index.pyxl": EXTRA, "tsconfig.json": STRICT}, "index")
    assert "export interface Loose {\n  a: number\n  b: string | null\n  tags: string[]\n  [key: string]: unknown\n}" in text
    server = start_server(root, "serve")
    data = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]
    assert data == {"loose": {"a": 1, "b": None, "tags": [], "zz": "extra"}}


def test_an_extra_key_read_as_a_declared_type_is_still_a_typecheck_error(make_project) -> None:
    wrong = EXTRA.replace("const zz: unknown = data.loose.zz", "const zz: string = data.loose.zz")
    root = make_project({"pages/index.pyxl": wrong}, node=True)
    done = pyxle("typecheck", str(root), cwd=root)
    assert done.returncode == 1
    assert "Type 'unknown' is not assignable to type 'string'" in done.stdout + done.stderr


@cites(DOC, "A loader or action annotated to return `None` too (`-> Post | None`) sends `{}` when it does, as\n"
       "  any loader does, so its type is `Post | Record<string, never>`")
def test_a_return_annotated_optional_is_typed_as_the_empty_object_it_sends(make_project, start_server) -> None:
    """It was `Post | null`: a component checking `data === null` never saw one, and read a field of `{}`."""
    root, text = typechecked(make_project, {"pages/maybe.pyxl": MAYBE, "tsconfig.json": STRICT}, "maybe")
    assert "export type Data = PageData | Record<string, never>\n" in text
    assert "    result: Result | Record<string, never>\n" in text
    server = start_server(root, "serve")
    nav = {"x-pyxle-navigation": "1"}
    assert httpx.get(server.url + "/maybe", headers=nav).json()["props"]["data"] == {"item": {"id": 7}}
    assert httpx.get(server.url + "/maybe?none=1", headers=nav).json()["props"]["data"] == {}
    page = httpx.get(server.url + "/maybe?none=1")
    assert page.status_code == 200 and "no item" in page.text

