"""pyxle dev: where an error is reported, and that one save reports it once."""

from __future__ import annotations

import httpx

COUNTER = '''
import { useState } from 'react'

export default function Counter() {
  const [count, setCount] = useState(0)
  return <button data-testid="counter" onClick={() => setCount(count + 1)}>count {count}</button>
}
'''
BROKEN_COUNTER = COUNTER.replace("useState(0)\n", "useState(0)\n  if (count > -100) throw new Error('boom in render')\n")

HOME = '''
@server
async def load(request):
    {body}

import Counter from '../components/Counter.jsx'

export default function Home({{ data }}) {{
  return <main><h1>{{data.greeting}}</h1><Counter /></main>
}}
'''
HEALTHY = HOME.format(body='return {"greeting": "hi"}').lstrip("\n")


def test_a_render_error_names_the_file_and_line_in_a_project_whose_path_has_spaces(make_project,
                                                                                     start_server) -> None:
    project = make_project({"components/Counter.jsx": BROKEN_COUNTER, "pages/index.pyxl": HEALTHY},
                           name="my app (v2)/app", node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    answer = httpx.get(server.url + "/", headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 500
    report = answer.text.split('<pre id="pyxle-dev-error">')[1].split("</pre>")[0]
    assert report.startswith("components/Counter.jsx:5:27: render error: boom in render\n")
    assert "if (count &gt; -100) throw new Error(&#x27;boom in render&#x27;)\n" + " " * 30 + "^" in report


def test_a_layout_loader_error_is_logged_under_the_layout(make_project, start_server) -> None:
    project = make_project({
        "pages/shop/layout.pyxl": """
            @server
            async def load(request):
                raise RuntimeError("the layout broke")

            export default function Layout({ children }) { return <div>{children}</div> }
            """,
        "pages/shop/index.pyxl": "export default function Shop() { return <p>shop</p> }\n",
    }, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert httpx.get(server.url + "/shop", timeout=30).status_code == 500
    log = server.wait_for_output("the layout broke")
    assert "Unhandled error in a loader or HEAD of pages/shop/layout.pyxl" in log
    assert "of pages/shop/index.pyxl" not in log
