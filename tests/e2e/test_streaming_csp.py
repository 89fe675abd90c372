"""A Content-Security-Policy that refuses inline scripts (the docs' `default-src 'self'`) and pages
that stream: React puts each Suspense boundary in place with an inline script, so each answer gets
a nonce of its own, on its scripts and in its policy. Over HTTP, and in Chromium, where the policy
is enforced: without the nonce the browser refused React's scripts, threw the server's markup away
and logged a hydration error."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, link_node_modules, server_env
from tests.docs._blocks import cites
from tests.e2e.test_streaming import SLOW, SLOW_PART

DOC = "docs/security.md"
POLICY = "default-src 'self'"
PLAIN = "export default function Page() { return <main id=\"plain\">plain</main> }\n"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")


def _project(root: Path, policy: str) -> Path:
    for rel, text in {"pages/index.pyxl": SLOW, "pages/slow.css": "#shell { color: teal }",
                      "pages/plain.pyxl": PLAIN}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.lstrip("\n"))
    (root / "pyxle.config.json").write_text(json.dumps({"securityHeaders": {"Content-Security-Policy": policy}}))
    link_node_modules(root)
    return root


def _learnt(server: Server) -> Server:
    server.wait_ready(90)
    for _ in range(4):  # every SSR worker learns that the page suspends
        httpx.get(server.url + "/", timeout=30)
    return server


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = _project(tmp_path_factory.mktemp("csp") / "app", POLICY)
    server = _learnt(Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env()))
    yield server
    server.stop()


@cites(DOC, "each rendered page gets a nonce of its own")
def test_a_streamed_page_carries_its_own_nonce_on_its_scripts_and_in_its_policy(app: Server) -> None:
    answers = [httpx.get(app.url + "/", timeout=30) for _ in range(2)]
    nonces = []
    for answer in answers:
        policy = answer.headers["content-security-policy"]
        found = NONCE.search(policy)
        assert found and policy == f"{POLICY} 'nonce-{found.group(1)}'", policy
        nonce = found.group(1)
        assert SLOW_PART in answer.text  # streamed: React's inline script moves it into place
        inline = re.findall(r"<script( [^>]*)?>(?!</script>)", answer.text)
        assert inline and all(f'nonce="{nonce}"' in attributes or 'type="application/json"' in attributes
                              for attributes in inline), inline
        assert f'<script nonce="{nonce}" type="module" async src=' in answer.text
        nonces.append(nonce)
    assert nonces[0] != nonces[1], "a nonce is never reused"


def test_a_page_with_its_own_nonce_is_never_a_304_not_even_to_any_tag(app: Server) -> None:
    """Only ``If-None-Match: *`` matches a page whose body holds a new nonce; a 304 to it carried the
    configured policy without a nonce, which would replace the kept copy's and refuse its scripts."""
    with httpx.Client(base_url=app.url, timeout=30) as client:  # holds its CSRF cookie, as a browser does
        held = client.get("/plain")
        assert NONCE.search(held.headers["content-security-policy"]) and "etag" in held.headers
        for asked in (held.headers["etag"], "*"):
            again = client.get("/plain", headers={"if-none-match": asked})
            assert (asked, again.status_code) == (asked, 200)
            assert NONCE.search(again.headers["content-security-policy"])


def test_other_answers_keep_the_configured_policy(app: Server) -> None:
    assert httpx.get(app.url + "/_pyxle/nothing-here", timeout=10).headers["content-security-policy"] == POLICY


def test_a_streamed_page_hydrates_under_the_policy_in_chromium(app: Server, page: PageWatch) -> None:
    page.page.goto(app.url + "/")
    page.hydrated()
    page.page.wait_for_selector("#slow", timeout=15000)
    assert page.page.inner_text("#slow") == "the slow part"
    assert page.page.locator("#fallback").count() == 0
    page.page.goto(app.url + "/plain")
    page.hydrated()
    assert page.problems() == [], "a refused script (Content Security Policy) or a hydration error was logged"


@cites(DOC, "A policy that allows inline scripts (`'unsafe-inline'`) is sent as written")
def test_a_policy_that_allows_inline_scripts_is_sent_as_written(tmp_path: Path) -> None:
    written = "default-src 'self'; script-src 'self' 'unsafe-inline'"
    root = _project(tmp_path / "app", written)
    server = _learnt(Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env()))
    try:
        answer = httpx.get(server.url + "/", timeout=30)
        assert answer.headers["content-security-policy"] == written
        assert "nonce" not in answer.text and SLOW_PART in answer.text
    finally:
        server.stop()


