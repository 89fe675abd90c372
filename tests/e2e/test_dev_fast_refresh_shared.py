"""Fast Refresh under `pyxle dev` for a monorepo's shared components outside the project (imported by
a relative path, or through a folder linked into the project, as a workspace links a package), in
Chromium: an edit to one keeps its state, as an edit to the project's own components does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import NODE_MODULES, PageWatch, link_node_modules
from tests.docs._blocks import cites
from tests.e2e.test_dev_live_reload import COUNTER

TOGGLE = '''
import {{ useState }} from 'react'

export default function Toggle() {{
  const [on, setOn] = useState(false)
  return <button data-testid="toggle" onClick={{() => setOn(!on)}}>{label} {{on ? 'ON' : 'OFF'}}</button>
}}
'''
PAGE = '''
import Counter from '../components/Counter.jsx'
import Toggle from '{toggle}'

export default function Home() {{
  return <main><h1>shared</h1><Toggle /><Counter /></main>
}}
'''
IMPORTS = {"outside": "../../shared/Toggle.jsx", "linked": "../components/shared/Toggle.jsx"}


@pytest.fixture(params=sorted(IMPORTS))
def layout(request: pytest.FixtureRequest, make_project, tmp_path: Path) -> tuple[Path, Path]:
    """The project, and the shared component it imports: beside the project, or in a folder that
    lies elsewhere, linked into the project's components/. React is found from both, as in a
    monorepo whose root ``node_modules`` holds it."""
    shared = tmp_path / ("shared" if request.param == "outside" else "elsewhere")
    shared.mkdir()
    (shared / "Toggle.jsx").write_text(TOGGLE.format(label="one"))
    link_node_modules(tmp_path, NODE_MODULES)
    project = make_project({"components/Counter.jsx": COUNTER.format(label="count"),
                            "pages/index.pyxl": PAGE.format(toggle=IMPORTS[request.param])}, node=True)
    if request.param == "linked":
        (project / "components" / "shared").symlink_to(shared)
    return project, shared / "Toggle.jsx"


@cites("docs/getting-started.md", "also those of a shared package outside the project")
def test_an_edit_to_a_shared_component_outside_the_project_keeps_its_state(layout, start_server,
                                                                           page: PageWatch) -> None:
    project, shared = layout
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    toggle, counter = page.page.get_by_test_id("toggle"), page.page.get_by_test_id("counter")
    toggle.click()
    counter.click()
    assert (toggle.text_content(), counter.text_content()) == ("one ON", "count 1")
    page.page.evaluate("window.__marker = 'kept'")
    shared.write_text(TOGGLE.format(label="two"))
    page.page.wait_for_function("document.querySelector('[data-testid=toggle]').textContent.startsWith('two')",
                                timeout=30000)
    assert (toggle.text_content(), counter.text_content()) == ("two ON", "count 1")  # neither remounted
    assert page.page.evaluate("window.__marker") == "kept"  # updated in place, not reloaded
