"""`pyxle init` writes AGENTS.md, a guide for coding agents, and what it says is true of the project
it describes: its code is the starter's own or runs on a real server as shown, the commands it names
are Pyxle's (with flags Pyxle takes), the paths it names are the project's, and the `PYXLE_*`
variables and config keys it names are ones Pyxle reads."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import httpx
import pytest

from pyxle.config import _unsupported, _validate, load_config
from tests.conftest import REPO, PageWatch, link_node_modules
from tests.docs._blocks import cites
from tests.docs.test_blocks import _check, _check_pyxle, _commands
from tests.e2e.test_init import pyxle

STARTERS = {"app": (), "tailwind": ("--tailwind",), "api": ("--api",)}
# What the guides name but the starter has not: files one may add (or, `tailwind.config.js`, must
# not), and the folders the commands make.
NOT_IN_THE_STARTER = {
    "about.pyxl", "[id].pyxl", "[...path].pyxl", "index.py", "[id].py", "[...path].py", "template.pyxl", "error.pyxl", "not-found.pyxl", "loading.pyxl", "db.py",
    "pages/api/users/[id].py", "pyxle.config.json", ".env", ".env.local", "tailwind.config.js",
    "node_modules/", ".pyxle-build/", "dist/",
}
_FENCED = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_FILE_NAME = re.compile(r"\.?[\w-]+(\.[\w-]+)*\.(py|pyxl|jsx|js|mjs|css|json|txt|md)|Dockerfile|\.env[\w.]*")
_PATH = re.compile(r"[\w.()\[\]-]+(/[\w.()\[\]-]+)*(/|/[\w()\[\]-]*\.\w+)")  # a/, a/b.c


def starter(tmp_path: Path, kind: str) -> tuple[Path, str]:
    made = pyxle("init", "shop", *STARTERS[kind], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "  AGENTS.md\n" in made.stdout
    project = tmp_path / "shop"
    return project, (project / "AGENTS.md").read_text()


def code_blocks(guide: str) -> list[tuple[str, str | None, str]]:
    """(language, the file a first-line comment names or None, the code after that line)."""
    found = []
    for lang, body in _FENCED.findall(guide):
        first, _, rest = body.partition("\n")
        named = re.fullmatch(r"(?:#|//) ([\w./()\[\]-]+\.\w+)", first)
        found.append((lang, named.group(1), rest) if named else (lang, None, body))
    return found


def new_files(guide: str, project: Path) -> dict[str, str]:
    """The guide's examples of files the starter has not: the ones a test writes and serves."""
    return {path: code for _, path, code in code_blocks(guide) if path and not (project / path).exists()}


def prose_names(guide: str) -> list[str]:
    """What the guide puts in backticks outside its code blocks."""
    return re.findall(r"`([^`\n]+)`", _FENCED.sub("", guide))


def config_keys(section: str) -> tuple[str, ...]:
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", section).upper()
    return getattr(_validate, f"{snake}_KEYS", _validate.CACHE_SETTINGS if section == "cache" else ())


@cites("docs/getting-started.md", "an `AGENTS.md` for coding agents (and people) working in the project")
@pytest.mark.parametrize("kind", list(STARTERS))
def test_every_starter_has_an_agents_md_true_of_its_project(tmp_path: Path, kind: str) -> None:
    project, guide = starter(tmp_path, kind)
    assert "%%" not in guide and guide.startswith("# Working on shop\n")
    assert 80 <= len(guide.splitlines()) <= 160, "keep the guide short"

    for lang, path, code in code_blocks(guide):
        if lang == "python":
            compile(code, path or "AGENTS.md", "exec")
        if lang == "bash":
            for words in _commands(code):
                if words[0] == "pytest":
                    assert (project / "tests").is_dir(), "the guide runs tests this starter has not"
                elif words[0] != "curl":  # run against the server below
                    _check(words)
        elif path and (project / path).is_file():  # the starter's own code: lines shown together in it
            shown = [line.strip() for line in code.splitlines() if line.strip()]
            have = [line.strip() for line in (project / path).read_text().splitlines() if line.strip()]
            assert any(have[i:i + len(shown)] == shown for i in range(len(have))), f"not in {path}:\n{code}"
        else:
            assert path, f"a code block names no file:\n{code}"

    names = prose_names(guide)
    for name in names:
        if re.match(r"(\w+=\S+ )*pyxle ", name):
            for words in _commands(name):
                _check_pyxle(words[1:])
    everything = {p.relative_to(project).as_posix() for p in project.rglob("*")}
    files = {p.name for p in project.rglob("*")}
    named_paths = [n for n in names if _PATH.fullmatch(n) and not n.startswith("/")]
    missing = [n for n in named_paths if n.rstrip("/") not in everything and n not in NOT_IN_THE_STARTER]
    missing += [n for n in names if _FILE_NAME.fullmatch(n) and n not in files and n not in NOT_IN_THE_STARTER]
    assert not missing, f"the guide names what the {kind} starter does not have: {missing}"
    top = {p.name for p in project.iterdir() if not p.name.startswith(".")} - {"AGENTS.md", "README.md"}
    unnamed = [t for t in top if not any(n == t or n.startswith(t + "/") for n in names)]
    assert not unnamed, f"the guide does not say what these are: {unnamed}"

    source = "\n".join(p.read_text() for p in (REPO / "src" / "pyxle").rglob("*.py"))
    variables = {v if not v.startswith("PYXLE_PUBLIC_") else "PYXLE_PUBLIC_" for v in re.findall(r"PYXLE_[A-Z0-9_]*", guide)}
    unread = [v for v in variables if f'"{v}' not in source]
    assert variables and not unread, f"Pyxle reads no such variable: {unread}"
    supported = set(_validate.TOP_LEVEL_KEYS) - set(_unsupported.TOP_LEVEL)
    for name in names:
        section, dot, key = name.partition(".")
        if dot and section in supported and re.fullmatch(r"[a-z]\w*", key):
            assert key in config_keys(section), f"Pyxle reads no config key {name}"
    for lang, _, code in code_blocks(guide):
        if lang == "json":
            (tmp_path / "pyxle.config.json").write_text(code)
            assert load_config(tmp_path, mode="production", environ={}, load_env=False).warnings == ()


