"""A page's own scripts under a Content-Security-Policy that refuses inline scripts: its `HEAD`
scripts, its `<Head>` scripts and its `<Script>`s of every strategy carry the answer's nonce, as
written by the server and as inserted by the runtime on a client navigation, and an app reads the
nonce with `useNonce()`. Before, only Pyxle's module script and preload links had it: Chromium
refused all of the page's own inline scripts under the docs' `default-src 'self'` (and under the
strict `'strict-dynamic'` shape its head scripts, `src` ones too), silently but for the console.
A real `pyxle serve` (and `pyxle dev`), Chromium enforcing the policy."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/security.md"
SELF = "default-src 'self'"
STRICT = "script-src 'unsafe-inline' 'strict-dynamic' https:; object-src 'none'; base-uri 'none'"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")
PUSH = '(window.ran = window.ran || []).push("{p}:{what}")'

PAGE = '''
HEAD = ['<script>%(HEAD)s</script>', '<script src="/{p}-var.js"></script>']
CACHE = {"revalidate": 60}

import { useEffect } from 'react'
import { Head, Link, Script, useNonce } from 'pyxle/client'

export default function Page() {
  const nonce = useNonce()
  useEffect(() => {  // an app's own script, made as a tag manager makes one
    const script = document.createElement('script')
    script.nonce = nonce
    script.textContent = `%(manual)s`
    document.body.append(script)
  }, [])
  return (
    <main>
      <Head>
        <script>{`%(Head)s`}</script>
        <script src="/{p}-tag.js"></script>
        <script type="application/ld+json">{`{"@type": "WebPage"}`}</script>
      </Head>
      <Script id="{p}-before" strategy="beforeInteractive">{`%(before)s`}</Script>
      <Script id="{p}-after">{`%(after)s`}</Script>
      <Script id="{p}-lazy" strategy="lazyOnload">{`%(lazy)s`}</Script>
      <p id="nonce">{nonce ? 'a nonce' : 'no nonce'}</p>
      <Link href="/{q}">to {q}</Link>
    </main>
  )
}
'''
KINDS = ("HEAD", "HEADsrc", "Head", "Headsrc", "before", "after", "lazy", "manual")


def _page(p: str, q: str) -> str:
    inline = {kind: PUSH.replace("{what}", kind) for kind in KINDS}
    return (PAGE % inline).replace("{p}", p).replace("{q}", q)


def _files(policy: str) -> dict[str, str]:
    files = {"pages/index.pyxl": _page("home", "other"), "pages/other.pyxl": _page("other", ""),
             "pyxle.config.json": json.dumps({"securityHeaders": {"Content-Security-Policy": policy}})}
    for p in ("home", "other"):
        for kind, name in (("HEADsrc", "var"), ("Headsrc", "tag")):
            files[f"public/{p}-{name}.js"] = PUSH.replace("{p}", p).replace("{what}", kind) + "\n"
    return files


def _ran(p: str) -> list[str]:
    return sorted(f"{p}:{kind}" for kind in KINDS)


def _refused(page: PageWatch) -> list[tuple[str, str]]:
    return [problem for problem in page.problems() if "Content Security Policy" in problem[1]]


def _until(page: PageWatch, expression: str) -> None:
    """Wait until ``expression`` is true in the page: polled from here, since the policy refuses
    the ``eval`` Playwright's ``wait_for_function`` runs in the page."""
    deadline = time.monotonic() + 15
    while not page.page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}; ran {page.page.evaluate('window.ran')}"
        time.sleep(0.1)


def _runs_every_script_on_load_and_after_navigation(page: PageWatch, url: str) -> None:
    """Each kind of script of the home page runs on the first load, and each of the other page's
    once a client navigation shows it; Chromium refuses none of them."""
    page.page.goto(url + "/")
    _until(page, "window.__PYXLE_ROOT__ !== undefined")
    wanted = _ran("home")
    _until(page, f"(window.ran || []).length >= {len(wanted)}")
    assert _refused(page) == []
    ran = page.page.evaluate("window.ran")
    assert sorted(ran) == wanted, json.dumps(ran)
    assert page.page.text_content("#nonce") == "a nonce"
    page.page.click("a[href='/other']")
    page.page.locator("a[href='/']").wait_for(timeout=15000)
    _until(page, f"window.ran.length >= {len(wanted) * 2}")
    assert _refused(page) == []
    ran = page.page.evaluate("window.ran")
    assert sorted(ran) == sorted(wanted + _ran("other")), json.dumps(ran)
    assert page.page.text_content("#nonce") == "a nonce"
    assert page.problems() == []


@pytest.fixture(scope="module")
def strict_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("csp-strict") / "app", _files(STRICT))
    with serving(root) as server:
        yield server


@pytest.fixture(scope="module")
def self_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("csp-self") / "app", _files(SELF))
    with serving(root) as server:
        yield server


@cites(DOC, "its `<script>` elements carry it (Pyxle's, and the page's `HEAD` scripts, `<Head>` scripts and "
       "`Script`s of every strategy, inline or `src`, as the server writes them and as the runtime adds "
       "them after a client navigation)")
@cites(DOC, "A script your own code adds (a tag manager's snippet that creates one) gets the answer's nonce from "
       "`useNonce()` (from `pyxle/client`")
@cites("docs/client.md", "a `Script` carries the answer's nonce without a `nonce` prop")
def test_under_default_src_self_every_page_script_runs_on_load_and_after_navigation(
        self_app: Server, page: PageWatch) -> None:
    _runs_every_script_on_load_and_after_navigation(page, self_app.url)


@cites(DOC, "such a policy gets the nonce too, on the page's module script, its `modulepreload` links and all "
       "of the page's scripts above, `src` ones included")
def test_under_strict_dynamic_every_page_script_runs_on_load_and_after_navigation(
        strict_app: Server, page: PageWatch) -> None:
    _runs_every_script_on_load_and_after_navigation(page, strict_app.url)


@cites(DOC, "never a `304`), on each of those scripts")
def test_a_stored_page_gives_its_head_scripts_a_new_nonce_in_each_answer(self_app: Server) -> None:
    nonces = []
    with httpx.Client(base_url=self_app.url, timeout=30) as client:
        for _ in range(3):
            answer = client.get("/other")
            nonce = NONCE.search(answer.headers["content-security-policy"]).group(1)
            scripts = re.findall(r"<script\b([^>]*)>", answer.text)
            assert len(scripts) >= 6 and all(f'nonce="{nonce}"' in attrs for attrs in scripts
                                              if 'id="pyxle-props"' not in attrs), scripts
            assert "pyxle-nonce-" not in answer.text
            nonces.append((answer.headers["x-pyxle-cache"], nonce))
    assert nonces[-1][0] == "HIT" and len({nonce for _, nonce in nonces}) == 3, nonces


def test_under_pyxle_dev_every_page_script_runs_on_load_and_after_navigation(
        make_project, start_server, page: PageWatch) -> None:
    project = make_project(_files(SELF), node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    _runs_every_script_on_load_and_after_navigation(page, server.url)
