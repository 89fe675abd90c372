"""The project's OpenAPI document (API routes and actions), for `pyxle openapi` and the docs page."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pyxle.routing import RouteSpec


def operations(entries: Iterable[tuple[RouteSpec, ASGIApp]]) -> list[Any]:
    """One ``Operation`` per served method of every API route and per action, in URL order."""
    from pyxle import validation
    from pyxle.api import ApiEndpoint

    found: list[Any] = []
    for spec, app in entries:
        if isinstance(app, ApiEndpoint):
            for method, fn, typed in _functions(app):
                signature = _signature(fn, spec.params) if typed else None
                for path, params in _paths(spec):
                    found.append(validation.Operation(
                        path, method.lower(), _without(signature, spec.params, params), params,
                        _summary(fn) or _summary(app.handlers.endpoint_class or fn),
                        allow=app.allowed_methods))
        elif hasattr(app, "functions"):  # the actions endpoint
            for (page, name), fn in sorted(app.functions.items()):
                signature = validation.describe(fn, body_name=_second(fn))
                page_spec = app.spec_of(page)
                for path, params in _paths(page_spec) if page_spec else [(page, ())]:
                    found.append(validation.Operation(f"/api/__actions/{path.strip('/') or 'index'}/{name}", "post",
                                                      signature, params,
                                                      summary=_summary(fn) or f"Action {name} of page {page}",
                                                      kind="action"))
    return sorted(found, key=lambda op: (op.path, op.method))


def document(entries: Iterable[tuple[RouteSpec, ASGIApp]], *, title: str = "Pyxle API",
             version: str = "0.1.0") -> dict[str, Any]:
    from pyxle import validation

    return validation.openapi_document(operations(entries), title=title, version=version)


def openapi_routes(path: str, entries: Sequence[tuple[RouteSpec, ASGIApp]]) -> dict[str, ASGIApp]:
    """``{path}.json`` (the document) and ``{path}`` (a page listing it); built on the first request."""
    cache: dict[str, Any] = {}

    def current() -> dict[str, Any]:
        if "doc" not in cache:
            cache["doc"] = document(entries)
        return cache["doc"]

    async def spec(scope: Scope, receive: Receive, send: Send) -> None:
        await JSONResponse(current())(scope, receive, send)

    async def page(scope: Scope, receive: Receive, send: Send) -> None:
        await HTMLResponse(docs_page(current(), path + ".json"))(scope, receive, send)

    return {path + ".json": spec, path: page}


def docs_page(doc: dict[str, Any], json_url: str) -> str:
    """A self-contained page (no CDN): every operation with its parameters, body and responses."""
    rows = []
    for route, methods in doc["paths"].items():
        for method, op in methods.items():
            params = "".join(f"<li><code>{html.escape(p['name'])}</code> in {p['in']}"
                             f"{' (required)' if p.get('required') else ''}: "
                             f"<code>{html.escape(json.dumps(p['schema']))}</code></li>" for p in op.get("parameters", []))
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            body_html = f"<p>Body: <code>{html.escape(json.dumps(body))}</code></p>" if body else ""
            statuses = ", ".join(op["responses"])
            rows.append(f'<section><h2><span class="m">{method.upper()}</span> <code>{html.escape(route)}</code></h2>'
                        f"<p>{html.escape(op.get('summary', ''))}</p><ul>{params}</ul>{body_html}"
                        f"<p>Responses: {statuses}</p></section>")
    title = html.escape(doc["info"]["title"])
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title><style>"
            "body{font:15px system-ui;max-width:60rem;margin:2rem auto;padding:0 1rem}"
            "section{border-top:1px solid #ddd;padding:.5rem 0}.m{font-weight:bold;color:#1a5fb4}"
            f"code{{background:#f4f4f4;padding:0 .2rem}}</style></head><body><h1>{title}</h1>"
            f'<p>The OpenAPI 3.1 document: <a href="{html.escape(json_url)}">{html.escape(json_url)}</a></p>'
            + "".join(rows) + "</body></html>")


def _functions(app: Any) -> list[tuple[str, Any, bool]]:
    """(method, function, typed) of every method the route serves: an ``HTTPEndpoint`` class's
    methods too, as serve binds them (``class_methods``: the signature after ``self``)."""
    from pyxle.api._handlers import class_methods

    handlers = app.handlers
    if handlers.endpoint is not None:
        return [(m, handlers.endpoint, True) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")]
    if handlers.endpoint_class is not None:
        methods = class_methods(handlers.endpoint_class)
        return [(m, methods[m], True) for m in app.allowed_methods if m in methods]
    return [(m, fn, True) for m, fn in handlers.methods.items()]


def _paths(spec: RouteSpec) -> list[tuple[str, tuple[str, ...]]]:
    """(OpenAPI path, its path parameters): ``/api/files/{path...}`` is ``/api/files/{path}``; an
    optional catch-all (``/api/docs/{slug...?}``, no valid OpenAPI path) is two, with and without it."""
    path = spec.pattern.replace("...}", "}")
    if not spec.optional_params:
        return [(path, spec.params)]
    bare = path.rsplit("/", 1)[0] or "/"
    kept = tuple(p for p in spec.params if p not in spec.optional_params)
    return [(bare, kept), (path.replace("...?}", "}"), spec.params)]


def _without(signature: Any, all_params: Sequence[str], params: Sequence[str]) -> Any:
    """The signature for a path without some path parameters (an optional catch-all's bare path)."""
    if signature is None or len(params) == len(all_params):
        return signature
    import dataclasses

    absent = set(all_params) - set(params)
    return dataclasses.replace(signature, params=tuple(p for p in signature.params if p.name not in absent))


def _signature(fn: Any, path_params: Sequence[str]) -> Any:
    from pyxle import validation

    if not validation.takes_arguments(fn) and not validation.is_structured(_returns(fn)):
        return None
    return validation.describe(fn, path_params)


def _returns(fn: Any) -> Any:
    import typing

    try:
        return typing.get_type_hints(fn).get("return")
    except Exception:  # noqa: BLE001 - an unresolvable annotation simply documents nothing
        return None


def _second(fn: Any) -> str | None:
    import inspect

    names = list(inspect.signature(fn).parameters)
    return names[1] if len(names) > 1 else None


def _summary(fn: Any) -> str:
    doc = (fn.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""
