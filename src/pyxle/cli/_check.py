"""``pyxle check``: compile every ``.pyxl`` without running it, collecting every error, and find
the names its Python uses but never defines (a ``NameError`` waiting for the first request)."""

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
            source = path.read_text(encoding="utf-8")
            result = compile_source(source, path=shown_as)
        except CompileError as exc:
            errors.extend(e.format() for e in (getattr(exc, "errors", None) or [exc]))
        except UnicodeDecodeError as exc:
            errors.append(f"{shown_as}: not UTF-8 text ({exc.reason})")
        else:
            errors.extend(undefined_names(result.server_code, shown_as, source.splitlines()))
    return errors, len(files)


def undefined_names(server_code: str, shown_as: str, lines: list[str]) -> list[str]:
    """pyflakes' "undefined name" findings in a page's Python (its lines are the ``.pyxl``'s own),
    knowing the names a page module is given without imports (``server``, ``LoaderError``, ...)."""
    import ast

    from pyflakes.checker import Checker
    from pyflakes.messages import UndefinedName

    from pyxle.compiler import Diagnostic
    from pyxle.runtime import runtime_globals

    checker = Checker(ast.parse(server_code, shown_as), filename=shown_as, builtins=set(runtime_globals()))
    found = sorted((m for m in checker.messages if isinstance(m, UndefinedName)), key=lambda m: (m.lineno, m.col))
    return [Diagnostic.at(shown_as, lines, m.lineno, m.col + 1, f"undefined name {m.message_args[0]!r}",
                          "define or import it: the code would raise NameError when it runs").format() for m in found]
