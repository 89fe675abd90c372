"""What the CLI says when the user got something wrong: one `pyxle: ...` line (or a `file:line`
message with the source line and a hint), exit code 1, never a Python traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites

ROUTE = "async def get(request):\n    return {'ok': True}\n"


def pyxle(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(**env), check=False)


def one_line_error(run: subprocess.CompletedProcess[str], *words: str) -> None:
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stderr.startswith("pyxle: "), run.stderr
    for word in words:
        assert word in run.stderr, run.stderr


@pytest.fixture
def api(make_project) -> Path:
    return make_project({"pages/api/hello.py": ROUTE})


def test_openapi_into_folders_that_do_not_exist_makes_them_as_0_9_did(api: Path) -> None:
    """It stopped with `its folder gen/deep does not exist`, where 0.9.4 made the folders."""
    run = pyxle(api, "openapi", ".", "-o", "gen/deep/api.json")
    assert (run.returncode, run.stderr) == (0, "pyxle openapi: wrote gen/deep/api.json\n"), run.stdout + run.stderr
    assert "/api/hello" in json.loads((api / "gen" / "deep" / "api.json").read_text())["paths"]


def test_openapi_under_a_file_is_one_line_naming_it(api: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    target = tmp_path / "a-file" / "deep" / "a.json"
    one_line_error(pyxle(api, "openapi", ".", "-o", str(target)), str(target), "a part of the path is a file")
    assert (tmp_path / "a-file").read_text() == "mine\n"


def test_openapi_onto_a_folder_is_one_line_naming_it(api: Path, tmp_path: Path) -> None:
    one_line_error(pyxle(api, "openapi", ".", "-o", str(tmp_path)), str(tmp_path), "it is a folder")


def test_build_out_dir_onto_a_file_is_one_line_naming_it(api: Path, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("mine\n")
    one_line_error(pyxle(api, "build", ".", "--out-dir", str(target)), f'--out-dir "{target}" is a file, not a folder')
    assert target.read_text() == "mine\n"


def test_build_out_dir_under_a_file_is_one_line_naming_it(api: Path, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("mine\n")
    target = tmp_path / "a-file" / "dist"
    one_line_error(pyxle(api, "build", ".", "--out-dir", str(target)), str(target), "is a file, not a folder")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_build_out_dir_that_cannot_be_created_is_one_line_naming_it(api: Path) -> None:
    one_line_error(pyxle(api, "build", ".", "--out-dir", "/proc/nope"), "/proc/nope", "cannot be created there")


def start_up_error(make_project, start_server, files: dict[str, str], config: dict[str, object]) -> str:
    project = make_project({"pages/api/hello.py": ROUTE, **files, "pyxle.config.json": json.dumps(config)})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert "Traceback" not in output, output
    return output


MIDDLEWARE = "import os\n\nDB = os.environ[\"MW_DB_URL\"]\n\n\nclass Timing:\n    def __init__(self, app):\n        self.app = app\n"


@cites("docs/middleware.md", "When the module itself raises (or a module of the project it imports does), the message starts\nwith that file and line and shows the line")
@cites("docs/middleware.md", "`pyxle: app_middleware.py:3: middleware[0] 'app_middleware:Timing' cannot be imported: KeyError: 'MW_DB_URL'`")
def test_a_middleware_module_that_raises_names_its_file_line_and_source(make_project, start_server) -> None:
    output = start_up_error(make_project, start_server, {"app_middleware.py": MIDDLEWARE},
                            {"middleware": ["app_middleware:Timing"]})
    assert ("pyxle: app_middleware.py:3: middleware[0] 'app_middleware:Timing' cannot be imported: "
            "KeyError: 'MW_DB_URL'\n    DB = os.environ[\"MW_DB_URL\"]\n    hint: ") in output, output


LIFESPAN_HINT = ('hint: a middleware must pass what is not HTTP (scope["type"] "lifespan" and "websocket") to the '
                 'app it wraps untouched, e.g. if scope["type"] != "http": return await self.app(scope, receive, send)')
HEADERS_FIRST = """class Audit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        agent = dict(scope["headers"]).get(b"user-agent")
        await self.app(scope, receive, send)
