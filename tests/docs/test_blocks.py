"""Every fenced block of README.md and docs/*.md runs or is checked: the rules of "Docs that run"
in docs/architecture.md. A new block without its info-string key fails here, naming its line."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from importlib.metadata import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import pyxle
from tests.docs._blocks import KINDS, REPO, Block, all_blocks, project_of, projects, suite_modules
from tests.docs.conftest import python_run

BLOCKS = all_blocks()


def _of(kind: str) -> list[Block]:
    return [b for b in BLOCKS if b.kind == kind]


def _ids(blocks: list[Block]) -> list[str]:
    return [b.where for b in blocks]


def _test_files() -> list[str]:
    return [p.read_text() for p in suite_modules()]


def _test_sources() -> str:
    return "\n".join(_test_files())


def test_every_block_says_what_it_is() -> None:
    unclear = [f"{b.where} ({b.lang or 'no language'}: {dict(b.attrs) or 'no key'})" for b in BLOCKS
               if b.kind is None]
    assert not unclear, f"blocks without exactly one of {KINDS}:\n" + "\n".join(unclear)


@pytest.mark.parametrize("block", _of("fragment"), ids=_ids(_of("fragment")))
def test_a_fragment_is_part_of_its_complete_file(block: Block) -> None:
    """The fragment's lines appear, in order and together, in the file it names (indentation aside)."""
    target = REPO / block.attrs["fragment"]
    assert target.is_file(), f"{block.where}: {block.attrs['fragment']} does not exist"
    assert block.attrs["fragment"].startswith(("docs/examples/", "examples/")), "fragments point at run examples"
    wanted = [line.strip() for line in block.text.splitlines() if line.strip()]
    have = [line.strip() for line in target.read_text().splitlines() if line.strip()]
    assert any(have[i:i + len(wanted)] == wanted for i in range(len(have))), \
        f"{block.where}: these lines are not together in {block.attrs['fragment']}:\n{block.text}"


def test_every_example_folder_is_run_by_a_test() -> None:
    sources = _test_sources()
    folders = sorted(p.name for p in (REPO / "docs" / "examples").iterdir() if p.is_dir())
    assert folders
    unrun = [name for name in folders if f'"{name}"' not in sources and f"examples/{name}" not in sources]
    assert not unrun, f"docs/examples/ folders no test runs: {unrun}"


def test_every_named_block_is_read_by_a_test() -> None:
    """A test module that calls doc_block, names the doc and quotes the id (loops and constants allowed)."""
    readers = [text for text in _test_files() if "doc_block(" in text]
    unread = [f"{b.where} id={b.attrs['id']}" for b in _of("id")
              if not any(f'"{b.doc}"' in text and f'"{b.attrs["id"]}"' in text for text in readers)]
    assert not unread, "named blocks that no test reads with doc_block(doc, id):\n" + "\n".join(unread)


def test_every_doc_project_is_served_by_a_test() -> None:
    users = [text for text in _test_files() if re.search(r"\b(doc_project|write_project|project_files|write)\(", text)]
    unserved = [p for p in projects() if not any(f'"{p}"' in text for text in users)]
    assert not unserved, f"doc projects no test starts: {unserved}"


def test_file_blocks_name_relative_paths_inside_the_project() -> None:
    bad = [b.where for b in _of("file") if b.attrs["file"].startswith("/") or ".." in b.attrs["file"].split("/")]
    assert not bad
    named = {b.where: (b.attrs["file"], b.text.splitlines()[0]) for b in _of("file") if b.lang in ("python", "js")}
    wrong = [w for w, (path, first) in named.items()
             if re.match(r"(#|//) [\w./\[\]-]+\.\w+\b", first) and first.split()[1].rstrip(",:") != path]
    assert not wrong, f"a block's first-line comment names another file than file=: {wrong}"


