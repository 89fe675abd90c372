"""Pages on the server: ``.pyxl`` loaders, actions, navigation JSON, the HTML document.

Public names: ``load_pages``, ``PageLoadError``, ``PageSet``, ``ACTIONS_PREFIX``, ``layout_clashes``,
``file_forms`` and ``form_problems`` (a ``<Form action="...">`` naming no action it can call, for
``pyxle check``, ``pyxle build`` and ``pyxle dev``).
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from starlette.types import ASGIApp

from pyxle._loading import SourceError, def_line, make_importable
from pyxle.hooks import Hook, route_contexts
from pyxle.pages._actions import PREFIX as ACTIONS_PREFIX
from pyxle.pages._actions import ActionsEndpoint, layout_clashes
from pyxle.pages._document import LANG
from pyxle.pages._endpoint import METHODS, PageEndpoint
from pyxle.pages._errors import BadPath, NotFound, PagesRuntime
from pyxle.pages._forms import file_forms, form_problems
from pyxle.pages._module import PageCompileError, PageModule, load_built_module, load_page_module
from pyxle.routing import RouteSpec, RouteTable

__all__ = ["ACTIONS_PREFIX", "BadPath", "NotFound", "PageLoadError", "PageModule", "PageSet", "PagesRuntime", "file_forms",
           "form_problems", "layout_clashes", "load_pages", "page_path"]

logger = logging.getLogger("pyxle")

ACTIONS_SPEC = RouteSpec(
    kind="api",
    file=PurePosixPath("api/__actions"),
    pattern="/api/__actions/{page...}/{action}",
    params=("target",),
    rank=(0, 0, 2),
    regex=re.compile(r"^/api/__actions/(?P<target>.+/[^/]+)$"),
)


class PageLoadError(Exception):
    """Pages that failed to compile or load; every message names its file and line."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class PageSet:
    """Every page with its layouts, and the one actions endpoint."""

    pages: list[tuple[RouteSpec, PageEndpoint]] = field(default_factory=list)
    specials: dict[str, PageModule] = field(default_factory=dict)  # "blog/layout.pyxl" -> module
    actions: ActionsEndpoint | None = None
    runtime: PagesRuntime | None = None
    # ``load_pages(keep_going=True)`` (pyxle dev): the pages that did not load, left out, with
    # their errors: ``spec -> "pages/notes.pyxl:1: ..."``.
    broken: list[tuple[RouteSpec, str]] = field(default_factory=list)

    def routes(self) -> list[tuple[RouteSpec, ASGIApp]]:
        entries: list[tuple[RouteSpec, ASGIApp]] = list(self.pages)
        if self.actions is not None and self.actions.names():
            entries.append((ACTIONS_SPEC, self.actions))
        return entries


def page_path(file: PurePosixPath) -> str:
    """The name of a page in action URLs: ``blog/new`` for ``pages/blog/new.pyxl``."""
    return file.with_suffix("").as_posix()


