"""`pyxle build` writes a self-contained dist/; `pyxle serve` serves it, rebuilding when stale."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import Server, link_node_modules, server_env
from tests.docs._blocks import cites

PAGE = '''
import math

@server
async def load(request):
    if request.query_params.get("boom"):
        raise RuntimeError("loader exploded")
    return {"word": "first"}

export default function Page({ data }) {
  return <p data-testid="word">word: {data.word}</p>
}
'''
LAYOUT = '''
export default function Layout({ children }) {
  return <main>{children}</main>
}
'''


def pyxle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], capture_output=True, text=True, env=server_env(),
                          timeout=120, check=False)


@pytest.fixture
def project(make_project) -> Path:
    return make_project({"pages/index.pyxl": PAGE, "pages/layout.pyxl": LAYOUT,
                         "pages/api/ping.py": "async def get(request):\n    return {'pong': True}\n"}, node=True)


def words(server: Server) -> str:
    r = httpx.get(server.url + "/", timeout=10)
    assert r.status_code == 200, r.text
    return r.text.split('data-testid="word">', 1)[1].split("</p>", 1)[0]


def test_build_writes_server_modules_assets_and_manifest(project: Path) -> None:
    out = pyxle("build", str(project))
    assert out.returncode == 0, out.stderr
    dist = project / "dist"
    manifest = json.loads((dist / "manifest.json").read_text())
    assert set(manifest["modules"]) == {"index.pyxl", "layout.pyxl"}
    server_module = dist / manifest["modules"]["index.pyxl"]["server"]
    assert "async def load" in server_module.read_text() and "export default" not in server_module.read_text()
    assert re.fullmatch(r"server/ssr-\w+\.mjs", manifest["ssrBundle"]) and (dist / manifest["ssrBundle"]).is_file()
    js = dist / "public" / manifest["pages"]["index"]["js"].lstrip("/")
    assert js.is_file() and js.with_name(js.name + ".br").is_file() and js.with_name(js.name + ".gz").is_file()
    assert not (dist / "plan.json").exists() and not (dist / "client").exists()  # build intermediates are gone
    assert "index" in out.stdout and "kB" in out.stdout  # the per-page size summary
    assert f"pyxle build: 1 page in {dist}\n" in out.stderr, out.stderr  # not "1 pages"


OTHER = """
import { Link } from 'pyxle/client'

export default function Other() {
  return <Link href="/">home</Link>
}
"""


def page_assets(project: Path) -> dict[str, dict[str, object]]:
    """``pyxle build``, then each page's module, the chunks it imports and its stylesheets."""
    out = pyxle("build", str(project))
    assert out.returncode == 0, out.stderr
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    return {page: {key: assets[key] for key in ("js", "imports", "css")} for page, assets in manifest["pages"].items()}


@cites("docs/pages.md", "A deploy that adds a page leaves the other pages' modules at the URLs browsers have cached")
@pytest.mark.parametrize("added", ["blog/[slug].pyxl", "docs/[...path].pyxl", "v1.2.pyxl", "about.pyxl"])
def test_a_page_added_leaves_the_other_pages_modules_and_chunks_as_they_were(project: Path, added: str) -> None:
    """A deploy that adds a page must not make every visitor download every page's code again.
    A page whose last segment may hold a dot (``[slug]``, a catch-all, ``v1.2``) changed every
    page's module: the list of such pages the browser's router needs was written into each."""
    (project / "pages" / "other.pyxl").write_text(OTHER.lstrip("\n"))
    before = page_assets(project)
    (project / "pages" / added).parent.mkdir(parents=True, exist_ok=True)
    (project / "pages" / added).write_text("export default function Added() {\n  return <h1>added</h1>\n}\n")
    after = page_assets(project)
    assert set(after) == {*before, added.removesuffix(".pyxl")}
    assert {page: after[page] for page in before} == before


LAZY = """
import { useEffect, useState } from 'react'

export default function Lazy() {
  const [Shown, setShown] = useState(null)
  useEffect(() => { import('../components/%s.jsx').then((m) => setShown(() => m.default)) }, [])
  return Shown ? <Shown /> : <p>loading</p>
}
"""


