"""`<Form action="sav">` on a page whose action is `save`: `pyxle check`, `pyxle build` and the
overlay of `pyxle dev` name it at its line with "did you mean `save`?". Only a click showed
`Unknown action 'sav'`. A Form may call its page's actions and those of the layouts and templates
around it (a layout's Form, those of any page under it too); one whose name is not a string, or
that names another page (`pagePath`), is left alone, and so is a page whose actions the compiler
cannot all see (a name imported from a module may be an action): `pyxle dev` warns of those once
they have loaded."""

from __future__ import annotations

import httpx

from tests.conftest import PageWatch
from tests.docs._blocks import cites
from tests.e2e.test_bundler_errors import failed, pyxle

PAGE = '''
@action
async def save(request):
    return {"saved": True}


import { Form } from 'pyxle/client'

export default function Notes() {
  return (
    <Form action="{name}">
      <button type="submit">Save</button>
    </Form>
  )
}
'''
SAV = ('pages/notes.pyxl:10:5: <Form action="sav">: this page has no action \'sav\' (nor do its layouts)\n'
       '        <Form action="sav">\n'
       '        ^\n'
       '    hint: did you mean `save`?')


def notes(name: str) -> str:
    return PAGE.replace("{name}", name).lstrip("\n")


@cites("docs/pages.md", 'A `<Form action="sav">` whose page (and the layouts and templates around it) has no such action')
def test_a_misspelt_form_action_fails_check_and_build_at_its_line(make_project) -> None:
    project = make_project({"pages/notes.pyxl": notes("sav")}, node=True)
    assert failed(pyxle(project, "build")) == f"pyxle: {SAV}\n"
    check = pyxle(project, "check")
    assert failed(check) and check.stdout == f"{SAV}\n\n", check.stdout


def test_a_name_close_to_none_lists_the_actions_there_are(make_project) -> None:
    project = make_project({"pages/notes.pyxl": notes("publish")}, node=True)
    out = failed(pyxle(project, "check"))
    assert "<Form action=\"publish\">: this page has no action 'publish' (nor do its layouts)" in out, out
    assert ("hint: the actions a Form here can call are save; define `@action async def publish(request)`, "
            "or give the Form `pagePath` for another page's") in out, out


def test_forms_that_call_their_layouts_actions_or_name_theirs_another_way_pass(make_project) -> None:
    layout = ('@action\nasync def ping(request):\n    return {}\n\n\n'
              "import { Form } from 'pyxle/client'\n\n"
              "export default function Layout({ children }) {\n"
              "  return <main>{children}<Form action=\"save\"><button>s</button></Form></main>\n}\n")
    page = """
@action
async def save(request):
    return {"saved": True}


import { Form } from 'pyxle/client'

const other = 'anything'

export default function Notes() {
  return (
    <>
      <Form action="ping"><button>p</button></Form>
      <Form action={other}><button>x</button></Form>
      <Form action="post" pagePath="blog/new"><button>y</button></Form>
      <Form action="spread" {...{ action: 'save' }}><button>z</button></Form>
    </>
  )
}
"""
    project = make_project({"pages/notes.pyxl": page, "pages/layout.pyxl": layout,
                            "pages/other.pyxl": "export default function Other() { return <p>x</p> }\n"}, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    built = pyxle(project, "build")
    assert built.returncode == 0, built.stdout + built.stderr


def test_a_layouts_form_naming_no_action_anywhere_under_it_fails(make_project) -> None:
    layout = ("import { Form as ActionForm } from 'pyxle/client'\n\n"
              "export default function Layout({ children }) {\n"
              "  return <main>{children}<ActionForm action=\"sign_out\"><button>s</button></ActionForm></main>\n}\n")
    project = make_project({"pages/notes.pyxl": notes("save"), "pages/layout.pyxl": layout}, node=True)
    out = failed(pyxle(project, "check"))
    assert ("pages/layout.pyxl:4:26: <ActionForm action=\"sign_out\">: this layout has no action 'sign_out' "
            "(nor do the layouts around it or the pages under it)") in out, out


def test_a_page_that_imports_names_is_left_to_the_dev_server_which_warns(make_project, start_server) -> None:
    """An imported name may be an action the compiler cannot see: check and build pass, and
    pyxle dev, which has loaded the page's real actions, warns."""
    page = "from helpers import FORMAT\n\n" + notes("sav")
    project = make_project({"pages/notes.pyxl": page, "helpers.py": "FORMAT = '%s'\n"}, node=True)
    check = pyxle(project, "check")
    assert check.returncode == 0, check.stdout + check.stderr
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert httpx.get(server.url + "/notes", timeout=30).status_code == 200
    log = server.wait_for_output("has no action 'sav'", timeout=10)
    assert "pages/notes.pyxl:12:5: <Form action=\"sav\">: this page has no action 'sav' (nor do its layouts)" in log, log
    assert "did you mean `save`?" in log


def test_an_imported_action_a_form_calls_is_not_warned_of(make_project, start_server) -> None:
    page = "from shared_actions import save\n\n" + notes("save").replace("@action\nasync def save", "@action\nasync def unused")
    shared = ("from pyxle.runtime import action\n\n\n@action\nasync def save(request):\n    return {}\n")
    project = make_project({"pages/notes.pyxl": page, "shared_actions.py": shared}, node=True)
    assert pyxle(project, "check").returncode == 0
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert httpx.get(server.url + "/notes", timeout=30).status_code == 200
    assert "has no action" not in server.output(), server.output()


def test_dev_shows_a_misspelt_form_action_in_its_overlay(make_project, start_server, page: PageWatch) -> None:
    project = make_project({"pages/notes.pyxl": notes("save")}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    page.page.goto(server.url + "/notes")
    page.hydrated()
    (project / "pages" / "notes.pyxl").write_text(notes("sav"))
    overlay = page.page.locator("#pyxle-dev-overlay")
    overlay.filter(has_text="did you mean `save`?").wait_for(timeout=30000)
    assert "<Form action=\"sav\">: this page has no action 'sav'" in (overlay.text_content() or "")
