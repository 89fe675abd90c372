"""Generate ``corpus/<name>.pyxl`` + ``corpus/<name>.expected`` from hand-written segments.

Each case is a list of ``(kind, text)`` segments, ``kind`` being ``"P"`` (Python / server) or
``"J"`` (JSX / client), or ``"F"`` for a fence line (``# --- JSX ---``), which the rules do not
assign to either side: it may appear in the server code (it is a comment) or in neither, never in
the client code. The expected split is therefore true by construction: it is written from
the rules in ``pyxle/compiler/_split.py``'s docstring, never produced by running the compiler.
``.expected`` holds one character per source line: ``P``, ``J``, ``F``, or ``.`` for a blank line.

Run: ``python tests/compiler/make_corpus.py`` (rewrites the corpus directory).
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).with_name("corpus")


def seg(text: str) -> list[str]:
    """Lines of a segment: one leading and one trailing newline of the literal are dropped."""
    text = text.removeprefix("\n")
    text = text.removesuffix("\n")
    return text.split("\n")


CASES: dict[str, list[tuple[str, str]]] = {}


def case(name: str, *segments: tuple[str, str]) -> None:
    assert name not in CASES, name
    CASES[name] = list(segments)


# --- the common layout: Python first, then JSX -------------------------------------------------
case(
    "python_then_jsx",
    ("P", '''
import os

@server
async def load(request):
    return {"name": os.getenv("USER", "world")}
'''),
    ("J", '''

import React from 'react';

export default function Page({ data }) {
  return <h1>Hello {data.name}</h1>;
}
'''),
)

case(
    "jsx_imports_above_server",
    ("J", '''
import React from 'react';
import { useState } from 'react';
'''),
    ("P", '''

@server
async def load(request):
    return {"count": 1}
'''),
    ("J", '''

export default function Page({ data }) {
  const [n, setN] = useState(data.count);
  return <button onClick={() => setN(n + 1)}>{n}</button>;
}
'''),
)

case(
    "jsx_only",
    ("J", '''
export default function Page() {
  return <p>static</p>;
}
'''),
)

case(
    "assignment_is_python",
    ("P", '''
def load():
    return 1

data = load()
'''),
    ("J", '''

export default function Page() {
  return <p>x</p>;
}
'''),
)


case(
    "alternating_many_times",
    ("P", """
import json
"""),
    ("J", """

import React from 'react';
"""),
    ("P", """

@server
async def load(request):
    return {"items": json.loads("[1, 2]")}
"""),
    ("J", """

const Item = ({ value }) => <li>{value}</li>;
"""),
    ("P", """

@action
async def add(request):
    return {"ok": True}
"""),
    ("J", """

export default function Page({ data }) {
  return <ul>{data.items.map((v) => <Item key={v} value={v} />)}</ul>;
}
"""),
    ("P", """

def helper(x):
    return x * 2
"""),
)

case(
    "jsx_only_with_imports_and_consts",
    ("J", """
import React, { useMemo } from 'react';
import Layout from '../components/layout.jsx';

const TITLE = 'About';
let counter = 0;

export default function About() {
  const value = useMemo(() => counter + 1, []);
  return <Layout title={TITLE}>{value}</Layout>;
}
"""),
)

case(
    "triple_quoted_string_with_jsx_text",
    ("P", '''
TEMPLATE = """
<div className="card">
export default function Fake() {
  return <p>not real</p>;
}
import React from 'react';
"""

@server
async def load(request):
    """Docstring with <b>markup</b>
export default nothing
    """
    return {"t": TEMPLATE}
'''),
    ("J", """

export default function Page({ data }) {
  return <pre>{data.t}</pre>;
}
"""),
)

case(
    "template_literal_with_python_lines",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

const snippet = `
def foo():
    return 1
import os
from x import y
@server
class Foo:
`;

export default function Page() {
  return <pre>{snippet}</pre>;
}
"""),
)

case(
    "template_literal_with_interpolation",
    ("J", """
const name = 'x';
const code = `
import os
${name.split('/').map((p) => `
def ${p}():
`).join('')}
if True:
    pass
`;
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <pre>{code}</pre>;
}
"""),
)

case(
    "comments_of_both_kinds",
    ("P", """
# A Python comment at the top
import os  # trailing comment

# another comment
"""),
    ("J", """

// a JS line comment
/* a block
   comment spanning
   lines */
import React from 'react';
/**
 * JSDoc for the page
 */
export default function Page() {
  // inside
  return <p>hi</p>; /* tail */
}
"""),
)

