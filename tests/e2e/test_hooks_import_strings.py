"""Route hook import strings in the forms app middleware takes, ``"module.path:attr"`` and
``"module.path.attr"`` (pyxle-framework 0.9.4 and 0.4.5 took only the first), on a real server:
the dotted form was refused by the config check, and an entry naming nothing did not name the
config file it is in."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.docs._blocks import cites, doc_block

HOOKS = '''
async def timing(context, request, call_next):
    response = await call_next(request)
    response.headers["x-timing"] = context.path
    return response


class Tag:
    def on_post_call(self, request, response, context):
        response.headers["x-tag"] = context.target
'''
PAGE = '''
@server
async def load(request):
    return {"title": "Home"}

export default function Home({ data }) { return <h1>{data.title}</h1> }
'''
KEY = {"PYXLE_SECRET_KEY": "h" * 40}


def _project(make_project, hooks: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    return make_project({"app_hooks/__init__.py": "", "app_hooks/route.py": HOOKS, "hooks.py": HOOKS,
                         "pages/index.pyxl": PAGE, "pages/api/ping.py": "async def get(request):\n    return {}\n",
                         "pyxle.config.json": json.dumps({"routeMiddleware": hooks})})


@cites("docs/middleware.md", 'Each hook is listed as `"module.path:attr"` or, as app middleware may be,\n'
                             '`"module.path.attr"`')
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_dotted_and_colon_hook_strings_both_wrap_the_routes(make_project, start_server, command: str) -> None:
    project = _project(make_project, {"apis": ["app_hooks.route.timing", "hooks:Tag"],
                                      "pages": ["hooks.timing", "app_hooks.route.Tag"]})
    server = start_server(project, command, env=KEY)
    api = httpx.get(server.url + "/api/ping", timeout=30)
    assert api.status_code == 200 and api.headers["x-timing"] == "/api/ping", server.output()
    assert api.headers["x-tag"] == "api", dict(api.headers)
    page = httpx.get(server.url + "/", headers={"x-pyxle-navigation": "1"}, timeout=30)
    assert page.status_code == 200 and page.headers["x-timing"] == "/" and "x-tag" in page.headers, dict(page.headers)


@cites("docs/middleware.md", "an entry that names nothing\nstops start-up naming the file, the setting and the entry")
@pytest.mark.parametrize("entry", ["hooks.timer", "hooks:timer"])
def test_a_hook_string_naming_nothing_stops_start_up_naming_the_config_file_and_the_entry(
        make_project, start_server, entry: str) -> None:
    server = start_server(_project(make_project, {"apis": [entry]}), "serve", env=KEY, ready=False)
    assert server.wait_exit(60) == 1
    expected = doc_block("docs/middleware.md", "hook-import-error").replace("'hooks.timer'", repr(entry))
    assert expected in server.output(), server.output()
    assert "Traceback" not in server.output()


def test_a_dotted_hook_whose_module_is_missing_names_what_it_found_instead(make_project, start_server) -> None:
    """The longest part that is a module is looked in, as for app middleware."""
    server = start_server(_project(make_project, {"pages": ["app_hooks.nowhere.timing"]}), "serve", env=KEY,
                          ready=False)
    assert server.wait_exit(60) == 1
    assert ("pyxle: pyxle.config.json: routeMiddleware.pages[0] 'app_hooks.nowhere.timing' cannot be imported: "
            "AttributeError: module 'app_hooks' has no attribute 'nowhere'") in server.output(), server.output()


COUNTER = '''
async def counter(context, request, call_next):
    request.state.calls = getattr(request.state, "calls", 0) + 1
    response = await call_next(request)
    response.headers["x-calls"] = str(request.state.calls)
    return response
'''
ACTION_PAGE = '''
@action
async def save(request):
    return {"ok": True}

export default function P() { return <p>hi</p> }
'''


@cites("docs/middleware.md", "inside the `pages` hooks (a hook listed under both runs once)")
@pytest.mark.parametrize(("pages", "actions"), [("hooks:counter", "hooks.counter"), ("hooks.counter", "hooks:counter"),
                                                ("hooks:counter", "hooks:counter")])
def test_a_hook_listed_under_pages_and_actions_in_either_spelling_runs_once_on_an_action(
        make_project, start_server, pages: str, actions: str) -> None:
    """Both lists were compared by their strings, so `hooks:counter` and `hooks.counter` ran it twice."""
    project = make_project({"hooks.py": COUNTER, "pages/index.pyxl": ACTION_PAGE,
                            "pyxle.config.json": json.dumps({"routeMiddleware": {"pages": [pages], "actions": [actions]},
                                                             "csrf": False})})
    server = start_server(project, "serve", env=KEY)
    answer = httpx.post(server.url + "/api/__actions/index/save", json={}, timeout=30)
    assert answer.status_code == 200 and answer.headers["x-calls"] == "1", (answer.headers, server.output())