"""
REQUEST_FIRST = """from starlette.requests import Request


class Audit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        request = Request(scope)
        await self.app(scope, receive, send)
"""


@cites("docs/middleware.md", "A middleware that raises on the lifespan scope (it reads `scope[\"headers\"]` or builds a\n"
       "`Request(scope)` before checking `scope[\"type\"]`) stops start-up the same way")
@cites("docs/middleware.md", "`pyxle: audit.py:6: middleware[0] 'audit:Audit' raised on the lifespan scope (the server's "
       "start-up): KeyError: 'headers'`")
def test_a_middleware_that_reads_headers_before_the_scope_type_stops_start_up_naming_it(
        make_project, start_server) -> None:
    """It left the server up, never ready (every page a 503 "starting"), with only granian's
    "ASGI Lifespan errored" in the log: the lifespan it failed runs Pyxle's own start-up."""
    output = start_up_error(make_project, start_server, {"audit.py": HEADERS_FIRST}, {"middleware": ["audit:Audit"]})
    assert ("pyxle: audit.py:6: middleware[0] 'audit:Audit' raised on the lifespan scope (the server's start-up): "
            "KeyError: 'headers'\n    agent = dict(scope[\"headers\"]).get(b\"user-agent\")\n    " + LIFESPAN_HINT) in output, output
    assert "Lifespan errored" not in output


def test_a_middleware_that_builds_a_request_before_the_scope_type_stops_start_up_naming_it(
        make_project, start_server) -> None:
    """The one that raised is named, not the one outside it that passed the lifespan on to it."""
    outer = "class Outer:\n    def __init__(self, app):\n        self.app = app\n\n" \
            "    async def __call__(self, scope, receive, send):\n        await self.app(scope, receive, send)\n"
    output = start_up_error(make_project, start_server, {"audit.py": REQUEST_FIRST, "outer.py": outer},
                            {"middleware": ["outer:Outer", "audit:Audit"]})
    assert "pyxle: audit.py:9: middleware[1] 'audit:Audit' raised on the lifespan scope" in output, output
    assert "request = Request(scope)" in output and LIFESPAN_HINT in output


@cites("docs/middleware.md", "one whose `__init__` raises is named with its line")
def test_a_middleware_whose_init_raises_stops_start_up_naming_it(make_project, start_server) -> None:
    source = "class Audit:\n    def __init__(self, app, level=None):\n        self.app = app\n" \
             "        if level is None:\n            raise ValueError('no level given')\n"
    output = start_up_error(make_project, start_server, {"audit.py": source}, {"middleware": ["audit:Audit"]})
    assert ("pyxle: audit.py:5: middleware[0] 'audit:Audit' failed as it was made: ValueError: no level given\n"
            "    raise ValueError('no level given')\n    hint: Pyxle makes each middleware once as a worker starts, "
            "as Audit(app)") in output, output


@cites("docs/middleware.md", "a class without `__call__`) stops start-up naming the file and line")
def test_a_middleware_class_without_call_taking_one_other_argument_stops_start_up_naming_it(
        make_project, start_server) -> None:
    """Its __init__ takes one argument (not the app), so it was made with the app and failed on
    the lifespan as "'NeedsArg' object is not callable", with no entry, file or line."""
    source = "class NeedsArg:\n    def __init__(self, header):\n        self.header = header\n"
    output = start_up_error(make_project, start_server, {"audit.py": source}, {"middleware": ["audit:NeedsArg"]})
    assert "pyxle: audit.py:1: middleware[0] 'audit:NeedsArg' is a class without __call__(self, scope, receive, " \
           "send): what it makes is not a middleware" in output, output
    assert "hint: expected an ASGI middleware class" in output and "is not callable" not in output, output


