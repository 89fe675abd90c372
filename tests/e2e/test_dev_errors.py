"""pyxle dev: where an error is reported, and that one save reports it once."""

from __future__ import annotations

import shutil

import httpx

from tests.conftest import NODE_MODULES, PageWatch

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


def settled(page: PageWatch, server, text: str) -> int:  # type: ignore[no-untyped-def]
    """How often the server's log holds ``text`` once it has stopped growing."""
    page.page.wait_for_timeout(2000)  # a second request, where there is one, follows the first at once
    return server.output().count(text)


def test_a_loader_broken_by_an_edit_runs_once_and_shows_in_the_overlay(make_project, start_server,
                                                                       page: PageWatch) -> None:
    project = make_project({"components/Counter.jsx": COUNTER, "pages/index.pyxl": HEALTHY}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_test_id("counter").click()
    page.page.evaluate("window.__marker = 'kept'")

    (project / "pages" / "index.pyxl").write_text(HOME.format(body="raise RuntimeError('loader broke')").lstrip("\n"))
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="loader broke").wait_for(timeout=10000)
    assert "Traceback" in overlay.text_content()  # the server's traceback, from the answer the update got
    assert settled(page, server, "RuntimeError: loader broke") == 1  # one save, one request, one traceback

    (project / "pages" / "index.pyxl").write_text(HEALTHY)  # the fix applies in place
    overlay.wait_for(state="detached", timeout=10000)
    assert page.page.get_by_test_id("counter").text_content() == "count 1"
    assert page.page.evaluate("window.__marker") == "kept"


def test_a_render_error_from_an_edit_renders_once(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"components/Counter.jsx": COUNTER, "pages/index.pyxl": HEALTHY}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()

    (project / "components" / "Counter.jsx").write_text(BROKEN_COUNTER)
    page.page.locator("#pyxle-dev-overlay").filter(has_text="render error").wait_for(timeout=10000)
    assert settled(page, server, "rendering pages/index.pyxl failed") == 1  # the page reloaded once


def test_start_up_says_the_npm_packages_are_missing_with_a_current_build(make_project, start_server) -> None:
    project = make_project({"components/Counter.jsx": COUNTER, "pages/index.pyxl": HEALTHY})
    modules = project / "node_modules"
    modules.mkdir()
    for entry in NODE_MODULES.iterdir():  # all but the Fast Refresh packages
        if entry.name not in ("react-refresh", "@babel", ".package-lock.json"):
            (modules / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    start_server(project, "dev", "--ssr-workers", "1").stop()  # the build is made, and current from now on
    shutil.rmtree(modules)

    server = start_server(project, "dev", "--ssr-workers", "1")
    assert "npm packages not installed (react, react-dom, esbuild)" in server.output()