case(
    "decorators_variety",
    ("P", """
import functools

def logged(fn):
    @functools.wraps(fn)
    async def inner(*a, **k):
        return await fn(*a, **k)
    return inner

@server
@logged
async def load(request):
    return {}

@action
async def first(request):
    return {}

@action(name="second_one")
async def second(request):
    return {}

@logged
@action(
    name="third",
    )
async def third_impl(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <form />;
}
"""),
)

case(
    "imports_python_vs_js",
    ("P", """
import os
import os.path as osp, sys
from collections import OrderedDict
from . import helpers
from .models import (
    User,
    Post,
)
"""),
    ("J", """
import React from 'react';
import { useState, useEffect } from 'react';
import * as utils from './utils.js';
import './styles.css';
import Default, { named as alias } from "lib";
import {
  a,
  b,
} from './multi.js';
"""),
    ("P", """

@server
async def load(request):
    return {"cwd": os.getcwd()}
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.cwd}</p>;
}
"""),
)

case(
    "fence_jsx",
    ("P", """
@server
async def load(request):
    return {}

x = 1
"""),
    ("F", """
# --- JSX ---
"""),
    ("J", """
data = load()
foo(1)
export default function Page() {
  return <p>fenced</p>;
}
"""),
)

case(
    "fence_server_and_client",
    ("F", """
# --- server ---
"""),
    ("P", """
import os

@server
async def load(request):
    return {}
"""),
    ("F", """

# --- client ---
"""),
    ("J", """
'use client';

foo(1)
export default function Page() {
  return <p>x</p>;
}
"""),
    ("F", """

# --- python ---
"""),
    ("P", """
value = compute()
"""),
)

case(
    "head_string",
    ("P", """
HEAD = "<title>Home</title>"

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <main>home</main>;
}
"""),
)

case(
    "head_list_multiline",
    ("P", """
HEAD = [
    "<title>Blog</title>",
    '<meta name="description" content="Don\\'t stop">',
    "<link rel='icon' href='/favicon.ico' />",
]
"""),
    ("J", """

export default function Page() {
  return <main>blog</main>;
}
"""),
)

case(
    "head_function",
    ("P", """
def HEAD(data):
    title = data.get("title", "Untitled")
    return [f"<title>{title}</title>", "<meta charset='utf-8'>"]

@server
async def load(request):
    return {"title": "Post"}
"""),
    ("J", """

export default function Page({ data }) {
  return <h1>{data.title}</h1>;
}
"""),
)


case(
    "decorator_call_closing_paren_at_column_0",
    ("P", """
@action(
    name="third",
)
async def third_impl(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <form />;
}
"""),
)

case(
    "multiple_actions",
    ("P", """
@server
async def load(request):
    return {"todos": []}

@action
async def add_todo(request):
    body = await request.json()
    return invalidate_routes({"ok": True}, "/todos")

@action
async def remove_todo(request):
    raise ActionError("nope", status_code=409)

@action(name="clear")
async def clear_all(request):
    return {}
"""),
    ("J", """

import { useAction } from 'pyxle/client';

export default function Todos({ data }) {
  const add = useAction('add_todo');
  return <button onClick={() => add({ text: 'x' })}>Add</button>;
}
"""),
)

case(
    "nested_jsx_with_apostrophes",
    ("P", """
@server
async def load(request):
    return {"items": ["a", "b"]}
"""),
    ("J", """

export default function Page({ data }) {
  return (
    <div className="wrap">
      <p>Don't panic, it's fine</p>
      <ul>
        {data.items.map((item) => (
          <li key={item} onClick={() => alert("it's " + item)}>
            {item}'s value isn't "quoted"
          </li>
        ))}
      </ul>
      <Trans>You've got {data.items.length} items</Trans>
    </div>
  );
}
"""),
)

case(
    "jsx_attributes_with_braces_and_arrows",
    ("J", """
export default function Page({ data }) {
  return (
    <Form
      style={{ color: 'red', margin: 0 }}
      onSubmit={(e) => { e.preventDefault(); save({ id: data.id }); }}
      render={(x) => x > 1 ? <b>{x}</b> : <i>{x}</i>}
      disabled={data.count >= 10}
    >
      {/* a JSX comment with {braces} */}
      <input value={data.value ?? ''} onChange={(e) => set(e.target.value)} />
    </Form>
  );
}
"""),
    ("P", """

@server
async def load(request):
    return {"id": 1, "count": 0, "value": ""}
"""),
)