@cites("docs/getting-started.md", "the API starter's speaks of routes\nalone")
def test_an_api_starters_guide_says_nothing_of_pages(tmp_path: Path) -> None:
    _, guide = starter(tmp_path, "api")
    for word in (".pyxl", "@server", "@action", "JSX", "React", "PYXLE_PUBLIC_", "npm install", "pyxle build"):
        assert word not in guide, word


@cites("docs/getting-started.md", "the Tailwind one's of styling with Tailwind")
def test_the_tailwind_guide_differs_from_the_app_guide_in_styling_alone(tmp_path: Path) -> None:
    """Their code is the same, so the app's run below covers the Tailwind starter's examples too."""
    (tmp_path / "a").mkdir(), (tmp_path / "t").mkdir()
    _, app_guide = starter(tmp_path / "a", "app")
    _, tailwind_guide = starter(tmp_path / "t", "tailwind")
    assert code_blocks(app_guide) == code_blocks(tailwind_guide)
    styling = tailwind_guide.split("## Styling\n")[1].split("\n## ")[0]
    assert "utility classes in `className`" in styling and "`tailwind.config.js`: do not add one" in styling
    assert "tailwind" not in app_guide.lower()


def test_the_app_guides_page_runs_as_shown(tmp_path: Path, start_server, page: PageWatch) -> None:
    project, guide = starter(tmp_path, "app")
    written = new_files(guide, project)
    assert list(written) == ["pages/posts/[id].pyxl"]
    for path, code in written.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(code)
    link_node_modules(project)
    checked = pyxle("check", str(project), cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    server = start_server(project)
    assert "<h1>Hello</h1>" in httpx.get(server.url + "/posts/1").text
    assert httpx.get(server.url + "/posts/2").status_code == 404  # the LoaderError
    page.page.goto(server.url + "/posts/1")
    page.hydrated()
    assert page.page.title() == "Hello"
    page.page.get_by_role("button", name="Like (0)").click()
    page.page.get_by_role("button", name="Like (1)").click()
    page.page.get_by_role("button", name="Like (2)").wait_for()
    assert page.problems() == []


def test_the_api_guides_route_and_commands_run_as_shown(tmp_path: Path, start_server) -> None:
    project, guide = starter(tmp_path, "api")
    written = new_files(guide, project)
    assert list(written) == ["pages/api/items.py"]
    for path, code in written.items():
        (project / path).write_text(code)

    server = start_server(project, env={"PATH": str(Path(sys.executable).parent)})  # Python alone
    items = server.url + "/api/items"
    assert httpx.get(items).json() == {"items": []}
    created = httpx.post(items, json={"name": "tea"})
    assert (created.status_code, created.json()) == (201, {"id": 1, "name": "tea"})
    assert httpx.post(items, json={}).status_code == 400
    assert httpx.post(items, content=b"not json").status_code == 400
    assert httpx.get(items).json() == {"items": [{"id": 1, "name": "tea"}]}
    for lang, _, code in code_blocks(guide):
        for words in _commands(code) if lang == "bash" else []:
            if words[0] == "curl":
                assert httpx.get(words[1].replace("http://127.0.0.1:8000", server.url)).status_code == 200


@cites("docs/pages.md", "It never overwrites: if\n  any of its files already exists")
def test_init_never_overwrites_an_agents_md(tmp_path: Path) -> None:
    (tmp_path / "AGENTS.md").write_text("mine")
    made = pyxle("init", ".", cwd=tmp_path)
    assert made.returncode == 1
    assert "already has AGENTS.md; nothing was written" in made.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["AGENTS.md"]
    assert (tmp_path / "AGENTS.md").read_text() == "mine"