@cites("docs/pages.md", "the deploy that adds the first lazy `import()` of a component changes every page's module, "
                        "and so does one whose lazy module is the first to use another part of that code "
                        "(`pyxle/client`'s `Link`, say); other lazy imports change only their own pages")
def test_lazy_imports_change_every_page_only_when_first_to_share_a_part_of_their_code(project: Path) -> None:
    """esbuild puts what a lazily imported module shares with the pages in a chunk of their own:
    the first lazy component (React's JSX runtime) moves it, as does the first using
    ``pyxle/client``; one sharing only what earlier ones share changes no page but its own."""
    (project / "pages" / "other.pyxl").write_text(OTHER.lstrip("\n"))
    (project / "components").mkdir(exist_ok=True)
    for name in ("Tiny", "Small"):
        (project / "components" / f"{name}.jsx").write_text(f"export default function {name}() {{\n"
                                                            f"  return <b>{name}</b>\n}}\n")
    (project / "components" / "Linked.jsx").write_text(
        "import { Link } from 'pyxle/client'\n\nexport default function Linked() {\n"
        "  return <Link href='/'>home</Link>\n}\n")
    before = page_assets(project)
    (project / "pages" / "lazy.pyxl").write_text(LAZY % "Tiny")
    first = page_assets(project)
    assert all(first[page]["js"] != before[page]["js"] for page in before)
    (project / "pages" / "later.pyxl").write_text(LAZY % "Small")
    second = page_assets(project)
    assert {page: second[page] for page in first} == first
    (project / "pages" / "linked.pyxl").write_text(LAZY % "Linked")
    third = page_assets(project)
    assert all(third[page]["js"] != second[page]["js"] for page in second)