case(
    "arrow_function_components",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

const Badge = ({ label }) => <span className="badge">{label}</span>;

const Card = ({ title, children }) => (
  <section>
    <h2>{title}</h2>
    {children}
  </section>
);

const Page = () => {
  return <Card title="t"><Badge label="x" /></Card>;
};

export default Page;
"""),
)

case(
    "export_const_slots",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

export const slots = {
  header: () => <h1>Title</h1>,
  footer: ({ year }) => <footer>(c) {year}</footer>,
};

export default function Page() {
  return <main />;
}
"""),
)

case(
    "regex_literals",
    ("J", """
const SLASHES = /\\/+/g;
const QUOTE = /['"]/;
const URL = /^https?:\\/\\/[^\\s'"]+$/i;
const CLASS = /[/]/;
const parts = 'a/b'.split(/\\//).filter((p) => p !== "'");
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>{'a//b'.replace(SLASHES, '/')}</p>;
}
"""),
)

case(
    "multiline_js_expressions",
    ("J", """
const rows = [1, 2, 3]
  .map((n) => n * 2)
  .filter((n) => n > 2);
const label = 'a'
  + 'b'
  + 'c';
const total = rows
  .reduce((a, b) => a + b, 0)
const ok = total > 3 &&
  rows.length > 0
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>{label}{total}{String(ok)}</p>;
}
"""),
)

case(
    "python_try_except_finally",
    ("P", """
try:
    import ujson as json
except ImportError:
    import json
else:
    pass
finally:
    LOADED = True

@server
async def load(request):
    return {"ok": LOADED}
"""),
    ("J", """

export default function Page() {
  return <p>ok</p>;
}
"""),
)

case(
    "python_if_elif_else_top_level",
    ("P", """
import os

if os.getenv("A"):
    MODE = "a"
elif os.getenv("B"):
    MODE = "b"
else:
    MODE = "c"

for i in range(3):
    pass

while False:
    break
"""),
    ("J", """

export default function Page() {
  return <p>mode</p>;
}
"""),
)


case(
    "regex_after_arrow",
    ("J", """
const names = ['a', "b'c"].filter((p) => /b'c/.test(p));
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>{names.join(',')}</p>;
}
"""),
)

case(
    "python_multiline_literals_closing_at_column_0",
    ("P", """
CONFIG = {
    "title": "Home",
    "nested": {
        "a": [1, 2],
    },
}

ROUTES = [
    "/",
    "/about",
]

PAIR = (
    1,
    2,
)

@server
async def load(request):
    return {"config": CONFIG, "routes": ROUTES}
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.config.title}</p>;
}
"""),
)

case(
    "class_python_vs_js",
    ("P", """
class Repo:
    def get(self):
        return {"x": 1}

class Child(Repo):
    pass

@server
async def load(request):
    return Repo().get()
"""),
    ("J", """

class Widget extends React.Component {
  render() {
    return <div>{this.props.x}</div>;
  }
}

class Plain {
  constructor() { this.a = 1; }
}

export default function Page({ data }) {
  return <Widget x={data.x} />;
}
"""),
)

case(
    "use_client_directive",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

"use client";

import React from 'react';

export default function Page() {
  return <p>client</p>;
}
"""),
)

case(
    "use_client_directive_first_line",
    ("J", """
'use client'
import { useState } from 'react';
export default function Page() {
  const [v] = useState(0);
  return <p>{v}</p>;
}
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
)

case(
    "module_docstring_is_python",
    ("P", '''
"""Module docstring for the page."""
import os

@server
async def load(request):
    return {}
'''),
    ("J", """

export default function Page() {
  return <p>doc</p>;
}
"""),
)

case(
    "type_annotations",
    ("P", """
from typing import Any

LIMIT: int = 10
NAMES: list[str] = ["a", "b"]
cache: dict[str, Any] = {}

@server
async def load(request: Any) -> dict[str, Any]:
    items: list[int] = [i for i in range(LIMIT)]
    return {"items": items}

def helper(x: int, *, y: str | None = None) -> tuple[int, str | None]:
    return x, y
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.items.length}</p>;
}
"""),
)

case(
    "async_comprehension",
    ("P", """
async def agen():
    for i in range(3):
        yield i

@server
async def load(request):
    values = [v async for v in agen() if v]
    mapping = {v: v * 2 async for v in agen()}
    awaited = [await coro for coro in []]
    return {"values": values, "mapping": mapping}
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.values.join(', ')}</p>;
}
"""),
)

