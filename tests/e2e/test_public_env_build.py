"""`PYXLE_PUBLIC_*` variables and the hashed page modules of `pyxle build`: a value is inlined
where it is read, so a deploy that adds a variable, or changes one, makes browsers download again
only the pages that read it (they cache every module for a year under its hashed URL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, server_env
from tests.docs._blocks import cites
from tests.e2e._styling import node_modules

SECRET = "s3cret-that-stays-on-the-server"

API_PAGE = '''
import { useEffect, useState } from 'react'

export default function Api() {
  const [browser, setBrowser] = useState('')
  useEffect(() => setBrowser(process.env.PYXLE_PUBLIC_API), [])
  return <main><p data-testid="ssr">{process.env.PYXLE_PUBLIC_API}</p><p data-testid="browser">{browser}</p></main>
}
'''
VITE_PAGE = '''
export default function Vite() {
  return <p data-testid="ssr">{import.meta.env.PYXLE_PUBLIC_API}</p>
}
'''
PLAIN_PAGE = '''
import { Link } from 'pyxle/client'

export default function Plain() {
  return <Link href="/api">{process.env.NODE_ENV} {import.meta.env.MODE}</Link>
}
'''
WHOLE_PAGE = '''
import { read } from '../lib/env.js'

export default function Whole() {
  return <p data-testid="keys">{Object.keys(import.meta.env).sort().join(',')}|{read('PYXLE_PUBLIC_API')}|{typeof read('SECRET_TOKEN')}</p>
}
'''
ENV_MODULE = "export const read = (name) => process.env[name]\n"
# An npm package (CommonJS, as React is) that reads process.env by name and as a whole.
PACKAGE = {"index.js": "module.exports = () => [process.env.PYXLE_PUBLIC_API, Object.keys(process.env).join('+')].join(' ')\n"}
PACKAGE_PAGE = '''
import reader from 'env-reader'

export default function Package() {
  return <p data-testid="package">{reader()}</p>
}
'''
FILES = {"pages/api.pyxl": API_PAGE, "pages/vite.pyxl": VITE_PAGE, "pages/plain.pyxl": PLAIN_PAGE,
         "pages/whole.pyxl": WHOLE_PAGE, "pages/package.pyxl": PACKAGE_PAGE, "lib/env.js": ENV_MODULE}
CACHED = "a deploy that adds a public variable or changes\none leaves the other pages at the URLs browsers have cached"


@pytest.fixture
def project(make_project) -> Path:
    root = make_project(FILES)
    node_modules(root, packages={"env-reader": PACKAGE})
    return root


def build(root: Path, **env: str) -> dict[str, dict[str, object]]:
    """``pyxle build`` with these variables set, then each page's module and the chunks it imports."""
    done = subprocess.run([sys.executable, "-m", "pyxle", "build", str(root)], capture_output=True, text=True,
                          env=server_env(SECRET_TOKEN=SECRET, **env), cwd=root, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((root / "dist" / "manifest.json").read_text())
    return {page: {key: assets[key] for key in ("js", "imports")} for page, assets in manifest["pages"].items()}


@cites("docs/client.md", CACHED)
def test_adding_a_public_variable_changes_only_the_page_that_reads_the_whole_object(project: Path) -> None:
    """Every page's module (and the chunk they share) changed: the public names and values were
    written into the chunk that holds React, which every page imports."""
    before = build(project, PYXLE_PUBLIC_API="one")
    after = build(project, PYXLE_PUBLIC_API="one", PYXLE_PUBLIC_UNRELATED="x")
    unrelated = ("api", "vite", "plain", "package")
    assert {page: after[page] for page in unrelated} == {page: before[page] for page in unrelated}
    assert after["whole"]["js"] != before["whole"]["js"]  # Object.keys(import.meta.env) holds the new name


@cites("docs/client.md", CACHED)
@cites("docs/client.md", "whole objects they find only `NODE_ENV` and the `MODE`, `DEV`, `PROD`, `SSR` and `BASE_URL` keys")
def test_a_changed_value_changes_the_pages_that_read_it_and_reaches_them(project: Path, start_server,
                                                                          page: PageWatch) -> None:
    before = build(project, PYXLE_PUBLIC_API="one")
    after = build(project, PYXLE_PUBLIC_API="two")
    assert all(after[read]["js"] != before[read]["js"] for read in ("api", "vite", "whole", "package"))
    assert after["plain"] == before["plain"]
    assert after["api"]["imports"] == before["api"]["imports"]  # the chunk all pages share is the same

    server = start_server(project, "serve", "--skip-build", env={"PYXLE_PUBLIC_API": "two"})
    for path in ("/api", "/vite"):
        r = httpx.get(server.url + path, timeout=30)
        assert r.status_code == 200, r.text
        assert '<p data-testid="ssr">two</p>' in r.text
    r = httpx.get(server.url + "/whole", timeout=30)
    assert "BASE_URL,DEV,MODE,PROD,PYXLE_PUBLIC_API,SSR|two|undefined" in r.text.replace("<!-- -->", "")
    r = httpx.get(server.url + "/package", timeout=30)
    assert '<p data-testid="package">two NODE_ENV</p>' in r.text
    page.page.goto(server.url + "/api")
    page.hydrated()
    page.page.wait_for_function("document.querySelector('[data-testid=browser]').textContent !== ''")
    assert page.page.get_by_test_id("browser").text_content() == "two"
    for path, shown in (("/package", "two NODE_ENV"), ("/whole", "BASE_URL,DEV,MODE,PROD,PYXLE_PUBLIC_API,SSR|two|undefined")):
        page.page.goto(server.url + path)
        page.hydrated()
        assert page.page.locator("p").text_content() == shown
    assert page.problems() == []  # the browser's values are the server's: no hydration mismatch
    for file in (project / "dist").rglob("*"):
        assert not file.is_file() or SECRET.encode() not in file.read_bytes(), file
