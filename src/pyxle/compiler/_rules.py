"""Metadata of a page, and the rules a page must follow, read from its server module's AST."""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyxle.compiler._diagnostics import Diagnostic

_EXPORT_DEFAULT = re.compile(r"export\s+default\b")
# `export { Page as default }`, `export { default } from './Page.jsx'`, over several lines too.
_EXPORT_LIST = re.compile(r"export\s*\{([^}]*)\}")
_DEFAULT_ITEM = re.compile(r"\s*(?:default|[\w$]+\s+as\s+default)\s*")
# A top-level component: `function Page(`, `const Page = (` or `= function`, a capitalised name.
_COMPONENT = re.compile(r"^(?:export\s+)?(?:(?:async\s+)?function\s*\*?\s*(?P<fn>[A-Z][\w$]*)\s*\(|const\s+(?P<const>[A-Z][\w$]*)\s*=)")


@dataclass(frozen=True)
class PageMetadata:
    """What a page declares: its loader, actions, HEAD, and whether its JSX exports a component."""

    loader: str | None = None
    loader_line: int | None = None
    actions: tuple[str, ...] = ()
    action_lines: tuple[int, ...] = ()
    has_head: bool = False
    has_default_export: bool = False
    loader_typed: bool = False  # the loader declares what it returns: the type of the component's data
    typed: bool = False  # the loader or an action carries annotations: generated types, the props' type
    revalidate: float | None = None  # ``CACHE = {"revalidate": N}``: the page may be stored N seconds
    standalone: bool = False  # ``STANDALONE = True``: a layout or template that roots its own chain


def _marker(decorator: ast.expr) -> tuple[str | None, str | None]:
    """``("server"|"action"|None, explicit action name or None)`` for one decorator."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.id if isinstance(target, ast.Name) else target.attr if isinstance(target, ast.Attribute) else None
    if name not in ("server", "action"):
        return None, None
    explicit = None
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                explicit = str(keyword.value.value)
    return name, explicit


def analyse(tree: ast.Module, js_statements: Sequence[tuple[int, str]], path: str, lines: Sequence[str], *,
            require_default_export: bool) -> tuple[PageMetadata, list[Diagnostic]]:
    """``js_statements`` are the top-level JS statements with their (1-based) first lines' numbers."""
    problems: list[Diagnostic] = []
    loader: ast.AST | None = None
    actions: dict[str, int] = {}
    has_head = False
    typed_actions = False
    loading = path.replace("\\", "/").rsplit("/", 1)[-1] == "loading.pyxl"
    directives: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            has_head = has_head or any(isinstance(t, ast.Name) and t.id == "HEAD" for t in targets)
            name = targets[0].id if len(targets) == 1 and isinstance(targets[0], ast.Name) else None
            if name in DIRECTIVES and node.value is not None:
                try:
                    directives[name] = _directive(name, node.value)
                except _Misdirected as wrong:
                    problems.append(Diagnostic.at(path, lines, node.value.lineno, node.value.col_offset + 1, *wrong.args))
            continue
        if isinstance(node, ast.ClassDef):
            for kind in dict.fromkeys(k for k, _ in map(_marker, node.decorator_list) if k):
                problems.append(Diagnostic.at(path, lines, node.lineno, node.col_offset + 1,
                                              f"@{kind} marks an async def function, not a class ({node.name})",
                                              f"write `@{kind}` above `async def {node.name.lower()}(request):`"))
            continue
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        has_head = has_head or node.name == "HEAD"
        seen: set[str] = set()
        for decorator in node.decorator_list:
            kind, explicit = _marker(decorator)
            if kind is None:
                continue
            misuse = _misuse(decorator, kind, node, seen) or (_in_loading(kind, node) if loading else None)
            seen.add(kind)
            if misuse:
                problems.append(Diagnostic.at(path, lines, decorator.lineno, decorator.col_offset, *misuse))  # at the @
                continue
            signature = _signature_problem(node, kind) or (_action_parameters(node) if kind == "action" else None)
            if signature:
                problems.append(Diagnostic.at(path, lines, node.lineno, node.col_offset + 1, *signature))
            if not isinstance(node, ast.AsyncFunctionDef):
                what = "@server loader" if kind == "server" else "@action"
                problems.append(Diagnostic.at(path, lines, node.lineno, node.col_offset + 1,
                                              f"{what} {node.name}() must be async def",
                                              f"write `async def {node.name}(request):`"))
            if kind == "server":
                if loader is not None:
                    problems.append(Diagnostic.at(
                        path, lines, node.lineno, node.col_offset + 1,
                        f"a page has at most one @server loader; {node.name}() is a second one "
                        f"(the first is {loader.name}() at line {loader.lineno})",  # type: ignore[attr-defined]
                        "merge the loaders into one, or make this one a plain helper function"))
                else:
                    loader = node
            else:
                name = explicit or node.name
                if not name.isidentifier():
                    problems.append(Diagnostic.at(path, lines, decorator.lineno, decorator.col_offset + 1,
                                                  f"action name {name!r} is not a valid identifier",
                                                  "use letters, digits and underscores, not starting with a digit"))
                elif name in actions:
                    problems.append(Diagnostic.at(path, lines, node.lineno, node.col_offset + 1,
                                                  f"duplicate action name {name!r} (first defined at line {actions[name]})",
                                                  "give each @action in a file its own name"))
                else:
                    actions[name] = node.lineno
                    typed_actions = typed_actions or _annotated(node)
    defaults = [number for number, text in js_statements if _exports_default(text)]
    has_default = bool(defaults)
    for number in defaults[1:]:  # esbuild would refuse the bundle; say so where the file is checked
        problems.append(Diagnostic.at(path, lines, number, 1,
                                      f"a page has one default export; this is a second one (the first is at line "
                                      f"{defaults[0]})", "export the other component by name, or move it to its own file"))
    loader_typed = loader is not None and loader.returns is not None  # type: ignore[attr-defined]
    if require_default_export and not has_default:
        problems.append(_no_default_export(js_statements, path, lines))
    metadata = PageMetadata(
        loader=loader.name if loader else None,  # type: ignore[attr-defined]
        loader_line=loader.lineno if loader else None,  # type: ignore[attr-defined]
        actions=tuple(actions),
        action_lines=tuple(actions.values()),
        has_head=has_head,
        has_default_export=has_default,
        loader_typed=loader_typed,
        typed=loader_typed or typed_actions,
        revalidate=directives.get("CACHE"),
        standalone=directives.get("STANDALONE", False),
    )
    return metadata, problems


