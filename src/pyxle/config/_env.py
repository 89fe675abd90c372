"""``.env`` files: parsing the dotenv syntax and loading the files into the environment.

Hand-written (no python-dotenv) because the syntax needed is small and a malformed
line must stop start-up with its file and line, not be skipped silently.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path

from ._errors import ConfigError, read_text

PUBLIC_ENV_PREFIX = "PYXLE_PUBLIC_"

# Which variables a previous load_env_files() took from files, each with a digest of the
# value it set: a reload (in this process or a child that inherited the environment)
# may then replace its own earlier values, while a value changed since then (by the
# shell, or by the CLI for its workers) is not the file's any more and wins.
_FILE_KEYS_VAR = "PYXLE_DOTENV_KEYS"

_ASSIGNMENT = re.compile(r"(?:export\s+)?([^=\s]*)\s*=\s*(.*)", re.DOTALL)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


def env_file_names(mode: str) -> tuple[str, ...]:
    """The files read, lowest precedence first: Next.js's order, and pyxle-framework 0.9's, so a
    machine's ``.env.local`` overrides the committed ``.env.production`` too. Under ``test``
    (``pyxle.testing``) no ``.env.local``, as in Next.js: tests run the same on every machine."""
    if not _MODE.fullmatch(mode):
        raise ValueError(f"mode must be a simple name like 'development' (got {mode!r})")
    if mode == "test":
        return (".env", ".env.test", ".env.test.local")
    return (".env", f".env.{mode}", ".env.local", f".env.{mode}.local")


def parse_env(text: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """Parse dotenv text: (values, problems). Problems are "line N: ..." and name no values."""
    values, _, problems = _parse(text)
    return values, problems


def _parse(text: str) -> tuple[dict[str, str], dict[str, int], tuple[str, ...]]:
    """(values, the line that set each, problems)."""
    values: dict[str, str] = {}
    lines_of: dict[str, int] = {}
    problems: list[str] = []
    lines = text.removeprefix("\ufeff").split("\n")
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].rstrip("\r").lstrip()
        index += 1
        if not line.strip() or line.startswith("#"):
            continue
        match = _ASSIGNMENT.fullmatch(line)
        if match is None:
            problems.append(f"line {number}: expected KEY=VALUE")
            continue
        name, rest = match.groups()
        if not _NAME.fullmatch(name):
            shown = f' "{name}"' if name and len(name) <= 60 else ""
            problems.append(
                f"line {number}: invalid variable name{shown} "
                "(letters, digits and _, not starting with a digit)"
            )
            continue
        if rest[:1] in ('"', "'"):
            quote = rest[0]
            body = rest[1:]
            # A quoted value may span lines (certificates, private keys).
            while _closing_quote(body, quote) < 0 and index < len(lines):
                body += "\n" + lines[index].rstrip("\r")
                index += 1
            end = _closing_quote(body, quote)
            if end < 0:
                problems.append(f"line {number}: the value's opening {quote} is never closed")
                continue
            after = body[end + 1 :].strip()
            if after and not after.startswith("#"):
                problems.append(f"line {number}: unexpected text after the closing {quote}")
                continue
            raw = body[:end]
            values[name] = _unescape(raw) if quote == '"' else raw
        else:
            # Unquoted: a " #" starts a comment; surrounding spaces are not part of the value.
            values[name] = re.split(r"\s#", rest, maxsplit=1)[0].strip()
        lines_of[name] = number
    return values, lines_of, tuple(problems)


def _closing_quote(body: str, quote: str) -> int:
    position = 0
    while position < len(body):
        char = body[position]
        if char == "\\" and quote == '"':
            position += 2
            continue
        if char == quote:
            return position
        position += 1
    return -1


def _unescape(raw: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), raw, flags=re.DOTALL)


def read_env_file(path: Path, origins: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Values of one dotenv file; ConfigError naming the file and every bad line.

    ``origins``, when given, gets ``"<path>:<line>"`` for each variable, so a value found bad
    later (``PYXLE_PORT=abc``) can be reported where it was written.
    """
    text = read_text(path)
    values, lines_of, problems = _parse(text)
    if problems:
        raise ConfigError(problems, path)
    if origins is not None:
        origins.update({name: f"{path}:{line}" for name, line in lines_of.items()})
    return values


def load_env_files(
    root: Path, mode: str, environ: MutableMapping[str, str] = os.environ,
    origins: MutableMapping[str, str] | None = None, skipped: list[str] | None = None,
) -> dict[str, str]:
    """Load ``.env``, ``.env.<mode>``, ``.env.local``, ``.env.<mode>.local`` into ``environ``.

    Later files override earlier ones; variables already set in ``environ`` (the shell)
    always win over every file. Returns the variables this call set; ``origins``, when
    given, gets ``"<file>:<line>"`` for each of them, and ``skipped`` the names the shell
    had set (``pyxle.env``'s report of a load, as pyxle-framework 0.9 gave it).
    """
    merged: dict[str, str] = {}
    where: dict[str, str] = {}
    for name in env_file_names(mode):
        path = Path(root) / name
        if path.is_file():
            merged.update(read_env_file(path, where))

    from_files = _previous_file_keys(environ)
    applied: dict[str, str] = {}
    for key, value in merged.items():
        if key in environ and key not in from_files:
            if skipped is not None:
                skipped.append(key)
            continue  # set by the shell
        environ[key] = value
        applied[key] = value
        if origins is not None:
            origins[key] = where[key]
    # A variable an earlier load took from a file that no file sets any more goes away.
    for key in from_files - merged.keys():
        environ.pop(key, None)
    if applied:
        environ[_FILE_KEYS_VAR] = ",".join(f"{k}={_digest(v)}" for k, v in sorted(applied.items()))
    else:
        environ.pop(_FILE_KEYS_VAR, None)
    return applied


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _previous_file_keys(environ: Mapping[str, str]) -> set[str]:
    """Variables still holding exactly the value an earlier load took from a file."""
    keys = set()
    for entry in environ.get(_FILE_KEYS_VAR, "").split(","):
        key, _, digest = entry.partition("=")
        if key in environ and _digest(environ[key]) == digest:
            keys.add(key)
    return keys


def public_env(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Only the ``PYXLE_PUBLIC_*`` variables: the ones that may be inlined into browser code."""
    return {
        key: value
        for key, value in sorted(environ.items())
        if key.startswith(PUBLIC_ENV_PREFIX) and len(key) > len(PUBLIC_ENV_PREFIX)
    }
