"""`pyxle check` and `pyxle build` stop on the Python `pyxle serve` would stop on, reading it and never
running it: an import of a module that is not installed (in a page or an API route), and a name
nothing defines (a typo'd `@sever`). They used to exit 0 on them, and the deploy failed instead."""

from __future__ import annotations

import subprocess

import httpx

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

PAGE = '''
{imports}

@server
async def load(request):
    return {{"word": "hi"}}

export default function Page({{ data }}) {{
  return <p>{{data.word}}</p>
}}
'''
HANDLER = "\nasync def get(request):\n    return {'ok': True}\n"
HINT = 'hint: no module "{name}" is installed: pip install the package that provides it and add that package to ' \
       "requirements.txt"


def pyxle(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as users run it (``python -m`` would put the current folder on sys.path)."""
    return subprocess.run([*pyxle_command(), *args], capture_output=True, text=True, env=server_env(),
                          timeout=120, check=False)


def page(imports: str) -> str:
    return PAGE.format(imports=imports)


@cites("docs/deployment.md", "In pages and API routes alike, it stops on an import of a module that is neither "
       "installed nor in the project's folder")
@cites("docs/pages.md", "So is an import, at the top of a page's Python or of an API route, of a module that is "
       "neither installed nor in the project's folder")
@cites("docs/compiler.md", "and each module a page's Python imports at its top that is neither installed nor in "
       "the project's folder")
def test_check_and_build_refuse_a_pages_import_of_a_module_that_is_not_installed(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": page("import json\nimport not_a_real_module.sub as alias")}, node=True)
    for command in ("check", "build"):
        result = pyxle(command, str(project))
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        said = result.stdout + result.stderr
        assert ("pages/index.pyxl:2:8: no module named 'not_a_real_module': pyxle serve would stop on this import\n"
                "    import not_a_real_module.sub as alias\n") in said, (command, said)
        assert HINT.format(name="not_a_real_module") in said, (command, said)
    assert not (project / "dist" / "manifest.json").exists()  # nothing built in distDir's place
    server = start_server(project, "serve", ready=False)  # what the build now says before the deploy
    assert server.wait_exit(60) == 1
    assert "pages/index.pyxl:2: ModuleNotFoundError" in server.output(), server.output()


@cites("docs/deployment.md", "In pages and API routes alike, it stops on an import of a module that is neither "
       "installed nor in the project's folder")
def test_check_and_build_refuse_an_api_routes_import_of_a_module_that_is_not_installed(make_project) -> None:
    project = make_project({"pages/api/hello.py": "from nope_mod import thing" + HANDLER})
    for command in ("check", "build"):
        result = pyxle(command, str(project))
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        said = result.stdout + result.stderr
        assert "pages/api/hello.py:1:6: no module named 'nope_mod': pyxle serve would stop on this import" in said, said
        assert HINT.format(name="nope_mod") in said, (command, said)


@cites("docs/deployment.md", "It reads the pages' Python as `pyxle check` does, without running it, and stops on "
       "the same errors: a name nothing defines")
@cites("docs/pages.md", "`pyxle build` stops on these errors too, and on each name a page's Python uses but "
       "nothing defines")
def test_build_refuses_a_name_nothing_defines_as_check_does(make_project) -> None:
    project = make_project({"pages/index.pyxl": page("import json").replace("@server", "@sever")}, node=True)
    for command in ("check", "build"):
        result = pyxle(command, str(project))
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        said = result.stdout + result.stderr
        assert "pages/index.pyxl:3:2: undefined name 'sever'\n    @sever\n" in said, (command, said)
        assert "hint: define or import it: the code would raise NameError when it runs" in said, (command, said)
    assert not (project / "dist" / "manifest.json").exists()


@cites("docs/deployment.md", "one in a `try` whose `except` catches `ImportError`, under an `if` "
       "(`if TYPE_CHECKING:`), inside a function, and a relative import are not")
@cites("docs/pages.md", "An import written to do without its module is not reported: one in a `try` whose "
       "`except` catches `ImportError`, under an `if` (`if TYPE_CHECKING:`), inside a function, and a relative import")
def test_an_import_written_to_tolerate_absence_is_not_reported(make_project) -> None:
    tolerant = ("from typing import TYPE_CHECKING\n"
                "try:\n    import not_installed_fast\nexcept ImportError:\n    not_installed_fast = None\n"
                "try:\n    from not_installed_either import x\nexcept (ModuleNotFoundError, ValueError):\n    x = None\n"
                "if TYPE_CHECKING:\n    import not_installed_types\n"
                "from . import _sibling\n"
                "def later():\n    import not_installed_until_called\n")
    project = make_project({"pages/index.pyxl": page(tolerant), "pages/api/hello.py": tolerant + HANDLER}, node=True)
    for command in ("check", "build"):
        result = pyxle(command, str(project))
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "no module named" not in result.stdout + result.stderr


@cites("docs/deployment.md", "Only the imports a file runs at its top level are looked up, with the project's "
       "folder on `sys.path` as `pyxle serve` has it, and none is imported")
@cites("docs/pages.md", "it is looked up with the project's folder on `sys.path`, as `pyxle serve` has it, and "
       "never imported")
def test_a_module_of_the_project_resolves_as_it_does_for_pyxle_serve(make_project, start_server) -> None:
    """The project's folder is on sys.path for `pyxle serve`, so `import db` finds its `db.py`: so it is
    for check and build, wherever they are run from."""
    files = {"db.py": "import sys\nprint('db ran', file=sys.stderr)\nNAME = 'from db'\n", "helpers/__init__.py": "", "helpers/text.py": "def shout(s):\n    return s\n",
             "pages/index.pyxl": page("import db\nfrom helpers.text import shout"),
             "pages/api/hello.py": "import db\nimport helpers.text" + HANDLER}
    project = make_project(files, node=True)
    for command in ("check", "build"):
        result = pyxle(command, str(project))
        assert result.returncode == 0, (command, result.stdout, result.stderr)
        assert "db ran" not in result.stdout + result.stderr  # looked up, never run
    server = start_server(project, "serve", "--skip-build")
    assert httpx.get(server.url + "/api/hello", timeout=10).json() == {"ok": True}
