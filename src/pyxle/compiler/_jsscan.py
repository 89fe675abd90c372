"""Where a top-level JavaScript/JSX statement ends, without a JS engine.

A scanner, not a parser: it skips strings, template literals (with nested ``${}``), comments,
regular-expression literals and JSX elements, and tracks bracket depth. A statement ends at a
line break at depth 0 unless the line or the next one continues the expression.
"""

from __future__ import annotations

import re

_IDENT_START = re.compile(r"[A-Za-z_$]")
# A JSX element's name after its "<": a.b.c, svg:rect, my-element (spaces allowed around . and :).
_JSX_NAME = re.compile(r"\s*[A-Za-z_$][\w$-]*(?:\s*[.:]\s*[A-Za-z_$][\w$-]*)*")
_AFTER_JSX_NAME = frozenset(" \t\r\n>/{")  # what may follow an element's name in its opening tag
_IN_JSX_TAG = re.compile(r"[\"'{/><]")  # what matters inside an opening tag
_IN_JSX_CHILDREN = re.compile(r"[{<]")  # and between it and the closing tag
# Tokens after which "/" starts a regex and "<" may start JSX (expression position).
_EXPR_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {""}
_EXPR_KEYWORDS = ("return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield",
                  "await", "default")
_CONTINUES_AFTER = ("=", ",", "(", "[", "{", "+", "-", "*", "/", "%", "=>", "&&", "||", "??", "?", ":", ".", "|",
                    "&", "<", ">", "!")
_CONTINUES_BEFORE = (".", "?", ":", "&&", "||", "??", "+", "-", "*", "/", "%", ")", "]", "}", "=>", "=", ",", "|",
                     "&", ">", "<")


