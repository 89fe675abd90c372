"""What `pyxle dev` watches: files and folders created while it runs, files replaced by a save, and
folders renamed under pages/. A real `pyxle dev`, edits on disk, answers over HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

MESSAGE_ROUTE = "from {module} import MSG\n\n\nasync def get(request):\n    return {{'msg': MSG}}\n"
ENV_ROUTE = "import os\n\n\nasync def get(request):\n    return {'greeting': os.environ.get('GREETING')}\n"
PING = {"pages/api/ping.py": "async def get(request):\n    return {'ok': True}\n"}


def answer_becomes(url: str, expected: object, key: str | None = None, timeout: float = 15) -> object:
    """The answer at ``url`` (JSON, or the value at ``key``) once it is ``expected``, or the last
    one after ``timeout`` seconds. Other engineers' edits never touch these projects, so a
    change that does not arrive within 15 s on a loaded machine is one the watcher missed."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(url)
        got = response.json() if response.status_code == 200 else response.status_code
        got = got[key] if key and isinstance(got, dict) else got
        if got == expected or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def page_shows(url: str, text: str, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while text not in httpx.get(url).text:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def replace(file: Path, text: str) -> None:
    """Save as JetBrains' safe write, Emacs and vim can: a new file renamed over the old one."""
    temporary = file.with_name(file.name + ".tmp")
    temporary.write_text(text)
    temporary.rename(file)


def test_a_package_created_while_dev_runs_is_watched(make_project, start_server) -> None:
    project = make_project(PING)
    server = start_server(project, "dev")
    (project / "lib").mkdir()
    (project / "lib" / "__init__.py").write_text("")
    (project / "lib" / "msg.py").write_text('MSG = "v1"\n')
    (project / "pages" / "api" / "msg.py").write_text(MESSAGE_ROUTE.format(module="lib.msg"))
    assert answer_becomes(server.url + "/api/msg", "v1", "msg") == "v1"
    (project / "lib" / "msg.py").write_text('MSG = "second"\n')  # another size: no stale bytecode
    assert answer_becomes(server.url + "/api/msg", "second", "msg") == "second"


def test_a_root_module_created_while_dev_runs_is_watched(make_project, start_server) -> None:
    project = make_project(PING)
    server = start_server(project, "dev")
    (project / "rootmod.py").write_text('MSG = "v1"\n')
    (project / "pages" / "api" / "msg.py").write_text(MESSAGE_ROUTE.format(module="rootmod"))
    assert answer_becomes(server.url + "/api/msg", "v1", "msg") == "v1"
    (project / "rootmod.py").write_text('MSG = "second"\n')
    assert answer_becomes(server.url + "/api/msg", "second", "msg") == "second"


def test_a_component_folder_created_while_dev_runs_is_watched(make_project, start_server) -> None:
    project = make_project({"pages/index.pyxl": "export default function Home() { return <p>home</p> }\n"},
                           node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    (project / "ui").mkdir()
    (project / "ui" / "Badge.jsx").write_text("export default function Badge() { return <b>badge one</b> }\n")
    (project / "pages" / "index.pyxl").write_text(
        "import Badge from '../ui/Badge.jsx'\nexport default function Home() { return <p><Badge /></p> }\n")
    assert page_shows(server.url + "/", "badge one")
    (project / "ui" / "Badge.jsx").write_text("export default function Badge() { return <b>badge two</b> }\n")
    assert page_shows(server.url + "/", "badge two")


def test_an_env_file_created_while_dev_runs_is_read(make_project, start_server) -> None:
    project = make_project({"pages/api/env.py": ENV_ROUTE})
    server = start_server(project, "dev")
    assert httpx.get(server.url + "/api/env").json() == {"greeting": None}
    (project / ".env").write_text("GREETING=hello\n")
    assert answer_becomes(server.url + "/api/env", "hello", "greeting") == "hello"


def test_an_env_file_replaced_by_a_save_is_still_watched(make_project, start_server) -> None:
    project = make_project({"pages/api/env.py": ENV_ROUTE, ".env": "GREETING=one\n"})
    server = start_server(project, "dev")
    url = server.url + "/api/env"
    replace(project / ".env", "GREETING=two\n")
    assert answer_becomes(url, "two", "greeting") == "two"
    (project / ".env").write_text("GREETING=three\n")  # edited in place after the replace
    assert answer_becomes(url, "three", "greeting") == "three"


def test_a_root_module_replaced_by_a_save_is_still_watched(make_project, start_server) -> None:
    project = make_project({"pages/api/msg.py": MESSAGE_ROUTE.format(module="rootmod"), "rootmod.py": 'MSG = "one"\n'})
    server = start_server(project, "dev")
    url = server.url + "/api/msg"
    replace(project / "rootmod.py", 'MSG = "second"\n')
    assert answer_becomes(url, "second", "msg") == "second"
    (project / "rootmod.py").write_text('MSG = "the third"\n')
    assert answer_becomes(url, "the third", "msg") == "the third"


def test_renaming_a_folder_under_pages_moves_its_pages(make_project, start_server) -> None:
    project = make_project({"pages/blog/index.pyxl": "export default function Blog() { return <h1>the blog</h1> }\n"},
                           node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    assert "the blog" in httpx.get(server.url + "/blog").text
    (project / "pages" / "blog").rename(project / "pages" / "posts")
    assert page_shows(server.url + "/posts", "the blog")
    assert httpx.get(server.url + "/blog").status_code == 404


def test_a_folder_moved_into_pages_serves_its_routes(make_project, start_server, tmp_path: Path) -> None:
    project = make_project(PING)
    (tmp_path / "outside" / "shop").mkdir(parents=True)
    (tmp_path / "outside" / "shop" / "items.py").write_text("async def get(request):\n    return ['pen']\n")
    server = start_server(project, "dev")
    (tmp_path / "outside" / "shop").rename(project / "pages" / "api" / "shop")
    assert answer_becomes(server.url + "/api/shop/items", ["pen"]) == ["pen"]
