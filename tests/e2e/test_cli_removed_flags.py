"""A flag of pyxle-framework 0.3 to 0.9 that this Pyxle does not take stops the command with exit
code 2 and a message naming the flag and what to use instead (docs/migrating.md's "Commands and
flags"), never click's bare "No such option", nor a suggestion of a ``--no-`` flag."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import pyxle_command, server_env
from tests.docs._blocks import cites, doc_block

# (the command line, the flag, words of the hint)
REMOVED = [
    (["--log-format", "json", "serve"], "--log-format", "pyxle serve --log-format json"),
    (["--verbose", "serve"], "--verbose", '"logLevel": "debug"'),
    (["--quiet", "serve"], "--quiet", '"logLevel": "warning"'),
    (["-q", "serve"], "-q", '"logLevel": "warning"'),
    (["--install-completion"], "--install-completion", "_PYXLE_COMPLETE=bash_source pyxle"),
    (["--show-completion"], "--show-completion", "_PYXLE_COMPLETE=bash_source pyxle"),
    (["init", "new", "--force"], "--force", "init never overwrites a file"),
    (["init", "new", "--template", "blog"], "--template", "--api makes an API-only project"),
    (["init", "new", "-t", "blog"], "-t", "--api makes an API-only project"),
    (["init", "new", "--shadcn"], "--shadcn", "0.9's shadcn starters serve unchanged"),
    (["init", "new", "--import-alias", "@/*"], "--import-alias", "paths in jsconfig.json or tsconfig.json"),
    (["init", "new", "--install"], "--install", "run pyxle install"),
    (["install", ".", "--python", "python3"], "--python", "python -m pyxle install"),
    (["install", ".", "--node", "node"], "--node", "the npm on PATH"),
    (["install", ".", "--break-system-packages"], "--break-system-packages", "PIP_BREAK_SYSTEM_PACKAGES=1"),
    (["dev", ".", "--debug"], "--debug", "pyxle dev always shows error detail"),
    (["dev", ".", "--dashboard"], "--dashboard", "observability.metricsEndpoint"),
    (["dev", ".", "--inspect"], "--inspect", "browser's developer tools"),
    (["dev", ".", "--inspect-port", "9229"], "--inspect-port", "browser's developer tools"),
    (["dev", ".", "--inspect-wait"], "--inspect-wait", "browser's developer tools"),
    (["dev", ".", "--verbose"], "--verbose", '"logLevel": "debug"'),
    (["dev", ".", "--config", "x.json"], "--config", "PYXLE_* variables override its keys"),
    (["build", ".", "--static"], "--static", "page cache"),
    (["build", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
    (["serve", ".", "--dist-dir", "out"], "--dist-dir", "distDir in pyxle.config.json or PYXLE_DIST_DIR"),
    (["serve", ".", "--dist-dir=out"], "--dist-dir", "distDir in pyxle.config.json or PYXLE_DIST_DIR"),
    (["serve", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
    (["check", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
    (["routes", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
    (["typecheck", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
    (["openapi", ".", "--config", "x.json"], "--config", "pyxle.config.json"),
]


@cites("docs/migrating.md", "A flag of 0.3 to 0.9 that is \"not provided\" stops the command with exit code 2, "
       "naming the flag and what to use instead")
@pytest.mark.parametrize(("args", "flag", "hint"), REMOVED, ids=[" ".join(r[0]) for r in REMOVED])
def test_a_removed_flag_of_0_x_names_what_replaces_it(tmp_path: Path, args: list[str], flag: str, hint: str) -> None:
    done = subprocess.run([*pyxle_command(), *args], cwd=tmp_path, capture_output=True, text=True,
                          env=server_env(), timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"Error: {flag} is not provided (pyxle-framework 0.3 to 0.9 had it)\n    hint: " in done.stderr, done.stderr
    assert hint in done.stderr, done.stderr
    assert "No such option" not in done.stderr and "--no-" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if args[-2:] == ["--dist-dir", "out"]:  # the doc's example, as printed
        assert doc_block("docs/migrating.md", "removed-flag").strip() in done.stderr
    assert not (tmp_path / "new").exists()  # nothing was done


def test_the_tests_cover_every_removed_flag() -> None:
    """Every flag in the CLI's table of removed flags is tried above through the real command."""
    from pyxle.cli._main import REMOVED_FLAGS

    assert set(REMOVED_FLAGS) == {flag for _, flag, _ in REMOVED}


def test_an_unknown_flag_that_no_release_had_is_still_clicks_usage_error(tmp_path: Path) -> None:
    done = subprocess.run([*pyxle_command(), "serve", ".", "--no-such-thing"], cwd=tmp_path, capture_output=True,
                          text=True, env=server_env(), timeout=60, check=False)
    assert done.returncode == 2 and "No such option '--no-such-thing'" in done.stderr, done.stderr


@cites("docs/migrating.md", "after the command, `--log-format console` stops the command with `'console' is 0.9's name "
       "for text`")
@pytest.mark.parametrize("command", ["serve", "dev"])
def test_log_format_console_says_it_is_0_9s_name_for_text(tmp_path: Path, command: str) -> None:
    """0.9's --log-format took console|json; moved after the command with its value kept, it got
    click's bare "'console' is not one of 'text', 'json'"."""
    done = subprocess.run([*pyxle_command(), command, ".", "--log-format", "console"], cwd=tmp_path,
                          capture_output=True, text=True, env=server_env(), timeout=60, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert ("Error: Invalid value for '--log-format': 'console' is 0.9's name for text: "
            f"pyxle {command} --log-format text (text or json)") in done.stderr, done.stderr
