"""A page's default export in each of JavaScript's forms is served (pyxle-framework 0.9.4 served
them; `pyxle check` and `pyxle build` said "no default export" for the last two)."""

from __future__ import annotations

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_check import check

BADGE = "export default function Badge() { return <b id='badge'>badge</b> }\n"
FILES = {
    "components/Badge.jsx": BADGE,
    "pages/listed.pyxl": "function Page() { return <h1 id='listed'>listed</h1> }\nexport {\n  Page as default,\n}\n",
    "pages/again.pyxl": "export { default } from '../components/Badge.jsx'\n",
}


@cites("docs/compiler.md", "an export list naming it (`export { Page as default }`, over several lines as\n"
                           "Prettier writes a long one), or a re-export of another module's (`export { default } from\n"
                           "'../components/Page.jsx'`)")
def test_an_export_list_over_lines_and_a_re_exported_default_are_pages(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project(FILES, node=True)
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    server = start_server(project, "serve")
    listed = httpx.get(server.url + "/listed", timeout=30)
    assert listed.status_code == 200 and '<h1 id="listed">listed</h1>' in listed.text, listed.text
    again = httpx.get(server.url + "/again", timeout=30)
    assert again.status_code == 200 and '<b id="badge">badge</b>' in again.text, again.text


@cites("docs/compiler.md", "`export { default as Page } from '...'` is a named export, not a page's")
def test_a_default_re_exported_under_a_name_is_not_a_page(make_project) -> None:  # type: ignore[no-untyped-def]
    result = check(make_project({**FILES, "pages/named.pyxl": "export { default as Badge } from '../components/Badge.jsx'\n"}))
    assert result.returncode == 1
    assert "pages/named.pyxl:1:1: no default export: a page's JSX must `export default` its component" in result.stdout