def test_build_out_dir(project: Path, tmp_path: Path) -> None:
    out = pyxle("build", str(project), "--out-dir", str(tmp_path / "elsewhere"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "elsewhere" / "manifest.json").is_file() and not (project / "dist").exists()


def test_a_current_dist_is_served_without_npm_packages(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    (project / "node_modules").unlink()  # a production machine: node, but no node_modules
    now = time.time() + 10
    for path in project.rglob("*"):  # a fresh checkout: every file has a new mtime
        os.utime(path, (now, now), follow_symlinks=False)
    before = (project / "dist" / "manifest.json").read_text()
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->first"
    assert httpx.get(server.url + "/api/ping").json() == {"pong": True}
    assert (project / "dist" / "manifest.json").read_text() == before
    assert "pages will not be" not in server.output()


STALE = {  # what makes the build stale -> (edit, why the message says it is)
    "config": (lambda p: (p / "pyxle.config.json").write_text('{"rateLimit": {"requests": 100, "window": 60}}'),
               "pyxle.config.json has changed since it was built"),
    "page": (lambda p: (p / "pages" / "layout.pyxl").write_text(LAYOUT.replace("<main>", "<main id='m'>")),
             "pages/layout.pyxl has changed since it was built"),
    "component": (lambda p: (p / "components" / "Card.jsx").write_text("export const Card = () => 'card'\n"),
                  "components/Card.jsx has changed since it was built"),
}


@cites("docs/deployment.md", "a build it cannot make again is not thrown away:\nstart-up stops (exit code 1)")
@cites("docs/deployment.md", "``pyxle: the build in dist/ is stale (pyxle.config.json has changed since it was built), and it "
                             "cannot be built again here: npm packages not installed (react, react-dom, esbuild); run "
                             "`pyxle install` in /app``,\nwith the hint to install them so it is built again, or to serve "
                             "the build as it is with\n`pyxle serve --skip-build`")
@pytest.mark.parametrize("edit", sorted(STALE))
def test_a_stale_build_with_no_npm_packages_to_build_it_again_stops_serve_and_skip_build_serves_it(
        project: Path, edit: str, start_server) -> None:
    """A production host with a complete dist/ made elsewhere and no node_modules: an edit to a
    runtime setting made the build stale, and `pyxle serve` threw it away, saying there was no
    build; pages were blank 200s, /_pyxle/ assets 404, and /readyz ready. Now start-up stops,
    naming why the build is stale, why it cannot be built again, and both ways out."""
    (project / "pyxle.config.json").write_text("{}")
    (project / "package.json").write_text(json.dumps({"dependencies": {"esbuild": "*", "react": "*", "react-dom": "*"}}))
    (project / "components").mkdir()
    (project / "components" / "Card.jsx").write_text("export const Card = () => null\n")
    assert pyxle("build", str(project)).returncode == 0
    (project / "node_modules").unlink()  # a production machine: node, but no node_modules
    change, why = STALE[edit]
    change(project)
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit() == 1
    out = server.output()
    assert "Traceback" not in out and "there is no build" not in out, out
    assert (f"pyxle: the build in dist/ is stale ({why}), and it cannot be built again here: npm packages not "
            "installed (react, react-dom, esbuild); run `pyxle install`") in out, out
    assert ("hint: install the npm packages (`pyxle install`) and `pyxle serve` builds it again, or serve the build "
            "as it is with `pyxle serve --skip-build`") in out, out
    server = start_server(project, "serve", "--skip-build")
    assert words(server) == "word: <!-- -->first"
    html = httpx.get(server.url + "/", timeout=10).text
    module = html.split('<script type="module" src="', 1)[1].split('"', 1)[0]
    assert httpx.get(server.url + module, timeout=10).status_code == 200


def test_a_reload_over_a_build_made_stale_with_no_npm_packages_is_refused_and_the_workers_keep_serving(
        project: Path, start_server) -> None:
    """SIGHUP after editing a setting: the reload's check cannot build again, so the reload is
    refused, naming the served build (not the reload's copy of it), and the page still renders."""
    (project / "package.json").write_text(json.dumps({"dependencies": {"esbuild": "*", "react": "*", "react-dom": "*"}}))
    (project / "pyxle.config.json").write_text("{}")
    assert pyxle("build", str(project)).returncode == 0
    (project / "node_modules").unlink()
    server = start_server(project, "serve", env={"PYXLE_SECRET_KEY": "k" * 48})
    STALE["config"][0](project)
    server.proc.send_signal(signal.SIGHUP)
    out = server.wait_for_output("reload refused, the running workers keep serving: ", timeout=60)
    assert ("the build in dist/ is stale (pyxle.config.json has changed since it was built), and it cannot be built "
            "again here: npm packages not installed") in out, out
    assert words(server) == "word: <!-- -->first"


@cites("docs/deployment.md", "(a build that is current, or any with `--skip-build`: a stale\none it cannot build again "
                             "stops start-up")
def test_a_stale_build_with_no_node_to_build_it_again_stops_serve(project: Path, tmp_path: Path, start_server) -> None:
    """Without `node` either: the same stop, naming Node."""
    assert pyxle("build", str(project)).returncode == 0
    (project / "node_modules").unlink()
    STALE["page"][0](project)
    no_node = tmp_path / "bin"  # a PATH with no `node` on it
    no_node.mkdir()
    server = start_server(project, "serve", env={"PATH": str(no_node)}, ready=False)
    assert server.wait_exit() == 1
    out = server.output()
    assert ("pyxle: the build in dist/ is stale (pages/layout.pyxl has changed since it was built), and it cannot be "
            "built again here: Node.js is not installed") in out, out
    assert ("hint: install Node.js and the npm packages (`pyxle install`) and `pyxle serve` builds it again, or serve "
            "the build as it is with `pyxle serve --skip-build`") in out, out


STALE_LINE = "the build in dist/ is stale (pages/index.pyxl has changed since it was built): building it again"


@cites("docs/deployment.md", "before it rebuilds, it says why in one line: `the build in dist/ is stale "
                             "(pages/index.pyxl has changed since it was built): building it again`")
def test_serve_rebuilds_a_stale_dist_and_says_why(project: Path, start_server) -> None:
    """It rebuilt without a word, so a deploy's start-up time could not be told from a stale `dist/`."""
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"'))
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->second"
    assert server.output().count(STALE_LINE) == 1, server.output()
    server.stop()
    current = start_server(project, "serve")  # the build it made is current: nothing to say
    assert words(current) == "word: <!-- -->second"
    assert "is stale" not in current.output(), current.output()


@contextlib.contextmanager
def read_only(folder: Path, mount_point: Path) -> Iterator[Path]:
    """``folder`` mounted read-only at ``mount_point`` (root ignores file modes, not a read-only mount)."""
    mount_point.mkdir()
    if subprocess.run(["mount", "--bind", str(folder), str(mount_point)], capture_output=True, check=False).returncode:
        pytest.skip("needs to bind-mount a folder (root, mount)")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mount_point)], check=True, capture_output=True)
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