DIRECTIVES = ("CACHE", "STANDALONE")
_CACHE_HINT = 'write CACHE = {"revalidate": 60}: how many seconds the page cache may keep the page'


class _Misdirected(ValueError):
    """A directive written in a form 0.5 to 0.9 refused: ``args`` are the message and the hint."""


def _directive(name: str, value: ast.expr) -> float | bool:
    """The value of a module-level directive, as pyxle-framework 0.5 to 0.9 read it: ``CACHE``'s
    seconds, ``STANDALONE``'s bool; ``_Misdirected`` when it is written in another form (their
    messages are 0.9's). ``NAME: type = literal`` is one too (0.9 left it out): the server reads the
    module's own ``CACHE`` and ``STANDALONE`` (``pages._module.directives``), so both agree."""
    if name == "STANDALONE":
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return value.value
        raise _Misdirected("STANDALONE must be True or False, e.g. STANDALONE = True",
                           "write STANDALONE = True in a layout.pyxl or template.pyxl to leave out the layouts above its folder")
    if not isinstance(value, ast.Dict):
        raise _Misdirected('CACHE must be a dict literal, e.g. CACHE = {"revalidate": 60}', _CACHE_HINT)
    for key, seconds in zip(value.keys, value.values, strict=True):
        if isinstance(key, ast.Constant) and key.value == "revalidate":
            number = seconds.value if isinstance(seconds, ast.Constant) else None
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number < float("inf"):
                raise _Misdirected("CACHE 'revalidate' must be a non-negative number of seconds", _CACHE_HINT)
            try:
                return float(number)
            except OverflowError:  # an int literal of hundreds of digits
                raise _Misdirected("CACHE 'revalidate' must be a non-negative number of seconds", _CACHE_HINT) from None
    raise _Misdirected('CACHE must contain a "revalidate" key', _CACHE_HINT)


def js_statements(client_lines: Sequence[str], starts: Sequence[int]) -> list[tuple[int, str]]:
    """Each top-level JS statement's (1-based) line and its text, to the next one's start (lines of
    Python between are blank in ``client_lines``): an export list may span lines, as Prettier writes it."""
    ends = [*starts[1:], len(client_lines)]  # (one more than there are starts when there are none)
    return [(start + 1, "\n".join(client_lines[start:end])) for start, end in zip(starts, ends, strict=False)]


