"""The one exception the config subsystem raises for anything the user got wrong."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class ConfigError(Exception):
    """Start-up stops: the configuration (file, .env file, environment or flags) is invalid.

    It carries every problem found rather than just the first, so one run shows the
    user everything to fix. ``str()`` lists them one per line, each prefixed by ``path``
    (the file the problems are in) when there is one.
    """

    def __init__(
        self,
        problems: Iterable[str] | str,
        path: Path | str | None = None,
        *,
        warnings: Iterable[str] = (),
    ) -> None:
        if isinstance(problems, str):
            problems = (problems,)
        self.problems: tuple[str, ...] = tuple(problems)
        self.path: Path | None = Path(path) if path is not None else None
        # Warnings found alongside (e.g. a misspelt key that explains a missing setting);
        # not part of str(), for the caller to log too.
        self.warnings: tuple[str, ...] = tuple(warnings)
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return "\n".join(self.problems)
        return "\n".join(f"{self.path}: {problem}" for problem in self.problems)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(problems={self.problems!r}, path={self.path!r})"


def read_text(path: Path, encoding: str = "utf-8") -> str:
    """A config or .env file's text; ConfigError naming the file when it cannot be read or decoded."""
    try:
        return path.read_text(encoding=encoding)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not valid UTF-8 ({exc.reason} at byte {exc.start})", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror or exc})", path) from None
