"""`pyxle check` finds what would fail at run time without running anything: compile errors, and
names a page's Python uses but never defines (pyxle-framework 0.9's check did too)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import server_env
from tests.docs._blocks import cites

PAGE = '''
import json

@server
async def load(request):
    if request.query_params.get("fail"):
        raise LoaderError("no", status_code=404)
    return {"x": undefined_name, "y": json.dumps(helper()), "z": len(str(request.url))}

def helper():
    return [item for item in range(3)]

@action
async def save(request):
    return invalidate_routes({"ok": True}, "/")

export default function Page({ data }) {
  return <p>{data.x}</p>
}
'''


def check(project) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                          env=server_env(), check=False, timeout=60)


def test_check_names_an_undefined_name_in_a_pages_python_at_its_line(make_project) -> None:
    """What a page is given without imports (server, action, LoaderError, invalidate_routes, ...)
    and builtins are defined; a name nothing defines is an error at its own line and column."""
    result = check(make_project({"pages/index.pyxl": PAGE}))
    assert result.returncode == 1
    assert result.stdout.count("undefined name") == 1
    assert "pages/index.pyxl:7:18: undefined name 'undefined_name'" in result.stdout
    assert "hint: define or import it: the code would raise NameError when it runs" in result.stdout
    assert "checked 1 file: 1 error" in result.stderr


def test_check_passes_a_page_whose_names_are_all_defined(make_project) -> None:
    fixed = PAGE.replace("undefined_name", "helper()").replace("import json", "import json\nfrom os.path import *")
    result = check(make_project({"pages/index.pyxl": fixed}))
    assert result.returncode == 0, result.stdout
    assert "checked 1 file: 0 errors" in result.stdout


ROUTES = "async def get(request):\n    return {}\n"


@cites("docs/pages.md", "An API route is read, never run: a syntax error, a file that\n  defines no handler, a handler "
       "that cannot take the request, and two files for one URL are\n  errors, as they stop `pyxle serve`")
def test_check_refuses_what_start_up_refuses_in_api_routes_without_running_them(make_project, start_server) -> None:
    """A syntax error, a file with no handler and two files for one URL stop `pyxle serve`; check
    used to pass them (exit 0)."""
    broken = {"pages/api/users.py": ROUTES, "pages/api/users/index.py": ROUTES,
              "pages/api/bad.py": "async def get(request)\n    return {}\n",
              "pages/api/helpers.py": "from httpx import get\n\ndef helper():\n    return 1\n",
              "pages/api/runs.py": "import sys\nprint('ran', file=sys.stderr)\nasync def get(request):\n    return {}\n"}
    result = check(make_project(broken))
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert ("invalid routes: route conflict: pages/api/users.py and pages/api/users/index.py both map to /api/users"
            in out)
    assert "pages/api/bad.py:1: SyntaxError: expected ':'\n    async def get(request)" in out
    assert "pages/api/helpers.py: defines no handler" in out and "get is imported" in out
    assert "checked 5 files: 3 errors" in result.stderr and "ran" not in result.stderr  # read, never run
    for name, rel, said in (("syntax", "pages/api/bad.py", "SyntaxError: expected ':'"),
                            ("nothing", "pages/api/helpers.py", "defines no handler")):  # what start-up stops at
        server = start_server(make_project({rel: broken[rel]}, name), "serve", ready=False)
        assert server.wait_exit(60) == 1
        assert f"{rel}" in server.output() and said in server.output(), server.output()


@cites("docs/pages.md", "`pyxle check` also names each name an API route uses but nothing defines or\n  imports")
def test_check_names_an_undefined_name_in_an_api_route_which_is_given_none_of_a_pages(make_project) -> None:
    """A route's NameError waits for the first request that runs its line; check used to pass it."""
    routes = {"pages/api/a.py": "from starlette.responses import JSONResponse\n\nasync def get(request):\n"
                                "    return JSONResponse({\"n\": helper()})\n",
              "pages/api/b.py": "async def get(request):\n    raise LoaderError('no', status_code=404)\n",
              "pages/api/c.py": "import os\nfrom views import *\n\nasync def get(request):\n    return {\"x\": os.sep, \"y\": v}\n",
              "views.py": "v = 1\n"}
    result = check(make_project(routes))
    assert result.returncode == 1, result.stdout
    assert "pages/api/a.py:4:31: undefined name 'helper'" in result.stdout
    assert "pages/api/b.py:2:11: undefined name 'LoaderError'" in result.stdout  # given to pages only
    assert "pages/api/c.py" not in result.stdout  # what a star import may bring is not guessed at
    assert "checked 3 files: 2 errors" in result.stderr