def load_pages(table: RouteTable, pages_dir: Path, root: Path, hooks: Sequence[Hook] = (), *,
               action_hooks: Sequence[Hook] = (), expose_errors: bool = False,
               built: Mapping[str, tuple[Path, str]] | None = None, prefetch_ttl: int | None = None,
               cache: Any = None, title: str = "", lang: str = LANG, code_dir: Path | None = None,
               keep_going: bool = False, unbuilt: Mapping[str, Sequence[str]] | None = None) -> PageSet:
    """Compile and load every page and special file; all failures are collected, then raised.

    ``hooks`` wrap pages and actions; ``action_hooks`` (``routeMiddleware.actions``) wrap actions
    inside them. A page's action URL serves the actions of its layouts and templates too; a page
    action named like one of theirs is an error (``layout_clashes``).

    With ``built`` (``file -> (compiled server module, source hash)`` from a build), pages run
    the server code that was built with their bundle instead of compiling the sources again.
    ``prefetch_ttl`` is ``navigation.defaultPrefetchTtl``: how long (seconds) the browser may
    reuse a page's navigation data. ``cache`` is the ``pyxle.cache.PageCache`` pages are stored
    in (None: the page cache is off). ``title`` (the config's ``name``) titles pages that set no
    title; ``lang`` is their ``<html lang>``. ``code_dir``: the build's copy of the pages folder,
    served without ``pages/``: a page's ``__file__`` is there, so it reads the files beside it.

    ``keep_going`` (``pyxle dev``): a page that does not load is left out and named in
    ``PageSet.broken`` instead, so the others serve; ``unbuilt`` are the pages the build left out
    (``BuildResult.broken``: ``"notes.pyxl" -> errors``), broken without being loaded. A layout,
    template or special file that does not load is still an error for all of them.
    """
    make_importable(root)
    errors: list[str] = []
    base = _module_base(pages_dir, root)

    def load(file: PurePosixPath, into: list[str] | None = None) -> PageModule | None:
        """The module of ``file``, or None with its errors added to ``into`` (or to all of them)."""
        found = errors if into is None else into
        path = pages_dir / file
        name = ".".join((*base, *file.with_suffix("").parts))
        try:
            if built is None:
                return load_page_module(path, file, name, shown_as=_relative(path, root))
            if file.as_posix() not in built:
                raise SourceError(_relative(path, root), None, "is not in the build (it was added after it)",
                                  "run `pyxle build`, or serve without --skip-build")
            code_path, source_hash = built[file.as_posix()]
            return load_built_module(code_path, source_hash, (code_dir or pages_dir) / file, file, name,
                                     shown_as=_relative(path, root))
        except SourceError as exc:
            found.append(exc.format())
        except PageCompileError as exc:
            found.extend(exc.messages)
        return None

    specials: dict[str, PageModule] = {}
    loaded: dict[PurePosixPath, PageModule] = {}  # every page and special file, for layout_clashes
    for folder_files in table.specials.values():
        for file in folder_files.values():
            module = load(file)
            if module is not None:
                specials[file.as_posix()] = module
                loaded[file] = module
                if module.revalidate is not None:
                    logger.warning("%s: CACHE has no effect in a %s; set it in the pages it applies to",
                                   _relative(pages_dir / file, root), file.stem)
    # The chains as the bundler made them: from what the layouts and templates say (STANDALONE).
    table = table.with_standalone(file for file, module in loaded.items() if module.standalone)
    runtime = PagesRuntime(table, expose_errors=expose_errors, prefetch_ttl=prefetch_ttl, cache=cache, lang=lang,
                           fallback_head=(f"<title>{html.escape(title)}</title>",) if title else ())
    result = PageSet(specials=specials, actions=ActionsEndpoint(runtime), runtime=runtime)
    runtime.specials = result.specials  # the not-found page runs its layouts' loaders (NotFound)
    around_actions = [*hooks, *action_hooks]
    unbuilt = unbuilt or {}
    for spec in table.pages:
        own = list(unbuilt.get(spec.file.as_posix(), ()))  # this page's errors
        page = None if own else load(spec.file, own)
        if page is None:
            if keep_going:
                result.broken.append((spec, "\n".join(dict.fromkeys(own))))
            else:
                errors += own
            continue
        loaded[spec.file] = page
        layouts = [result.specials[f.as_posix()] for _, f in table.chain(spec.file) if f.as_posix() in result.specials]
        context, bare = route_contexts(
            spec, target="page", source_absolute_path=page.path, module_key=page.module.__name__,
            content_hash=page.content_hash, has_loader=page.loader is not None, head_elements=_static_head(page.head),
            allowed_methods=METHODS,
        )
        endpoint = PageEndpoint(page, layouts, context, hooks, runtime, bare)
        result.pages.append((spec, endpoint))
        try:
            result.actions.add_page(page_path(spec.file), spec, page, around_actions,  # type: ignore[union-attr]
                                    rerender=endpoint, around=layouts)
        except SourceError as exc:
            if not keep_going:
                errors.append(exc.format())
                continue
            result.pages.pop()  # its actions do not load: the page answers why, as one that does not build
            del loaded[spec.file]
            result.broken.append((spec, exc.format()))
    for folder_files in table.specials.values():  # the layouts' Forms on an error page post to its path
        for file in (folder_files.get("not-found"), folder_files.get("error")):
            if file is not None and file in loaded:
                around = [loaded[f] for _, f in table.chain(file) if f in loaded]
                try:
                    result.actions.add_error_page(page_path(file), file, around, around_actions)  # type: ignore[union-attr]
                except SourceError as exc:
                    errors.append(exc.format())
    declared = {file: {name: def_line(fn) for name, fn in module.actions.items()} for file, module in loaded.items()}
    errors += [exc.format() for exc in layout_clashes(table, declared, lambda f: _relative(pages_dir / f, root))]
    if errors:
        raise PageLoadError(list(dict.fromkeys(errors)))  # a layout's bad action is met once per page under it
    return result


def _static_head(head: object) -> tuple[str, ...]:
    """A page's HEAD when it does not depend on data (a string or list); () for ``def HEAD(data)``."""
    if isinstance(head, str):
        return (head,)
    if isinstance(head, (list, tuple)):
        return tuple(head)
    return ()


def _module_base(pages_dir: Path, root: Path) -> tuple[str, ...]:
    try:
        return pages_dir.relative_to(root).parts
    except ValueError:
        return ("pages",)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