def test_a_plugins_middleware_that_fails_on_the_lifespan_stops_the_workers_naming_it(
        make_project, start_server) -> None:
    """A plugin's middleware is made in the workers only: each one's start-up fails, naming it,
    and the server stops (it served 503 "starting" for ever)."""
    plugin = ("from pyxle.plugins import PyxlePlugin\n\n\nclass Mine(PyxlePlugin):\n    name = 'mine'\n\n"
              "    def middleware(self):\n        return ['audit:Audit']\n")
    output = start_up_error(make_project, start_server, {"audit.py": HEADERS_FIRST, "mine.py": plugin},
                            {"plugins": [{"name": "mine", "module": "mine", "attribute": "Mine"}]})
    assert ("audit.py:6: plugin middleware 'audit:Audit' raised on the lifespan scope (the server's start-up): "
            "KeyError: 'headers'") in output, output
    assert LIFESPAN_HINT in output and "the app failed to start in every worker; the server stops" in output


def test_a_middleware_importing_a_missing_package_says_to_install_it(make_project, start_server) -> None:
    output = start_up_error(make_project, start_server,
                            {"app_middleware.py": "import nopkg_zz\n\n\nclass Timing:\n    pass\n"},
                            {"middleware": ["app_middleware:Timing"]})
    assert "pyxle: app_middleware.py:1: middleware[0] 'app_middleware:Timing' cannot be imported: " \
           "ModuleNotFoundError: No module named 'nopkg_zz'\n    import nopkg_zz\n" in output, output
    assert 'hint: no module "nopkg_zz" is installed: pip install the package that provides it' in output
    assert "requirements.txt" in output and "move side effects" not in output


def test_a_route_hook_whose_helper_has_a_syntax_error_names_the_helper_line(make_project, start_server) -> None:
    output = start_up_error(make_project, start_server, {
        "app_hooks.py": "import lib.helpers\n\n\nasync def timing(context, request, call_next):\n"
                        "    return await call_next(request)\n",
        "lib/__init__.py": "", "lib/helpers.py": "VALUE = 1\nBROKEN = (\n",
    }, {"routeMiddleware": {"apis": ["app_hooks:timing"]}})
    assert "pyxle: lib/helpers.py:2: routeMiddleware.apis[0] 'app_hooks:timing' cannot be imported: SyntaxError" \
           in output, output
    assert "hint: fix the syntax error" in output and "move side effects" not in output


def test_a_route_importing_a_missing_package_says_to_install_it(make_project, start_server) -> None:
    output = start_up_error(make_project, start_server,
                            {"pages/api/hello.py": "import nopkg_zz\n\n" + ROUTE}, {})
    assert "pyxle: pages/api/hello.py:1: ModuleNotFoundError while importing: No module named 'nopkg_zz'" in output
    assert "add that package to requirements.txt" in output and "move side effects" not in output


def test_a_route_whose_helper_has_a_syntax_error_says_to_fix_it_there(make_project, start_server) -> None:
    output = start_up_error(make_project, start_server, {
        "pages/api/hello.py": "import helpers\n\n" + ROUTE, "helpers.py": "def broken(:\n    pass\n",
    }, {})
    assert "pyxle: pages/api/hello.py:1: SyntaxError while importing" in output, output
    assert "hint: fix the syntax error at helpers.py:1" in output and "move side effects" not in output


@cites("docs/configuration.md", "when a `.env` file set it, the message starts with that file and line:\n`pyxle: /app/.env:2: PYXLE_PORT must be ...`")
def test_a_bad_port_in_a_dotenv_file_names_the_file_and_line(api: Path) -> None:
    (api / ".env").write_text("# settings\nAPP_NAME=demo\nPYXLE_PORT=abc\n")
    one_line_error(pyxle(api, "dev", ".", "--print-config"),
                   f"pyxle: {api / '.env'}:3: PYXLE_PORT must be an integer between 0 and 65535")


def test_a_bad_port_in_the_shell_names_only_the_variable(api: Path) -> None:
    (api / ".env").write_text("PYXLE_PORT=abc\n")  # the shell's value wins over the file's
    run = pyxle(api, "dev", ".", "--print-config", PYXLE_PORT="xyz")
    one_line_error(run, 'pyxle: PYXLE_PORT must be an integer between 0 and 65535 (0: any free port) (got "xyz")')


