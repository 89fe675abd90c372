"""Fast Refresh under the edits editors really make: an undo (the old file written back), saves a
tenth of a second apart, the project's first use of something bundled with React (a CommonJS
module, a class field, React.lazy), and an edit that does change the chunk holding React. A real
`pyxle dev`, edits on disk and Chromium; each test marks the window, so a full reload would show."""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.conftest import PageWatch
from tests.e2e.test_dev_live_reload import COUNTER, HOME, click_twice, fast_refresh_project


def test_undoing_a_page_edit_shows_the_original_page_with_state_kept(make_project, start_server,
                                                                    page: PageWatch) -> None:
    project = fast_refresh_project(make_project, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)
    original = (project / "pages" / "index.pyxl").read_text()

    (project / "pages" / "index.pyxl").write_text(HOME.format(greeting="hello", label="edited"))
    page.page.get_by_test_id("greeting").filter(has_text="hello edited").wait_for(timeout=15000)
    (project / "pages" / "index.pyxl").write_text(original)  # an editor's undo: the same bytes as before
    # The old content bundles to the URL the page imported first, which the browser would not run again.
    page.page.get_by_test_id("greeting").filter(has_text="hello v1").wait_for(timeout=15000)

    assert counter.text_content() == "count 2"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []


def test_undoing_a_component_edit_shows_the_original_component_with_state_kept(make_project, start_server,
                                                                              page: PageWatch) -> None:
    project = fast_refresh_project(make_project, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)
    original = (project / "components" / "Counter.jsx").read_text()

    (project / "components" / "Counter.jsx").write_text(COUNTER.format(label="clicks"))
    counter.filter(has_text="clicks 2").wait_for(timeout=15000)
    (project / "components" / "Counter.jsx").write_text(original)
    counter.filter(has_text="count 2").wait_for(timeout=15000)
    (project / "components" / "Counter.jsx").write_text(COUNTER.format(label="clicks"))  # and redo
    counter.filter(has_text="clicks 2").wait_for(timeout=15000)

    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []


def test_ten_saves_a_tenth_of_a_second_apart_end_on_the_last_with_state_kept(make_project, start_server,
                                                                            page: PageWatch) -> None:
    project = fast_refresh_project(make_project, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)
    loads: list[str] = []
    page.page.on("load", lambda _page: loads.append("load"))

    for save in range(1, 11):
        (project / "components" / "Counter.jsx").write_text(COUNTER.format(label=f"save{save}"))
        time.sleep(0.1)
    counter.filter(has_text="save10 2").wait_for(timeout=30000)

    assert loads == [], "the page reloaded"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    counter.click()  # still the live component, with its state
    assert counter.text_content() == "save10 3"
    assert page.problems() == []  # no second React, no module the next build had deleted (404)


# The project's first use of something kept in the chunk holding React: esbuild's helper for
# CommonJS modules, its helpers for class fields and private members (lowered to es2020), an
# import() (an entry of its own), an export of pyxle/client no page used. Each would change that
# chunk (a new export) and reload the page, were the chunk not made to hold and export them from
# the first build on. The component module's new first lines, its label, what it shows, its files.
FIRST_USES = {
    "commonjs": ("import legacy from './legacy.cjs'\n", "{legacy.unit}", "legacy",
                 {"components/legacy.cjs": "module.exports = { unit: 'legacy' }\n"}),
    "class-field": ("class Unit { name = 'field'; #hidden = 1 }\n", "{new Unit().name}", "field", {}),
    "react-lazy": ("import { lazy, Suspense } from 'react'\nconst Late = lazy(() => import('./Late.jsx'))\n",
                   "<Suspense fallback=\"wait\"><Late /></Suspense>", "late",
                   {"components/Late.jsx": "export default function Late() {\n  return <i>late</i>\n}\n"}),
    "pyxle-client-export": ("import { Image } from 'pyxle/client'\n", "{Image && 'image'}", "image", {}),
}

# The chunks this document has loaded that hold a copy of React.
REACT_COPIES = """async () => {
  const urls = [...new Set(performance.getEntriesByType('resource').map((e) => e.name)
    .filter((url) => url.includes('/_pyxle/') && url.endsWith('.js')))]
  const texts = await Promise.all(urls.map((url) => fetch(url).then((r) => r.text())))
  return texts.filter((text) => text.includes('var require_react = __commonJS')).length
}"""


