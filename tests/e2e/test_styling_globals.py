"""`styling.globalStyles` and `styling.globalScripts` from pyxle.config.json: on every page, in the
order listed, before the page's own CSS and code; edits apply in `pyxle dev`."""

from __future__ import annotations

import json

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e._styling import build_error

HOME = """
import { useEffect, useState } from 'react'
import { Link } from 'pyxle/client'
import './home.css'

// This module's top level runs in the browser after the global scripts (they never run in SSR).
const seenAtLoad = typeof window === 'undefined' ? ['ssr'] : [...(window.__order || [])]

export default function Home() {
  const [seen, setSeen] = useState('')
  useEffect(() => setSeen(seenAtLoad.join(',')), [])
  return <main id="main" className="own">home <Link href="/other" id="to-other">other</Link>
    <output id="seen">{seen}</output></main>
}
"""
OTHER = """
export default function Other() {
  return <main id="main">other page</main>
}
"""
CONFIG = {"styling": {"globalStyles": ["reset.css", "styles/theme.scss"],
                      "globalScripts": ["scripts/first.js", "scripts/second.js"]}}
FILES = {
    "pyxle.config.json": json.dumps(CONFIG),
    "reset.css": "body { margin: 3px; color: rgb(1, 1, 1); }\nmain { padding: 1px; border-top: 1px solid; }\n",
    "styles/theme.scss": "$ink: rgb(2, 2, 2);\nbody { color: $ink; }\n",  # later in the list: wins over reset.css
    "scripts/first.js": "window.__order = [...(window.__order || []), 'first']\n",
    "scripts/second.js": "window.__order = [...(window.__order || []), 'second']\n",
    "pages/home.css": "main { padding: 9px; }\n",  # the page's own CSS comes after the global styles: it wins
    "pages/index.pyxl": HOME,
    "pages/other.pyxl": OTHER,
}


def looks(page: PageWatch) -> dict[str, str]:
    return page.page.evaluate("""() => {
      const body = getComputedStyle(document.body), main = getComputedStyle(document.getElementById('main'))
      return {margin: body.marginTop, color: body.color, padding: main.paddingTop, border: main.borderTopWidth}
    }""")


@cites("docs/migrating.md", "here the page's and layouts' CSS wins it")
def test_global_styles_and_scripts_load_on_every_page_in_order(make_project, start_server, page: PageWatch) -> None:
    project = make_project(FILES, node=True)
    server = start_server(project)
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.locator("#seen").filter(has_text="first").wait_for()
    assert page.page.locator("#seen").inner_text() == "first,second"
    assert looks(page) == {"margin": "3px", "color": "rgb(2, 2, 2)", "padding": "9px", "border": "1px"}

    page.page.click("#to-other")  # client-side navigation: the scripts do not run again
    page.page.get_by_text("other page").wait_for()
    # The home page's stylesheet is taken out once the new page is in: wait for that, under load.
    page.page.wait_for_function("getComputedStyle(document.getElementById('main')).paddingTop === '1px'", timeout=10000)
    assert page.page.evaluate("window.__order") == ["first", "second"]
    assert looks(page) == {"margin": "3px", "color": "rgb(2, 2, 2)", "padding": "1px", "border": "1px"}

    page.page.goto(server.url + "/other")  # and a page loaded directly has them too
    page.hydrated()
    assert page.page.evaluate("window.__order") == ["first", "second"]
    assert looks(page)["color"] == "rgb(2, 2, 2)"
    assert page.problems() == []


def test_the_server_html_links_the_global_styles_before_first_paint(make_project, start_server) -> None:
    """The stylesheet with the global styles is in the served <head>, not added by JavaScript."""
    import httpx

    project = make_project(FILES, node=True)
    server = start_server(project)
    html = httpx.get(server.url + "/other").text
    head = html.split("</head>", 1)[0]
    hrefs = [part.split('"', 1)[0] for part in head.split('<link rel="stylesheet" href="')[1:]]
    assert len(hrefs) == 1
    css = httpx.get(server.url + hrefs[0]).text
    assert css.index("margin:3px") < css.index("color:#020202")  # in the order listed


def test_a_global_style_edit_applies_in_dev(make_project, start_server, page: PageWatch) -> None:
    project = make_project(FILES, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    assert looks(page)["margin"] == "3px"
    (project / "reset.css").write_text("body { margin: 5px; }\n")  # a file at the project root
    page.page.wait_for_function("getComputedStyle(document.body).marginTop === '5px'", timeout=15000)
    (project / "styles" / "theme.scss").write_text("body { color: rgb(3, 3, 3); }\n")
    page.page.wait_for_function("getComputedStyle(document.body).color === 'rgb(3, 3, 3)'", timeout=15000)
    assert server.proc.poll() is None


def test_a_missing_global_file_stops_start_up_naming_the_key(make_project, start_server) -> None:
    config = {"styling": {"globalStyles": ["reset.css"], "globalScripts": ["scripts/gone.js"]}}
    project = make_project({**FILES, "pyxle.config.json": json.dumps(config)}, node=True)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() != 0
    assert 'pyxle.config.json: styling.globalScripts[0]: "scripts/gone.js" is not a file in the project' in server.output()
    assert "styling.globalScripts[0]" in build_error(project)


def test_a_global_path_outside_the_project_is_a_config_error(make_project, start_server) -> None:
    project = make_project({**FILES, "pyxle.config.json": json.dumps({"styling": {"globalStyles": ["../x.css"]}})},
                           node=True)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() != 0
    assert ('styling.globalStyles[0] must be a path relative to the project root and inside it, '
            'like "styles/app.css" (got "../x.css")') in server.output()