@pytest.mark.parametrize("config,shown", [({}, None), ({"csrf": {"apiRoutes": False}}, False),
                                          ({"csrf": {"apiRoutes": None}}, None),
                                          ({"csrf": {"apiRoutes": ["/api/a"]}}, ["/api/a"])])
@cites("docs/configuration.md", "`pyxle dev\n--print-config` shows the unset value as `\"apiRoutes\": null`")
def test_print_config_shows_csrf_api_routes_as_set_and_null_when_unset(api: Path, config, shown) -> None:
    (api / "pyxle.config.json").write_text(json.dumps(config))
    run = pyxle(api, "dev", ".", "--print-config")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["csrf"]["apiRoutes"] == shown


SYNTAX_PAGE = '''import platform

@server
async def load(request):
    x = 1
    return {"python": platform.python_version(), "start": 0,,}

export default function Page({ data }) {
  return <p>{data.python}</p>
}
'''


def test_a_python_syntax_error_in_a_page_points_at_its_column_from_the_project_folder(make_project) -> None:
    """``pyxle check .`` and ``pyxle dev`` run from the project, where the page's relative path is
    a real file: the parser read the error's line from it at the statement's own line number (1
    here) and clipped the column to that line, 6:26 instead of 6:61."""
    project = make_project({"pages/index.pyxl": SYNTAX_PAGE})
    for where in (".", str(project)):
        run = pyxle(project, "check", where)
        assert run.returncode == 1 and "pages/index.pyxl:6:61: Python syntax error" in run.stdout + run.stderr, (
            where, run.stdout + run.stderr)


BROKEN_ROUTES = {
    "syntax": ("async def get(request)\n    return {}\n",
               "pyxle: pages/api/bad.py:1: SyntaxError: expected ':'\n    async def get(request)\n    hint: fix the syntax"),
    "no handler": ("x = 1\n", "pyxle: pages/api/bad.py: defines no handler\n    hint: define functions named after"),
}


@cites("docs/deployment.md", "`pyxle build` also reads every API route, without running it, and stops with exit code 1 where\n"
                             "`pyxle serve` would refuse to start")
@cites("docs/deployment.md", "(`pyxle: pages/api/orders.py:3: SyntaxError: ...`, the source line and a hint)")
@cites("docs/types.md", "An API route that\n`pyxle serve` would refuse (a syntax error, no handler) stops it first")
@pytest.mark.parametrize("command", ["build", "typecheck"])
@pytest.mark.parametrize("broken", BROKEN_ROUTES)
def test_build_and_typecheck_stop_on_an_api_route_serve_would_refuse(make_project, command: str, broken: str) -> None:
    """As `pyxle serve --skip-build` does (and `pyxle check`): these exited 0, and CI deployed a
    project whose server would not start."""
    source, message = BROKEN_ROUTES[broken]
    project = make_project({"pages/api/hello.py": ROUTE, "pages/api/bad.py": source}, node=True)
    run = pyxle(project, command, ".")
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.stderr.startswith(message) and "Traceback" not in run.stderr, run.stderr
    assert not (project / "dist" / "manifest.json").exists()


