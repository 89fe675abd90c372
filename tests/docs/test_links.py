"""Every link between the docs leads somewhere: the file exists and the `#anchor` is one of its
headings (as GitHub names them); every page of docs/ is listed in README.md's documentation."""

from __future__ import annotations

import re
from functools import cache

import pytest

from tests.docs._blocks import REPO, blocks, doc_files

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} +(.*?) *#*$")


def _outside_blocks(doc: str) -> list[tuple[int, str]]:
    inside = {n for b in blocks(doc) for n in range(b.line, b.line + b.text.count("\n") + 2)}
    return [(n, line) for n, line in enumerate((REPO / doc).read_text().splitlines(), 1) if n not in inside]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (but `-` and `_`), spaces to `-`."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@cache
def anchors(doc: str) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    for _, line in _outside_blocks(doc):
        if m := _HEADING.match(line):
            name = slug(m.group(1))
            found.add(f"{name}-{seen[name]}" if name in seen else name)
            seen[name] = seen.get(name, 0) + 1
    return frozenset(found)


@pytest.mark.parametrize("doc", [*doc_files(), "CHANGELOG.md"])
def test_every_link_leads_to_a_file_and_heading_that_exist(doc: str) -> None:
    broken = []
    for number, line in _outside_blocks(doc):
        for target in _LINK.findall(line):
            if re.match(r"[a-z]+:", target):
                continue  # https://, mailto: ...
            path, _, anchor = target.partition("#")
            file = (REPO / doc).parent / path if path else REPO / doc
            if not file.exists():
                broken.append(f"{doc}:{number}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file.relative_to(REPO).as_posix()):
                broken.append(f"{doc}:{number}: {target} (no such heading)")
    assert not broken, "\n".join(broken)


def test_every_page_of_docs_is_listed_in_the_readme() -> None:
    listed = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", (REPO / "README.md").read_text()))
    unlisted = sorted(set(doc_files()) - {"README.md"} - listed)
    assert not unlisted, f"pages README.md's Documentation does not list: {unlisted}"
