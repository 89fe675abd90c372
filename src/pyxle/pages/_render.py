"""Turning a page's props into an HTML document: SSR in the Node pool, head merging, assets."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.types import Receive

from pyxle.pages._data import dumps
from pyxle.pages._document import END, LANG, VIEWPORT, document, dotted_pages, loading_pages, page_root, shared_code
from pyxle.security import ScriptPolicy
from pyxle.ssr import NoWorker, RenderError, RenderQueueFull, RenderStream, SsrPool

logger = logging.getLogger("pyxle.error")
_HEAD_TAG = re.compile(r"<(title|meta|link|base|script|style|noscript)\b[^>]*?(?:/>|>(?:.*?</\1>)?)", re.DOTALL | re.IGNORECASE)
_ATTR = re.compile(r'([\w:-]+)\s*=\s*"([^"]*)"')


def split_head(markup: str) -> list[str]:
    """Separate head markup into its elements."""
    return [m.group(0) for m in _HEAD_TAG.finditer(markup)]


_TAG_NAME = re.compile(r"<\s*([A-Za-z]+)")


def _key(element: str) -> str | None:
    match = _TAG_NAME.match(element)
    tag = match.group(1).lower() if match else ""
    attrs = {k.lower(): v for k, v in _ATTR.findall(element)}
    if "data-head-key" in attrs:  # the explicit key 0.4 to 0.9 documented (analytics, tag managers)
        return f"data-head-key:{attrs['data-head-key']}"
    if tag == "title":
        return "title"
    if tag == "meta":
        for name in ("name", "property", "http-equiv"):
            if name in attrs:
                return f"meta:{name}:{attrs[name]}"
        if "charset" in attrs:
            return "meta:charset"
    if tag == "link" and attrs.get("rel") == "canonical":
        return "link:canonical"
    if tag == "link" and attrs.get("rel") == "preload":  # <Image priority>, and React 19's own hint
        return f"preload:{attrs.get('href')}:{attrs.get('imagesrcset')}"
    if tag == "script" and "data-pyxle-script" in attrs:  # <Script strategy="beforeInteractive">
        return f"script:{attrs['data-pyxle-script']}"
    return None


def merge_head(groups: list[list[str]]) -> list[str]:
    """The head of ``groups`` of elements, lowest precedence first (each level's HEAD, then its
    ``<Head>``s): a later group's element replaces earlier ones with the same key (title, meta
    name/property, canonical, a preload of the same URL, the same <Script>, the same
    ``data-head-key``). Several ``meta property`` of one group are all kept, as OpenGraph's arrays
    need (``og:image``, ``article:tag``); a later group's replace them all."""
    out: list[str | None] = []
    held: dict[str, tuple[int, list[int]]] = {}  # key -> the group that set it, and where
    for group, elements in enumerate(groups):
        for element in elements:
            key = _key(element)
            if key == "meta:charset":  # the document is UTF-8, which its first tag says already
                continue
            found = held.get(key) if key is not None else None
            if key is None or found is None:
                if key is not None:
                    held[key] = (group, [len(out)])
                out.append(element)
            elif found[0] == group and key.startswith("meta:property:"):
                found[1].append(len(out))
                out.append(element)
            else:
                first, *rest = found[1]
                out[first] = element
                for index in rest:
                    out[index] = None
                held[key] = (group, [first])
    return [element for element in out if element is not None]


def merge_levels(head: list[list[str]], rendered: list[str]) -> list[str]:
    """Each level's HEAD elements, then its ``<Head>`` markup, outermost layout first; then merged,
    with the default viewport where none is set (a document's head)."""
    groups: list[list[str]] = []
    for level in range(max(len(head), len(rendered))):
        groups.append(head[level] if level < len(head) else [])
        groups.append(split_head(rendered[level]) if level < len(rendered) else [])
    return with_viewport(merge_head(groups))


def with_viewport(elements: list[str]) -> list[str]:
    """A document's head: ``elements``, first the default viewport unless one of them is a viewport."""
    return elements if any(_key(element) == "meta:name:viewport" for element in elements) else [VIEWPORT, *elements]


class PartialPage(HTMLResponse):
    """A document rendered whole whose render left a ``<Suspense>`` boundary to the browser (it
    threw, or was still loading at the render timeout). It is right for the visitor it was rendered
    for, whose browser renders that part, but it holds the fallback in the boundary's place: the
    page cache must not keep it for everyone (a transient failure would be served until due)."""


