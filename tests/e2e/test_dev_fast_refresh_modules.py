"""Fast Refresh under `pyxle dev` runs again only the edited module and those importing it, in
Chromium: components in files of their own keep their effects (not cleaned up and run again)
when the page, its layout or another component is edited."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PageWatch
from tests.docs._blocks import cites

CLIENT = "docs/client.md"
WAIT = 30  # seconds for an edit to be applied: generous, for a loaded machine

# A component whose effect records each run and each clean-up, and whose state counts clicks.
COMPONENT = '''
import { useEffect, useState } from 'react'

export default function NAME() {
  const [clicks, setClicks] = useState(0)
  useEffect(() => {
    (window.__effects ||= []).push('NAME run')
    return () => window.__effects.push('NAME cleanup')
  }, [])
  return <button data-testid="NAME" onClick={() => setClicks(clicks + 1)}>LABEL {clicks}</button>
}
'''

LAYOUT = '''
import { useEffect } from 'react'

export default function Layout({ children }) {
  return <div><p data-testid="layout">LABEL</p>{children}</div>
}
'''

PAGE = '''
import { useEffect } from 'react'
import Counter from '../components/Counter.jsx'
import Clock from '../components/Clock.jsx'

export default function Home() {
  useEffect(() => {
    (window.__effects ||= []).push('Home run')
    return () => window.__effects.push('Home cleanup')
  }, [])
  return <main><h1 data-testid="title">LABEL</h1><Counter /><Clock /></main>
}
'''


def component(name: str, label: str) -> str:
    return COMPONENT.replace("NAME", name).replace("LABEL", label)


def start(make_project, start_server, page: PageWatch) -> Path:  # type: ignore[no-untyped-def]
    """The project under `pyxle dev`, / open and hydrated, Counter clicked twice."""
    project = make_project({
        "pages/layout.pyxl": LAYOUT.replace("LABEL", "layout one"),
        "pages/index.pyxl": PAGE.replace("LABEL", "first"),
        "components/Counter.jsx": component("Counter", "counted"),
        "components/Clock.jsx": component("Clock", "ticked"),
    }, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    page.page.get_by_test_id("Counter").click()
    page.page.get_by_test_id("Counter").click()
    page.page.get_by_test_id("Counter").filter(has_text="counted 2").wait_for(timeout=WAIT * 1000)
    page.page.evaluate("window.__marker = 'kept'; window.__effects = []")
    return project


def effects_after(page: PageWatch) -> list[str]:
    """The effects run and cleaned up since start(), once the page is known not to have reloaded."""
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert not page.problems(), page.problems()
    return page.page.evaluate("window.__effects")


@cites(CLIENT, "the components it imports from files of their own keep theirs")
def test_an_edit_to_a_page_leaves_the_effects_of_its_components(make_project, start_server,
                                                                page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = start(make_project, start_server, page)
    (project / "pages" / "index.pyxl").write_text(PAGE.replace("LABEL", "second"))
    page.page.get_by_test_id("title").filter(has_text="second").wait_for(timeout=WAIT * 1000)
    page.page.get_by_test_id("Counter").filter(has_text="counted 2").wait_for(timeout=WAIT * 1000)
    # (before: Counter and Clock, bundled with the page, were cleaned up and run again too)
    assert effects_after(page) == ["Home cleanup", "Home run"]


@cites(CLIENT, "An edit runs again only the edited module and the modules that import it")
def test_an_edit_to_a_component_leaves_the_effects_of_its_siblings(make_project, start_server,
                                                                   page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = start(make_project, start_server, page)
    (project / "components" / "Counter.jsx").write_text(component("Counter", "tallied"))
    page.page.get_by_test_id("Counter").filter(has_text="tallied 2").wait_for(timeout=WAIT * 1000)
    # Counter and the page importing it run again; Clock, only beside it, keeps its effect
    # (before: Clock, bundled with them, was cleaned up and run again too)
    assert sorted(effects_after(page)) == ["Counter cleanup", "Counter run", "Home cleanup", "Home run"]


@cites(CLIENT, "An edit to a layout leaves the page's effects")
def test_an_edit_to_a_layout_leaves_the_effects_of_the_page(make_project, start_server,
                                                            page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    project = start(make_project, start_server, page)
    (project / "pages" / "layout.pyxl").write_text(LAYOUT.replace("LABEL", "layout two"))
    page.page.get_by_test_id("layout").filter(has_text="layout two").wait_for(timeout=WAIT * 1000)
    page.page.get_by_test_id("Counter").filter(has_text="counted 2").wait_for(timeout=WAIT * 1000)
    assert effects_after(page) == []


def test_a_module_deleted_before_its_import_leaves_the_page_building(make_project, start_server,
                                                                     page: PageWatch) -> None:  # type: ignore[no-untyped-def]
    """Each module is an entry of the dev build: one deleted while a component still imports it
    (that build fails), then its import removed, must not stay an entry that fails every build."""
    project = make_project({
        "pages/layout.pyxl": LAYOUT.replace("LABEL", "layout one"),
        "pages/index.pyxl": PAGE.replace("LABEL", "first"),
        "components/Counter.jsx": "import { unit } from './unit.js'\n" + component("Counter", "counted {unit}"),
        "components/unit.js": "export const unit = 'clicks'\n",
        "components/Clock.jsx": component("Clock", "ticked"),
    }, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "components" / "unit.js").unlink()  # Counter's build fails: it imports it
    page.page.wait_for_timeout(1500)
    (project / "components" / "Counter.jsx").write_text(component("Counter", "counted plain"))
    page.page.get_by_test_id("Counter").filter(has_text="counted plain").wait_for(timeout=WAIT * 1000)
