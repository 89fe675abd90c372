"""Configuration keys of earlier Pyxle releases (0.3-0.9) that this release does not honour.

Every key such an app may carry is either honoured elsewhere in this package or listed here:
refused at start-up with a message naming it, or (for tools Pyxle does not have) accepted with
a note. A key that guards something is never only noted. Work that lands one of these features
replaces its single entry in ``NOT_YET``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# key (or "block.key") -> why it is refused. Keys other work is building now say "not supported yet".
NOT_YET: dict[str, str] = {
    "llms": "llms.txt and Markdown versions of pages are not supported",
    "assets": "assets options other than Pyxle's own behaviour are not supported",
}

# Values that ask for exactly what Pyxle does anyway, so a block holding only these is accepted.
SAME_AS_PYXLE: dict[str, dict[str, Any]] = {
    "assets": {"inlineStylesheets": "never", "modulePreload": True, "hydration": "eager"},
    "llms": {"enabled": False, "autoConvert": False},
}

# Settings of development tools Pyxle does not run: nothing depends on them, so they are accepted.
NOTED: dict[str, str] = {
    "vite": "Pyxle bundles with esbuild and runs no Vite server",
    "studio": "Pyxle has no Studio dashboard",
    "dev": "pyxle dev watches the whole project; dev.watch and dev.ignore are not needed",
}


def asks_for_nothing(key: str, value: Any) -> bool:
    """An empty block, ``null``, or only values that Pyxle's behaviour already matches."""
    if value is None or value == {} or value == []:
        return True
    same = SAME_AS_PYXLE.get(key)
    if same is None or not isinstance(value, Mapping):
        return False
    return all(name in same and same[name] == setting and type(same[name]) is type(setting)
               for name, setting in value.items())


TOP_LEVEL = tuple(dict.fromkeys(key.split(".")[0] for key in (*NOT_YET, *NOTED)))


def unsupported(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(problems, notes) for the keys of ``data`` listed above."""
    problems = []
    notes = []
    for key, reason in NOT_YET.items():
        if not asks_for_nothing(key, _lookup(data, key)):
            problems.append(f'"{key}" is refused: {reason}; remove it from the file to start without it')
    for key, reason in NOTED.items():
        if not asks_for_nothing(key, _lookup(data, key)):
            notes.append(f'"{key}" has no effect: {reason}')
    return problems, notes


def _lookup(data: Mapping[str, Any], key: str) -> Any:
    block, _, name = key.partition(".")
    value = data.get(block)
    if name:
        return value.get(name) if isinstance(value, Mapping) else None
    return value
