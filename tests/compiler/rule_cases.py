"""More corpus cases, one per splitting rule: segments of a .pyxl file and the side each lands on.

``P`` is Python (server), ``J`` is JSX (client), ``.`` a fence line. Segments are joined with one
blank line. ``make_corpus.py`` registers them as ``rules_<name>`` cases.
"""

from __future__ import annotations

Case = list[tuple[str, str]]

CASES: dict[str, Case] = {
    "python_then_jsx": [
        ("P", "@server\nasync def load(request):\n    return {'n': 1}"),
        ("J", "export default function Page({ data }) {\n  return <p>{data.n}</p>\n}"),
    ],
    "jsx_import_above_server": [
        ("J", "import React from 'react'"),
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "export default function Page() { return <div /> }"),
    ],
    "alternating_many_times": [
        ("P", "import os"),
        ("J", "import { useState } from 'react'"),
        ("P", "HEAD = '<title>x</title>'"),
        ("J", "const label = 'x'"),
        ("P", "@server\nasync def load(request):\n    return {'env': os.name}"),
        ("J", "export default function P({ data }) { return <b>{data.env}</b> }"),
        ("P", "@action\nasync def save(request):\n    return {}"),
    ],
    "jsx_only": [
        ("J", "import React from 'react'\n"),
        ("J", "export default function About() {\n  return <main>About</main>\n}"),
    ],
    "ambiguous_assignment_is_python": [
        ("J", "import React from 'react'"),
        ("P", "data = load()"),
        ("P", "@server\nasync def load(request):\n    return {'d': data}"),
        ("J", "export default function P() { return null }"),
    ],
    "ambiguous_assignment_after_jsx_is_python": [
        ("J", "export default function P() { return null }"),
        ("P", "HEAD = \"<title>After</title>\""),
    ],
    "let_declared_name_reassigned_is_jsx": [
        ("J", "let count = 0"),
        ("J", "count = 5"),
        ("J", "export default function P() { return <i>{count}</i> }"),
    ],
    "triple_quoted_string_with_jsx_inside": [
        ("P", 'HEAD = """\n<title>Docs</title>\n<meta name="x" content="<div>" />\nexport default function Fake() {}\n"""'),
        ("J", "export default function Real() { return <p>real</p> }"),
    ],
    "docstring_with_jsx_inside_loader": [
        ("P", '@server\nasync def load(request):\n    """Returns data for\n<Page>\nexport default x\n    """\n    return {}'),
        ("J", "export default function Page() { return <Page2 /> }"),
    ],
    "template_literal_with_python_lines": [
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "const snippet = `\ndef foo():\n    return 1\nimport os\nfrom x import y\n`"),
        ("J", "export default function P() { return <pre>{snippet}</pre> }"),
    ],
    "template_literal_with_nested_expressions": [
        ("J", "const s = `a ${ `b ${ '}' } c` } d`"),
        ("J", "export default function P() { return <p>{s}</p> }"),
    ],
    "hash_comments_are_python": [
        ("P", "# a comment about the loader\n# another one"),
        ("P", "@server\nasync def load(request):\n    # inside\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
    "slash_comments_are_jsx": [
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "// the component\n/* a block\n   comment */"),
        ("J", "export default function P() { return null } // trailing"),
    ],
    "decorators_stacked": [
        ("P", "import functools"),
        ("P", "def logged(fn):\n    @functools.wraps(fn)\n    async def inner(request):\n        return await fn(request)\n    return inner"),
        ("P", "@server\n@logged\nasync def load(request):\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
    "action_with_explicit_name": [
        ("P", '@action(name="save_post")\nasync def save(request):\n    return {"ok": 1}'),
        ("J", "export default function P() { return <form /> }"),
    ],
    "python_import_styles": [
        ("P", "import os\nimport os.path as osp, json\nfrom datetime import date, datetime\nfrom . import helpers\nfrom ..lib import thing"),
        ("J", "import React, { useState } from 'react'\nimport * as utils from './utils.js'\nimport './styles.css'\nimport Button from '../components/Button.jsx'"),
        ("J", "export default function P() { return <Button /> }"),
    ],
    "js_multiline_import": [
        ("J", "import {\n  useState,\n  useEffect,\n} from 'react'"),
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
    "python_multiline_import": [
        ("P", "from datetime import (\n    date,\n    datetime,\n)"),
        ("J", "export default function P() { return null }"),
    ],
    "fence_jsx": [
        ("P", "@server\nasync def load(request):\n    return {}"),
        (".", "# --- JSX ---"),
        ("J", "data = window.something\nfoo(1)\nexport default function P() { return null }"),
    ],
    "fences_server_client": [
        (".", "# --- server ---"),
        ("P", "value = compute()\nprint('hi')"),
        (".", "# --- client ---"),
        ("J", "value = 3\nexport default function P() { return null }"),
        (".", "# --- server ---"),
        ("P", "def compute():\n    return 1"),
    ],
    "head_as_list": [
        ("P", "HEAD = [\n    '<title>List</title>',\n    '<meta name=\"description\" content=\"d\">',\n]"),
        ("J", "export default function P() { return null }"),
    ],
    "head_list_closing_at_column_zero": [
        ("P", "HEAD = [\n'<title>List</title>',\n'<meta name=\"x\">',\n]"),
        ("J", "export default function P() { return null }"),
    ],
    "head_as_function": [
        ("P", "def HEAD(data):\n    return f\"<title>{data['title']}</title>\""),
        ("P", "@server\nasync def load(request):\n    return {'title': 'T'}"),
        ("J", "export default function P() { return null }"),
    ],
    "multiple_actions": [
        ("P", "@action\nasync def create(request):\n    return {}"),
        ("P", "@action\nasync def update(request):\n    return {}"),
        ("P", "@action\nasync def remove(request):\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
    "nested_jsx_with_apostrophes": [
        ("J", "export default function P({ data }) {\n  return (\n    <div>\n      <p>Don't panic, it's fine</p>\n      <ul>\n        {data.items.map((i) => (\n          <li key={i}>{i}'s item</li>\n        ))}\n      </ul>\n    </div>\n  )\n}"),
    ],
    "jsx_attributes_with_arrows": [
        ("J", "import { useState } from 'react'"),
        ("J", "export default function P() {\n  const [n, setN] = useState(0)\n  return <button onClick={() => setN(n + 1)} disabled={n > 3 && n < 10}>{n}</button>\n}"),
    ],
    "arrow_component_default_export": [
        ("J", "const Page = ({ data }) => <h1>{data.title}</h1>"),
        ("J", "export default Page"),
    ],
    "export_const_slots": [
        ("J", "export const slots = {\n  header: () => <h2>Header</h2>,\n  footer: <small>f</small>,\n}"),
        ("J", "export default function P() { return null }"),
    ],
    "regex_literals": [
        ("J", "const re = /[/'\"]+\\/x/gi\nconst other = \"a\".replace(/'/g, '\"')"),
        ("J", "export default function P() { return null }"),
    ],
    "js_continuation_lines": [
        ("J", "const items = [1, 2, 3]\n  .map((x) => x * 2)\n  .filter(Boolean)"),
        ("J", "const total = 1 +\n  2 +\n  3"),
        ("J", "export default function P() { return <i>{total}</i> }"),
    ],
    "python_try_except_finally": [
        ("P", "try:\n    import ujson as json\nexcept ImportError:\n    import json\nfinally:\n    pass"),
        ("J", "export default function P() { return null }"),
    ],
    "python_if_elif_else": [
        ("P", "import os\nif os.name == 'nt':\n    SEP = '\\\\'\nelif os.name == 'java':\n    SEP = '/'\nelse:\n    SEP = '/'"),
        ("J", "export default function P() { return null }"),
    ],
    "python_dict_literal_at_column_zero": [
        ("P", "DEFAULTS = {\n'a': 1,\n'b': [1, 2],\n}"),
        ("J", "const defaults = {\n  a: 1,\n}"),
        ("J", "export default function P() { return null }"),
    ],
    "python_class_vs_js_class": [
        ("P", "class Repo:\n    def get(self):\n        return 1"),
        ("P", "class Child(Repo):\n    pass"),
        ("J", "class Widget extends React.Component {\n  render() { return <p>w</p> }\n}"),
        ("J", "export default function P() { return <Widget /> }"),
    ],
    "use_client_directive": [
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "'use client'"),
        ("J", "export default function P() { return null }"),
    ],
    "python_type_annotations": [
        ("P", "from typing import Any"),
        ("P", "LIMIT: int = 10"),
        ("P", "@server\nasync def load(request) -> dict[str, Any]:\n    items: list[int] = list(range(LIMIT))\n    return {'items': items}"),
        ("J", "export default function P() { return null }"),
    ],
    "async_comprehension_and_fstrings": [
        ("P", "@server\nasync def load(request):\n    rows = [r async for r in fetch()]\n    title = f\"{len(rows)} rows {{braces}}\"\n    return {'title': title}"),
        ("J", "export default function P({ data }) { return <h1>{`${data.title}`}</h1> }"),
    ],
    "jsx_fragment_and_conditional": [
        ("J", "export default function P({ data }) {\n  return (\n    <>\n      {data.ok ? <b>yes</b> : <i>no</i>}\n      {data.list.length > 0 && <span>many</span>}\n    </>\n  )\n}"),
    ],
    "js_function_and_async_function": [
        ("J", "function helper(x) {\n  return x + 1\n}"),
        ("J", "async function fetchIt() {\n  return await fetch('/api/x')\n}"),
        ("J", "export default function P() { return null }"),
    ],
    "python_helpers_and_constants_between": [
        ("P", "PAGE_SIZE = 20"),
        ("P", "def paginate(items, page):\n    start = (page - 1) * PAGE_SIZE\n    return items[start:start + PAGE_SIZE]"),
        ("P", "@server\nasync def load(request):\n    return {'items': paginate(list(range(100)), 1)}"),
        ("J", "const PAGE = 'page'"),
        ("J", "export default function P() { return null }"),
    ],
    "python_call_expression_between_python": [
        ("P", "import logging"),
        ("P", "logging.getLogger(__name__).info('loaded')"),
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
    "js_call_between_jsx": [
        ("J", "import { register } from './registry.js'"),
        ("J", "register('page')"),
        ("J", "export default function P() { return null }"),
    ],
    "jsx_text_with_python_keywords": [
        ("J", "export default function P() {\n  return (\n    <p>\n      def is a keyword; import os is Python; class Foo: too\n    </p>\n  )\n}"),
    ],
    "string_with_braces_in_jsx_attribute": [
        ("J", "export default function P() {\n  return <div title=\"{not code}\" data-x='}'>{\"}\"}</div>\n}"),
    ],
    "backslash_continuation_python": [
        ("P", "TOTAL = 1 + \\\n    2 + \\\n    3"),
        ("J", "export default function P() { return null }"),
    ],
    "minimal_page": [
        ("P", "@server\nasync def load(request):\n    return {}"),
        ("J", "export default function P() { return null }"),
    ],
}
