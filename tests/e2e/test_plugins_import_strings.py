"""Middleware import strings in both forms 0.4 plugins wrote: ``"package.module:Class"`` and
``"package.module.Class"``, from a plugin's ``middleware()`` and the config's ``middleware``,
under a real ``pyxle serve`` and ``pyxle dev``; a string that names nothing stops start-up once."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.docs._blocks import cites

HELLO = '''
from pyxle.plugins import PyxlePlugin

class TagMiddleware:
    def __init__(self, app, header="x-tag", value="v"):
        self.app, self.header, self.value = app, header.encode(), value.encode()

    async def __call__(self, scope, receive, send):
        async def tagged(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((self.header, self.value))
            await send(message)
        await self.app(scope, receive, tagged)

class Plugin(PyxlePlugin):
    name = "hello"

    def middleware(self):
        return [("plugins.hello.TagMiddleware", {"header": "x-hello", "value": "yes"}),
                ("plugins.hello:TagMiddleware", {"header": "x-colon", "value": "yes"}),
                "plugins.hello.Nested.Tag"]

class Nested:
    class Tag(TagMiddleware):
        def __init__(self, app):
            super().__init__(app, "x-nested", "yes")

plugin = Plugin
'''

APP_MIDDLEWARE = '''
from plugins.hello import TagMiddleware

class Config(TagMiddleware):
    def __init__(self, app):
        super().__init__(app, "x-config", "yes")
'''

FILES = {
    "plugins/__init__.py": "",
    "plugins/hello.py": HELLO,
    "app_middleware.py": APP_MIDDLEWARE,
    "pages/api/ping.py": "async def get(request):\n    return {'ok': True}\n",
    "pyxle.config.json": json.dumps({
        "plugins": [{"name": "hello", "module": "plugins.hello"}],
        "middleware": ["app_middleware.Config"],
    }),
}


@cites("docs/middleware.md", "(or `\"module.path.ClassName\"`, which imports the longest part that is a module")
@cites("docs/migrating.md", "`(\"package.module:Class\", {options})` or `(\"package.module.Class\", {options})`")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_dotted_and_colon_import_strings_both_load_the_middleware(make_project, start_server, command: str) -> None:
    server = start_server(make_project(FILES), command, env={"PYXLE_SECRET_KEY": "s" * 40})
    response = httpx.get(server.url + "/api/ping", timeout=30)
    assert response.status_code == 200, server.output()
    for header in ("x-hello", "x-colon", "x-nested", "x-config"):
        assert response.headers.get(header) == "yes", (header, dict(response.headers))


def _fails(make_project, start_server, files: dict[str, str]) -> str:
    server = start_server(make_project({**FILES, **files}), "serve", env={"PYXLE_SECRET_KEY": "s" * 40}, ready=False)
    assert server.wait_exit(60) == 1
    return server.output()


@cites("docs/migrating.md", "one that names\n  nothing stops start-up naming the plugin, the item and the string")
def test_a_dotted_string_naming_nothing_stops_start_up_naming_it_once(make_project, start_server) -> None:
    output = _fails(make_project, start_server,
                    {"plugins/hello.py": HELLO.replace('"plugins.hello.Nested.Tag"', '"plugins.hello.Missing"')})
    line = next(line for line in output.splitlines() if "middleware[2]" in line)
    assert line == ("pyxle: plugin 'hello' middleware[2] 'plugins.hello.Missing' cannot be imported: "
                    "AttributeError: module 'plugins.hello' has no attribute 'Missing'"), output
    output = _fails(make_project, start_server,
                    {"plugins/hello.py": HELLO.replace('"plugins.hello.Nested.Tag"', '"nowhere.at_all.Tag"')})
    assert ("pyxle: plugin 'hello' middleware[2] 'nowhere.at_all.Tag' cannot be imported: "
            "ModuleNotFoundError: No module named 'nowhere'") in output, output


def test_a_malformed_plugin_middleware_item_says_what_is_expected_once(make_project, start_server) -> None:
    output = _fails(make_project, start_server,
                    {"plugins/hello.py": HELLO.replace('"plugins.hello.Nested.Tag"', '("plugins.hello.Nested.Tag",)')})
    assert output.count("middleware[2]") == 1, output
    assert ("""pyxle: plugin 'hello' middleware[2]: expected "module.path:Class" or ("module.path:Class", {options}), """
            "got ('plugins.hello.Nested.Tag',)") in output, output
