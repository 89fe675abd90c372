"""Write the corpus files (``corpus/<name>.pyxl`` and ``corpus/<name>.expected``) from ``cases.py``.

    .venv/bin/python tests/unit/compiler/make_corpus.py

``.expected`` holds one character per source line: P (Python), J (JSX), . (neither).
"""

from __future__ import annotations

from pathlib import Path

try:
    from tests.unit.compiler.cases import CASES, NO_DEFAULT_EXPORT
except ImportError:  # run as a script
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
    from tests.unit.compiler.cases import CASES, NO_DEFAULT_EXPORT

CORPUS = Path(__file__).resolve().parent / "corpus"


def render(segments: list[tuple[str, str]]) -> tuple[str, str]:
    lines: list[str] = []
    marks: list[str] = []
    for index, (lang, text) in enumerate(segments):
        if index:
            lines.append("")
            marks.append(".")
        for line in text.split("\n"):
            lines.append(line)
            marks.append(lang if line.strip() else ".")
    return "\n".join(lines) + "\n", "".join(marks)


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    for name, segments in {**CASES, **NO_DEFAULT_EXPORT}.items():
        source, marks = render(segments)
        (CORPUS / f"{name}.pyxl").write_text(source)
        (CORPUS / f"{name}.expected").write_text(marks + "\n")
    print(f"wrote {len(CASES) + len(NO_DEFAULT_EXPORT)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
