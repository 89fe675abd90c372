"""pyxle dev in a real browser: edits reach the open page, errors show as an overlay, fixes clear it."""

from __future__ import annotations

import time

from tests.conftest import PageWatch

PAGE = '''
@server
async def load(request):
    return {{"greeting": "{greeting}"}}

import {{ useState }} from 'react'

export default function Home({{ data }}) {{
  const [n, setN] = useState(0)
  return <main><h1 data-testid="greeting">{{data.greeting}} {label}</h1><button onClick={{() => setN(n + 1)}}>{{n}}</button></main>
}}
'''


def write(project, greeting: str = "hello", label: str = "v1") -> None:  # type: ignore[no-untyped-def]
    (project / "pages" / "index.pyxl").write_text(PAGE.format(greeting=greeting, label=label).lstrip("\n"))


def test_edits_reach_the_page_and_errors_show_as_an_overlay(make_project, start_server, page: PageWatch) -> None:
    project = make_project({}, node=True)
    write(project)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    greeting = page.page.get_by_test_id("greeting")
    assert greeting.text_content() == "hello v1"

    start = time.monotonic()
    write(project, label="v2")  # a JSX edit
    page.page.get_by_test_id("greeting").filter(has_text="hello v2").wait_for(timeout=10000)
    assert time.monotonic() - start < 2.0, "the edit should reach the open page within 2 s"

    write(project, greeting="from python", label="v2")  # a Python (loader) edit
    page.page.get_by_test_id("greeting").filter(has_text="from python v2").wait_for(timeout=10000)

    (project / "pages" / "index.pyxl").write_text("@server\nasync def load(request)\n    return {}\n\n"
                                                 "export default function Home() { return null }\n")
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.wait_for(timeout=10000)
    assert "pages/index.pyxl:2" in overlay.text_content() and "Python syntax error" in overlay.text_content()

    write(project, greeting="fixed", label="v3")
    page.page.get_by_test_id("greeting").filter(has_text="fixed v3").wait_for(timeout=10000)
    assert page.page.locator("#pyxle-dev-overlay").count() == 0


def test_a_css_edit_keeps_react_state(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/style.css": "h1 { color: rgb(1, 1, 1); }\n"}, node=True)
    (project / "pages" / "index.pyxl").write_text(
        "import './style.css'\n" + PAGE.format(greeting="css", label="v1").lstrip("\n"))
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    button = page.page.get_by_role("button")
    button.click()
    button.click()
    assert button.text_content() == "2"
    page.page.evaluate("window.__marker = 'kept'")
    (project / "pages" / "style.css").write_text("h1 { color: rgb(200, 0, 0); }\n")
    page.page.wait_for_function(
        "getComputedStyle(document.querySelector('h1')).color === 'rgb(200, 0, 0)'", timeout=10000)
    assert button.text_content() == "2"  # the counter's state survived
    assert page.page.evaluate("window.__marker") == "kept"  # no reload