@cites("docs/configuration.md", "one is named in a hint (`hint: JSON\nallows no trailing comma: remove the , before it`)")
@cites("docs/configuration.md", "and so is an empty file (`hint: the file is\nempty: write {} for no settings`)")
@cites("docs/configuration.md", "`invalid JSON: nested too deeply for the parser`")
@cites("docs/configuration.md", "a comment too (`hint: JSON has no comments: remove the // comment`)")
@pytest.mark.parametrize("command", ["check", "serve"])
@pytest.mark.parametrize("text,message", [
    ('{\n  "name": "x" // my app\n}\n', ("invalid JSON at line 2, column 15: Expecting ',' delimiter; "
                                        "hint: JSON has no comments: remove the // comment")),
    ('{\n  // settings\n  "name": "x"\n}\n', ("invalid JSON at line 2, column 3: Expecting property name enclosed in "
                                             "double quotes; hint: JSON has no comments: remove the // comment")),
    ('{"name": "x", /* the app */ "lang": "en"}', ("invalid JSON at line 1, column 15: Expecting property name enclosed in "
                                                 "double quotes; hint: JSON has no comments: remove the /* */ comment")),
    ('{"plugins": [/* none yet */]}', ("invalid JSON at line 1, column 14: Expecting value; "
                                      "hint: JSON has no comments: remove the /* */ comment")),
    ('{"name": "x",}', ("invalid JSON at line 1, column 14: Expecting property name enclosed in double quotes; "
                        "hint: JSON allows no trailing comma: remove the , before it")),
    ('{"plugins": [\n  "a",\n]}', "invalid JSON at line 3, column 1: Expecting value; hint: JSON allows no trailing comma"),
    ("", "invalid JSON at line 1, column 1: Expecting value; hint: the file is empty: write {} for no settings"),
    ('{"name": ' + "[" * 5000 + "]" * 5000 + "}", "invalid JSON: nested too deeply for the parser; hint: "),
])
def test_a_config_file_that_is_no_json_is_one_line_with_a_hint(api: Path, command: str, text: str, message: str) -> None:
    """A config nested 1,000 levels deep ended in a RecursionError traceback; a trailing comma and
    an empty file had only Python's words."""
    (api / "pyxle.config.json").write_text(text)
    one_line_error(pyxle(api, command, ".", "--port", "0") if command == "serve" else pyxle(api, command, "."),
                   f"pyxle: {api / 'pyxle.config.json'}: {message}")


@cites("docs/configuration.md", 'set it):\n`pyxle: PYXLE_PAGES_DIR "nope": . has no nope/ folder; '
                                'hint: set it to the folder that holds the pages, or unset it for pages/`')
def test_a_pages_dir_that_is_not_there_names_the_setting(api: Path) -> None:
    one_line_error(pyxle(api, "check", ".", PYXLE_PAGES_DIR="nope"),
                   'pyxle: PYXLE_PAGES_DIR "nope": . has no nope/ folder; hint: set it to the folder that holds the '
                   "pages, or unset it for pages/")
    (api / "pyxle.config.json").write_text('{"pagesDir": "src/pages"}')
    one_line_error(pyxle(api, "routes", "."), f'pyxle: {api / "pyxle.config.json"}: pagesDir "src/pages": . has no '
                                              "src/pages/ folder; hint: set it to the folder")


@cites("docs/configuration.md", "(with its `.env` file and line when a file set it)")
def test_a_pages_dir_that_is_not_there_set_in_a_dotenv_file_names_its_line(api: Path) -> None:
    """Every other bad variable a .env file set was named with its file and line; this one was not."""
    (api / ".env").write_text("# folders\nPYXLE_PAGES_DIR=nope\n")
    one_line_error(pyxle(api, "check", "."), f'pyxle: {api / ".env"}:2: PYXLE_PAGES_DIR "nope": . has no nope/ folder; '
                                             "hint: set it to the folder that holds the pages, or unset it for pages/")


@cites("docs/compiler.md", "| a component to render | `no default export: a page's JSX must `export default` its component` |")
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_page_without_a_default_export_is_reported_at_its_component(make_project, command: str) -> None:
    """It was reported at the file's last line, the component's closing brace."""
    page = "@server\nasync def load(request):\n    return {'a': 1}\n\n\nfunction Page({ data }) {\n  return <p>{data.a}</p>\n}\n"
    project = make_project({"pages/x.pyxl": page}, node=True)
    run = pyxle(project, command, ".")
    assert run.returncode == 1
    assert ("pages/x.pyxl:6:1: no default export: a page's JSX must `export default` its component\n"
            "    function Page({ data }) {\n"
            "    ^\n"
            "    hint: add `export default Page` after it") in run.stdout + run.stderr


def test_a_page_in_pages_api_is_named_with_its_pages_prefix(api: Path) -> None:
    (api / "pages" / "api" / "page.pyxl").write_text("export default function P() { return <p>x</p>; }\n")
    run = pyxle(api, "routes", ".")
    assert run.returncode == 1
    assert "  pages/api/page.pyxl: pages/api/ holds only API routes (.py files), not .pyxl pages; hint: " in run.stderr