class Renderer:
    """Server rendering for one build: its manifest and a pool of warm Node workers.

    ``server_rendering=False`` (no Node on this machine): the pool is never started and each
    document has an empty root, with the page's stylesheets and module, which render it in the
    browser; the pool's ``alive`` of 0 makes ``/readyz`` say so.
    """

    def __init__(self, manifest: dict[str, Any], bundle: Path, *, workers: int, timeout: float,
                 queue_size: int | None = None, extra_scripts: str = "", extra_head: str = "",
                 lang: str = LANG, script_policy: ScriptPolicy | None = None,
                 server_rendering: bool = True, env: Mapping[str, str] | None = None,
                 root: Path | None = None) -> None:
        """``env``: the public variables, for the SSR workers (see ``SsrPool``). ``root``: the
        project's folder, which a render error's location is named from (``thrown_at``)."""
        self.manifest = manifest
        self.server_rendering = server_rendering
        self.script_policy = script_policy  # the configured CSP refuses inline scripts: see pyxle.security._csp
        self.lang = lang  # the config's: <html lang>
        self.extra_scripts = extra_scripts  # pyxle dev: the live-reload client
        # Outside the page's own head, kept across client navigation: the CSRF names, the router's data.
        self.extra_head = extra_head + dotted_pages(manifest) + loading_pages(manifest) + shared_code(manifest)
        self.pool = SsrPool(bundle, size=workers, timeout=timeout, queue_size=queue_size, env=env, root=root)
        self.started = False
        self._tags: dict[str, tuple[list[str], str, str]] = {}  # page id -> (links, scripts, streamed scripts)
        self._merged: dict[tuple[Any, ...], list[str]] = {}  # head markup -> merged head: mostly a few per page

    async def start(self) -> None:
        if self.server_rendering:
            await self.pool.start()
        self.started = True

    async def close(self) -> None:
        await self.pool.close()

    def thrown_at(self, stack: str | None) -> str | None:
        """The project's file, line and column a render error's ``stack`` names first
        (``components/Card.jsx:3:11``), or None."""
        return self.pool.thrown_at(stack)

    def refuses(self) -> bool:
        """The render queue is full: a page request now would be answered 503."""
        return self.server_rendering and self.pool.refuses()

    def has(self, page_id: str) -> bool:
        return page_id in self.manifest.get("pages", {})

    def assets(self, page_id: str) -> dict[str, Any]:
        """What client-side navigation loads for a page: its module and stylesheets, and (a
        production build) what names the code they share with the document's (``shared_code``)."""
        entry = self.manifest["pages"][page_id]
        shared = self.manifest.get("shared")
        return {"js": entry["js"], "css": entry["css"], **({"shared": shared} if shared else {})}

    async def respond(self, page_id: str, props: dict[str, Any] | str, route_path: str, head: list[list[str]],
                      status: int, headers: dict[str, str] | None = None, csrf_token: str = "",
                      tail: str = "", urgent: bool = False, complete: bool = False, nonce: str = "",
                      gone: Callable[[], Awaitable[object]] | None = None) -> Response:
        """Render and wrap in the document; raises ``RenderError`` if the page throws (before its
        shell, for a page that streams), and ``RenderQueueFull`` when the pool is saturated
        (``urgent``: see ``SsrPool.render``).

        ``tail`` is markup for the end of the body, before the scripts (``auth_seed``). ``nonce``:
        the scripts' nonce for a page being stored (a stand-in, swapped per answer); else a new one.
        ``head`` holds the HEAD-variable elements per level (layouts outermost first, the page
        last); each level's ``<Head>`` markup follows its HEAD, so the page wins over layouts. A
        ``<Head><html lang dir>`` sets the document's ``<html>`` (the answer's ``lang``, ``dir``).
        A page that suspends is streamed (``StreamingResponse``): the head, the shell and the
        props first, then the rest as it renders; ``complete`` waits for all of it instead, and
        answers a ``PartialPage`` when a boundary was left to the browser. ``gone``: see
        ``SsrPool.render`` (``client_left``); a render it drops raises ``Abandoned``.
        """
        props_json = props if isinstance(props, str) else dumps(props)  # pages pass it pre-encoded
        request = {"page": page_id, "routePath": route_path, "csrfToken": csrf_token}
        if complete:
            request["complete"] = True
        if self.script_policy is None:
            nonce = ""
        else:  # a policy that refuses inline scripts: this answer's own nonce (given: a stored page's stand-in)
            nonce, policies = self.script_policy(nonce or None)
            request["nonce"] = nonce
            headers = {**(headers or {}), **policies}
        if self.server_rendering:
            result = await self.pool.render(request, props_json, urgent=urgent, gone=gone)
        else:  # the page's module renders the empty root in the browser
            result = {"html": "", "head": []}
        rendered: list[str] = result.get("head") or []
        key = (*map(tuple, head), None, *rendered)
        merged = self._merged.get(key)
        if merged is None:
            if len(self._merged) >= 1024:  # data-dependent heads (a title per record) must not grow it forever
                self._merged.clear()
            merged = self._merged[key] = merge_levels(head, rendered)
        tags, scripts, streamed = self._tags.get(page_id) or self._page_tags(page_id)
        if nonce:
            tags = [_carrying(nonce, tag) for tag in tags]
            scripts, streamed = _carrying(nonce, scripts), _carrying(nonce, streamed)
            merged = [_SCRIPT.sub(f'<script nonce="{nonce}"', element, 1) for element in merged]
        stream = result.get("stream")
        rooted = result.get("root", False)
        own = page_root(result.get("lang"), result.get("dir")) if "lang" in result or "dir" in result else None
        if stream is None:
            body = document(head=merged, assets=tags, body_html=result["html"], props_json=props_json,
                            scripts=tail + scripts if tail else scripts, rooted=rooted, lang=self.lang, own=own)
            return (PartialPage if result.get("partial") else HTMLResponse)(body, status, headers=headers)
        first = document(head=merged, assets=tags, body_html=result["html"], props_json=props_json,
                         scripts=tail + streamed if tail else streamed, end="", rooted=True, lang=self.lang, own=own)
        # (sent without a length, it gets X-Accel-Buffering: no from the edge: nginx passes it on as it comes)
        return StreamingResponse(_streamed(first, stream, page_id), status, headers=headers, media_type="text/html")

    def _page_tags(self, page_id: str) -> tuple[list[str], str, str]:
        """The page's stylesheet and preload links, and its scripts: deferred, or ``async`` for a
        streamed page (it hydrates what has arrived; React hydrates the rest as it comes)."""
        assets = self.manifest["pages"][page_id]
        tags = [self.extra_head] if self.extra_head else []
        tags += [f'<link rel="stylesheet" href="{html.escape(href)}">' for href in assets["css"]]
        tags += [f'<link rel="modulepreload" href="{html.escape(href)}">' for href in assets["imports"]]
        src = html.escape(assets["js"])
        scripts = f'<script type="module" src="{src}"></script>' + self.extra_scripts
        streamed = f'<script type="module" async src="{src}"></script>' + self.extra_scripts
        self._tags[page_id] = (tags, scripts, streamed)
        return tags, scripts, streamed