def _exports_default(statement: str) -> bool:
    """``export default ...``, or an export list naming ``default`` (``export { default } from``,
    ``export { Page as default }``); not ``export { default as Page } from``, a named export."""
    if _EXPORT_DEFAULT.match(statement):
        return True
    listed = _EXPORT_LIST.match(statement)
    return listed is not None and any(_DEFAULT_ITEM.fullmatch(item) for item in listed.group(1).split(","))


def _no_default_export(js_statements: Sequence[tuple[int, str]], path: str, lines: Sequence[str]) -> Diagnostic:
    """At the component that is not exported (the last top-level capitalised function or const, the
    page's own after its helpers), else at the first line of the JSX part: not at the file's last line."""
    components = [(number, m["fn"] or m["const"]) for number, line in js_statements if (m := _COMPONENT.match(line))]
    number, name = components[-1] if components else (js_statements[0][0] if js_statements else 1, "")
    layout = path.replace("\\", "/").rsplit("/", 1)[-1] in ("layout.pyxl", "template.pyxl")
    kind, example = ("layout", "Layout({ children })") if layout else ("page", "Page({ data })")
    hint = f"add `export default {name}` after it" if name else f"add `export default function {example} {{ ... }}`"
    return Diagnostic.at(path, lines, number, 1, f"no default export: a {kind}'s JSX must `export default` its component", hint)


def _misuse(decorator: ast.expr, kind: str, node: ast.FunctionDef | ast.AsyncFunctionDef,
            seen: set[str]) -> tuple[str, str] | None:
    """(message, hint) for ``@action("save")``, ``@server()`` or a marker given twice; None when used right."""
    if kind in seen:
        return f"@{kind} is applied twice to {node.name}()", f"remove one of the two @{kind} lines"
    if isinstance(decorator, ast.Call) and kind == "server":
        return "@server takes no arguments", "write `@server` on its own, without parentheses"
    if isinstance(decorator, ast.Call) and decorator.args:
        named = ast.unparse(decorator.args[0])
        return ("@action takes no positional argument",
                f"write `@action`, or `@action(name={named})` to serve it under another name")
    return None


def _in_loading(kind: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str]:
    """(message, hint) for a loader or action in ``loading.pyxl``, which the server never runs: it is
    a Suspense fallback, rendered with no props (client/_tree.js pageTree)."""
    if kind == "server":
        return (f"loading.pyxl is rendered with no props: its @server loader {node.name}() would never run",
                "load the data in the loader of the pages (or of their layout): loading.pyxl shows while it renders")
    return (f"loading.pyxl serves no actions: its @action {node.name}() would never be called",
            "move the action to the page or layout whose <Form> posts to it")


def _signature_problem(node: ast.FunctionDef | ast.AsyncFunctionDef, kind: str) -> tuple[str, str] | None:
    """(message, hint) for a loader or action the server cannot call with the request (0.9 could not either)."""
    args = node.args
    if args.posonlyargs or args.args or args.vararg:
        return None
    what = "@server loader" if kind == "server" else "action"
    return f"{what} {node.name}() does not take the request", f"take the request: async def {node.name}(request)"


def action_parameters_problem(action: str, params: Sequence[tuple[str, bool, bool]]) -> tuple[str, str] | None:
    """(message, hint) for an action ``pyxle serve`` cannot call with the request and one body, from
    each parameter's ``(name, annotated, defaulted)`` but ``*args``/``**kwargs``: one rule for serve,
    which reads the function as the page loads (``body_binder``), and for the compiler, its AST."""
    if len(params) < 2 or all(defaulted and not annotated for _, annotated, defaulted in params[1:]):
        return None  # pyxle-framework 0.9 called (request, extra=None) with the request alone: so does Pyxle
    if len(params) > 2:
        return (f"action {action}() takes {len(params)} parameters",
                "an action takes the request and, optionally, one typed body: (request, body: Model)")
    name, annotated, _ = params[1]
    if not annotated:
        return (f"action {action}(): parameter {name!r} has no type annotation",
                (f"annotate it with the body's type ({name}: MyModel), or take only the request "
                 "and read `await request.json()`"))
    return None


def _action_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str, str] | None:
    """``action_parameters_problem`` of an action read from its source (the page is not run)."""
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaulted = [False] * (len(positional) - len(args.defaults)) + [True] * len(args.defaults)
    params = [(a.arg, a.annotation is not None, d) for a, d in zip(positional, defaulted, strict=True)]
    params += [(a.arg, a.annotation is not None, d is not None) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)]
    return action_parameters_problem(node.name, params)


def _annotated(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A return annotation, or an annotated parameter after the request."""
    return node.returns is not None or any(a.annotation is not None for a in node.args.args[1:])
