"""What `pyxle dev` watches: the project root and its source folders, never its build output wherever it
is configured, nor node_modules, virtualenvs or dot-folders at any depth."""

from __future__ import annotations

from pathlib import Path

from watchfiles import Change

from pyxle.app._reload import _relevance
from pyxle.app._watch import source_folders
from tests.docs._blocks import cites


def test_build_output_is_neither_watched_nor_relevant(tmp_path: Path) -> None:
    for folder in ("pages", "components", "ship", "out/site", "node_modules/react"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "db.py").write_text("")
    outputs = (tmp_path / "ship", tmp_path / "out" / "site")  # a custom distDir and buildDir
    watched = source_folders(tmp_path, outputs)
    assert watched == {tmp_path, tmp_path / "components", tmp_path / "out", tmp_path / "pages"}  # db.py: by the root

    relevant = _relevance(tmp_path, outputs)
    assert relevant(Change.modified, str(tmp_path / "pages" / "index.pyxl"))
    assert relevant(Change.modified, str(tmp_path / "components" / "Counter.tsx"))
    assert not relevant(Change.added, str(tmp_path / "out" / "site" / "server" / "pages" / "index.py"))
    assert not relevant(Change.added, str(tmp_path / "ship" / "public" / "_pyxle" / "page.js"))
    assert not relevant(Change.modified, str(tmp_path / "pages" / "notes.txt"))
    assert not relevant(Change.modified, str(tmp_path / "pages" / ".cache" / "x.js"))


def test_folders_are_judged_below_the_project_root(tmp_path: Path) -> None:
    """A project living under a folder named like a skipped one (dist, venv) still reloads, and a
    vendored `dist/` folder inside it is a source like any other."""
    root = tmp_path / "dist" / "venv" / "app"
    relevant = _relevance(root, (root / "dist", root / ".pyxle-build"))
    assert relevant(Change.modified, str(root / "pages" / "index.pyxl"))
    assert relevant(Change.modified, str(root / "lib" / "dist" / "widget.js"))
    assert not relevant(Change.modified, str(root / "dist" / "public" / "page.js"))
    assert not relevant(Change.modified, str(root / "node_modules" / "react" / "index.js"))
    assert not relevant(Change.modified, str(root / ".venv" / "lib" / "site.py"))


def test_tool_folders_are_skipped_at_any_depth_and_linked_folders_at_the_root(tmp_path: Path) -> None:
    """Each folder gets a watch of its own, so what is skipped is never walked: a node_modules or
    dot-folder anywhere, node_modules linked in from elsewhere. A folder linked deeper is watched
    once, by its nearest path, and a link back up does not loop."""
    for folder in ("pages/blog", "pages/node_modules/x", "pages/.cache", "lib/venv", "shared"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "modules").symlink_to(tmp_path / "shared", target_is_directory=True)
    (tmp_path / "pages" / "shared").symlink_to(tmp_path / "shared", target_is_directory=True)
    (tmp_path / "pages" / "blog" / "up").symlink_to(tmp_path / "pages", target_is_directory=True)
    watched = {p.relative_to(tmp_path).as_posix() for p in source_folders(tmp_path, ())}
    assert watched == {".", "lib", "pages", "pages/blog", "shared"}


def test_fingerprint_skips_the_build_folders_only(tmp_path: Path) -> None:
    """The bundler's input fingerprint: build output (any configured folder) is not an input, a
    source file under a folder that happens to be called `dist` is."""
    from pyxle.bundler import inputs_hash

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "index.pyxl").write_text("export default function P() { return null }\n")
    (tmp_path / "ship" / "public").mkdir(parents=True)
    (tmp_path / "lib" / "dist").mkdir(parents=True)
    (tmp_path / "lib" / "dist" / "widget.js").write_text("export const w = 1\n")

    def fingerprint() -> str:
        return inputs_hash(tmp_path, (tmp_path / ".pyxle-build", tmp_path / "ship"), {}, "development", False)

    first = fingerprint()
    (tmp_path / "ship" / "public" / "page.js").write_text("console.log(1)\n")
    assert fingerprint() == first
    (tmp_path / "lib" / "dist" / "widget.js").write_text("export const w = 2\n")
    assert fingerprint() != first


