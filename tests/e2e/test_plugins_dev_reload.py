"""Plugins under a real `pyxle dev` when a `.env` file is edited, and what `ctx.settings` gives them:
pyxle-db 0.3.1 from the package index and plugins of the project's own, answers over HTTP."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from tests.docs._blocks import cites
from tests.e2e.test_dev_config_reload import becomes  # until a new worker answers

MIGRATION = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n"
SLOW_API = '''
import asyncio

async def post(request):
    db = request.state.db
    before = await db.fetchone("SELECT count(*) AS n FROM notes")
    await asyncio.sleep(4)
    await db.execute("INSERT INTO notes (body) VALUES (?)", ["slow"])
    return {"before": before["n"]}
'''
ENV_API = "import os\n\n\nasync def get(request):\n    return {'greeting': os.environ.get('GREETING')}\n"


@cites("docs/getting-started.md", "When the project has [plugins](migrating.md#plugins), an edit to a `.env` file is applied\nin a new worker")
@cites("docs/configuration.md", "When the project has plugins, an\nedit to any value is applied in a new worker")
def test_a_request_using_pyxle_db_gets_its_answer_when_a_dotenv_edit_reloads_meanwhile(make_project, start_server) -> None:
    """The plugins were restarted in place: pyxle-db's database closed under the request (500
    "Cannot operate on a closed database"). A new worker lets the old one finish it."""
    project = make_project({"pages/api/slow.py": SLOW_API, "pages/api/env.py": ENV_API,
                            "migrations/0001-notes.sql": MIGRATION, ".env": "GREETING=one\n",
                            "pyxle.config.json": json.dumps({"plugins": ["pyxle-db"]})})
    server = start_server(project, "dev")
    answers: list[httpx.Response] = []
    slow = threading.Thread(target=lambda: answers.append(httpx.post(server.url + "/api/slow", timeout=60)))
    slow.start()
    time.sleep(1.5)  # the request has read, and sleeps
    (project / ".env").write_text("GREETING=two\n")
    slow.join(60)
    assert answers and answers[0].status_code == 200, (answers and answers[0].text, server.output())
    assert answers[0].json() == {"before": 0}
    becomes(lambda: httpx.get(server.url + "/api/env").json() == {"greeting": "two"}, server)
    out = server.wait_for_output("applied the new .env", timeout=40)
    assert ".env changed: loading the project with it in a new worker" in out


MOODY = '''
import os
from pyxle.plugins import PyxlePlugin

def _log(line):
    with open(os.environ["PLUGIN_LOG"], "a") as log:
        log.write(line + "\\n")

class Moody(PyxlePlugin):
    name = "moody"
    async def on_startup(self, ctx):
        ctx.register("moody.mood", os.environ["MOOD"])
        if os.environ["MOOD"] == "grumpy":
            raise RuntimeError("too grumpy to start")
        _log("start " + os.environ["MOOD"])
    async def on_shutdown(self, ctx):
        _log("stop " + ctx.require("moody.mood"))
'''
MOOD_API = "from pyxle.plugins import plugin\n\n\nasync def get(request):\n    return {'mood': plugin('moody.mood')}\n"


def test_a_dotenv_edit_a_plugin_refuses_leaves_the_running_plugins_serving(make_project, start_server, tmp_path: Path) -> None:
    """In place, the plugins were stopped, the failed start left its service registered (answering
    from a stopped plugin), and the next edit stopped plugins that had never started."""
    log = tmp_path / "plugins.log"
    project = make_project({"moody.py": MOODY, "pages/api/mood.py": MOOD_API, ".env": "MOOD=fine\n",
                            "pyxle.config.json": json.dumps({"plugins": [{"name": "moody", "module": "moody",
                                                                           "attribute": "Moody"}]})})
    server = start_server(project, "dev", env={"PLUGIN_LOG": str(log)})
    url = server.url + "/api/mood"
    assert httpx.get(url).json() == {"mood": "fine"}
    (project / ".env").write_text("MOOD=grumpy\n")
    out = server.wait_for_output("plugin 'moody' failed to start: RuntimeError: too grumpy to start", timeout=40)
    assert ".env not applied, the server keeps its last good configuration" in out
    for _ in range(5):  # the running worker's plugins still serve
        assert httpx.get(url).json() == {"mood": "fine"}
        time.sleep(0.3)
    (project / ".env").write_text("MOOD=calm\n")
    becomes(lambda: httpx.get(url).json() == {"mood": "calm"}, server)
    server.wait_for_output("applied the new .env", timeout=40)
    lines = log.read_text().splitlines()
    # start-up's own try (start, stop), the first worker, the check of the refused edit (nothing to
    # log), the check of the fixed one, then the new worker as the old one stops
    assert [line for line in lines if line.startswith("stop")] == ["stop fine", "stop calm", "stop fine"], lines


def test_a_config_edit_after_an_in_place_dotenv_edit_is_announced_as_the_config_alone(
        make_project, start_server) -> None:
    """The server process did not know the worker had applied the `.env` edit itself, and named
    it again with every later config edit ("applied the new pyxle.config.json and .env")."""
    project = make_project({"pages/api/env.py": ENV_API, ".env": "GREETING=one\n",
                            "pyxle.config.json": '{"name": "Env"}'})
    server = start_server(project, "dev")
    (project / ".env").write_text("GREETING=two\n")
    server.wait_for_output("reloaded routes after change to .env", timeout=20)
    (project / "pyxle.config.json").write_text(json.dumps({"name": "Env", "securityHeaders": {"X-Probe": "yes"}}))
    out = server.wait_for_output("applied the new pyxle.config.json", timeout=40)
    assert "pyxle.config.json and .env" not in out, out
    becomes(lambda: httpx.get(server.url + "/api/env").headers.get("x-probe") == "yes", server)
    assert httpx.get(server.url + "/api/env").json() == {"greeting": "two"}


READS_SETTINGS = '''
from pyxle.plugins import PyxlePlugin

class Reads(PyxlePlugin):
    name = "reads"
    async def on_startup(self, ctx):
        s = ctx.settings
        try:
            s.vite_port
        except AttributeError as exc:
            vite = str(exc)
        ctx.register("reads.settings", {"app_name": s.app_name, "host": s.starlette_host, "port": s.starlette_port,
                                        "debug": s.debug, "build_root": str(s.build_root),
                                        "project_root": str(s.project_root), "vite": vite})
'''
SETTINGS_API = "from pyxle.plugins import plugin\n\n\nasync def get(request):\n    return plugin('reads.settings')\n"


@cites("docs/migrating.md", "`ctx.settings` also answers to the names 0.9's settings had")
def test_ctx_settings_answers_to_the_names_of_pyxle_framework_0_9(make_project, start_server) -> None:
    project = make_project({"reads.py": READS_SETTINGS, "pages/api/settings.py": SETTINGS_API,
                            "pyxle.config.json": json.dumps({"name": "Shop", "plugins": [
                                {"name": "reads", "module": "reads", "attribute": "Reads"}]})})
    for command, debug in (("dev", True), ("serve", False)):
        server = start_server(project, command, env={"PYXLE_SECRET_KEY": "s" * 40})
        got = httpx.get(server.url + "/api/settings").json()
        port = int(server.url.rsplit(":", 1)[1])
        assert got == {"app_name": "Shop", "host": "127.0.0.1", "port": port, "debug": debug,
                       "build_root": str(project / ".pyxle-build"), "project_root": str(project),
                       "vite": got["vite"]}, command
        assert got["vite"].startswith("ctx.settings.vite_port: Pyxle runs no Vite dev server"), got
        server.stop()


@cites("docs/migrating.md", "A plugin module that imports a package that is not installed names that package")
def test_a_missing_module_is_named_not_the_plugin_entry(make_project, start_server) -> None:
    """The hint said `pip install mine` (the entry's name) whatever was missing."""
    project = make_project({"plugins/__init__.py": "", "plugins/needs_lib.py": "import pyxle_nonexistent_dependency\n",
                            "pages/api/x.py": "async def get(request):\n    return {}\n"})
    for module, hint in (("plugins.needs_lib", "(is it installed? pip install pyxle_nonexistent_dependency)"),
                         ("plugins.typo", f"(no file {project / 'plugins' / 'typo.py'})")):
        (project / "pyxle.config.json").write_text(json.dumps({"plugins": [{"name": "mine", "module": module}]}))
        server = start_server(project, "serve", env={"PYXLE_SECRET_KEY": "s" * 40}, ready=False)
        assert server.wait_exit(60) == 1
        assert server.output().strip().endswith(hint), server.output()
        assert "pip install mine" not in server.output()