def test_check_passes_route_files_that_may_serve_from_what_they_import_or_assign(make_project) -> None:
    fine = {"pages/api/cls.py": "from views import Users\n", "pages/api/assigned.py": "import views\nget = views.get\n",
            "pages/api/ep.py": "from views import endpoint\n", "pages/api/klass.py": "class users:\n    pass\n",
            "pages/api/star.py": "from views import *\n", "pages/api/ws.py": "async def websocket(ws):\n    pass\n",
            "pages/api/lower.py": "from ._views import lower_users\n",
            "pages/api/aliased.py": "from ._views import lower_users as items\n",
            "pages/api/matched.py": "import sys\nmatch sys.platform:\n    case 'linux':\n        async def get(request):\n"
                                    "            return {}\n    case _:\n        async def get(request):\n            return {}\n",
            "views.py": "",  # a module of the project, as serve imports it (it is not itself a route)
            "pages/api/_views.py": ""}
    result = check(make_project(fine))
    assert result.returncode == 0, result.stdout
    assert "checked 9 files: 0 errors" in result.stdout


@cites("docs/compiler.md", "Each error is reported as `file:line:col: message`, with the source line, a caret and a hint")
@cites("docs/compiler.md", "`pyxle check` prints every error of every page and exits 1 if there is any. It also reports, in\n"
       "the same form, each name a page's Python uses but nothing defines (`undefined name 'user'`")
@cites("docs/compiler.md", "(`pages/api/items.py:1: get() does not take the request`)")
def test_check_prints_the_docs_examples_from_every_file_and_exits_1(make_project) -> None:
    """docs/compiler.md's own examples, each from its own file, in one run."""
    project = make_project({
        "pages/index.pyxl": "@server\nasync def load(request):\n    return {'name': user.name}\n\n"
                            "export default function Home() { return <p>home</p> }\n",
        "pages/about.pyxl": "@action\ndef save(request):\n    return {}\n\nexport default function About() { return null }\n",
        "pages/api/items.py": "async def get():\n    return []\n",
    })
    result = check(project)
    assert result.returncode == 1
    assert ("pages/index.pyxl:3:21: undefined name 'user'\n        return {'name': user.name}\n"
            "                        ^\n    hint: define or import it") in result.stdout  # the line, a caret, a hint
    assert "pages/about.pyxl:2:1: @action save() must be async def" in result.stdout
    assert "pages/api/items.py:1: get() does not take the request" in result.stdout
    assert "checked 3 files: 3 errors" in result.stderr


SUBMODULES = {
    "lib/models.py": "def f():\n    return 1\n",
    "lib/deep/thing.py": "X = 1\n",
    "db.py": "Y = 1\n",
    "db/sub.py": "Z = 1\n",
    "pydantic/notes.txt": "a folder named like an installed package, which wins over it\n",
    "pages/api/a.py": "import lib.models\nimport lib.deep.thing\nfrom lib.models import f\nimport pydantic.fields\n"
                      "import lib.modles\nimport lib.deep.nope\nimport db.sub\n\n\nasync def get(request):\n"
                      "    return {}\n",
}


@cites("docs/pages.md", "`import\n  lib.modles` is `no module named 'lib.modles'` when `lib/` has no `modles.py`, and so is `import\n"
                        "  db.sub` when a `db.py` stands beside the `db/` folder")
def test_check_names_a_misspelt_module_of_a_package_of_the_projects_own(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    """Only the top-level name was looked up: check and build passed, and serve stopped on it."""
    project = make_project(SUBMODULES)
    result = check(project)
    assert result.returncode == 1, result.stdout
    assert "pages/api/a.py:5:8: no module named 'lib.modles': pyxle serve would stop on this import" in result.stdout
    assert "pages/api/a.py:6:8: no module named 'lib.deep.nope'" in result.stdout
    assert "pages/api/a.py:7:8: no module named 'db.sub'" in result.stdout
    assert result.stdout.count("no module named") == 3, result.stdout
    for line in ("import lib.modles", "import db.sub"):  # as start-up finds them
        files = {**SUBMODULES, "pages/api/a.py": f"{line}\n\n\nasync def get(request):\n    return {{}}\n"}
        server = start_server(make_project(files, line.split()[1].replace(".", "-")), "serve", "--skip-build",
                              ready=False)
        assert server.wait_exit(120) == 1
        assert "ModuleNotFoundError" in server.output() and line.split()[1].split(".")[0] in server.output()
