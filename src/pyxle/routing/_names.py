"""File names that the build and the router cannot tell apart or cannot read: two names esbuild
reads as one (they differ only in case), one name in two Unicode forms (NFC, NFD), a name that is
not UTF-8. Shared by the route scan and the bundler's walk (``bundler.case_clashes``)."""

from __future__ import annotations

import unicodedata

_CASE_HINT = "    hint: rename one: esbuild reads them as one file, and macOS and Windows cannot hold both"
_FORM_HINT = ("    hint: rename one: they look alike, Pyxle routes both at the name's NFC form (the one browsers "
              "send), and macOS cannot hold both")


def nfc(text: str) -> str:
    """``text`` in Unicode's composed form (NFC), the form browsers send a typed URL in; ASCII as is, at no cost."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """``text`` lowercased as esbuild's resolver (Go's ``strings.ToLower``) does, one character to
    one: ``İ`` to ``i``, where Python's ``str.lower`` makes it two (``i̇``), and ``Σ`` to ``σ`` wherever it is."""
    return "".join(c.lower()[0] for c in text)


def shown_name(name: str) -> str:
    """A file name as printed: bytes that are not UTF-8 (read as surrogates) as ``\\xe9``."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def utf8_name(name: str) -> bool:
    """Whether ``name`` was UTF-8 on disk (Python reads each byte that is not as a lone surrogate)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def name_problems(names: list[str], *, case: bool = True) -> list[str]:
    """An error for each name (from the project folder, POSIX) that is not UTF-8, and for each two
    that differ only in Unicode form (or, with ``case``, only in case), naming both."""
    problems = []
    first: dict[str, str] = {}
    for name in sorted(names):
        if not utf8_name(name):
            problems.append(f"{shown_name(name)}: the file name is not UTF-8\n    hint: rename it: Pyxle reads "
                            "file names as UTF-8 (an archive made on Windows can hold Latin-1 names)")
            continue
        key = nfc(name)
        other = first.setdefault(fold(key) if case else key, name)
        if other == name:
            continue
        if nfc(other) == key:
            forms = "NFC and NFD" if nfc(other) == other else "NFD and NFC"
            problems.append(f"{other} and {name}: two files whose names differ only in Unicode form ({forms})\n{_FORM_HINT}")
        else:
            problems.append(f"{other} and {name}: two files whose names differ only in case\n{_CASE_HINT}")
    return problems