@pytest.mark.parametrize("use", FIRST_USES)
def test_a_first_use_of_what_the_chunk_holding_react_holds_keeps_react_state(use: str, make_project, start_server,
                                                                            page: PageWatch) -> None:
    prelude, label, shown, files = FIRST_USES[use]
    project = fast_refresh_project(make_project, node=True)
    for name, text in files.items():
        (project / name).write_text(text)
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)

    (project / "components" / "Counter.jsx").write_text(prelude + COUNTER.format(label=label))
    counter.filter(has_text=f"{shown} 2").wait_for(timeout=15000)

    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    counter.click()  # the live component, with its state, rendered by the one React
    counter.filter(has_text=f"{shown} 3").wait_for(timeout=5000)
    assert page.page.evaluate(REACT_COPIES) == 1
    assert page.problems() == []


def test_an_edit_that_changes_the_chunk_holding_react_reloads_instead_of_running_a_second_react(
        make_project, start_server, page: PageWatch) -> None:
    project = fast_refresh_project(make_project, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    click_twice(page, server.url)

    # scheduler is bundled inside the chunk holding React (react-dom requires it) and not exported
    # from it: a page's first import of it makes that chunk export it, so it gets a new URL.
    # Importing it would run React a second time.
    (project / "components" / "Counter.jsx").write_text(
        "import { unstable_now } from 'scheduler'\n" + COUNTER.format(label="{typeof unstable_now}"))
    page.page.get_by_test_id("counter").filter(has_text="function 0").wait_for(timeout=15000)  # state reset

    assert page.page.evaluate("window.__marker") is None  # by a full reload
    page.hydrated()  # the reloaded page's server HTML shows "function 0" before React runs: a click then did nothing
    page.page.get_by_test_id("counter").click()
    page.page.get_by_test_id("counter").filter(has_text="function 1").wait_for(timeout=5000)
    assert page.page.evaluate(REACT_COPIES) == 1
    assert page.problems() == []  # no "Invalid hook call" from a second React


def test_a_git_checkout_to_another_branch_and_back_shows_each_branch_with_state_kept(
        make_project, start_server, page: PageWatch) -> None:
    project = fast_refresh_project(make_project, node=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(project)]
    (project / ".gitignore").write_text("node_modules\n.pyxle-build\n")
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "main"], check=True)
    subprocess.run([*git, "checkout", "-q", "-b", "feat"], check=True)
    (project / "components" / "Counter.jsx").write_text(COUNTER.format(label="feat"))
    (project / "pages" / "index.pyxl").write_text(HOME.format(greeting="hello", label="feat"))
    subprocess.run([*git, "commit", "-q", "-am", "feat"], check=True)
    subprocess.run([*git, "checkout", "-q", "main"], check=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)
    greeting = page.page.get_by_test_id("greeting")

    for branch, label, count in (("feat", "feat", "feat 2"), ("main", "v1", "count 2"), ("feat", "feat", "feat 2")):
        subprocess.run([*git, "checkout", "-q", branch], check=True)
        greeting.filter(has_text=f"hello {label}").wait_for(timeout=15000)
        counter.filter(has_text=count).wait_for(timeout=15000)  # both files of the branch, none of the other

    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []


SLOW_HOME = "import time\ntime.sleep(1.0)  # every reload imports the page after bundling: 1 s to write in\n" + HOME


def test_a_file_written_while_the_build_reads_it_is_never_shown_half_written(make_project, start_server,
                                                                          page: PageWatch) -> None:
    """A save written in place (truncate, then write) can be read by a rebuild between the two. That
    build must not be shown: the write's own rebuild follows, and the page keeps its state. (The
    first part stands in as a component that still builds but throws: an empty one is now an error
    at its import, which the watcher's wait for a failed build's sources to hold still covers.)"""
    project = fast_refresh_project(make_project, node=True)
    (project / "pages" / "index.pyxl").write_text(SLOW_HOME.format(greeting="hello", label="v1"))
    server = start_server(project, "dev", "--ssr-workers", "1")
    counter = click_twice(page, server.url)
    loads: list[str] = []
    page.page.on("load", lambda _page: loads.append("load"))
    manifest = project / ".pyxle-build" / "manifest.json"
    built = manifest.stat().st_mtime_ns

    component = project / "components" / "Counter.jsx"
    # the first part: the rebuild it starts bundles it, and shown, it would throw in the page
    component.write_text("export default function Counter() { throw new Error('half-saved') }\n")
    deadline = time.monotonic() + 20
    while manifest.stat().st_mtime_ns == built:  # bundled; the page's import now sleeps for 1 s
        assert time.monotonic() < deadline, "the truncated file was never rebuilt"
        time.sleep(0.01)
    component.write_text(COUNTER.format(label="written"))  # the write, while that build is not done
    counter.filter(has_text="written 2").wait_for(timeout=30000)

    assert loads == [], "the page reloaded"
    assert page.page.evaluate("window.__marker") == "kept", "the page reloaded"
    assert page.problems() == []
