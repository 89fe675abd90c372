"""The route table of a project: every route file, ordered by precedence, conflicts refused."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pyxle.routing._names import name_problems
from pyxle.routing._rules import (
    API_FOLDER,
    SPECIAL_PAGE_STEMS,
    RouteSpec,
    RoutingError,
    in_api_folder,
    route_for_file,
)


@dataclass(frozen=True)
class RouteTable:
    """API routes and pages, each list in match order; special page files by folder."""

    api: tuple[RouteSpec, ...] = ()
    pages: tuple[RouteSpec, ...] = ()
    # folder (POSIX, relative to pages/, "" for the root) -> {"layout": file, "error": file, ...}
    specials: dict[str, dict[str, PurePosixPath]] = field(default_factory=dict)
    # The layouts and templates that say ``STANDALONE = True``: each roots the chain of the pages
    # under its folder. Read from their code, which routing never reads: see ``with_standalone``.
    standalone: frozenset[PurePosixPath] = frozenset()
    # Folders under pages/ that are symbolic links: not followed (``scan``), so start-up says so.
    links: tuple[PurePosixPath, ...] = ()

    def with_standalone(self, files: Iterable[PurePosixPath]) -> RouteTable:
        """This table, knowing which files say ``STANDALONE = True`` (their compiled code says so:
        the bundler, the pages and ``pyxle check`` pass what they compiled). Only a layout's or a
        template's counts; in any other file it means nothing."""
        return dataclasses.replace(self, standalone=frozenset(
            file for file in files if file.name in ("layout.pyxl", "template.pyxl")))

    def chain(self, file: PurePosixPath) -> list[tuple[str, PurePosixPath]]:
        """``(kind, file)`` of the layouts and templates around a page, from the root folder down;
        a ``STANDALONE`` one's folder starts the chain afresh (both of that folder's wrappers stay)."""
        parts = file.parent.parts if file.parent.as_posix() != "." else ()
        chain = []
        for depth in range(self._root_depth(parts), len(parts) + 1):
            folder = "/".join(parts[:depth])
            for kind in ("layout", "template"):
                special = self.specials.get(folder, {}).get(kind)
                if special is not None:
                    chain.append((kind, special))
        return chain

    def loading(self, file: PurePosixPath) -> list[tuple[int, PurePosixPath]]:
        """``(position, file)`` of the ``loading.pyxl`` files above a page, from the root folder down:
        each is the Suspense fallback of what its folder holds, inside the folder's layouts and
        templates (``position``: how many entries of ``chain(file)`` wrap it). Those above a
        ``STANDALONE`` layout's folder are left out with the layouts there."""
        parts = file.parent.parts if file.parent.as_posix() != "." else ()
        top = self._root_depth(parts)
        found, wrapping = [], 0
        for depth in range(top, len(parts) + 1):
            specials = self.specials.get("/".join(parts[:depth]), {})
            wrapping += sum(kind in specials for kind in ("layout", "template"))
            if "loading" in specials:
                found.append((wrapping, specials["loading"]))
        return found

    def _root_depth(self, parts: tuple[str, ...]) -> int:
        """The depth of the deepest folder above (or at) ``parts`` whose layout or template is
        ``STANDALONE``: where the chain starts (0, the root folder, without one)."""
        for depth in range(len(parts), 0, -1) if self.standalone else ():
            specials = self.specials.get("/".join(parts[:depth]), {})
            if any(specials.get(kind) in self.standalone for kind in ("layout", "template")):
                return depth
        return 0

    def nearest(self, file: PurePosixPath, kind: str) -> PurePosixPath | None:
        """The closest ``error``/``not-found`` file at or above the folder of ``file``, not above a
        ``STANDALONE`` layout's folder (nothing above it applies to its pages, as in ``chain``):
        None there without one, so the built-in page answers, as in an app without the file."""
        parts = file.parent.parts if file.parent.as_posix() != "." else ()
        for depth in range(len(parts), self._root_depth(parts) - 1, -1):
            found = self.specials.get("/".join(parts[:depth]), {}).get(kind)
            if found is not None:
                return found
        return None

    def api_url(self, path: str) -> bool:
        """Whether the URL ``path`` is an API client's: under ``/api/`` (Pyxle's actions, plugins'
        endpoints), or in the URL of an ``api/`` folder that holds routes (``/admin/api/...`` with
        ``pages/admin/api/health.py``). Its errors are JSON even where no route answers; a page's
        URL with an ``api`` segment (``/docs/api``) is not one."""
        if path == "/api" or path.startswith("/api/"):
            return True
        segments = path.split("/")
        return any(segment == API_FOLDER and self._api_folder("/".join(segments[: i + 1]))
                   for i, segment in enumerate(segments))

    def _api_folder(self, url: str) -> bool:
        return any(url == folder.pattern if folder.regex is None else folder.regex.match(url)
                   for folder in self.api_folders)

    @functools.cached_property
    def api_folders(self) -> tuple[RouteSpec, ...]:
        """Each ``api/`` folder holding routes, as the route its ``index.py`` would be (its URL, its
        ``shapes``): a URL under one is an API client's."""
        folders = {file.parts[: file.parts.index(API_FOLDER) + 1] for file in (spec.file for spec in self.api)}
        return tuple(spec for parts in sorted(folders)
                     if (spec := route_for_file(PurePosixPath(*parts, "index.py"), "api")) is not None)

    @property
    def routes(self) -> tuple[RouteSpec, ...]:
        """Every route in match order (API and pages share one URL space)."""
        return tuple(sorted(self.api + self.pages, key=lambda r: r.sort_key))