async def client_left(receive: Receive) -> None:
    """Returns once the request's client has disconnected (what is left of its body is read and dropped).

    After the body, ASGI servers answer ``receive`` only when the client leaves. One that says more
    than ASGI does is no longer listened to, rather than read in a loop."""
    message = await receive()
    while message["type"] == "http.request" and message.get("more_body", False):
        message = await receive()
    if message["type"] != "http.disconnect":
        message = await receive()
    if message["type"] != "http.disconnect":
        await asyncio.Event().wait()


def log_render_failure(where: str, exc: Exception, renderer: Renderer | None) -> None:
    """One record for a render that failed, a page's or an error page's (``where``: its file): the
    project's file and line that threw when the stack names one, then the JavaScript stack when
    there is one (a timeout has none). No worker to render it: logged sparsely (``NoWorker.lines``)."""
    if isinstance(exc, NoWorker):  # every request meets it: the first in full, then sampled
        brief = exc.brief
        exc.lines.write(lambda more: logger.error("rendering %s failed: %s%s", where, brief, more),
                              lambda: logger.error("rendering %s failed: %s", where, exc))
        return
    stack = (getattr(exc, "stack", None) or "").rstrip("\n")
    at = renderer.thrown_at(stack) if stack and renderer is not None else None
    failed = f"rendering {where} failed" + (f" at {at}" if at else "")
    if stack:
        logger.error("%s: %s\n%s", failed, exc, stack)
    else:
        logger.error("%s: %s", failed, exc)


# A head element that is a <script> without a nonce of its own (an app's useNonce() one keeps it).
_SCRIPT = re.compile(r"^<script\b(?![^>]*\snonce\s*=)", re.IGNORECASE)


def _carrying(nonce: str, markup: str) -> str:
    """``markup`` with the answer's script nonce on each ``<script>`` and ``modulepreload`` link:
    under ``'strict-dynamic'`` a browser fetches neither without it (``'self'`` no longer counts)."""
    markup = markup.replace('<link rel="modulepreload"', f'<link rel="modulepreload" nonce="{nonce}"')
    return markup.replace("<script", f'<script nonce="{nonce}"')


async def _streamed(first: str, stream: RenderStream, page_id: str) -> AsyncIterator[str]:
    """The document's start (head, shell, props, scripts), each later part of the render, its end.
    A client that goes away stops the render (``close``); a worker that dies ends the page there,
    and the log line names the page (the worker may have died of another page's render)."""
    try:
        yield first
        async for chunk in stream:
            yield chunk
    except RenderError as exc:
        logger.error("streaming page %r stopped: %s", page_id, exc)
    finally:
        stream.close()
    yield END


__all__ = ["PartialPage", "RenderError", "RenderQueueFull", "Renderer", "log_render_failure", "merge_head",
           "split_head"]