@cites("docs/deployment.md", "a read-only project whose build is stale does not start: the log says\n"
                             "`cannot write the build to /app/dist (Read-only file system: ...)`")
def test_serve_of_a_read_only_project_with_a_stale_build_is_one_error_with_a_hint(project: Path, tmp_path: Path,
                                                                                  start_server) -> None:
    """A stale dist/ is rebuilt at start; in a read-only project that failed with a 39-line
    traceback ending in OSError. Now: one line naming the folder, and how to serve it instead."""
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"'))
    with read_only(project, tmp_path / "ro") as mounted:
        server = start_server(mounted, "serve", ready=False)
        assert server.wait_exit() == 1
    out = server.output()
    assert "Traceback" not in out, out
    assert f"pyxle: cannot write the build to {mounted / 'dist'} (Read-only file system: " in out
    assert "run `pyxle build` where the project is writable" in out and "`pyxle serve --skip-build`" in out


@pytest.mark.parametrize("command,message", [
    ("build", "pyxle: cannot write the build to {project}/dist (Read-only file system: {project}/dist/"),
    ("typecheck", "pyxle: cannot write the files tsc checks to {project}/.pyxle (Read-only file system: "),
])
def test_build_and_typecheck_of_a_read_only_project_are_one_error_with_a_hint(project: Path, tmp_path: Path,
                                                                              command: str, message: str) -> None:
    """With a dist/ (and .pyxle/) already there, both stopped with an OSError traceback: their
    folder existed, so the first write, not the check that it can be made, met the read-only mount."""
    assert pyxle("build", str(project)).returncode == 0
    assert pyxle("typecheck", str(project)).returncode == 0
    with read_only(project, tmp_path / "ro") as mounted:
        run = pyxle(command, str(mounted))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and run.stderr.startswith(message.format(project=mounted)), run.stderr
    assert "hint: " in run.stderr and "where the project is writable" in run.stderr


