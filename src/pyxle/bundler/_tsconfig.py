"""A tsconfig's ``extends`` chain, resolved as tsc resolves it: the files it names (relative paths,
packages' configs in ``node_modules``, lists of bases), their ``compilerOptions`` merged, and which
file set each option, for ``pyxle typecheck`` to keep what a monorepo's root config gives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any


def inherited_options(config: Path | None) -> tuple[dict[str, Any], dict[str, Path]]:
    """``config``'s compilerOptions merged with those its ``extends`` chain gives, as tsc merges them;
    and for each option the config file that set it (relative options are read from that file's folder)."""
    options: dict[str, Any] = {}
    origin: dict[str, Path] = {}
    for path, given in _config_chain(config, frozenset()) if config is not None else []:
        for key, value in given.items():
            options[key], origin[key] = value, path
    return options, origin


def _config_chain(config: Path, seen: frozenset[Path]) -> list[tuple[Path, dict[str, Any]]]:
    """``(file, compilerOptions)`` of ``config`` and every config it extends, the furthest base first
    (tsc's order: each of an ``extends`` list in turn, then the file itself). A cycle ends the chain."""
    config = config.resolve()
    if config in seen:
        return []
    own = read_config(config)
    extends = own.get("extends")
    chain: list[tuple[Path, dict[str, Any]]] = []
    for spec in extends if isinstance(extends, list) else [extends]:
        if isinstance(spec, str) and (base := extended_config(config.parent, spec)) is not None:
            chain += _config_chain(base, seen | {config})
    options = own.get("compilerOptions")
    return [*chain, (config, options if isinstance(options, dict) else {})]


def extended_config(folder: Path, spec: str) -> Path | None:
    """The file an ``extends`` names, found as tsc finds it: a path from ``folder`` (``.json`` added
    when the name without it is no file), else a package's config in a ``node_modules`` up from ``folder``."""
    if spec.startswith(("./", "../", "/")) or spec in (".", "..") or Path(spec).is_absolute():
        path = folder / spec
        return next((c for c in (path, path.with_name(path.name + ".json")) if c.is_file()), None)
    for parent in (folder, *folder.parents):
        if (found := _package_config(parent / "node_modules", spec)) is not None:
            return found
    return None


def _package_config(modules: Path, spec: str) -> Path | None:
    """``@scope/pkg`` or ``pkg/sub.json`` in ``modules``: its ``exports``, its ``tsconfig`` field or
    ``tsconfig.json`` for the package itself, the file (or ``.json``, ``/tsconfig.json``) for a subpath."""
    parts = spec.split("/")
    size = 2 if spec.startswith("@") else 1
    package, sub = modules.joinpath(*parts[:size]), "/".join(parts[size:])
    if not package.is_dir():
        return None
    manifest = read_config(package / "package.json")
    exported = _export(manifest.get("exports"), f"./{sub}" if sub else ".")
    named = [exported] if exported else []
    if sub:
        named += [sub, f"{sub}.json", f"{sub}/tsconfig.json"]
    else:
        named += [str(manifest["tsconfig"])] if isinstance(manifest.get("tsconfig"), str) else []
        named.append("tsconfig.json")
    return next((package / name for name in named if (package / name).is_file()), None)


def _export(exports: object, key: str) -> str | None:
    """The file a package's ``exports`` gives for ``key`` (a string, or the first condition that names one)."""
    target = exports.get(key) if isinstance(exports, dict) and any(k.startswith(".") for k in exports) else (
        exports if key == "." else None)
    while isinstance(target, (dict, list)):
        values = list(target.values()) if isinstance(target, dict) else target
        target = next((v for v in values if isinstance(v, (str, dict, list))), None)
    return target if isinstance(target, str) else None


def config_dir(value: str, config: Path) -> str:
    """TypeScript 5.5's ``${configDir}``: the folder of the config tsc was given (the app's), wherever it is written."""
    return value.replace("${configDir}", str(config.parent))


def read_config(config: Path | None) -> dict[str, Any]:
    if config is None:
        return {}
    try:
        found = json.loads(_strip_jsonc(config.read_text(encoding="utf-8")))
    except (ValueError, OSError):
        return {}
    return found if isinstance(found, dict) else {}


def _strip_jsonc(text: str) -> str:
    """tsconfig files allow comments and trailing commas; JSON does not."""
    text = re.sub(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', lambda m: m.group(1) or "", text, flags=re.DOTALL)
    return re.sub(r",(\s*[}\]])", r"\1", text)
