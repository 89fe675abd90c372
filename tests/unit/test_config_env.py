"""pyxle.config: .env files (syntax, order, shell wins), load_config with them, public_env."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pyxle.config import ConfigError, load_config, load_env_files, public_env
from pyxle.config._env import parse_env
from tests.docs._blocks import cites


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


# -- syntax ----------------------------------------------------------------------------------


def test_parse_dotenv_syntax() -> None:
    text = (
        "# a comment\n"
        "\n"
        "PLAIN=value\n"
        "SPACED = spaced value  \n"
        "export EXPORTED=yes\n"
        "EMPTY=\n"
        "TRAILING=abc # a comment\n"
        "HASH=a#b\n"
        "SINGLE='single # not a comment \\n'\n"
        'DOUBLE="line1\\nline2\\t\\"q\\" \\\\ \\x"  # comment\n'
        'EQUALS=a=b=c\n'
        "  INDENTED=1\r\n"
        "DUP=first\n"
        "DUP=second\n"
        "_under_score9=ok\n"
    )
    values, problems = parse_env(text)
    assert problems == ()
    assert values == {
        "PLAIN": "value",
        "SPACED": "spaced value",
        "EXPORTED": "yes",
        "EMPTY": "",
        "TRAILING": "abc",
        "HASH": "a#b",
        "SINGLE": "single # not a comment \\n",
        "DOUBLE": 'line1\nline2\t"q" \\ \\x',
        "EQUALS": "a=b=c",
        "INDENTED": "1",
        "DUP": "second",
        "_under_score9": "ok",
    }


def test_quoted_values_may_span_lines() -> None:
    values, problems = parse_env('KEY="-----BEGIN-----\nabc\n-----END-----"\nNEXT=1\nS=\'a\nb\'\n')
    assert problems == ()
    assert values == {"KEY": "-----BEGIN-----\nabc\n-----END-----", "NEXT": "1", "S": "a\nb"}


def test_byte_order_mark_is_ignored() -> None:
    assert parse_env("\ufeffA=1\n") == ({"A": "1"}, ())


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("JUST_A_NAME\n", "line 1: expected KEY=VALUE"),
        ("A=1\nAPI_KEY: hunter2\n", "line 2: expected KEY=VALUE"),
        ("1ABC=x\n", 'line 1: invalid variable name "1ABC" (letters, digits and _, not starting with a digit)'),
        ("=x\n", "line 1: invalid variable name (letters, digits and _, not starting with a digit)"),
        ("MY-VAR=x\n", 'line 1: invalid variable name "MY-VAR" (letters, digits and _, not starting with a digit)'),
        ('A="never closed\nB=2\n', 'line 1: the value\'s opening " is never closed'),
        ("A='x' trailing\n", "line 1: unexpected text after the closing '"),
    ],
)
def test_malformed_lines(text: str, problem: str) -> None:
    assert parse_env(text)[1] == (problem,)


def test_malformed_line_is_a_config_error_with_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, ".env", "OK=1\nNOT OK\nALSO BAD\nSECRET: hunter2\n")
    with pytest.raises(ConfigError) as info:
        load_env_files(tmp_path, "development", {})
    assert info.value.path == path
    assert info.value.problems == (
        "line 2: expected KEY=VALUE",
        "line 3: expected KEY=VALUE",
        "line 4: expected KEY=VALUE",
    )
    assert str(info.value).splitlines()[0] == f"{path}: line 2: expected KEY=VALUE"
    assert "hunter2" not in str(info.value)  # a bad line may hold a secret: never echoed


def test_invalid_utf8(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"A=\xff\n")
    with pytest.raises(ConfigError, match="is not valid UTF-8"):
        load_env_files(tmp_path, "development", {})


# -- loading -------------------------------------------------------------------------------


def test_load_order_later_files_win(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=env\nB=env\nC=env\nD=env\nE=env\n")
    write(tmp_path, ".env.local", "B=local\nC=local\nD=local\n")
    write(tmp_path, ".env.development", "C=development\nD=development\n")
    write(tmp_path, ".env.development.local", "D=development.local\n")
    write(tmp_path, ".env.production", "E=production\n")
    environ: dict[str, str] = {}
    applied = load_env_files(tmp_path, "development", environ)
    # .env < .env.<mode> < .env.local < .env.<mode>.local, as in Next.js and pyxle-framework 0.9
    assert applied == {"A": "env", "B": "local", "C": "local", "D": "development.local", "E": "env"}
    assert {k: environ[k] for k in applied} == applied


def test_mode_selects_files(tmp_path: Path) -> None:
    write(tmp_path, ".env.development", "MODE=dev\n")
    write(tmp_path, ".env.production", "MODE=prod\n")
    assert load_env_files(tmp_path, "production", {}) == {"MODE": "prod"}
    assert load_env_files(tmp_path, "development", {}) == {"MODE": "dev"}


def test_shell_always_wins(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=file\nB=file\n")
    write(tmp_path, ".env.production.local", "A=file-local\n")
    environ = {"A": "shell"}
    applied = load_env_files(tmp_path, "production", environ)
    assert applied == {"B": "file"}
    assert environ["A"] == "shell"
    assert environ["B"] == "file"


def test_no_files_is_fine(tmp_path: Path) -> None:
    environ = {"X": "1"}
    assert load_env_files(tmp_path, "development", environ) == {}
    assert environ == {"X": "1"}


def test_reloading_picks_up_edited_files_but_not_over_the_shell(tmp_path: Path) -> None:
    env_file = write(tmp_path, ".env", "A=1\nB=1\n")
    environ = {"SHELL_VAR": "shell"}
    write(tmp_path, ".env.local", "SHELL_VAR=file\n")
    load_env_files(tmp_path, "development", environ)
    assert (environ["A"], environ["B"], environ["SHELL_VAR"]) == ("1", "1", "shell")
    env_file.write_text("A=2\n", encoding="utf-8")
    assert load_env_files(tmp_path, "development", environ) == {"A": "2"}
    assert environ["A"] == "2"
    assert "B" not in environ  # no file sets it any more
    assert environ["SHELL_VAR"] == "shell"


def test_values_changed_since_the_last_load_are_not_the_files_any_more(tmp_path: Path) -> None:
    # The CLI re-exports PYXLE_PORT from a --port flag for its workers, which reload the
    # env files: the flag's value must survive.
    write(tmp_path, ".env", "PYXLE_PORT=4000\nOTHER=1\n")
    environ: dict[str, str] = {}
    load_env_files(tmp_path, "production", environ)
    environ["PYXLE_PORT"] = "5000"
    child = dict(environ)
    assert load_env_files(tmp_path, "production", child) == {"OTHER": "1"}
    assert child["PYXLE_PORT"] == "5000"
    assert load_config(tmp_path, environ=child).port == 5000


def test_loads_into_os_environ_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "PYXLE_TEST_CONFIG_ENV_VALUE"
    monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PYXLE_DOTENV_KEYS", raising=False)
    write(tmp_path, ".env", f"{name}=from-file\n")
    try:
        assert load_env_files(tmp_path, "development") == {name: "from-file"}
        assert os.environ[name] == "from-file"
    finally:
        os.environ.pop(name, None)
        os.environ.pop("PYXLE_DOTENV_KEYS", None)


# -- load_config with .env files -------------------------------------------------------------


def test_load_config_reads_env_files_into_environ(tmp_path: Path) -> None:
    write(tmp_path, ".env", "PYXLE_PORT=4000\nPYXLE_SECRET_KEY=from-env-file-of-at-least-32-bytes\nDATABASE_URL=sqlite://\n")
    write(tmp_path, ".env.development", "PYXLE_DEBUG=1\n")
    environ: dict[str, str] = {}
    config = load_config(tmp_path, mode="development", environ=environ)
    assert config.port == 4000
    assert config.debug is True
    assert config.secret_key == "from-env-file-of-at-least-32-bytes"
    assert environ["DATABASE_URL"] == "sqlite://"


def test_load_config_precedence_with_files_and_shell(tmp_path: Path) -> None:
    write(tmp_path, "pyxle.config.json", '{"starlette": {"port": 1000, "host": "file"}, "logFormat": "json"}')
    write(tmp_path, ".env", "PYXLE_PORT=2000\nPYXLE_HOST=dotenv\n")
    config = load_config(tmp_path, environ={"PYXLE_PORT": "3000"}, overrides={"port": None})
    assert config.port == 3000  # shell over .env over file
    assert config.host == "dotenv"  # .env over file
    assert config.log_format == "json"  # file over default
    assert load_config(tmp_path, environ={"PYXLE_PORT": "3000"}, overrides={"port": 5000}).port == 5000


def test_load_env_false_skips_files(tmp_path: Path) -> None:
    write(tmp_path, ".env", "PYXLE_PORT=4000\n")
    environ: dict[str, str] = {}
    assert load_config(tmp_path, environ=environ, load_env=False).port == 8000
    assert environ == {}


def test_read_only_environ_is_not_mutated(tmp_path: Path) -> None:
    from types import MappingProxyType

    write(tmp_path, ".env", "PYXLE_PORT=4000\n")
    environ = MappingProxyType({"PYXLE_HOST": "h"})
    config = load_config(tmp_path, environ=environ)
    assert (config.port, config.host) == (4000, "h")


def test_bad_env_file_value_names_the_file_line_and_variable(tmp_path: Path) -> None:
    write(tmp_path, ".env", "# ports\nPYXLE_PORT=http\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert str(info.value) == (f'{tmp_path / ".env"}:2: PYXLE_PORT must be an integer between 0 and 65535 '
                               '(0: any free port) (got "http")')


def test_bad_env_value_from_the_shell_names_only_the_variable(tmp_path: Path) -> None:
    write(tmp_path, ".env", "PYXLE_PORT=http\n")  # the shell's value wins, so the file is not to blame
    with pytest.raises(ConfigError, match=r'^PYXLE_PORT must be an integer between 0 and 65535 \(0: any free port\) \(got "ftp"\)$'):
        load_config(tmp_path, environ={"PYXLE_PORT": "ftp"})


def test_malformed_env_file_stops_load_config(tmp_path: Path) -> None:
    path = write(tmp_path, ".env.production.local", "A=1\nB\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path, environ={})
    assert str(info.value) == f"{path}: line 2: expected KEY=VALUE"


# -- public_env ------------------------------------------------------------------------------


def test_public_env_only_keeps_the_public_prefix() -> None:
    environ = {
        "PYXLE_PUBLIC_API_URL": "https://api.example",
        "PYXLE_PUBLIC_FLAG": "",
        "PYXLE_PUBLIC_": "no name",
        "PYXLE_SECRET_KEY": "s",
        "PYXLE_PORT": "1",
        "pyxle_public_lower": "x",
        "PUBLIC_X": "y",
        "HOME": "/root",
    }
    assert public_env(environ) == {"PYXLE_PUBLIC_API_URL": "https://api.example", "PYXLE_PUBLIC_FLAG": ""}


def test_public_env_sees_values_from_env_files(tmp_path: Path) -> None:
    write(tmp_path, ".env", "PYXLE_PUBLIC_NAME=demo\nPRIVATE=x\n")
    environ: dict[str, str] = {}
    load_env_files(tmp_path, "development", environ)
    assert public_env(environ) == {"PYXLE_PUBLIC_NAME": "demo"}


@cites("docs/migrating.md", "A `#` starts a comment\n  only after a space: `COLOR=#ff0000` is `#ff0000` (0.9 read an empty value) and `A=bar #note` is\n  `bar`")
def test_a_hash_starts_a_comment_only_after_a_space(tmp_path: Path) -> None:
    write(tmp_path, ".env", "COLOR=#ff0000\nA=bar #note\nB=bar#baz\n")
    assert load_env_files(tmp_path, "development", {}) == {"COLOR": "#ff0000", "A": "bar", "B": "bar#baz"}


@cites("docs/migrating.md", "a line that is not `KEY=VALUE` stops\n  start-up naming the file and line (`.env: line 2: expected KEY=VALUE`)")
def test_a_line_0_9_skipped_names_the_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, ".env", "A=1\nDATABASE_URL\n")
    with pytest.raises(ConfigError, match=r"\.env: line 2: expected KEY=VALUE"):
        load_env_files(tmp_path, "development", {})


def test_the_config_refuses_the_secret_keys_pyxle_security_refuses() -> None:
    """The config checks PYXLE_SECRET_KEY's length itself (to name its .env line), by the rule
    pyxle.security applies to a key given otherwise."""
    from pyxle.config._rules import HOW_TO_MAKE_SECRET, SECRET_KEY_BYTES, secret_key_problem
    from pyxle.security._secret import HOW_TO_MAKE, MIN_SECRET_BYTES, SecretKeyError, resolve_secret

    assert (SECRET_KEY_BYTES, HOW_TO_MAKE_SECRET) == (MIN_SECRET_BYTES, HOW_TO_MAKE)
    for key in ("k" * 31, "é" * 15, "k" * 32, "é" * 16):
        try:
            resolve_secret(key, mode="production")
            refused = None
        except SecretKeyError as exc:
            refused = str(exc)
        assert secret_key_problem(key) == refused


def test_every_pyxle_variable_pyxle_sets_or_reads_is_known_to_the_typo_warning() -> None:
    """A variable Pyxle sets for its own processes (or a new one it reads) is never warned about as
    a misspelling of another: every ``PYXLE_*`` name in the source is read or listed as internal."""
    from pyxle.config._overrides import INTERNAL_VARIABLES, variables_read

    source = Path(__file__).resolve().parents[2] / "src" / "pyxle"
    files = [path for path in source.rglob("*.py") if path.name != "_overrides.py"]  # (its examples of typos)
    names = {name for path in files for name in re.findall(r"\bPYXLE_[A-Z0-9_]*[A-Z0-9]\b", path.read_text())}
    names -= {name for name in names if name.startswith("PYXLE_PUBLIC_") or name.endswith("__")}  # JS globals
    assert names - {*variables_read(), *INTERNAL_VARIABLES} == set()
    assert unknown_variables_of(names) == ()


def unknown_variables_of(names: set[str]) -> tuple[str, ...]:
    from pyxle.config._overrides import unknown_variables

    return unknown_variables(dict.fromkeys(names, "1"))