case(
    "fstrings_with_braces",
    ("P", """
NAME = "x"
GREETING = f"Hello {NAME}!"
LITERAL = f"{{not a field}} {NAME!r:>10}"
NESTED = f"{ {'a': 1}['a'] }"
MULTI = f'''
<div className="{NAME}">{{ braces }}</div>
export default {NAME}
'''

@server
async def load(request):
    return {"g": GREETING, "m": MULTI}
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{`${data.g} {not python}`}</p>;
}
"""),
)

case(
    "ambiguous_call_between_jsx_is_jsx",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

import { register } from './registry.js';

register('page')

export default function Page() {
  return <p>x</p>;
}
"""),
)

case(
    "ambiguous_call_between_python_is_python",
    ("P", """
import logging

logging.basicConfig()

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>x</p>;
}
"""),
)

case(
    "ambiguous_call_at_end_after_jsx",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>x</p>;
}

console.log('loaded')
"""),
)

case(
    "let_declared_name_assignment_is_jsx",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

let count = 0;
var total;

count = count + 1
total = 5

export default function Page() {
  return <p>{count}{total}</p>;
}
"""),
)

case(
    "assignments_after_jsx_are_python",
    ("J", """
export default function Page({ data }) {
  return <p>{data.x}</p>;
}
"""),
    ("P", """

data = load()
x += 1
y: int = 2
a = b = 3
"""),
)


case(
    "jsx_element_statement_without_semicolon",
    ("J", """
import React from 'react'

const Hello = () => <p>hello</p>
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <Hello />
}
"""),
)

case(
    "block_comment_then_python",
    ("J", """
/* Client helpers live below;
   the loader follows. */
"""),
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "comments_hiding_the_other_language",
    ("P", """
# export default function Nope() { return <div/>; }
# import React from 'react'
import os
"""),
    ("J", """
// def load(request):
// import os
/*
def foo():
    pass
*/
const x = 1;
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p>{x}</p>;
}
"""),
)

case(
    "decorator_then_comment_then_def",
    ("P", """
@server
# the loader
async def load(request):
    return {}

@action

async def save(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "python_misc_statements",
    ("P", """
import contextlib

with contextlib.suppress(Exception):
    VALUE = int("x")

TOTAL = 1 + \\
    2

assert TOTAL == 3
del TOTAL
square = lambda n: n * n

match VALUE if "VALUE" in dir() else None:
    case None:
        KIND = "none"
    case _:
        KIND = "other"

@server
async def load(request):
    return {"kind": KIND}

raise_later = False
if raise_later:
    raise RuntimeError("never")
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.kind}</p>;
}
"""),
)

