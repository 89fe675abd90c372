"""Compatibility: earlier releases loaded ``.env`` files from ``pyxle.env`` (the ``pyxle-db``
command does, and so may an app's own scripts), with pyxle-framework 0.9's signature and its
report of the load. Pyxle itself uses ``pyxle.config.load_env_files``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyxle.config import PUBLIC_ENV_PREFIX, public_env
from pyxle.config import load_env_files as _load
from pyxle.config._env import env_file_names

__all__ = ["EnvLoadResult", "load_env_files", "public_env"]


@dataclass(frozen=True)
class EnvLoadResult:
    """What a load did: the variables it set (name, value) in file order, the names the shell had
    set already (which win over every file), and the files it read."""

    loaded: tuple[tuple[str, str], ...]
    skipped: tuple[str, ...]
    files_read: tuple[Path, ...]

    @property
    def loaded_count(self) -> int:
        return len(self.loaded)

    @property
    def public_keys(self) -> tuple[str, ...]:
        """The ``PYXLE_PUBLIC_*`` variables among those set: the ones browser code may read."""
        return tuple(name for name, _ in self.loaded if name.startswith(PUBLIC_ENV_PREFIX))


def load_env_files(project_root: Path | str, *, mode: str = "development") -> EnvLoadResult:
    """Load the project's ``.env`` files for ``mode`` into ``os.environ``, as ``pyxle dev``
    (``development``) and ``pyxle serve`` (``production``) do."""
    root = Path(project_root).resolve()
    skipped: list[str] = []
    loaded = _load(root, mode, skipped=skipped)
    files = tuple(root / name for name in env_file_names(mode) if (root / name).is_file())
    return EnvLoadResult(tuple(loaded.items()), tuple(skipped), files)
