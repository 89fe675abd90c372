"""A nonce for a page's scripts when the configured Content-Security-Policy would refuse them.

React's streaming renderer puts each Suspense boundary's content in place with a small inline
script, and ``pyxle dev`` adds one of its own. A policy that governs scripts without
``'unsafe-inline'`` (``default-src 'self'``, the docs' example) refuses them, and the browser
throws the server's markup away. So a rendered page gets a fresh nonce: on its scripts, and added
to the policy headers it is answered with (those headers then win over the configured ones).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

_POLICIES = frozenset({"content-security-policy", "content-security-policy-report-only"})
# Where a browser looks for what governs an inline <script> element, in order.
_SCRIPTS = ("script-src-elem", "script-src", "default-src")
_TRUSTING = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")  # with one of these, 'unsafe-inline' is ignored
_STRICT = "'strict-dynamic'"  # ignores 'unsafe-inline', 'self' and hosts: only named scripts (and theirs) run

# (a nonce, or None for a new one) -> (the nonce, the policy headers with it)
ScriptPolicy = Callable[[str | None], tuple[str, dict[str, str]]]


def script_policy(headers: Mapping[str, str]) -> ScriptPolicy | None:
    """For the configured security headers: None when no policy refuses inline scripts; else a
    function giving a nonce (a new one unless given) and the policy headers with ``'nonce-...'``
    added, per answer."""
    slots = {}
    for name, value in headers.items():
        if name.lower() in _POLICIES and value:
            slot = _nonce_slot(value)
            if slot is not None:
                slots[name] = slot
    if not slots:
        return None

    def with_nonce(given: str | None = None) -> tuple[str, dict[str, str]]:
        nonce = given or secrets.token_urlsafe(16)
        return nonce, {name: f"{before} 'nonce-{nonce}'{after}" for name, (before, after) in slots.items()}

    return with_nonce


def nonced(policy: ScriptPolicy | None, scripts: str,
           headers: Mapping[str, str] | None = None) -> tuple[str, dict[str, str]]:
    """``scripts`` (markup of a page Pyxle writes itself: the built-in error pages, ``pyxle dev``'s
    error page) and its answer's ``headers`` under ``policy``: each ``<script>`` with a new nonce
    and the policy headers naming it, else both as given. A page that Pyxle answers with an inline
    script of its own must name it in its policy as a rendered page does, or the browser refuses it."""
    if policy is None or "<script" not in scripts:
        return scripts, dict(headers or {})
    nonce, policies = policy(None)
    return scripts.replace("<script", f'<script nonce="{nonce}"'), {**(headers or {}), **policies}


def _nonce_slot(policy: str) -> tuple[str, str] | None:
    """The policy split where a nonce source goes (the end of the directive that governs inline
    scripts); None when it allows them already, allows no script at all, or governs none.
    With ``'strict-dynamic'``, ``'unsafe-inline'`` allows nothing: even the page's module script
    needs the nonce."""
    directives = [part.strip() for part in policy.split(";") if part.strip()]
    first: dict[str, int] = {}
    for at, directive in enumerate(directives):
        first.setdefault(directive.split()[0].lower(), at)  # a repeated directive is ignored by browsers
    for name in _SCRIPTS:
        at = first.get(name)
        if at is None:
            continue
        sources = [source.lower() for source in directives[at].split()[1:]]
        if "'none'" in sources:  # no script at all, the page's own included: the policy's choice
            return None
        if "'unsafe-inline'" in sources and _STRICT not in sources \
                and not any(source.startswith(_TRUSTING) for source in sources):
            return None
        return "; ".join(directives[: at + 1]), "".join(f"; {d}" for d in directives[at + 1 :])
    return None
