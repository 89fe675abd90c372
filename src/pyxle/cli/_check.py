"""``pyxle check``: compile every ``.pyxl`` without running it, collecting every error."""

from __future__ import annotations

from pyxle.config import PyxleConfig


def check_pages(config: PyxleConfig) -> tuple[list[str], int]:
    """Formatted errors (``file:line:col: message``, source line, hint) and the number of files checked."""
    from pyxle.compiler import CompileError, compile_source

    errors: list[str] = []
    files = sorted(p for p in config.pages_path.rglob("*.pyxl") if not any(
        part.startswith((".", "_")) for part in p.relative_to(config.pages_path).parts))
    for path in files:
        shown_as = path.relative_to(config.root).as_posix()
        try:
            compile_source(path.read_text(encoding="utf-8"), path=shown_as)
        except CompileError as exc:
            errors.extend(e.format() for e in (getattr(exc, "errors", None) or [exc]))
        except UnicodeDecodeError as exc:
            errors.append(f"{shown_as}: not UTF-8 text ({exc.reason})")
    return errors, len(files)
