"""HEAD markup made safe to put in ``<head>``.

``def HEAD(data)`` builds markup from data, usually with an f-string, so a value from a URL or a
database can close the element it was put in and open another (``</title><script>...``). Each
string is read as elements a head may hold (title, meta, link, script, style), without ``on*``
attributes and without elements whose URL runs ``javascript:`` (nor a meta refresh). A title's text runs to the
string's last ``</title>`` and is escaped. Markup a function computed keeps only its first
element, as pyxle-framework 0.9 did: what an injected value adds after it is dropped.
"""

from __future__ import annotations

import functools
import re
from html import escape
from html.parser import HTMLParser

ALLOWED = frozenset({"meta", "link", "script", "style"})  # and title, read on its own
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "xlink:href", "background", "ping"})
_TITLE_OPEN = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE = re.compile(r"</title\s*>", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20]+")
_NAME = re.compile(r"[a-zA-Z_:][-a-zA-Z0-9_:.]*")


_SURROGATE = re.compile("[\ud800-\udfff]")
_SCRIPT_TAG = re.compile(r"(</?)(s)(cript)", re.IGNORECASE)


def _script_text(text: str) -> str:
    """A script's text with the ``s`` of ``<script`` written ``\\u0073`` (``\\u0053``), as the
    browser runtime's ``rawText`` writes it: ``<!--<script>`` in data would otherwise keep the
    element open past its end tag (HTML's "double escaped" state) and blank the page. JavaScript
    and JSON read the escape as ``s``."""
    return _SCRIPT_TAG.sub(lambda m: m[1] + ("\\u0073" if m[2] == "s" else "\\u0053") + m[3], text)


@functools.lru_cache(maxsize=1024)
def safe_elements(markup: str) -> tuple[str, ...]:
    """The elements of one HEAD string, each made safe, in their order. A lone surrogate (half an
    emoji in the data) becomes U+FFFD, what a browser shows for it: a document cannot carry one."""
    markup = _SURROGATE.sub("\ufffd", markup)
    opened = _TITLE_OPEN.search(markup)
    closes = list(_TITLE_CLOSE.finditer(markup, opened.end())) if opened else []
    if not opened or not closes:
        return _Elements.of(markup)
    last = closes[-1]
    title = "<title>" + markup[opened.end() : last.start()].replace("<", "&lt;") + "</title>"
    return (*_Elements.of(markup[: opened.start()]), title, *_Elements.of(markup[last.end() :]))


def _scripted(value: str) -> bool:
    return _INVISIBLE.sub("", value).lower().startswith(("javascript:", "vbscript:", "data:text/html"))


def _unsafe(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    """An element that runs script through a URL, or a ``<meta http-equiv="refresh">``: dropped whole.
    A value put in a meta's ``content`` can add that attribute (``0;url=https://elsewhere"
    http-equiv="refresh``), which sends every visitor of the link elsewhere: pyxle-framework 0.4 to
    0.9 dropped every refresh from HEAD for that reason, and so does this."""
    for name, value in attrs:
        if value is not None and name in _URL_ATTRIBUTES and _scripted(value):
            return True
        if tag == "meta" and name == "http-equiv" and (value or "").strip().lower() == "refresh":
            return True
    return False


class _Elements(HTMLParser):
    """The allowed elements of a piece of markup, rewritten from what the parser saw (a script or
    style never closed is not among them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open: str | None = None  # the name of an allowed element with content (script, style) being read
        self.start = ""  # its start tag, rewritten
        self.content: list[str] = []
        self.skipping: list[str] = []  # a dropped element's open tags, so its content goes too

    @classmethod
    def of(cls, markup: str) -> tuple[str, ...]:
        parser = cls()
        parser.feed(markup)
        parser.close()
        return tuple(parser.out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or self.open is not None:
            if self.skipping and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag not in ALLOWED or _unsafe(tag, attrs):
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        kept, seen = "", set[str]()
        for name, value in attrs:
            if name not in seen and not name.startswith("on") and _NAME.fullmatch(name):
                kept += f" {name}" if value is None else f' {name}="{escape(value)}"'
            seen.add(name)  # written twice: its first value, as browsers read it
        if tag in _VOID:
            self.out.append(f"<{tag}{kept}>")
        else:
            self.open, self.start, self.content = tag, f"<{tag}{kept}>", []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                del self.skipping[self.skipping.index(tag) :]
            return
        if tag == self.open:
            content = "".join(self.content)
            self.out.append(f"{self.start}{_script_text(content) if tag == 'script' else content}</{tag}>")
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.open is not None and not self.skipping:
            self.content.append(data)