def test_skip_build_serves_the_python_and_the_bundle_that_were_built_together(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    index = project / "pages" / "index.pyxl"
    index.write_text(index.read_text().replace('"first"', '"second"').replace("word: ", "WORD "))
    server = start_server(project, "serve", "--skip-build")
    assert words(server) == "word: <!-- -->first"  # the built loader, rendered by the built component


def test_skip_build_without_a_build_says_to_build(project: Path, start_server) -> None:
    server = start_server(project, "serve", "--skip-build", ready=False)
    assert server.wait_exit() != 0
    assert "run `pyxle build` first" in server.output()


def test_skip_build_with_a_page_added_after_the_build_names_it(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    (project / "pages" / "late.pyxl").write_text("export default function Late() { return <p>late</p> }\n")
    server = start_server(project, "serve", "--skip-build", ready=False)
    assert server.wait_exit() != 0
    assert "pages/late.pyxl: is not in the build" in server.output()


def test_broken_page_fails_the_build_with_file_and_line(project: Path) -> None:
    (project / "pages" / "broken.pyxl").write_text("@server\nasync def load(request):\n    return {\n\n"
                                                   "export default function B() { return <p>b</p> }\n")
    out = pyxle("build", str(project))
    assert out.returncode == 1
    assert "pages/broken.pyxl:" in out.stderr


def until_healthy(server: Server, timeout: float = 30) -> None:
    """The server answers (``/healthz``), whether or not ``/readyz`` calls it ready."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if server.url and httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert server.proc.poll() is None and time.monotonic() < deadline, server.output()
        time.sleep(0.1)


@cites("docs/deployment.md", "A project served with neither a build nor `node` (pages answered unrendered, as at")
@cites("docs/deployment.md", '`/readyz` answers `200` with `"state": "degraded"` and\n'
                             '`"checks": {"ssr_pool": {"ok": false, "alive": 0, "size": 0}}`')
@cites("docs/deployment.md", "start-up says so: `pages will not\nbe rendered, on the server or in the browser (there is no "
                             "build): Node.js is not installed`")
@cites("docs/pages.md", "`pyxle dev` with no build answers `500` with its error page,\n  naming what is missing")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_project_served_with_no_build_and_no_node_says_degraded_and_stays_ready(make_project, start_server,
                                                                                  tmp_path: Path, command: str) -> None:
    """No build and no `node` on PATH: pages are answered unrendered, and /readyz said `ready` with
    no check at all, where the same project with a build and no Node says `degraded`."""
    project = make_project({"pages/index.pyxl": PAGE, "pages/api/ping.py": "async def get(request):\n    return {}\n"})
    no_node = tmp_path / "bin"  # a PATH with no `node` on it
    no_node.mkdir()
    server = start_server(project, command, env={"PATH": str(no_node), "PYXLE_SECRET_KEY": "k" * 40})
    assert ("pages will not be rendered, on the server or in the browser (there is no build): Node.js is not "
            "installed") in server.output()
    ready = httpx.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["state"] == "degraded" and ready.json()["ready"] is True
    assert ready.json()["checks"] == {"ssr_pool": {"ok": False, "alive": 0, "size": 0}}
    html = httpx.get(server.url + "/", timeout=10)
    if command == "serve":
        assert html.status_code == 200 and '<div id="pyxle-root"></div>' in html.text
    else:  # pyxle dev shows why the page is blank, rather than a blank 200
        assert html.status_code == 500 and "Node.js is not installed" in html.text, html.text[:500]
    assert httpx.get(server.url + "/api/ping", timeout=10).status_code == 200


@cites("docs/deployment.md", "A server with a build and no `node` on its `PATH` serves the build's assets")
@cites("docs/deployment.md", "the start-up log says `pages will not be server-rendered:\nNode.js is not installed`, "
                             'and `/readyz` answers `503` with `"state": "degraded"` and\n'
                             '`"checks": {"ssr_pool": {"ok": false, "alive": 0, ...}}`')
def test_a_built_project_served_without_node_renders_in_the_browser_and_is_not_ready(project: Path, tmp_path: Path,
                                                                                       start_server, page) -> None:
    """No `node` on PATH: the page was a blank 200 without its module, /_pyxle/ assets 404, and
    /readyz ready. Now the build's assets render the page in the browser, and /readyz says 503
    with the SSR pool not running, so a load balancer keeps visitors away."""
    assert pyxle("build", str(project)).returncode == 0
    no_node = tmp_path / "bin"  # a PATH with no `node` on it
    no_node.mkdir()
    server = start_server(project, "serve", "--skip-build", env={"PATH": str(no_node)}, ready=False)
    until_healthy(server)
    assert "pages will not be server-rendered: Node.js is not installed" in server.output()
    ready = httpx.get(server.url + "/readyz", timeout=10)
    assert ready.status_code == 503, ready.text
    assert ready.json()["state"] == "degraded" and ready.json()["checks"]["ssr_pool"]["alive"] == 0
    html = httpx.get(server.url + "/", timeout=10)
    assert html.status_code == 200 and '<div id="pyxle-root"></div>' in html.text
    module = html.text.split('<script type="module" src="', 1)[1].split('"', 1)[0]
    assert module.startswith("/_pyxle/") and httpx.get(server.url + module, timeout=10).status_code == 200
    page.page.goto(server.url + "/")
    page.hydrated()
    assert page.page.get_by_test_id("word").inner_text() == "word: first"
    assert page.problems() == []


def test_errors_in_built_modules_point_into_the_pyxl_file(project: Path, start_server) -> None:
    assert pyxle("build", str(project)).returncode == 0
    server = start_server(project, "serve")
    r = httpx.get(server.url + "/?boom=1", timeout=10)
    assert r.status_code == 500 and "loader exploded" not in r.text
    server.wait_for_output("loader exploded", 5)
    assert f'File "{project / "pages" / "index.pyxl"}", line 6, in load\n    raise RuntimeError("loader exploded")' in server.output()


def test_without_node_modules_and_without_a_build_pages_say_to_install(make_project, start_server) -> None:
    packages = {"dependencies": {"esbuild": "*", "react": "*", "react-dom": "*"}}
    project = make_project({"pages/index.pyxl": PAGE, "package.json": json.dumps(packages)})
    server = start_server(project, "serve")
    assert "run `pyxle install`" in server.output()
    link_node_modules(project)  # and once installed, the next start builds
    server.stop()
    server = start_server(project, "serve")
    assert words(server) == "word: <!-- -->first"


@cites("docs/getting-started.md", "`package.json` lists; when it is missing, or does not list all three, the server and `pyxle\n"
                                  "build` name the command that adds them (`npm install react react-dom esbuild`)")
@pytest.mark.parametrize("listed", [None, ["react"]])
def test_pages_without_a_package_json_listing_react_say_how_to_add_it(make_project, listed: list[str] | None) -> None:
    """The hint was `run pyxle install`, which installs what package.json lists: "nothing to
    install" without one, and the build failed the same way again."""
    files = {"pages/index.pyxl": PAGE}
    if listed is not None:
        files["package.json"] = json.dumps({"dependencies": dict.fromkeys(listed, "*")})
    project = make_project(files)
    run = pyxle("build", str(project))
    assert run.returncode == 1, run.stdout + run.stderr
    missing = " ".join(name for name in ("react", "react-dom", "esbuild") if name not in (listed or []))
    assert run.stderr.startswith("pyxle: npm packages not installed (react, react-dom, esbuild); "), run.stderr
    assert f"run `npm install {missing}` in {project}" in run.stderr


@cites("docs/deployment.md", "A project of API routes only has nothing to\nbundle: `pyxle build` checks its routes the same "
                             "way, then says `no pages to bundle` and exits 0")
def test_build_of_an_api_only_project_needs_no_npm_packages(make_project, start_server) -> None:
    """It failed with `npm packages not installed ...; run pyxle install`, which had nothing to
    install, where `pyxle serve` started on the same project."""
    project = make_project({"pages/api/ping.py": "async def get(request):\n    return {'pong': True}\n"})
    run = pyxle("build", str(project))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no pages to bundle" in run.stderr
    server = start_server(project, "serve", "--skip-build")
    assert httpx.get(server.url + "/api/ping", timeout=10).json() == {"pong": True}


@cites("docs/deployment.md", "`pyxle serve --skip-build` serves the values the build was made with")
@cites("docs/deployment.md", "so: `pyxle: --skip-build: the PYXLE_PUBLIC_* variables differ from those dist/ was built with; its\n"
                             "pages show the values it was built with`, with the hint to run `pyxle build` with the values to serve")
def test_skip_build_says_when_the_public_variables_differ_from_the_builds(project: Path, start_server) -> None:
    """`docker run -e PYXLE_PUBLIC_API_URL=...` on an image built with another value: the pages keep
    the built one (it is inlined into the bundles), which start-up used to serve without a word."""
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(PYXLE_PUBLIC_API_URL="https://built.example"), timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    server = start_server(project, "serve", "--skip-build", env={"PYXLE_PUBLIC_API_URL": "https://runtime.example"})
    assert words(server) == "word: <!-- -->first"
    said = ("--skip-build: the PYXLE_PUBLIC_* variables differ from those dist/ was built with; its pages show "
            "the values it was built with")
    assert said in server.output()
    assert "hint: run `pyxle build` with the values to serve" in server.output()
    assert server.output().count(said) == 1  # said by the CLI, not again by each worker


def test_skip_build_with_the_builds_public_variables_says_nothing_of_them(project: Path, start_server) -> None:
    built = subprocess.run([sys.executable, "-m", "pyxle", "build", str(project)], capture_output=True, text=True,
                           env=server_env(PYXLE_PUBLIC_API_URL="https://same.example"), timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    server = start_server(project, "serve", "--skip-build", env={"PYXLE_PUBLIC_API_URL": "https://same.example"})
    assert words(server) == "word: <!-- -->first"
    assert "PYXLE_PUBLIC_* variables differ" not in server.output()
