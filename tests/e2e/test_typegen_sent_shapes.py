"""Generated types say what the server really sends and reads: serializers followed (`PlainSerializer`,
`@field_serializer`, `@model_serializer`, `ser_json_timedelta`), a body's validation aliases, and a
user's model named `Record` kept apart from TypeScript's own. Checked as a user would: `pyxle
typecheck` over a TSX page using the values as sent, then the same page served and its data read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_env
from tests.docs._blocks import cites

DOC = "docs/types.md"

SERIALIZED = '''
import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, PlainSerializer, field_serializer, model_serializer


class Price(BaseModel):
    amount: Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]
    code: int

    @field_serializer("code")
    def code_as_text(self, code: int) -> str:
        return f"#{code}"


class Wrapped(BaseModel):
    inner: int

    @model_serializer
    def as_sent(self) -> dict[str, str]:
        return {"wrapped": str(self.inner)}


class Loose(BaseModel):
    inner: int

    @model_serializer
    def as_sent(self):
        return {"wrapped": str(self.inner)}


class Span(BaseModel):
    model_config = ConfigDict(ser_json_timedelta="float")
    length: datetime.timedelta


class Split(BaseModel):
    c: int = Field(default=0, validation_alias=AliasChoices("c1", "c2"))


class Shown(BaseModel):
    price: Price
    wrapped: Wrapped
    loose: Loose
    span: Span


@server
async def load(request) -> Shown:
    return Shown(price=Price(amount=Decimal("2.50"), code=7), wrapped=Wrapped(inner=3), loose=Loose(inner=4),
                 span=Span(length=datetime.timedelta(seconds=90)))


@action
async def split(request, body: Split) -> Split:
    return body


# --- TSX ---
import type { Actions } from 'pyxle/types/index'

const sent: Actions['split']['body'] = { c1: 5 }

export default function Index({ data }) {
  const total: number = data.price.amount + data.span.length
  const code: string = data.price.code.toUpperCase()
  const wrapped: string = data.wrapped.wrapped.toUpperCase()
  return <main>{total} {code} {wrapped} {sent.c1}</main>
}
'''

RECORD = '''
from pydantic import BaseModel


class Record(BaseModel):
    id: int


class Listing(BaseModel):
    first: Record
    counts: dict[str, int]


@server
async def load(request) -> Listing:
    return Listing(first=Record(id=1), counts={"a": 1})


# --- TSX ---
export default function Index({ data }) {
  return <main>{data.counts.a.toUpperCase()} {data.first.id}</main>
}
'''


def pyxle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], cwd=cwd, env=server_env(), capture_output=True,
                          text=True, timeout=300, check=False)


@cites(DOC, "a `@model_serializer` without a return annotation, a\n  `PlainSerializer` of a lambda) is `unknown`")
def test_types_follow_the_serializers_and_the_data_served_matches_them(make_project, start_server) -> None:
    root = make_project({"pages/index.pyxl": SERIALIZED}, node=True)
    done = pyxle("typecheck", str(root), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (root / ".pyxle" / "types" / "index.d.ts").read_text()
    assert "export interface Price {\n  amount: number\n  code: string\n}" in text
    assert "export type Wrapped = Record<string, string>\n" in text
    assert "export type Loose = unknown\n" in text  # what it returns is not said: nothing is promised
    assert "export interface Span {\n  length: number\n}" in text
    assert "export interface SplitInput {\n  c1?: number\n}" in text
    server = start_server(root, "serve")
    data = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"}).json()["props"]["data"]
    assert data == {"price": {"amount": 2.5, "code": "#7"}, "wrapped": {"wrapped": "3"}, "loose": {"wrapped": "4"},
                    "span": {"length": 90.0}}


def test_a_sent_type_that_differs_from_the_served_one_is_a_typecheck_error(make_project) -> None:
    wrong = SERIALIZED.replace("const code: string = data.price.code.toUpperCase()",
                               "const code: string = data.price.code.toFixed(0)")
    root = make_project({"pages/index.pyxl": wrong}, node=True)
    done = pyxle("typecheck", str(root), cwd=root)
    assert done.returncode == 1
    assert "Property 'toFixed' does not exist on type 'string'" in done.stdout + done.stderr


@cites(DOC, "or like a TypeScript type the file uses (`Record`, and `File` for an upload) is declared as")
def test_a_model_named_record_does_not_replace_typescripts_record(make_project) -> None:
    root = make_project({"pages/index.pyxl": RECORD}, node=True)
    done = pyxle("typecheck", str(root), cwd=root)
    assert done.returncode == 1  # counts.a is a number: reading it as a string is caught, not `any`
    assert "Property 'toUpperCase' does not exist on type 'number'" in done.stdout + done.stderr
    text = (root / ".pyxle" / "types" / "index.d.ts").read_text()
    assert "export interface RecordModel {\n  id: number\n}" in text
    assert "  first: RecordModel\n  counts: Record<string, number>\n" in text
