"""A route file beside a folder of the same name (``pages/api/users.py`` next to ``pages/api/users/``,
as Next.js projects lay out a list and its items) is that folder's package too: both import the
folder's private helpers. Python gives a module and a package one name, so the folder's relative
imports failed (``'pages.api.users' is not a package``) and stopped start-up, on 0.9.4 as well."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx

from tests.conftest import NODE_MODULES, pyxle_command, server_env, serving
from tests.docs._blocks import cites

FILES = {
    "pages/api/users.py": """
        from .users._db import NAMES

        async def get(request):
            return {"users": NAMES}
    """,
    "pages/api/users/_db.py": "NAMES = ['ada', 'grace']\n",
    "pages/api/users/[id].py": """
        from ._db import NAMES

        async def get(request, id: int):
            return {"user": NAMES[id]}
    """,
    "pages/admin.pyxl": """
        from .admin._titles import TITLE

        @server
        async def load(request):
            return {"title": TITLE}

        export default function Admin({ data }) {
          return <h1>{"admin:" + data.title}</h1>
        }
    """,
    "pages/admin/_titles.py": "TITLE = 'Control room'\n",
    "pages/admin/api/stats.py": """
        from .._titles import TITLE

        async def get(request):
            return {"title": TITLE}
    """,
}


def answers(url: str) -> tuple[object, object, object, str]:
    def get(path: str) -> httpx.Response:
        return httpx.get(url + path, timeout=10)

    return get("/api/users").json(), get("/api/users/1").json(), get("/admin/api/stats").json(), get("/admin").text


@cites("docs/api-routes.md", "A route file beside a folder of the same name (`pages/api/users.py` next to `pages/api/users/`)\n"
                             "is that folder's package as well")
def test_a_route_beside_its_same_named_folder_and_the_folders_routes_import_its_helpers(
        make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    server = start_server(make_project(FILES, node=True), "serve")
    users, user, stats, admin = answers(server.url)
    assert users == {"users": ["ada", "grace"]}
    assert user == {"user": "grace"}
    assert stats == {"title": "Control room"}
    assert "admin:Control room" in admin, admin


def test_so_does_a_deploy_of_dist_without_pages(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = make_project(FILES, node=True)
    built = subprocess.run([*pyxle_command(), "build", "."], cwd=project, capture_output=True, text=True,
                           env=server_env(), timeout=180, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    app = tmp_path / "deploy"
    app.mkdir()
    shutil.copytree(project / "dist", app / "dist")
    (app / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    with serving(app, "--skip-build") as server:
        users, user, stats, admin = answers(server.url)
    assert (users, user, stats) == ({"users": ["ada", "grace"]}, {"user": "grace"}, {"title": "Control room"})
    assert "admin:Control room" in admin, admin
