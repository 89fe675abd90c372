"""Compatibility: earlier releases loaded ``.env`` files from ``pyxle.env`` (the ``pyxle-db``
command does). The functions live in ``pyxle.config``."""

from pyxle.config import load_env_files, public_env

__all__ = ["load_env_files", "public_env"]
