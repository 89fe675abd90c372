"""What a project brings for its stylesheets: its PostCSS config, Tailwind's, the global files.

``styles.mjs`` does the work in Node; this finds the files, so a build knows before Node starts
whether PostCSS runs at all (no config: nothing is loaded) and ``pyxle dev`` knows which edits
need a fresh bundler process.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

# Where PostCSS configs are looked for, in order (as postcss-load-config, which Vite used, does).
POSTCSS_CONFIGS = (
    "package.json", ".postcssrc", ".postcssrc.json", ".postcssrc.js", ".postcssrc.cjs", ".postcssrc.mjs",
    "postcss.config.js", "postcss.config.mjs", "postcss.config.cjs",
)
# PostCSS configs that need a loader Pyxle does not bring: refused rather than silently skipped.
_UNREAD = (".postcssrc.yaml", ".postcssrc.yml", ".postcssrc.ts", "postcss.config.ts", "postcss.config.cts",
           "postcss.config.mts")
TAILWIND_CONFIGS = ("tailwind.config.js", "tailwind.config.cjs", "tailwind.config.mjs", "tailwind.config.ts")
# Files whose edit changes how every stylesheet is processed (pyxle dev restarts the bundler).
STYLE_CONFIGS = frozenset((*POSTCSS_CONFIGS[1:], *_UNREAD, *TAILWIND_CONFIGS))
STYLE_SUFFIXES = (".css", ".scss", ".sass")


class StyleConfigError(Exception):
    """A style config or global file that cannot be used; the message names the file."""


def postcss_config(root: Path) -> Path | None:
    """The project's PostCSS config file, or None (then PostCSS never runs)."""
    for name in POSTCSS_CONFIGS:
        path = root / name
        if name == "package.json":
            if _has_postcss_key(path):
                return path
        elif path.is_file():
            return path
    for name in _UNREAD:
        if (root / name).is_file():
            raise StyleConfigError(f"{name}: this PostCSS config is not read by Pyxle, so its plugins would not run\n"
                                   "    hint: write it as postcss.config.js (CommonJS or ESM), .mjs or .cjs")
    return None


def _has_postcss_key(path: Path) -> bool:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False  # no package.json, or one npm would refuse first
    return isinstance(data, dict) and "postcss" in data


def config_key(root: Path, postcss: Path | None) -> str:
    """A fingerprint of the config files a bundler process has loaded (PostCSS, Tailwind)."""
    digest = hashlib.sha256()
    for path in (postcss, *(root / name for name in TAILWIND_CONFIGS)):
        if path is not None and path.is_file():
            digest.update(f"{path.name}\0".encode() + path.read_bytes())
    return digest.hexdigest()


def global_files(root: Path, key: str, names: tuple[str, ...]) -> list[str]:
    """``styling.globalStyles`` / ``globalScripts`` as absolute paths; each must exist."""
    found = []
    for index, name in enumerate(names):
        path = root / name
        if not path.is_file():
            raise StyleConfigError(f'pyxle.config.json: styling.{key}[{index}]: "{name}" is not a file in the project\n'
                                   f"    hint: paths are relative to the project root, {root}")
        found.append(str(path))
    return found