case(
    "js_misc_statements",
    ("J", """
import React from 'react';

async function fetchIt(url) {
  const res = await fetch(url);
  return res.json();
}

const pick = (cond)
  ? 'a'
  : 'b';

let mutable = { a: 1 };
var legacy = [1, 2,
  3];

export function helper() {
  return 1;
}

const Page = ({ data }) => (
  <div>{pick}</div>
);

export { Page as default };
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
)

case(
    "export_default_arrow",
    ("P", """
@server
async def load(request):
    return {"n": 1}
"""),
    ("J", """

export default ({ data }) => <p>{data.n}</p>;
"""),
)

case(
    "lone_string_then_jsx_is_directive",
    ("J", """
"use strict"
import React from 'react';
"""),
    ("P", """
import os

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "ambiguous_multiline_call_between_jsx",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

import { setup } from './setup.js';

setup(
  1,
  2,
)

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "ambiguous_after_jsx_before_python_is_python",
    ("J", """
import React from 'react';
"""),
    ("P", """

print("hello")

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "fence_text_inside_strings",
    ("P", '''
NOTE = """
# --- JSX ---
"""

@server
async def load(request):
    return {"note": NOTE}
'''),
    ("J", """

const md = `
# --- server ---
`;

export default function Page() {
  return <pre>{md}</pre>;
}
"""),
)

case(
    "tabs_and_indentation",
    ("P", """
def helper():
\tif True:
\t\treturn 1
\treturn 2

@server
async def load(request):
\treturn {"v": helper()}
"""),
    ("J", """

export default function Page({ data }) {
\treturn <p>{data.v}</p>;
}
"""),
)

case(
    "python_only_page",
    ("P", """
import os

@server
async def load(request):
    return {}

@action
async def ping(request):
    return {"ok": True}
"""),
)


case(
    "trailing_block_comment_then_python",
    ("J", """
import React from 'react'; /* React for JSX */
"""),
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)

case(
    "jsx_text_with_slashes_and_operators",
    ("P", """
@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return (
    <p title="a > b" data-x='it"s'>
      Visit http://example.com // not a comment /* nor this
      1 &lt; 2 and 3 &gt; 2? {'}'} {"{"} {'<'}
    </p>
  );
}
"""),
    ("P", """

@action
async def save(request):
    return {}
"""),
)

case(
    "fence_variants",
    ("P", """
import os
"""),
    ("F", """
# ----- Client -----
"""),
    ("J", """
import React from 'react';
x = 1
export default function Page() {
  return <p/>;
}
"""),
    ("F", """
#--- python ---
"""),
    ("P", """
@server
async def load(request):
    return {}
"""),
)

case(
    "head_triple_quoted",
    ("P", '''
HEAD = """
<title>Docs</title>
<meta name="robots" content="noindex">
"""
'''),
    ("J", """

export default function Page() {
  return <main>docs</main>;
}
"""),
)


case(
    "python_strings_and_comments_at_column_0_inside_blocks",
    ("P", '''
@server
async def load(request):
    query = """
SELECT *
FROM posts -- export default
"""
# a comment at column 0 inside the function
    return {"q": query}
'''),
    ("J", """

export default function Page({ data }) {
  return <code>{data.q}</code>;
}
"""),
)

case(
    "decorated_class_and_dataclass",
    ("P", """
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Item:
    name: str
    tags: list[str] = field(default_factory=list)

@server
async def load(request):
    return {"item": Item("a").name}
"""),
    ("J", """

export default function Page({ data }) {
  return <p>{data.item}</p>;
}
"""),
)


case(
    "jsx_fragments_comparisons_and_division",
    ("P", """
@server
async def load(request):
    return {"n": 3, "limit": 5}
"""),
    ("J", """

const half = (total) => total / 2 / 1;
const ratio = (a, b) => (a) / b;

export default function Page({ data }) {
  const small = data.n < data.limit ? 'small' : 'big';
  const items = [];
  for (let i = 0; i <data.n; i++) {
    items.push(<li key={i}>{i}</li>);
  }
  return (
    <>
      <p>{small} {half(data.n)} {ratio(1, 2)}</p>
      {data.n > 1 && <ul>{items}</ul>}
      <></>
    </>
  );
}
"""),
)

case(
    "jsx_fragment_at_column_0_statement",
    ("J", """
import React from 'react';
"""),
    ("P", """

@server
async def load(request):
    return {}
"""),
    ("J", """

export default function Page() {
  return (
<>
<p>column zero JSX</p>
</>
  );
}
"""),
)

case(
    "python_main_guard_and_dunder",
    ("P", """
__all__ = ["load"]

@server
async def load(request):
    return {}

if __name__ == "__main__":
    print("not run by pyxle")
"""),
    ("J", """

export default function Page() {
  return <p/>;
}
"""),
)


case(
    "assignment_sandwiched_between_jsx_is_python",
    ("P", """
def load_config():
    return {}
"""),
    ("J", """

import React from 'react';
"""),
    ("P", """
config = load_config()
"""),
    ("J", """
export default function Page() {
  return <p/>;
}
"""),
)


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.glob("*.pyxl"):
        old.unlink()
    for old in CORPUS.glob("*.expected"):
        old.unlink()
    for name, segments in CASES.items():
        lines: list[str] = []
        marks: list[str] = []
        for kind, text in segments:
            assert kind in ("P", "J", "F"), (name, kind)
            for line in seg(text):
                lines.append(line)
                marks.append(kind if line.strip() else ".")
        (CORPUS / f"{name}.pyxl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (CORPUS / f"{name}.expected").write_text("".join(marks) + "\n", encoding="utf-8")



# --- one case per splitting rule (rule_cases.py), joined with a blank line between segments ------
def _register_rule_cases() -> None:
    try:
        from tests.compiler.rule_cases import CASES as RULE_CASES
    except ImportError:  # run as a script from anywhere
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from tests.compiler.rule_cases import CASES as RULE_CASES
    for name, segments in RULE_CASES.items():
        converted = []
        for index, (lang, text) in enumerate(segments):
            converted.append(("F" if lang == "." else lang, ("\n\n" if index else "\n") + text + "\n"))
        case(f"rules_{name}", *converted)


_register_rule_cases()

if __name__ == "__main__":
    main()