@pytest.mark.parametrize("block", _of("config"), ids=_ids(_of("config")))
def test_a_config_example_loads_without_problems_or_warnings(block: Block, tmp_path: Path) -> None:
    from pyxle.config import load_config

    (tmp_path / "pyxle.config.json").write_text(block.text)
    config = load_config(tmp_path, mode="production", environ={}, load_env=False)
    assert config.warnings == (), config.warnings
    json.loads(block.text)


def _commands(text: str) -> list[list[str]]:
    """The commands of a shell block: comments, continuations, ``&&`` and leading VAR=value handled."""
    commands = []
    for line in text.replace("\\\n", " ").splitlines():
        for part in re.split(r"\s&&\s", line):
            words = shlex.split(part, comments=True)
            while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                words = words[1:]
            if words:
                commands.append(words)
    return commands


def _extras() -> set[str]:
    return set(metadata("pyxle-framework").get_all("Provides-Extra") or ())


def _npm_packages() -> set[str]:
    names: set[str] = set()
    for manifest in (REPO / "tests").glob("node*/package.json"):
        data = json.loads(manifest.read_text())
        names |= set(data.get("dependencies", {})) | set(data.get("devDependencies", {}))
    return names


def _check_pyxle(args: list[str]) -> None:
    from pyxle.cli import main

    command = main.get_command(main.make_context("pyxle", ["--help"], resilient_parsing=True), args[0])
    assert command is not None, f"pyxle has no command {args[0]!r}"
    command.make_context(args[0], list(args[1:]))  # raises on an unknown flag or a bad value


def _check(words: list[str]) -> None:
    tool, args = words[0], words[1:]
    if tool == "pyxle":
        _check_pyxle(args)
    elif tool in ("pip", "pip3"):
        assert args[0] == "install"
        for requirement in map(Requirement, args[1:]):
            assert requirement.name == "pyxle-framework", requirement
            assert requirement.extras <= _extras(), f"no such extra: {requirement}"
            assert requirement.specifier.contains(pyxle.__version__), f"{requirement} excludes this Pyxle"
    elif tool == "npm":
        assert args[0] == "install", args
        packages = [a for a in args[1:] if not a.startswith("-")]
        assert set(packages) <= _npm_packages(), f"packages the suite never installs: {set(packages) - _npm_packages()}"
    elif tool.endswith("python") and args[:1] == ["-c"]:
        subprocess.run([sys.executable, *args], check=True, capture_output=True)
    elif tool.endswith("python"):
        script = REPO / args[0]
        assert script.is_file(), args[0]
        shown = python_run(REPO, str(script), "--help", timeout=60)
        assert shown.returncode == 0, shown.stderr
        unknown = [a.split("=")[0] for a in args[1:] if a.startswith("--") and a.split("=")[0] not in shown.stdout]
        assert not unknown, f"{args[0]} has no {unknown}"
    elif tool.startswith("scripts/"):
        script = REPO / tool
        assert script.is_file() and script.stat().st_mode & 0o111, tool
    else:
        raise AssertionError(f"no check for {tool!r}: give the block id= and a test of its own")


@pytest.mark.parametrize("block", _of("cmd"), ids=_ids(_of("cmd")))
def test_the_commands_shown_are_what_the_tools_accept(block: Block) -> None:
    commands = _commands(block.text)
    assert commands
    for words in commands:
        _check(words)


def test_file_projects_are_named() -> None:
    assert {project_of(b) for b in _of("file")} == set(projects())


def test_the_readme_opens_with_the_two_set_up_commands() -> None:
    """Its first screen: the demo and the test suite, each one command (checked above as `cmd`)."""
    first_screen = "\n".join((REPO / "README.md").read_text().splitlines()[:24])
    first_block = next(b for b in BLOCKS if b.doc == "README.md")
    assert first_block.kind == "cmd" and first_block.text in first_screen
    assert [words[0] for words in _commands(first_block.text)] == ["scripts/demo.sh", "scripts/test.sh"]