def scan(pages_dir: Path) -> RouteTable:
    """Walk ``pages_dir`` and build its route table (hidden, ``_private`` and cache folders skipped)."""
    files: list[PurePosixPath] = []
    links: list[PurePosixPath] = []
    for dirpath, dirnames, filenames in os.walk(pages_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d != "node_modules")
        rel = Path(dirpath).relative_to(pages_dir)
        links += [PurePosixPath(rel.as_posix(), d) for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        for name in sorted(filenames):
            if name.endswith((".py", ".pyxl")) and not name.startswith((".", "_")):
                files.append(PurePosixPath(rel.as_posix(), name) if str(rel) != "." else PurePosixPath(name))
    if problems := name_problems([f"pages/{file}" for file in files], case=False):  # before the conflicts they make
        raise RoutingError(problems)
    return dataclasses.replace(build_table(files), links=tuple(links))


def build_table(files: Iterable[PurePosixPath | str]) -> RouteTable:
    """Routes for already-listed files: ``.py`` files in an ``api/`` folder (``api/**.py``,
    ``admin/api/**.py``) are API routes, other ``**.pyxl`` are pages."""
    problems: list[str] = []
    api: list[RouteSpec] = []
    pages: list[RouteSpec] = []
    specials: dict[str, dict[str, PurePosixPath]] = {}
    for raw in files:
        file = PurePosixPath(raw)
        in_api = in_api_folder(file)
        try:
            if file.suffix == ".py" and in_api:
                spec = route_for_file(file, "api")
            elif file.suffix == ".pyxl" and in_api:
                raise RoutingError(_page_in_api(file))
            elif file.suffix == ".pyxl":
                stem = file.name[: -len(".pyxl")]
                if stem in SPECIAL_PAGE_STEMS:
                    folder = file.parent.as_posix()
                    specials.setdefault("" if folder == "." else folder, {})[stem] = file
                    continue
                spec = route_for_file(file, "page")
            else:
                continue  # plain .py outside api/ is a helper module, not a route
        except RoutingError as exc:
            problems.extend(exc.problems)
            continue
        if spec is not None:
            (api if spec.kind == "api" else pages).append(spec)

    problems.extend(_conflicts(api + pages))
    if problems:
        raise RoutingError(problems)
    return RouteTable(
        api=tuple(sorted(api, key=lambda r: r.sort_key)),
        pages=tuple(sorted(pages, key=lambda r: r.sort_key)),
        specials=specials,
    )


def _page_in_api(file: PurePosixPath) -> str:
    """Why a ``.pyxl`` in an ``api/`` folder is refused, naming that folder and the way out."""
    folder = "/".join(file.parts[: file.parts.index("api") + 1])
    return (f"pages/{file}: pages/{folder}/ holds only API routes (.py files), not .pyxl pages; "
            "hint: move the page out of it, or give the folder another name (such as reference/)")


def _conflicts(routes: list[RouteSpec]) -> list[str]:
    """Two files that can serve the same URL shape are an error naming both."""
    owner: dict[tuple[str, ...], RouteSpec] = {}
    problems = []
    for route in sorted(routes, key=lambda r: str(r.file)):
        for shape in route.shapes:
            other = owner.setdefault(shape, route)
            if other is not route:
                problems.append(
                    f"route conflict: pages/{other.file} and pages/{route.file} both map to {_show(shape)}"
                )
    return problems


def _show(shape: tuple[str, ...]) -> str:
    names = {"?": "{param}", "*": "{rest...}"}
    return "/" + "/".join(names.get(s, s[1:]) for s in shape)
