"""The fenced blocks of README.md and docs/*.md, read the way the doc tests need them.

A block's info string is its language, then ``key=value`` words (see docs/architecture.md,
"Docs that run"): ``file=PATH`` (a file of the doc's project), ``fragment=docs/examples/...``
(part of a complete example file), ``id=NAME`` (a block a named test reads), ``cmd``
(commands checked against the real tools), ``config`` (a ``pyxle.config.json`` that must load
cleanly) or ``diagram`` (a picture in text, not code).
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KINDS = ("file", "fragment", "id", "cmd", "config", "diagram")
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    doc: str  # "docs/security.md"
    line: int  # of the opening fence
    lang: str
    attrs: dict[str, str] = field(hash=False)
    text: str

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def kind(self) -> str | None:
        found = [kind for kind in KINDS if kind in self.attrs]
        return found[0] if len(found) == 1 else None


def doc_files() -> list[str]:
    return ["README.md", *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))]


@cache
def blocks(doc: str) -> tuple[Block, ...]:
    """Every fenced block of ``doc``, dedented when the fence is indented (a block inside a list item)."""
    found = []
    lines = (REPO / doc).read_text().splitlines()
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        body = []
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            body.append(lines[j])
            j += 1
        words = info.split()
        lang = words[0] if words and "=" not in words[0] and words[0] not in KINDS else ""
        attrs = {}
        for word in words[1 if lang else 0:]:
            key, _, value = word.partition("=")
            attrs[key] = value
        text = textwrap.dedent("\n".join(body)) if indent else "\n".join(body)
        found.append(Block(doc, i + 1, lang, attrs, text + "\n" if body else ""))
        i = j + 1
    return tuple(found)


@cache
def suite_modules() -> tuple[Path, ...]:
    """The suite's test modules (not the npm packages' files under tests/node*/)."""
    return tuple(sorted(p for folder in (REPO / "tests").iterdir() if folder.is_dir() and not folder.name.startswith("node")
                        for p in folder.rglob("test_*.py")))


def all_blocks() -> list[Block]:
    return [block for doc in doc_files() for block in blocks(doc)]


def doc_block(doc: str, name: str) -> str:
    """The text of the block of ``doc`` marked ``id=name``."""
    named = [b for b in blocks(doc) if b.attrs.get("id") == name]
    assert len(named) == 1, f"{doc} has {len(named)} blocks marked id={name}"
    return named[0].text


def project_files(project: str) -> dict[str, str]:
    """The files of one doc project: the ``file=`` blocks with ``project=<project>``, or, without
    that key, of the doc named ``<project>.md`` (README.md is project ``README``). Blocks naming
    the same file make one file: JSON objects merged key by key, anything else joined in order."""
    parts: dict[str, list[Block]] = {}
    for block in all_blocks():
        if block.kind == "file" and project_of(block) == project:
            parts.setdefault(block.attrs["file"], []).append(block)
    assert parts, f"no file= blocks in project {project}"
    return {path: _join(path, found) for path, found in parts.items()}


def _join(path: str, parts: list[Block]) -> str:
    if not path.endswith(".json"):
        return "\n\n".join(block.text for block in parts)
    merged: dict = {}
    for block in parts:
        value = json.loads(block.text)
        clash = merged.keys() & value.keys()
        assert not clash, f"{block.where}: {path} sets {sorted(clash)} again"
        merged.update(value)
    return json.dumps(merged, indent=2) + "\n"


def project_of(block: Block) -> str:
    return block.attrs.get("project") or Path(block.doc).stem


def projects() -> list[str]:
    return sorted({project_of(b) for b in all_blocks() if b.kind == "file"})


def write_project(project: str, root: Path) -> Path:
    for rel, text in project_files(project).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pages").mkdir(exist_ok=True)
    return root


def prose(doc: str) -> str:
    """The doc's text outside fenced blocks, lines joined with spaces (a quote may span a line break)."""
    lines = (REPO / doc).read_text().splitlines()
    inside = {n for b in blocks(doc) for n in range(b.line, b.line + b.text.count("\n") + 2)}
    return " ".join(line.strip() for n, line in enumerate(lines, 1) if n not in inside)


def cites(doc: str, quote: str):  # type: ignore[no-untyped-def]
    """Mark a test as the proof of a sentence of ``doc``; the quote must be in the doc's prose or
    blocks (checked when the test module is imported, so a reworded doc fails the suite)."""
    text = (REPO / doc).read_text()
    flat = " ".join(text.split())
    assert quote in text or " ".join(quote.split()) in flat, f"{doc} no longer says: {quote}"

    def mark(test):  # type: ignore[no-untyped-def]
        test.__dict__.setdefault("doc_claims", []).append((doc, quote))
        return test

    return mark