@cites(DOC, "and `pyxle dev` adds one of its own")
def test_pyxle_dev_runs_its_own_script_under_the_policy(tmp_path: Path, page: PageWatch) -> None:
    root = _project(tmp_path / "app", POLICY)
    server = _learnt(Server(["dev", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env()))
    try:
        with page.page.expect_request("**/__pyxle/events", timeout=15000):  # the live-reload client ran
            page.page.goto(server.url + "/")
        page.hydrated()
        page.page.wait_for_selector("#slow", timeout=15000)
        assert page.problems() == []
    finally:
        server.stop()


COUNTER = '''
@server
async def load(request):
    return {"data": {"start": 0}, "revalidate": 60}

import React, { useState } from 'react'
export default function Counter({ data }) {
  const [n, setN] = useState(data.start)
  return <button id="count" onClick={() => setN(n + 1)}>clicked {n}</button>
}
'''
STRICT = "script-src 'self' 'strict-dynamic'"


@cites(DOC, "A page served from the\n[page cache](pages.md#caching-pages) gets a new nonce in each answer too (so such an answer is\nnever a `304`)")
def test_a_stored_page_gets_a_new_nonce_in_each_answer_and_hydrates_under_strict_dynamic(
        tmp_path: Path, page: PageWatch) -> None:
    """'strict-dynamic' ignores 'self': a page's own module script runs only with the answer's nonce.
    A stored page kept the nonce of its first render, with no nonce in its policy, and never hydrated."""
    root = _project(tmp_path / "app", STRICT)
    (root / "pages" / "counter.pyxl").write_text(COUNTER.lstrip("\n"))
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env())
    try:
        server.wait_ready(90)
        nonces = []
        for state in ("MISS", "HIT", "HIT"):
            answer = httpx.get(server.url + "/counter", timeout=30)
            assert answer.headers["x-pyxle-cache"] == state
            found = NONCE.search(answer.headers["content-security-policy"])
            assert found, answer.headers["content-security-policy"]
            assert f'<script nonce="{found.group(1)}" type="module" src=' in answer.text
            assert "pyxle-nonce-" not in answer.text
            nonces.append(found.group(1))
        assert len(set(nonces)) == 3, "each answer its own nonce"
        with httpx.Client(base_url=server.url, timeout=30) as client:  # holds its CSRF cookie, as a browser does
            held = client.get("/counter").headers["etag"]
            for asked in (held, "*"):  # the copy a browser kept names another nonce
                again = client.get("/counter", headers={"if-none-match": asked})
                assert (asked, again.status_code, again.headers["x-pyxle-cache"]) == (asked, 200, "HIT")
        page.page.goto(server.url + "/counter")
        page.hydrated()
        page.page.click("#count")
        page.page.wait_for_function("document.querySelector('#count').textContent === 'clicked 1'", timeout=15000)
        assert page.problems() == []
    finally:
        server.stop()


OTHER = "import React, { useState } from 'react'\nexport default function Other() { return <p>{useState('other')[0]}</p> }\n"
SHAPES = [  # (policy, whether the page's answer names a nonce)
    ("default-src 'self' 'unsafe-inline' 'strict-dynamic'", True),
    ("default-src 'self'; script-src 'self' 'unsafe-inline' 'strict-dynamic'", True),
    ("script-src 'self'", True),
    ("default-src 'self'; script-src 'self' 'unsafe-inline'", False),
]


@cites(DOC, "But with `'strict-dynamic'` in that directive")
@pytest.mark.parametrize(("policy", "nonced"), SHAPES)
def test_strict_dynamic_with_unsafe_inline_still_gets_the_nonce_and_pages_hydrate(
        tmp_path: Path, page: PageWatch, policy: str, nonced: bool) -> None:
    """Google's strict-CSP shape, 'unsafe-inline' 'strict-dynamic': a CSP3 browser ignores
    'unsafe-inline' and 'self', so without a nonce it refused the page's own module script and
    the page never hydrated. The controls: a plain 'self' gets a nonce, a plain 'unsafe-inline' none."""
    root = _project(tmp_path / "app", policy)
    (root / "pages" / "counter.pyxl").write_text(COUNTER.lstrip("\n"))
    (root / "pages" / "other.pyxl").write_text(OTHER)  # a chunk shared with the counter: a modulepreload link
    server = _learnt(Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0"], root, server_env()))
    try:
        answer = httpx.get(server.url + "/counter", timeout=30)
        found = NONCE.search(answer.headers["content-security-policy"])
        if nonced:
            assert found, answer.headers["content-security-policy"]
            tags = re.findall(r"<script [^>]*src=[^>]*>|<link rel=\"modulepreload\"[^>]*>", answer.text)
            assert any("modulepreload" in tag for tag in tags), answer.text
            assert all(f'nonce="{found.group(1)}"' in tag for tag in tags), tags
        else:
            assert answer.headers["content-security-policy"] == policy and "nonce" not in answer.text
        page.page.goto(server.url + "/")  # streamed: React's inline scripts put the boundary in place
        page.hydrated()
        page.page.wait_for_selector("#slow", timeout=15000)
        assert page.page.locator("#fallback").count() == 0
        page.page.goto(server.url + "/counter")
        page.hydrated()
        page.page.click("#count")
        page.page.wait_for_function("document.querySelector('#count').textContent === 'clicked 1'", timeout=15000)
        assert page.problems() == [], "a refused script (Content Security Policy) or a hydration error was logged"
    finally:
        server.stop()
