"""An npm workspaces monorepo: the app in ``apps/web``, its npm packages hoisted by ``npm install``
into the root's ``node_modules`` and none of its own. Node finds them there (each parent folder's
``node_modules`` in turn), and so does Pyxle: check, build, serve and dev work as in a plain app.
pyxle-framework 0.9.4 built this layout; 1.0 refused with "npm packages not installed ... run `pyxle
install`", which installed them at the root again."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import NODE_MODULES, pyxle_command, server_env, serving, ssr_bundle, write_project
from tests.docs._blocks import cites

PAGE = '''
import Counter from '../components/Counter.jsx'

@server
async def load(request):
    return {"word": "hoisted"}

export default function Home({ data }) {
  return <main><h1 data-testid="word">{data.word}</h1><Counter /></main>
}
'''
COUNTER = "export default function Counter() { return <button>count</button> }\n"


def pyxle(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=project, capture_output=True, text=True, timeout=120,
                          env=server_env(), check=False)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``apps/web`` of a workspace whose root ``node_modules`` holds the packages (a link to the suite's)."""
    root = tmp_path_factory.mktemp("monorepo")
    (root / "package.json").write_text(json.dumps({"name": "mono", "private": True, "workspaces": ["apps/*"]}))
    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    package = {"name": "web", "private": True, "dependencies": {"react": "*", "react-dom": "*", "esbuild": "*"}}
    app = write_project(root / "apps" / "web", {"pages/index.pyxl": PAGE, "components/Counter.jsx": COUNTER,
                                                 "package.json": json.dumps(package)}, None)
    assert not (app / "node_modules").exists()
    return app


def page_and_script(url: str) -> None:
    """The page is rendered on the server with its loader's data, and its module is served."""
    html = httpx.get(url + "/", timeout=10).text
    assert '<h1 data-testid="word">hoisted</h1><button>count</button>' in html, html
    module = html.split('<script type="module" src="', 1)[1].split('"', 1)[0]
    script = httpx.get(url + module, timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["content-type"], script.text[:200]


@cites("docs/getting-started.md", "In an npm workspaces monorepo, where `npm install` at the root puts them in the "
                                  "root's `node_modules`, they are found there as Node finds them")
def test_pyxle_build_finds_the_packages_hoisted_to_the_workspace_root(app: Path) -> None:
    """It refused: "npm packages not installed (react, react-dom, esbuild); run `pyxle install`"."""
    built = pyxle(app, "build", ".")
    assert built.returncode == 0, built.stdout + built.stderr
    assert "not installed" not in built.stderr and ssr_bundle(app / "dist").is_file()


def test_pyxle_serve_renders_a_page_with_the_hoisted_packages(app: Path) -> None:
    with serving(app) as server:
        page_and_script(server.url)


def test_pyxle_dev_renders_a_page_with_the_hoisted_packages(app: Path) -> None:
    """It started and answered every page with the empty, unrendered document."""
    with serving(app, "--ssr-workers", "1", command="dev") as server:
        page_and_script(server.url)
        assert "not installed" not in server.output()


def test_pyxle_check_parses_the_jsx_with_the_hoisted_esbuild(app: Path) -> None:
    """It said "JSX syntax not checked: esbuild is not installed in apps/web/node_modules" and passed."""
    broken = app / "pages" / "broken.pyxl"
    broken.write_text("export default function Broken() {\n  return <p>open }\n}\n")
    try:
        checked = pyxle(app, "check", ".")
    finally:
        broken.unlink()
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert "pages/broken.pyxl:2" in output and "JSX syntax error" in output and "not checked" not in output, output