def test_reload_forgets_project_modules_even_under_a_folder_named_venv(tmp_path: Path) -> None:
    """The project's own helpers (db.py) are re-imported on reload and in each new server worker;
    its virtualenv's modules are not, nor an installed package's under a folder of another name."""
    import sys
    import types

    from pyxle.app._watch import forget_project_modules

    root = tmp_path / "venv" / "app"
    helper, installed = types.ModuleType("db_under_venv"), types.ModuleType("site_thing")
    package = types.ModuleType("env_package")
    helper.__file__ = str(root / "db.py")
    installed.__file__ = str(root / ".venv" / "lib" / "site_thing.py")
    package.__file__ = str(root / "env" / "lib" / "python3.11" / "site-packages" / "env_package" / "__init__.py")
    sys.modules.update(db_under_venv=helper, site_thing=installed, env_package=package)
    try:
        forget_project_modules(root)
        assert "db_under_venv" not in sys.modules
        assert sys.modules["site_thing"] is installed
        assert sys.modules["env_package"] is package
    finally:
        for name in ("db_under_venv", "site_thing", "env_package"):
            sys.modules.pop(name, None)


def test_reload_forgets_the_shared_modules_the_project_imports_and_no_other_module_outside_it(tmp_path: Path) -> None:
    """A monorepo's shared package outside the project (PYTHONPATH, pip install -e), its submodules
    included, is re-imported on reload; a module outside the project it never imports (a test
    runner's, a tool's) is not, nor is the script that started the process."""
    import sys
    import types

    from pyxle.app._watch import forget_project_modules

    root = tmp_path / "app"
    route, shared, words = (types.ModuleType(name) for name in ("route_mod", "shared_pkg", "shared_pkg.words"))
    unrelated, main = types.ModuleType("runner_helper"), types.ModuleType("__mp_main__")
    route.__file__ = str(root / "pages" / "api" / "route.py")
    shared.__file__ = str(tmp_path / "shared" / "shared_pkg" / "__init__.py")
    words.__file__ = str(tmp_path / "shared" / "shared_pkg" / "words.py")
    unrelated.__file__ = str(tmp_path / "tests" / "runner_helper.py")
    main.__file__ = str(tmp_path / "tests" / "main.py")
    route.shared_pkg, route.main = shared, main  # what `import shared_pkg` leaves in the route
    modules = {"route_mod": route, "shared_pkg": shared, "shared_pkg.words": words,
               "runner_helper": unrelated, "__mp_main__": main}
    saved = {name: sys.modules[name] for name in modules if name in sys.modules}
    sys.modules.update(modules)
    try:
        forget_project_modules(root)
        assert not {"route_mod", "shared_pkg", "shared_pkg.words"} & set(sys.modules)
        assert sys.modules["runner_helper"] is unrelated and sys.modules["__mp_main__"] is main
    finally:
        for name in modules:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def test_style_configs_and_stylesheets_at_the_root_are_watched_and_relevant(tmp_path: Path) -> None:
    """postcss.config.*, .postcssrc, tailwind.config.* and stylesheets listed in styling.globalStyles
    may sit at the project root: edits to them rebuild in `pyxle dev`."""
    names = ["postcss.config.cjs", "postcss.config.mjs", ".postcssrc", ".postcssrc.json", "tailwind.config.ts",
             "reset.css", "theme.scss", "notes.txt"]
    for name in names:
        (tmp_path / name).write_text("")
    (tmp_path / "pages").mkdir()
    assert source_folders(tmp_path, ()) == {tmp_path, tmp_path / "pages"}  # the root's files: by the root itself
    relevant = _relevance(tmp_path, ())
    for name in names[:-1]:
        assert relevant(Change.modified, str(tmp_path / name)), name
    assert relevant(Change.modified, str(tmp_path / "pages" / "card.module.scss"))
    assert relevant(Change.modified, str(tmp_path / "pages" / "legacy.sass"))
    assert not relevant(Change.modified, str(tmp_path / "notes.txt"))


def test_fingerprint_covers_style_configs_and_sass(tmp_path: Path) -> None:
    """Editing a PostCSS or Tailwind config (any extension) or a Sass file makes the build stale."""
    from pyxle.bundler import inputs_hash

    files = ["postcss.config.cjs", "postcss.config.mjs", ".postcssrc", "tailwind.config.cjs", "pages/a.scss", "pages/b.sass"]
    for name in files:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("1")
    before = inputs_hash(tmp_path, (), {}, "production", False)
    for name in files:
        (tmp_path / name).write_text("2")
        after = inputs_hash(tmp_path, (), {}, "production", False)
        assert after != before, name
        before = after
    assert inputs_hash(tmp_path, (), {}, "production", False, (("a.css",), ())) != before  # globalStyles too


