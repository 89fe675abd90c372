"""Where the project's folders may point: settings that would delete or publish the project are refused.

Each build empties ``public/``, ``server/`` and ``client/`` inside ``distDir`` (and ``buildDir``),
and everything under ``publicDir`` is served to anyone. So ``distDir: "."`` would delete the
project's own ``public/``, and ``publicDir: "."`` would serve ``.env.local`` and the pages' server
code. Checked on the merged result, so a ``PYXLE_*`` variable or a flag meets the same rules as
the file; each problem names where the value came from. ``buildDir`` and ``distDir`` stay apart
too: ``pyxle dev`` writing its development build over the production one would have
``pyxle serve --skip-build`` ship it, with its source maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ._model import PyxleConfig

# field -> the config file's key
KEYS = {"pages_dir": "pagesDir", "public_dir": "publicDir", "build_dir": "buildDir", "dist_dir": "distDir"}
_EMPTIED = "each build empties the public/, server/ and client/ folders in it"
_DEFAULT = {"dist_dir": '"dist"', "build_dir": '".pyxle-build"', "public_dir": '"public"', "pages_dir": '"pages"'}


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def check_dirs(config: PyxleConfig, sources: Mapping[str, tuple[str, str | None]]) -> list[str]:
    """Problems with where ``config``'s folders lie. ``sources`` maps a field to how its value was
    given: (name, where), e.g. ``("distDir", "/app/pyxle.config.json")``, ``("PYXLE_DIST_DIR",
    "/app/.env:2")`` or ``("--out-dir", None)``; a field not in it is named by its config key."""
    root = config.root.resolve()
    paths = {field: (config.root / getattr(config, field)).resolve() for field in KEYS}

    def named(field: str) -> str:
        name, _ = sources.get(field, (KEYS[field], None))
        return f'{name} "{getattr(config, field)}"'

    def refuse(field: str, why: str, other: str = "") -> str:
        where = sources.get(field, ("", None))[1] or sources.get(other, ("", None))[1]
        hint = (f"give {named(field)} and {named(other)} folders of their own, such as {_DEFAULT[field]} and "
                f"{_DEFAULT[other]}") if other else f"give it a folder of its own, such as {_DEFAULT[field]}"
        return f"{where + ': ' if where else ''}{named(field)} {why}; hint: {hint}"

    problems = []
    public = paths["public_dir"]
    public_ok = not _inside(root, public)
    if not public_ok:
        where = "is the project folder" if public == root else "contains the project folder"
        problems.append(refuse("public_dir", f"{where}: every file in it is served to anyone, .env files and "
                                             "the pages' server code included"))
    elif _inside(paths["pages_dir"], public):
        problems.append(refuse("public_dir", f"contains {named('pages_dir')}: the pages' server code would be served to anyone",
                               "pages_dir"))
    before = len(problems)
    for field in ("dist_dir", "build_dir"):
        path = paths[field]
        if _inside(root, path):
            where = "is the project folder" if path == root else "contains the project folder"
            problems.append(refuse(field, f"{where}: {_EMPTIED}, which would delete the project's own"))
            continue
        if path.exists() and not path.is_dir():
            problems.append(refuse(field, "is a file, not a folder"))
            continue
        for other in ("pages_dir", "public_dir") if public_ok else ("pages_dir",):
            if _inside(paths[other], path):
                relation = "is the same folder as" if paths[other] == path else "contains"
                problems.append(refuse(field, f"{relation} {named(other)}: {_EMPTIED}, among the project's "
                                              "own files", other))
            elif path.is_relative_to(paths[other]):
                what = "served to anyone" if other == "public_dir" else "read as routes"
                problems.append(refuse(field, f"is inside {named(other)}: the build's files would be {what}", other))
    build, dist = paths["build_dir"], paths["dist_dir"]
    if len(problems) == before and (_inside(build, dist) or _inside(dist, build)):  # (else named already)
        relation = "is the same folder as" if build == dist else "is inside" if _inside(build, dist) else "contains"
        problems.append(refuse("build_dir", f"{relation} {named('dist_dir')}: pyxle dev's build would replace or mix "
                                            "with the production build, which pyxle serve ships", "dist_dir"))
    return problems
