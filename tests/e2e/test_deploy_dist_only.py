"""A deploy that ships `dist/` and the project's own modules, without `pages/`, is served from the
build, as pyxle-framework 0.9.4's was (its starter guide: "Code outside pages/ is NOT copied into
dist/ — deploy it alongside dist/"): pages, actions, API routes, public files."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pyxle import __version__
from tests.conftest import NODE_MODULES, Server, pyxle_command, server_env, serving, ssr_bundle, write_project
from tests.docs._blocks import cites

NAV = {"x-pyxle-navigation": "1"}
FILES = {
    "db.py": """
        FRUIT = ["apple"]

        def fruit():
            return list(FRUIT)

        def add(name):
            FRUIT.append(name)
    """,
    "pyxle.config.json": '{"name": "Orchard"}',
    "public/robots.txt": "User-agent: *\n",
    "pages/layout.pyxl": """
        export default function Layout({ children }) {
          return <main data-testid="layout">{children}</main>
        }
    """,
    "pages/index.pyxl": """
        from db import add, fruit

        @server
        async def load(request):
            return {"fruit": fruit()}

        @action
        async def plant(request):
            body = await request.json()
            add(body["name"])
            return {"fruit": fruit()}

        export default function Page({ data }) {
          return <ul>{data.fruit.map((f) => <li key={f}>{"fruit:" + f}</li>)}</ul>
        }
    """,
    "pages/not-found.pyxl": """
        export default function NotFound() {
          return <p>no such orchard row</p>
        }
    """,
    "pages/api/fruit.py": """
        from db import fruit

        async def get(request):
            return {"fruit": fruit()}
    """,
    "pages/api/_count.py": "def count(items):\n    return len(items)\n",
    "pages/api/stats.py": """
        from db import fruit

        from ._count import count

        async def get(request):
            return {"count": count(fruit())}
    """,
}


MENU = {  # an API route that reads files beside it as it runs
    "pages/api/menu.py": """
        import json
        from pathlib import Path

        HERE = Path(__file__).parent

        async def get(request):
            return {"menu": json.loads((HERE / "menu.json").read_text()),
                    "query": (HERE / "sql" / "menu.sql").read_text().strip()}
    """,
    "pages/api/menu.json": '["soup"]',
    "pages/api/sql/menu.sql": "select 1",
    "pages/api/.env.local": "SECRET=1",  # dot-files are not copied
    # and a page whose loader reads a file beside it
    "pages/specials.pyxl": """
        import json
        from pathlib import Path


        @server
        async def load(request):
            return {"specials": json.loads((Path(__file__).parent / "specials.json").read_text())}


        export default function Specials({ data }) {
          return <ul>{data.specials.map((s) => <li key={s}>{s}</li>)}</ul>
        }
    """,
    "pages/specials.json": '["pie"]',
}


def pyxle(cwd: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pyxle_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=server_env(), check=False)


def stamp(project: Path, version: str | None) -> None:
    """Make the project's dist/ read as another Pyxle's build: its manifest records ``version`` (None:
    no version, as before builds recorded it)."""
    path = project / "dist" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.pop("pyxleVersion", None)
    if version is not None:
        manifest["pyxleVersion"] = version
    path.write_text(json.dumps(manifest))


def deploy(built: Path, to: Path, *, public: bool = True) -> Path:
    """What a deploy ships: dist/, the project's own modules, its config, public/, node_modules."""
    to.mkdir(parents=True)
    shutil.copytree(built / "dist", to / "dist")
    for name in ("db.py", "pyxle.config.json"):
        shutil.copy(built / name, to / name)
    if public:
        shutil.copytree(built / "public", to / "public")
    (to / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return to


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_project(tmp_path_factory.mktemp("source") / "app", FILES)
    out = pyxle(project, "build", ".")
    assert out.returncode == 0, out.stdout + out.stderr
    return project


@pytest.fixture(scope="module")
def served(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(deploy(built, tmp_path_factory.mktemp("deploy") / "app"), "--skip-build") as server:
        yield server


@cites("docs/deployment.md", "`pages/` may be left out, as pyxle-framework 0.9's starter guide deployed it.")
def test_a_deploy_without_pages_serves_its_pages_with_their_loader_data(served: Server) -> None:
    page = httpx.get(served.url + "/", timeout=10)
    assert page.status_code == 200, page.text
    assert 'data-testid="layout"' in page.text and "fruit:apple" in page.text


def test_a_pages_dir_that_names_no_folder_stops_start_up_when_the_build_was_made_from_another(
        built: Path, tmp_path: Path) -> None:
    """A pagesDir changed before the pages were moved: the build's pages are from the old folder,
    which the config no longer names, so start-up stops naming both (it served the old build, and
    an API route's relative import then failed under the new folder's module name)."""
    app = deploy(built, tmp_path / "app")
    shutil.copytree(built / "pages", app / "pages")  # still where they were
    (app / "pyxle.config.json").write_text('{"name": "Orchard", "pagesDir": "src/pages"}')
    out = pyxle(app, "serve", ".", "--skip-build", "--port", "0")
    assert out.returncode == 1
    assert (f"pyxle: {app.resolve()} has no src/pages/ folder, and the build cannot be served without it: "
            "dist/manifest.json was made from pages/, and pagesDir in pyxle.config.json names src/pages/; hint: move "
            'the pages to src/pages/ and run `pyxle build`, or set pagesDir back to "pages"') in out.stderr


def test_a_deploy_without_pages_answers_navigation_json(served: Server) -> None:
    nav = httpx.get(served.url + "/", headers=NAV, timeout=10)
    assert nav.status_code == 200, nav.text
    assert nav.json()["props"]["data"]["fruit"][0] == "apple"


def test_a_deploy_without_pages_runs_actions_with_their_csrf_check(served: Server) -> None:
    with httpx.Client(base_url=served.url, timeout=10) as client:
        client.get("/healthz")
        refused = client.post("/api/__actions/index/plant", json={"name": "pear"})
        assert refused.status_code == 403, refused.text
        done = client.post("/api/__actions/index/plant", json={"name": "pear"},
                           headers={"x-csrf-token": client.cookies["pyxle-csrf"]})
        assert done.status_code == 200, done.text
        assert done.json()["ok"] is True and "pear" in done.json()["fruit"]
        assert "fruit:pear" in client.get("/").text


@cites("docs/deployment.md", "the\nAPI routes run from those copies under their usual module names, so `from ._util import count`\nstill works")
def test_a_deploy_without_pages_serves_api_routes_and_their_helper_modules(served: Server) -> None:
    fruit = httpx.get(served.url + "/api/fruit", timeout=10)
    assert fruit.status_code == 200, fruit.text
    assert "apple" in fruit.json()["fruit"]
    stats = httpx.get(served.url + "/api/stats", timeout=10)
    assert stats.status_code == 200, stats.text
    assert stats.json()["count"] >= 1


def test_a_deploy_without_pages_serves_public_files_and_its_not_found_page(served: Server) -> None:
    robots = httpx.get(served.url + "/robots.txt", timeout=10)
    assert robots.status_code == 200 and robots.text == "User-agent: *\n"
    missing = httpx.get(served.url + "/nowhere", timeout=10)
    assert missing.status_code == 404 and "no such orchard row" in missing.text


@cites("docs/deployment.md", "(with or without `--skip-build`: there is\nnothing to build from) serves the build as it is")
def test_a_deploy_without_pages_is_served_without_skip_build_too(built: Path, tmp_path: Path) -> None:
    """With nothing to build from, `pyxle serve` serves the build as it is."""
    with serving(deploy(built, tmp_path / "app")) as server:
        page = httpx.get(server.url + "/", timeout=10)
        assert page.status_code == 200 and "fruit:apple" in page.text
        assert httpx.get(server.url + "/api/fruit", timeout=10).json() == {"fruit": ["apple"]}
    assert not (tmp_path / "app" / "pages").exists()


@cites("docs/deployment.md", "`pyxle: . has no pages/ folder and no build in dist/ (dist/manifest.json is missing); hint: ...`")
def test_a_folder_with_neither_pages_nor_a_build_names_both(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    out = pyxle(tmp_path / "app", "serve", ".", "--skip-build", "--port", "0")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith("pyxle: . has no pages/ folder and no build in dist/ (dist/manifest.json is "
                                 "missing)"), out.stderr
    assert "hint: " in out.stderr and "pyxle build" in out.stderr, out.stderr


@cites("docs/deployment.md", "Start-up checks such a build whole, and a file its `manifest.json` names that is missing stops it,\nnaming the file")
@cites("docs/deployment.md", "has no pages/ folder, and the build cannot be served without it: dist/server/pages/index.py is "
                             "missing: the build is incomplete; hint: deploy the whole folder that `pyxle build` wrote "
                             "(run `pyxle build` again where the pages are)")
@pytest.mark.parametrize("lost", ["dist/server/pages/index.py", "dist/server/python/pages/api/stats.py",
                                  "dist/<ssrBundle>"])
def test_a_partial_build_without_pages_is_refused_naming_the_file(built: Path, tmp_path: Path, lost: str) -> None:
    app = deploy(built, tmp_path / "app")
    lost = lost.replace("<ssrBundle>", ssr_bundle(app / "dist").relative_to(app / "dist").as_posix())
    (app / lost).unlink()
    out = pyxle(app, "serve", ".", "--skip-build", "--port", "0")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert (f"pyxle: {app.resolve()} has no pages/ folder, and the build cannot be served without it: {lost} is "
            "missing: the build is incomplete; hint: deploy the whole folder that `pyxle build` wrote (run `pyxle "
            "build` again where the pages are)") in out.stderr, out.stderr


@cites("docs/deployment.md", "A `dist/` whose manifest does not list the API routes (one written by hand) is refused the same\nway")
def test_a_build_that_did_not_copy_the_api_routes_is_refused_without_pages(built: Path, tmp_path: Path) -> None:
    """A dist/ made before builds copied the API routes (or by hand) cannot serve them."""
    app = deploy(built, tmp_path / "app")
    manifest = json.loads((app / "dist" / "manifest.json").read_text())
    del manifest["python"]
    (app / "dist" / "manifest.json").write_text(json.dumps(manifest))
    out = pyxle(app, "serve", ".", "--skip-build", "--port", "0")
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert "dist/manifest.json" in out.stderr and "run `pyxle build`" in out.stderr, out.stderr


@cites("docs/deployment.md", "A reload (SIGHUP) without `pages/` builds nothing: it loads the build in\n`dist/` as it is then")
@cites("docs/deployment.md", "and refuses\na partial one while the running workers keep serving")
def test_a_reload_without_pages_serves_the_build_deployed_since_and_refuses_a_partial_one(
        tmp_path: Path, start_server) -> None:
    """SIGHUP builds nothing there is no source for: it checks the build in dist/ as it is now, and
    the new workers serve it; a build missing a file is refused, and the running workers keep serving."""
    source = write_project(tmp_path / "source", {**FILES, "pages/api/version.py": "async def get(request):\n"
                                                 "    return {'version': 1}\n"})
    assert pyxle(source, "build", ".").returncode == 0
    app = deploy(source, tmp_path / "app")
    server = start_server(app, "serve", "--skip-build")
    assert httpx.get(server.url + "/api/version", timeout=10).json() == {"version": 1}

    (source / "pages" / "api" / "version.py").write_text("async def get(request):\n    return {'version': 2}\n")
    assert pyxle(source, "build", ".").returncode == 0
    shutil.rmtree(app / "dist")
    shutil.copytree(source / "dist", app / "dist")
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while httpx.get(server.url + "/api/version", timeout=10).json() != {"version": 2}:
        assert time.monotonic() < deadline, server.output()
        time.sleep(0.2)
    assert not (app / ".dist.next").exists() and "reload refused" not in server.output()

    (app / "dist" / "server" / "pages" / "index.py").unlink()
    server.proc.send_signal(signal.SIGHUP)
    server.wait_for_output("reload refused, the running workers keep serving: ", timeout=30)
    assert "dist/server/pages/index.py is missing" in server.output()
    assert "fruit:apple" in httpx.get(server.url + "/", timeout=10).text


@cites("docs/deployment.md", "A deploy that left out `public/` serves the build's copy of it")
def test_a_deploy_without_pages_or_public_serves_the_builds_copy_of_public(built: Path, tmp_path: Path,
                                                                          start_server) -> None:
    """pyxle-framework 0.9 copied public/ into its build, so a deploy of the build alone had its
    files: here they answered 404 (with a warning)."""
    server = start_server(deploy(built, tmp_path / "app", public=False), "serve", "--skip-build")
    robots = httpx.get(server.url + "/robots.txt", timeout=10)
    assert robots.status_code == 200 and robots.text == "User-agent: *\n"
    assert httpx.get(server.url + "/nowhere", timeout=10).status_code == 404
    assert httpx.get(server.url + "/../pyxle.config.json", timeout=10).status_code in (400, 404)
    assert "public/ is missing" not in server.output()


@cites("docs/deployment.md", "A `dist/` deployed without that\ncopy (`dist/server/public/`) and without `public/` "
       "starts without them, and says\n"
       "`public/ is missing: it held 12 files when the build was made, which answer 404 here`")
def test_a_deploy_without_public_or_the_builds_copy_of_it_is_told(built: Path, tmp_path: Path, start_server) -> None:
    app = deploy(built, tmp_path / "app", public=False)
    shutil.rmtree(app / "dist" / "server" / "public")  # left out of the deploy (a .dockerignore, say)
    server = start_server(app, "serve", "--skip-build")
    assert httpx.get(server.url + "/", timeout=10).status_code == 200
    assert httpx.get(server.url + "/robots.txt", timeout=10).status_code == 404
    assert "public/ is missing: it held 1 file when the build was made, which answer 404 here; ship it beside dist/" \
        in server.output()


def test_a_build_that_pyxle_serve_reuses_copies_public_files_changed_since(tmp_path: Path, start_server) -> None:
    """A public file is no input of the bundle, so changing one leaves the build current: its copy
    follows all the same, files added and removed included."""
    source = write_project(tmp_path / "source", FILES)
    assert pyxle(source, "build", ".").returncode == 0
    (source / "public" / "robots.txt").write_text("User-agent: *\nDisallow: /private\n")
    (source / "public" / "img").mkdir()
    (source / "public" / "img" / "logo.svg").write_text("<svg/>")
    with_pages = start_server(source, "serve")
    assert httpx.get(with_pages.url + "/img/logo.svg", timeout=10).text == "<svg/>"
    with_pages.stop()
    server = start_server(deploy(source, tmp_path / "app", public=False), "serve", "--skip-build")
    assert httpx.get(server.url + "/robots.txt", timeout=10).text.endswith("Disallow: /private\n")
    assert httpx.get(server.url + "/img/logo.svg", timeout=10).text == "<svg/>"


def test_a_build_that_pyxle_serve_reuses_copies_the_api_routes_edited_since(tmp_path: Path, start_server) -> None:
    """An API route is no input of the bundle, so editing one leaves the build current: its copy in
    dist/ follows the source all the same, or a deploy of that dist/ would serve the old route."""
    version = "async def get(request):\n    return {'version': %d}\n"
    source = write_project(tmp_path / "source", {**FILES, "pages/api/version.py": version % 1})
    assert pyxle(source, "build", ".").returncode == 0
    (source / "pages" / "api" / "version.py").write_text(version % 2)
    with_pages = start_server(source, "serve")
    assert httpx.get(with_pages.url + "/api/version", timeout=10).json() == {"version": 2}
    with_pages.stop()
    server = start_server(deploy(source, tmp_path / "app"), "serve", "--skip-build")
    assert httpx.get(server.url + "/api/version", timeout=10).json() == {"version": 2}


def test_a_build_records_the_pyxle_version_that_made_it_and_its_public_files_once(built: Path) -> None:
    manifest = json.loads((built / "dist" / "manifest.json").read_text())
    assert manifest["pyxleVersion"] == __version__
    assert manifest["public"]["files"] == 1 and "publicFiles" not in manifest


@cites("docs/deployment.md", "Without `pages/` there is nothing to build it from, and start-up stops (exit code 1):\n"
       "``pyxle: /srv/app has no pages/ folder, and the build cannot be served without it: dist/manifest.json was made "
       "by Pyxle 0.9.4, and this is Pyxle 1.0.0; hint: run `pyxle build` with the Pyxle that serves it (Pyxle 1.0.0) "
       "where the pages are, and deploy the dist/ it writes``")
@cites("docs/deployment.md", "a `dist/` whose manifest names no `ssrBundle` (made before the SSR bundle's name was "
                             "hashed) is another version's too")
@pytest.mark.parametrize("made", ["0.9.4", None, "unnamed"])
def test_a_deploy_without_pages_of_a_build_another_pyxle_made_is_refused_naming_both_versions(
        built: Path, tmp_path: Path, made: str | None) -> None:
    """Its compiled modules and manifest are another Pyxle's, and nothing is there to build them again from.
    ``unnamed``: this version's, made before the SSR bundle was named in the manifest (server/ssr.mjs)."""
    app = deploy(built, tmp_path / "app")
    stamp(app, __version__ if made == "unnamed" else made)
    if made == "unnamed":
        manifest = json.loads((app / "dist" / "manifest.json").read_text())
        del manifest["ssrBundle"]
        (app / "dist" / "manifest.json").write_text(json.dumps(manifest))
    out = pyxle(app, "serve", ".", "--port", "0", timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    by = ("names no SSR bundle (an earlier Pyxle made it)" if made == "unnamed" else f"was made by Pyxle {made}" if made
          else "records no Pyxle version (an older Pyxle made it)")
    said = (f"pyxle: {app.resolve()} has no pages/ folder, and the build cannot be served without it: "
            f"dist/manifest.json {by}, and this is Pyxle {__version__}; hint: run `pyxle build` with the Pyxle that "
            f"serves it (Pyxle {__version__}) where the pages are, and deploy the dist/ it writes\n")
    assert said in out.stderr, out.stderr


@cites("docs/deployment.md", "Where `pages/` is there, `pyxle serve` builds again a `dist/` made by\nanother version")
@cites("docs/deployment.md", "`pyxle serve --skip-build` refuses to start on it:\n"
       "``pyxle: --skip-build: dist/manifest.json was made by Pyxle 0.9.4, and this is Pyxle 1.0.0; hint: run `pyxle "
       "build` with the Pyxle that serves it, or serve without --skip-build, which builds it again``")
def test_a_build_another_pyxle_made_is_built_again_where_the_pages_are_and_refused_with_skip_build(
        tmp_path: Path, start_server) -> None:
    source = write_project(tmp_path / "source", FILES)
    assert pyxle(source, "build", ".").returncode == 0
    stamp(source, "0.9.4")
    (source / "dist" / "server" / "theirs.txt").write_text("a file of the other Pyxle's build")

    out = pyxle(source, "serve", ".", "--skip-build", "--port", "0", timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert (f"pyxle: --skip-build: dist/manifest.json was made by Pyxle 0.9.4, and this is Pyxle {__version__}; hint: "
            "run `pyxle build` with the Pyxle that serves it, or serve without --skip-build, which builds it again\n"
            ) in out.stderr, out.stderr

    server = start_server(source, "serve")
    assert "fruit:apple" in httpx.get(server.url + "/", timeout=10).text
    assert json.loads((source / "dist" / "manifest.json").read_text())["pyxleVersion"] == __version__
    assert not (source / "dist" / "server" / "theirs.txt").exists()  # built anew, not reused


@cites("docs/deployment.md", "an API route or a page's loader\nthat reads a file next to it as it runs "
       "(`Path(__file__).parent / \"menu.json\"`, a template, a `.sql`\nfile) reads its copy")
def test_a_deploy_without_pages_serves_an_api_route_that_reads_files_beside_it(tmp_path: Path, start_server) -> None:
    """pages/api/menu.json is read at Path(__file__).parent, and so is pages/specials.json by a
    page's loader: their copies are there in dist/, and a build made after they changed carries the
    new ones."""
    source = write_project(tmp_path / "source", {**FILES, **MENU})
    assert pyxle(source, "build", ".").returncode == 0
    server = start_server(deploy(source, tmp_path / "v1"), "serve", "--skip-build")
    menu = httpx.get(server.url + "/api/menu", timeout=10)
    assert menu.status_code == 200, menu.text + server.output()
    assert menu.json() == {"menu": ["soup"], "query": "select 1"}
    specials = httpx.get(server.url + "/specials", timeout=10)
    assert specials.status_code == 200 and "<li>pie</li>" in specials.text, specials.text + server.output()
    server.stop()
    copies = source / "dist" / "server" / "python" / "pages"
    assert not (copies / "api" / ".env.local").exists() and not (copies / "index.pyxl").exists()

    (source / "pages" / "api" / "menu.json").write_text('["soup", "bread"]')
    (source / "pages" / "specials.json").write_text('["pie", "tart"]')
    assert pyxle(source, "build", ".").returncode == 0
    server = start_server(deploy(source, tmp_path / "v2"), "serve", "--skip-build")
    assert httpx.get(server.url + "/api/menu", timeout=10).json() == {"menu": ["soup", "bread"], "query": "select 1"}
    assert "<li>tart</li>" in httpx.get(server.url + "/specials", timeout=10).text


@cites("docs/deployment.md", "`pyxle serve` with `pages/` that reuses the build brings those copies up to date")
def test_a_build_that_pyxle_serve_reuses_copies_the_files_beside_the_api_routes_changed_since(
        tmp_path: Path, start_server) -> None:
    """A .sql file is no input of the bundle, so editing one leaves the build current: its copy follows."""
    source = write_project(tmp_path / "source", {**FILES, **MENU})
    assert pyxle(source, "build", ".").returncode == 0
    (source / "pages" / "api" / "sql" / "menu.sql").write_text("select 2")
    with_pages = start_server(source, "serve")
    assert httpx.get(with_pages.url + "/api/menu", timeout=10).json()["query"] == "select 2"
    with_pages.stop()
    server = start_server(deploy(source, tmp_path / "app"), "serve", "--skip-build")
    assert httpx.get(server.url + "/api/menu", timeout=10).json()["query"] == "select 2"


def test_a_build_another_pyxle_made_with_no_npm_packages_to_build_again_serves_the_pages_unrendered(
        tmp_path: Path, start_server) -> None:
    """The server cannot build it again, and serves the pages unrendered; its workers do the same,
    where they were told to serve the server's build (there is none) and refused this one."""
    source = write_project(tmp_path / "source", FILES)
    assert pyxle(source, "build", ".").returncode == 0
    stamp(source, "0.9.4")
    (source / "node_modules").unlink()
    server = start_server(source, "serve", "--workers", "2", env={"PYXLE_SECRET_KEY": "k" * 48})
    page = httpx.get(server.url + "/api/fruit", timeout=10)
    assert page.status_code == 200 and page.json() == {"fruit": ["apple"]}, page.text
    assert httpx.get(server.url + "/", timeout=10).status_code == 200
    assert "pages will not be rendered, on the server or in the browser (there is no build): npm packages" \
        in server.output()
    assert "--skip-build" not in server.output()


@cites("docs/deployment.md", "Its copy holds what the server would serve from `public/`: a symlink only\n"
       "while it leads to a file inside the folder")
def test_the_builds_copy_of_public_never_holds_what_a_symlink_leads_to_outside_it(tmp_path: Path, start_server) -> None:
    """shutil.copytree followed every link: a link to /etc/passwd was copied in and served by a deploy
    without public/; a link to a folder above the project failed the build with a RecursionError."""
    outside = tmp_path / "outside.txt"
    outside.write_text("outside secret")
    source = write_project(tmp_path / "source", {**FILES, "public/img/logo.svg": "<svg/>"})
    links = {"passwd": outside, "up": tmp_path, "dangling": tmp_path / "nowhere", "self": source / "public",
             "logo.svg": source / "public" / "img" / "logo.svg", "pictures": source / "public" / "img"}
    for name, target in links.items():
        (source / "public" / name).symlink_to(target)
    built = pyxle(source, "build", ".")
    assert built.returncode == 0, built.stdout + built.stderr
    copy = source / "dist" / "server" / "public"
    copied = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert copied == ["img/logo.svg", "logo.svg", "pictures/logo.svg", "robots.txt"], copied
    assert not any(p.is_symlink() for p in copy.rglob("*"))
    server = start_server(deploy(source, tmp_path / "app", public=False), "serve", "--skip-build")
    assert httpx.get(server.url + "/passwd", timeout=10).status_code == 404
    assert httpx.get(server.url + "/up/outside.txt", timeout=10).status_code == 404
    assert httpx.get(server.url + "/logo.svg", timeout=10).text == "<svg/>"
    assert httpx.get(server.url + "/pictures/logo.svg", timeout=10).text == "<svg/>"


def test_skip_build_over_a_dist_that_pyxle_framework_0_9_made_says_so(tmp_path: Path) -> None:
    """0.9's build has page-manifest.json, client/ and server/, and no manifest.json: start-up said
    there was no build in a full dist/."""
    source = write_project(tmp_path / "source", FILES)
    for name, text in {"page-manifest.json": "{}", "client/app.js": "", "server/pages/index.py": ""}.items():
        (source / "dist" / name).parent.mkdir(parents=True, exist_ok=True)
        (source / "dist" / name).write_text(text)
    out = pyxle(source, "serve", ".", "--skip-build", "--port", "0", timeout=60)
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    assert ("holds no build of this Pyxle (it has no manifest.json: an older Pyxle made it); run `pyxle build` first"
            in out.stderr), out.stderr
    assert "there is no build in" not in out.stderr


# What pyxle-framework 0.9.4's `pyxle build` writes in dist/ (its build of the upgrade probe's app,
# file for file by name): page-manifest.json is what its `pyxle serve --skip-build` starts from.
BUILD_0_9 = {
    "page-manifest.json": '{"/": {"client": {"file": "dist/assets/routes-DyYLydvk.js"}}}',
    "meta.json": '{"schema_version": "1", "sources": {}}',
    "metadata/pages/index.json": "{}",
    "app/pages/index.pyxl": "# 0.9's copy of the page source",
    "server/pages/index.py": "# 0.9's compiled page",
    "server/api/fruit.py": "# 0.9's compiled route",
    "client/dist/assets/routes-DyYLydvk.js": "",
    "client/dist/.vite/manifest.json": "{}",
    "public/robots.txt": "User-agent: *\n",
    "prerendered/about.html": "<p>0.9's --static page</p>",  # `pyxle build --static`
}


def build_0_9(project: Path) -> None:
    """Write a dist/ shaped as pyxle-framework 0.9.4's `pyxle build` left it."""
    for name, text in BUILD_0_9.items():
        (project / "dist" / name).parent.mkdir(parents=True, exist_ok=True)
        (project / "dist" / name).write_text(text)


@cites("docs/migrating.md", "`pyxle build` removes what 0.9's build left in `dist/`")
def test_a_build_over_0_9s_dist_leaves_no_half_of_it_and_keeps_other_files(tmp_path: Path) -> None:
    """It removed 0.9's client/ and kept its page-manifest.json, meta.json, metadata/ and app/, so
    0.9's `pyxle serve --skip-build` (a rollback) started on them and served pages whose every
    script was a 404. A file of the user's own in dist/ is not 0.9's: it stays."""
    source = write_project(tmp_path / "source", FILES)
    build_0_9(source)
    (source / "dist" / "NOTES.txt").write_text("mine")
    (source / "dist" / "backups").mkdir()
    (source / "dist" / "backups" / "old.tar").write_text("mine too")
    out = pyxle(source, "build", ".")
    assert out.returncode == 0, out.stdout + out.stderr
    dist = source / "dist"
    left = [name for name in ("page-manifest.json", "meta.json", "metadata", "app", "prerendered", "client", "server/api",
                              "server/pages/index.py.orig") if (dist / name).exists()]
    assert left == [], left
    assert "0.9's" not in (dist / "server" / "pages" / "index.py").read_text()
    assert (dist / "NOTES.txt").read_text() == "mine" and (dist / "backups" / "old.tar").read_text() == "mine too"
    assert (dist / "manifest.json").is_file()


@cites("docs/deployment.md", "(it has no manifest.json: an older Pyxle made it)")
@cites("docs/migrating.md", "`pyxle serve` without `--skip-build` builds 0.9's `dist/` again, saying so in one line")
def test_serve_over_0_9s_dist_says_why_it_builds_again(tmp_path: Path, start_server) -> None:
    """deployment.md promises a line before a stale dist/ is built again; over 0.9's dist/ (no
    manifest.json) `pyxle serve` rebuilt it without one."""
    source = write_project(tmp_path / "source", FILES)
    build_0_9(source)
    server = start_server(source, "serve")
    assert "fruit:apple" in httpx.get(server.url + "/", timeout=10).text
    line = "the build in dist/ is stale (it has no manifest.json: an older Pyxle made it): building it again"
    assert server.output().count(line) == 1, server.output()
    server.stop()
    again = start_server(source, "serve")  # ours now: current, nothing to say
    assert "is stale" not in again.output(), again.output()