def test_an_editors_dot_files_are_not_sources_but_the_style_configs_are(tmp_path: Path) -> None:
    """Emacs's `.#Counter.jsx` (a link to nowhere while a buffer has unsaved edits) was read by
    every build's fingerprint, and its appearing rebuilt `pyxle dev`."""
    from pyxle.bundler import inputs_hash

    (tmp_path / "components").mkdir()
    (tmp_path / "components" / "Counter.jsx").write_text("export default function C() { return null }\n")
    relevant = _relevance(tmp_path, ())
    assert not relevant(Change.added, str(tmp_path / "components" / ".#Counter.jsx"))
    assert relevant(Change.modified, str(tmp_path / ".postcssrc.json"))
    assert relevant(Change.modified, str(tmp_path / ".env"))

    def fingerprint() -> str:
        return inputs_hash(tmp_path, (), {}, "development", False)

    first = fingerprint()
    (tmp_path / "components" / ".#Counter.jsx").symlink_to("root@host.99:1700000000")
    assert fingerprint() == first
    (tmp_path / ".postcssrc.json").write_text("{}\n")
    assert fingerprint() != first


class _FakeApp:
    """What the reload loop uses of a PyxleApp: a route load that fails as Pyxle itself might."""

    def __init__(self, root: Path) -> None:
        from types import SimpleNamespace

        self.config = SimpleNamespace(root=root, build_path=root / ".pyxle-build", dist_path=root / "dist")
        self.held_modules: frozenset[Path] = frozenset()
        self.broken_pages: dict[str, str] = {}
        self.plugins = None  # a project without plugins: a .env edit is applied in place
        self.route_table = SimpleNamespace(api_url=lambda path: False)
        self.router = SimpleNamespace(fallback=None)
        self.reports: list[tuple[str, str]] = []
        self.dev_events = SimpleNamespace(broken=lambda message, names: self.reports.append(("broken", message)),
                                          reloaded=lambda names, pages: self.reports.append(("reloaded", ",".join(names))),
                                          script_policy=None, refusal=None)
        self.loads = 0

    def load_routes(self) -> None:
        self.loads += 1
        if self.loads == 1:
            raise RuntimeError("a fault of Pyxle's own")

    async def swap_renderer(self, renderer: object) -> None:
        return None


def test_the_reload_loop_reports_an_unexpected_error_and_keeps_watching(tmp_path: Path, caplog) -> None:
    """Any exception but the expected two ended the watch silently (the error surfaced only when
    the server stopped): no later edit was picked up until a restart."""
    import asyncio

    from pyxle.app._reload import _rebuild_on_change

    (tmp_path / "pages").mkdir()
    app = _FakeApp(tmp_path)

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(_rebuild_on_change(app, stop, (app.config.build_path, app.config.dist_path)))  # type: ignore[arg-type]
        for n in (1, 2):
            await asyncio.sleep(0.5)  # the watch is in place
            (tmp_path / "pages" / "index.pyxl").write_text(f"export default function P() {{ return {n} }}\n")
            for _ in range(100):
                if len(app.reports) == n:
                    break
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert app.reports == [("broken", "RuntimeError: a fault of Pyxle's own"), ("reloaded", "pages/index.pyxl")]
    assert "Traceback" in caplog.text and "a fault of Pyxle's own" in caplog.text


@cites("docs/deployment.md", "nor a virtualenv's\n(a folder holding a `pyvenv.cfg`, whatever its name: `env/` as well as `.venv/`)")
@cites("docs/getting-started.md", "virtualenvs (a folder\nholding a `pyvenv.cfg`, whatever its name)")
def test_a_virtualenv_under_any_name_is_neither_a_source_nor_watched(tmp_path: Path) -> None:
    """One named `env/` (only `.venv` and `venv` were known by name) was fingerprinted and watched:
    a `pip install` into it after the build made the build stale, and a read-only deploy refuse to start."""
    from pyxle.bundler import inputs_hash, source_files

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "index.pyxl").write_text("export default function P() { return null }\n")
    (tmp_path / "env" / "lib" / "site-packages" / "pkg").mkdir(parents=True)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "env" / "lib" / "site-packages" / "pkg" / "widget.js").write_text("export const w = 1\n")
    (tmp_path / "envelopes").mkdir()  # a folder of the project's own, with no pyvenv.cfg
    (tmp_path / "envelopes" / "Card.jsx").write_text("export default function Card() { return null }\n")
    assert {p.relative_to(tmp_path).as_posix() for p in source_files(tmp_path, ())} == {"pages/index.pyxl",
                                                                                         "envelopes/Card.jsx"}
    assert {p.relative_to(tmp_path).as_posix() for p in source_folders(tmp_path, ())} == {".", "pages", "envelopes"}
    first = inputs_hash(tmp_path, (), {}, "production", False)
    (tmp_path / "env" / "lib" / "site-packages" / "pkg" / "widget.js").write_text("export const w = 2\n")
    assert inputs_hash(tmp_path, (), {}, "production", False) == first
