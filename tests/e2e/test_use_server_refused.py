"""React's `'use server'` is refused by `pyxle build`, `pyxle check` and `pyxle dev`, at the
directive's line, with a hint naming `@action` and `useAction`: Pyxle has no server functions, so the
function was bundled into the browser's code, ran there, and shipped anything secret in it to every
visitor, with nothing said anywhere. `'use client'` stays accepted and ignored."""

from __future__ import annotations

from tests.conftest import PageWatch
from tests.docs._blocks import cites, doc_block
from tests.e2e.test_bundler_errors import pyxle
from tests.e2e.test_check_import_names import reported

SERVER_MODULE = """\
// the secret stays on the server, or so the author thought
'use server'
export async function saveThing(formData) { return 'ran in: ' + (typeof window === 'undefined' ? 'server' : 'browser') }
"""

IMPORTING_PAGE = """\
import { saveThing } from '../components/serverfn.js'
export default function Page() { return <form action={saveThing}><button>Save</button></form> }
"""

INLINE_PAGE = """\
export default function Page() {
  async function save(formData) {
    'use server'
    return formData.get('x')
  }
  return <form action={save}><button>Save</button></form>
}
"""

HINT = "    hint: server code is an @action in the page's Python: call it with useAction('name') or <Form action=\"name\"> from pyxle/client"


@cites("docs/compiler.md", "directive is an error, in a module a page imports (a file-level one)")
def test_a_module_marked_use_server_is_refused_at_its_directive_by_build_and_check(make_project) -> None:
    project = make_project({"pages/index.pyxl": IMPORTING_PAGE, "components/serverfn.js": SERVER_MODULE}, node=True)
    expected = ("components/serverfn.js:2:1: 'use server' is not supported: Pyxle bundles this module into the "
                "browser's code, where it runs and anyone can read it\n"
                "    'use server'\n"
                "    ^\n" + HINT)
    built, checked = reported(project)
    assert built == f"pyxle: {expected}\n", built
    assert checked == f"{expected}\n\n", checked
    assert doc_block("docs/compiler.md", "use-server").strip() == expected  # the docs show it as it is
    assert not (project / "dist").exists() or not list((project / "dist").rglob("*.js")), "nothing is shipped"


@cites("docs/compiler.md", "inside a function of a page")
def test_a_function_marked_use_server_inside_a_page_is_refused_at_its_line(make_project) -> None:
    project = make_project({"pages/index.pyxl": INLINE_PAGE}, node=True)
    expected = ("pages/index.pyxl:3:5: 'use server' is not supported: Pyxle bundles this function into the "
                "browser's code, where it runs and anyone can read it\n"
                "        'use server'\n"
                "        ^\n" + HINT)
    built, checked = reported(project)
    assert built == f"pyxle: {expected}\n", built
    assert checked == f"{expected}\n\n", checked


def test_the_words_use_server_in_text_comments_and_props_are_not_a_directive(make_project) -> None:
    page = ("// 'use server'\n"
            "export default function Page() {\n"
            "  return <p title=\"'use server'\">{'use server'} it's 'use server'</p>\n"
            "}\n")
    project = make_project({"pages/index.pyxl": page}, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    build = pyxle(project, "build")
    assert build.returncode == 0, build.stdout + build.stderr


@cites("docs/compiler.md", "is accepted and ignored, at the top of a page's JSX or of a")
def test_use_client_is_accepted_by_check_and_build(make_project) -> None:
    page = "'use client'\nimport { useState } from 'react'\nexport default function Page() { const [n] = useState(1); return <p>{n}</p> }\n"
    module = "'use client'\nexport default function Card() { return <b>card</b> }\n"
    project = make_project({"pages/index.pyxl": page, "components/Card.jsx": module,
                            "pages/card.pyxl": "import Card from '../components/Card.jsx'\nexport default function P() { return <Card /> }\n"},
                           node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    build = pyxle(project, "build")
    assert build.returncode == 0, build.stdout + build.stderr


def test_dev_shows_the_refusal_in_its_overlay(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/index.pyxl": "export default function Page() { return <p>home</p> }\n",
                            "components/serverfn.js": SERVER_MODULE}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/")
    page.hydrated()
    (project / "pages" / "index.pyxl").write_text(IMPORTING_PAGE)
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="'use server' is not supported").wait_for(timeout=30000)
    text = overlay.text_content() or ""
    assert "components/serverfn.js" in text and "useAction('name')" in text, text
