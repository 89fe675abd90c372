"""`import.meta.env` as apps written for the Vite-based pyxle-framework 0.3–0.9.4 read it: the
`PYXLE_PUBLIC_*` variables, `MODE`, `DEV`, `PROD`, `SSR` and `BASE_URL`, in the browser and in
server rendering, after a real `pyxle build` + `pyxle serve`; and `pyxle typecheck` knows them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import PageWatch, Server, server_env, write_project

SECRET = "s3cret-token-that-must-stay-on-the-server"
BUILD_ENV = {"PYXLE_PUBLIC_GREETING": "hey", "SECRET_TOKEN": SECRET}

ENV_PAGE = '''
import React from 'react'

export default function Env() { return <p>{import.meta.env.PYXLE_PUBLIC_GREETING}</p>; }
'''
MODE_PAGE = '''
export default function Mode() {
  return <p>{import.meta.env.DEV ? 'dev' : 'prod'}</p>
}
'''
SSR_PAGE = '''
export default function Ssr() {
  return <p>{String(import.meta.env.SSR)}</p>
}
'''
ALL_PAGE = '''
import { useEffect, useState } from 'react'

export default function All() {
  const env = import.meta.env
  const [browser, setBrowser] = useState('')
  useEffect(() => {
    setBrowser(JSON.stringify({ SSR: import.meta.env.SSR, MODE: import.meta.env.MODE, env }))
  }, [])
  return (
    <main>
      <p data-testid="greeting">{import.meta.env.PYXLE_PUBLIC_GREETING}</p>
      <p data-testid="mode">{import.meta.env.MODE}</p>
      <p data-testid="flags">{`${import.meta.env.DEV}|${import.meta.env.PROD}|${import.meta.env.BASE_URL}`}</p>
      <p data-testid="secret">{typeof import.meta.env.SECRET_TOKEN}</p>
      <p data-testid="keys">{Object.keys(env).sort().join(',')}</p>
      <p data-testid="browser">{browser}</p>
    </main>
  )
}
'''
PAGES = {"pages/env.pyxl": ENV_PAGE, "pages/mode.pyxl": MODE_PAGE, "pages/ssr.pyxl": SSR_PAGE,
         "pages/all.pyxl": ALL_PAGE}


def shown(html: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">(.*?)</p>', html)
    assert found, html
    return found.group(1).replace("<!-- -->", "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Server]]:
    """``PYXLE_PUBLIC_GREETING=hey SECRET_TOKEN=... pyxle build && pyxle serve``, as in the report."""
    root = write_project(tmp_path_factory.mktemp("import-meta-env") / "app", PAGES)
    env = server_env(**BUILD_ENV)
    done = subprocess.run([sys.executable, "-m", "pyxle", "build", str(root)], capture_output=True, text=True,
                          env=env, cwd=root, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    server = Server(["serve", str(root), "--host", "127.0.0.1", "--port", "0", "--ssr-workers", "1"], root, env)
    server.wait_ready()
    yield root, server
    server.stop()


def test_a_built_page_reading_a_public_variable_from_import_meta_env_renders_it(built) -> None:
    _, server = built
    r = httpx.get(server.url + "/env", timeout=30)
    assert r.status_code == 200, r.text
    assert "<p>hey</p>" in r.text


def test_import_meta_env_dev_is_false_under_pyxle_serve(built) -> None:
    _, server = built
    r = httpx.get(server.url + "/mode", timeout=30)
    assert r.status_code == 200, r.text
    assert "<p>prod</p>" in r.text


def test_import_meta_env_ssr_is_true_in_server_rendering(built) -> None:
    _, server = built
    r = httpx.get(server.url + "/ssr", timeout=30)
    assert r.status_code == 200, r.text
    assert "<p>true</p>" in r.text


def test_server_html_has_every_import_meta_env_key_and_the_whole_object_holds_only_public_ones(built) -> None:
    _, server = built
    r = httpx.get(server.url + "/all", timeout=30)
    assert r.status_code == 200, r.text
    assert shown(r.text, "greeting") == "hey"
    assert shown(r.text, "mode") == "production"
    assert shown(r.text, "flags") == "false|true|/"
    assert shown(r.text, "secret") == "undefined"
    assert shown(r.text, "keys") == "BASE_URL,DEV,MODE,PROD,PYXLE_PUBLIC_GREETING,SSR"


def test_a_secret_in_the_build_environment_appears_in_no_built_file(built) -> None:
    root, _ = built
    checked = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "node_modules"]
        for name in files:
            data = (Path(folder) / name).read_bytes()
            assert SECRET.encode() not in data, Path(folder) / name
            checked += 1
    assert checked > 10
    bundles = [p for p in (root / "dist" / "public").rglob("*.js")]
    assert any(b"hey" in p.read_bytes() for p in bundles)  # the public value is there, inlined


def test_each_use_of_an_import_meta_env_key_is_inlined_as_its_value_in_the_page_bundle(built) -> None:
    root, _ = built
    assets = root / "dist" / "public" / "_pyxle"
    mode = next(assets.glob("page_mode-*.js")).read_text()
    assert 'children:"prod"' in mode and '"dev"' not in mode and "import.meta" not in mode  # folded at build time
    assert 'children:"hey"' in next(assets.glob("page_env-*.js")).read_text()


def test_the_page_hydrates_without_a_mismatch_and_the_browser_sees_ssr_false(built, page: PageWatch) -> None:
    _, server = built
    page.page.goto(server.url + "/all")
    page.hydrated()
    page.page.wait_for_function("document.querySelector('[data-testid=browser]').textContent !== ''")
    seen = json.loads(page.page.get_by_test_id("browser").text_content())
    assert seen == {"SSR": False, "MODE": "production",
                    "env": {"PYXLE_PUBLIC_GREETING": "hey", "MODE": "production", "DEV": False, "PROD": True,
                            "SSR": False, "BASE_URL": "/"}}
    assert page.page.get_by_test_id("greeting").text_content() == "hey"
    assert page.page.get_by_test_id("mode").text_content() == "production"
    assert page.problems() == []


def test_pyxle_dev_gives_import_meta_env_the_development_mode(make_project, start_server) -> None:
    root = make_project({"pages/all.pyxl": ALL_PAGE}, node=True)
    server = start_server(root, "dev", env={"PYXLE_PUBLIC_GREETING": "hi there"})
    r = httpx.get(server.url + "/all", timeout=60)
    assert r.status_code == 200, r.text
    assert shown(r.text, "greeting") == "hi there"
    assert shown(r.text, "mode") == "development"
    assert shown(r.text, "flags") == "true|false|/"


TYPED_PAGE = '''
export default function Page() {
  const greeting: string | undefined = import.meta.env.PYXLE_PUBLIC_GREETING
  const mode: string = import.meta.env.MODE
  const flags: boolean[] = [import.meta.env.DEV, import.meta.env.PROD, import.meta.env.SSR]
  const base: string = import.meta.env.BASE_URL
  const all = Object.keys(import.meta.env).join(',')
  return <p>{greeting} {mode} {flags.join()} {base} {all}</p>
}
'''


def typecheck(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", "typecheck", str(root)], capture_output=True, text=True,
                          env=server_env(), cwd=root, timeout=300, check=False)


def test_pyxle_typecheck_accepts_import_meta_env_and_its_keys(make_project) -> None:
    root = make_project({"pages/index.pyxl": "# --- TSX ---\n" + TYPED_PAGE.lstrip("\n")}, node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pyxle typecheck: no type errors (1 page checked)" in done.stderr


def test_pyxle_typecheck_accepts_import_meta_env_in_a_jsx_page_too(make_project) -> None:
    page = ALL_PAGE.replace("typeof import.meta.env.SECRET_TOKEN", "typeof import.meta.env.PYXLE_PUBLIC_OTHER")
    root = make_project({"pages/index.pyxl": page}, node=True)
    done = typecheck(root)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pyxle_typecheck_flags_a_name_that_import_meta_env_never_holds(make_project) -> None:
    root = make_project({"pages/index.pyxl": ALL_PAGE}, node=True)
    done = typecheck(root)
    assert done.returncode == 1
    assert "error TS2339: Property 'SECRET_TOKEN' does not exist on type 'ImportMetaEnv'." in done.stdout


def test_pyxle_typecheck_knows_import_meta_env_dev_is_a_boolean(make_project) -> None:
    page = TYPED_PAGE.replace("{base}", "{import.meta.env.DEV.toUpperCase()}")
    root = make_project({"pages/index.pyxl": "# --- TSX ---\n" + page.lstrip("\n")}, node=True)
    done = typecheck(root)
    assert done.returncode == 1
    assert "error TS2339: Property 'toUpperCase' does not exist on type 'boolean'." in done.stdout