class JsScanError(Exception):
    """The text is not a well-formed JavaScript statement (unterminated string, unbalanced bracket...)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        # The first JSX mistake stepped over (a stray closing tag, a "<" inside a tag). The scan reads
        # on as it always did, so JSX that is wrong only there is left to esbuild; if the scan then
        # fails, this is the cause, and what is reported (as esbuild reports it), not the later symptom.
        self.suspect: JsScanError | None = None

    # -- skipping the things whose contents must not be interpreted ---------------------------

    def string(self, i: int, quote: str) -> int:
        """Index after the closing quote of a '...' or "..." string starting at ``i``."""
        j = i + 1
        text = self.text
        while j < self.n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == quote:
                return j + 1
            if c == "\n":
                raise JsScanError("unterminated string", i)
            j += 1
        raise JsScanError("unterminated string", i)

    def template(self, i: int) -> int:
        """Index after the closing backtick of a template literal starting at ``i``."""
        j = i + 1
        text = self.text
        while j < self.n:
            c = text[j]
            if c == "\\":
                j += 2
            elif c == "`":
                return j + 1
            elif c == "$" and text.startswith("${", j):
                j = self.code(j + 2, "}")
            else:
                j += 1
        raise JsScanError("unterminated template literal", i)

    def comment(self, i: int) -> int:
        if self.text.startswith("//", i):
            end = self.text.find("\n", i)
            return self.n if end == -1 else end
        end = self.text.find("*/", i + 2)
        if end == -1:
            raise JsScanError("unterminated comment", i)
        return end + 2

    def regex(self, i: int) -> int:
        j = i + 1
        in_class = False
        text = self.text
        while j < self.n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == "\n":
                raise JsScanError("unterminated regular expression", i)
            if c == "[":
                in_class = True
            elif c == "]":
                in_class = False
            elif c == "/" and not in_class:
                j += 1
                while j < self.n and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                return j
            j += 1
        raise JsScanError("unterminated regular expression", i)

    # -- JSX ------------------------------------------------------------------------------------

    def jsx(self, i: int) -> int:
        """Index after a JSX element (or fragment) starting with ``<`` at ``i``.

        The first closing tag ends it, whatever it names; one that names another element is noted
        (``suspect``): a stray ``</p>`` then explains the error the scan runs into lines later.
        """
        end, self_closing = self.jsx_open_tag(i)
        if self_closing:
            return end
        j = end
        text = self.text
        while (stop := _IN_JSX_CHILDREN.search(text, j)) is not None:
            j = stop.start()
            if text[j] == "{":
                j = self.code(j + 1, "}")
            elif text.startswith("</", j):
                close = text.find(">", j)
                if close == -1:
                    raise JsScanError("unterminated JSX closing tag", j)
                self.jsx_closing_tag(i, j, close)
                return close + 1
            else:
                j = self.jsx(j)
        raise JsScanError("unterminated JSX element", i)

    def jsx_closing_tag(self, opening: int, j: int, close: int) -> None:
        """Note (esbuild's message, at the closing tag's name) a closing tag ``</...>`` at ``j``
        (``>`` at ``close``) that does not name the element opened at ``opening``."""
        text = self.text
        name = text[j + 2 : close]
        if self.suspect is not None or (text.startswith(name, opening + 1)
                                        and text[opening + 1 + len(name)] in _AFTER_JSX_NAME):
            return  # the usual case, </p> after <p ...>, without a regex
        match = _JSX_NAME.match(text, j + 2, close)
        if text[match.end() if match else j + 2 : close].strip():
            return  # </p x>: not a name; esbuild words that one
        name = "".join(match.group(0).split()) if match else ""
        match = _JSX_NAME.match(text, opening + 1)
        opened = "".join(match.group(0).split()) if match else ""
        if name != opened:
            at = j + 2
            while text[at] in " \t\r\n":
                at += 1

            def shown(tag: str) -> str:
                return f'"{tag}" tag' if tag else "fragment tag"

            self.suspect = JsScanError(f"Unexpected closing {shown(name)} does not match opening {shown(opened)}", at)

    def jsx_open_tag(self, i: int) -> tuple[int, bool]:
        j = i + 1
        text = self.text
        while (stop := _IN_JSX_TAG.search(text, j)) is not None:
            j = stop.start()
            c = text[j]
            if c in "\"'":
                j = self.string(j, c)
            elif c == "{":
                j = self.code(j + 1, "}")
            elif c == ">":
                return j + 1, False
            elif c == "/":
                k = j + 1
                while k < self.n and text[k] in " \t\r\n":  # <br/ > is self-closing too
                    k += 1
                if text.startswith(">", k):
                    return k + 1, True
                j += 1
            elif _before(text, j) == "=":  # a JSX element as an attribute's value: <p a=<b/>>
                j = self.jsx(j)
            else:  # <h1 <b>: a "<" where an attribute or ">" belongs
                if self.suspect is None:
                    self.suspect = JsScanError('Expected ">" but found "<"', j)
                j += 1
        raise JsScanError("unterminated JSX tag", i)

    def looks_like_jsx(self, i: int) -> bool:
        nxt = self.text[i + 1 : i + 2]
        return nxt == ">" or bool(_IDENT_START.match(nxt))

    # -- code -------------------------------------------------------------------------------------

    def atom(self, j: int, prev: str) -> tuple[int, str]:
        """Skip one token that is not a bracket, newline or ``;``: ``(index after it, new prev)``.

        ``prev`` is the last significant token; it tells a regex from a division and JSX from a
        less-than sign.
        """
        text = self.text
        c = text[j]
        expression = prev in _EXPR_BEFORE or prev in _EXPR_KEYWORDS or prev == "=>"
        if c in "\"'":
            return self.string(j, c), "str"
        if c == "`":
            return self.template(j), "str"
        if c == "/" and text.startswith(("//", "/*"), j):
            return self.comment(j), prev
        if c == "/" and expression:
            return self.regex(j), "str"
        if c == "<" and expression and self.looks_like_jsx(j):
            return self.jsx(j), "str"
        if c == "=" and text.startswith("=>", j):
            return j + 2, "=>"
        if c.isalnum() or c in "_$":
            k = j + 1
            while k < self.n and (text[k].isalnum() or text[k] in "_$"):
                k += 1
            word = text[j:k]
            return k, word if word in _EXPR_KEYWORDS else "id"
        return j + 1, c

    def code(self, i: int, closer: str) -> int:
        """Scan code from ``i`` until the matching ``closer`` (exclusive of nesting); index after it."""
        stack: list[str] = [closer]
        j = i
        text = self.text
        prev = ""
        while j < self.n:
            c = text[j]
            if c in " \t\r\n":
                j += 1
            elif c in "([{":
                stack.append({"(": ")", "[": "]", "{": "}"}[c])
                prev = c
                j += 1
            elif c in ")]}":
                if not stack or stack[-1] != c:
                    raise JsScanError(f"unbalanced {c!r}", j)
                stack.pop()
                j += 1
                if not stack:
                    return j
                prev = c
            else:
                j, prev = self.atom(j, prev)
        raise JsScanError(f"missing {stack[-1]!r}", i)

    def statement_end(self, i: int) -> int:
        """Index just past the line on which the statement starting at ``i`` ends."""
        text = self.text
        j = i
        prev = ""
        while j < self.n:
            c = text[j]
            if c == "\n":
                if self.ends_here(i, j, after_literal=prev == "str"):
                    return j + 1
                j += 1
            elif c in " \t\r":
                j += 1
            elif c == ";":
                end = text.find("\n", j)
                rest = text[j + 1 : end if end != -1 else self.n].strip()
                if not rest or rest.startswith("//"):
                    return self.n if end == -1 else end + 1
                j += 1
                prev = ";"
            elif c in "([{":
                j = self.code(j + 1, {"(": ")", "[": "]", "{": "}"}[c])
                prev = ")"
            elif c in ")]}":
                raise JsScanError(f"unbalanced {c!r}", j)
            else:
                j, prev = self.atom(j, prev)
        return self.n

    def ends_here(self, start: int, newline: int, *, after_literal: bool = False) -> bool:
        """At a depth-0 line break: does the statement continue on the next line?

        ``after_literal``: the line's last token was a string, regex or JSX element, so a ``>``
        or ``/`` at its end closes that literal and does not continue an expression.
        """
        line_start = self.text.rfind("\n", start, newline) + 1
        line = _strip_line_comment(self.text[line_start:newline]).rstrip()
        if not after_literal and line.endswith(_CONTINUES_AFTER) and not line.endswith(("++", "--", "*/")):
            return False
        k = newline + 1
        while k < self.n:
            end = self.text.find("\n", k)
            nxt = self.text[k : end if end != -1 else self.n].strip()
            if nxt and not nxt.startswith("//"):
                return not nxt.startswith(_CONTINUES_BEFORE) or nxt.startswith(("/*", "//"))
            if end == -1:
                break
            k = end + 1
        return True


def _before(text: str, j: int) -> str:
    """The last character before ``j`` that is not white space ("" at the start)."""
    j -= 1
    while j >= 0 and text[j] in " \t\r\n":
        j -= 1
    return text[j] if j >= 0 else ""


def _strip_line_comment(line: str) -> str:
    """Drop a trailing ``// comment`` that is not inside a string (good enough for a line end test)."""
    index = line.find("//")
    if index == -1:
        return line
    before = line[:index]
    if before.count("'") % 2 == 0 and before.count('"') % 2 == 0 and before.count("`") % 2 == 0 and not before.rstrip().endswith(":"):
        return before
    return line


def js_statement_end(text: str, start: int) -> int:
    """Offset just past the line where the JS statement beginning at ``start`` ends."""
    scanner = _Scanner(text)
    try:
        return scanner.statement_end(start)
    except JsScanError as exc:
        if scanner.suspect is None:
            raise
        raise scanner.suspect from exc
