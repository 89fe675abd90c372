"""User Python nested deeper than Pyxle's own tools walk, or than CPython compiles.

A chain of 1,200 `+` runs in Python: `pyxle check`, `pyxle build` and `pyxle dev` must take it (they
stopped with a RecursionError traceback from pyflakes and ast.dump). A chain of 4,000 does not
compile in Python either: it is an error naming the file, the line and a hint, never a traceback."""

from __future__ import annotations

import httpx

from tests.e2e.test_check import check


def chain(terms: int) -> str:
    return " + ".join(["1"] * terms)


def page(terms: int) -> str:
    return f'''import os

TOTAL = {chain(terms)}

@server
async def load(request):
    return {{"total": TOTAL}}

export default function Home({{ data }}) {{
  return <p id="total">{{data.total}}</p>
}}
'''


def route(terms: int) -> str:
    return f"import os\n\n\nTOTAL = {chain(terms)}\n\n\nasync def get(request):\n    return {{'total': TOTAL}}\n"


def test_python_that_runs_but_is_deeper_than_pyflakes_walks_is_checked_built_and_served(make_project,
                                                                                        start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": page(1200), "pages/api/total.py": route(1200)}, node=True)
    result = check(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked 2 files: 0 errors" in result.stdout
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/total", timeout=30).json() == {"total": 1200}
    document = httpx.get(server.url + "/", timeout=30)
    assert document.status_code == 200 and '<p id="total">1200</p>' in document.text
    assert "Traceback" not in server.output(), server.output()


HINT = "hint: split the expression (a chain of thousands of operators, say) into smaller ones, or build it in a loop"


def test_python_too_deep_to_compile_is_an_error_at_its_line_in_check_and_at_start_up(make_project,
                                                                                     start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/index.pyxl": page(4000), "pages/api/total.py": route(4000)})
    result = check(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "pages/index.pyxl:3:1: nested too deeply for Python to compile (RecursionError)" in result.stdout
    assert "pages/api/total.py:4: nested too deeply for Python to compile (RecursionError)" in result.stdout
    assert result.stdout.count(HINT) == 2
    assert "checked 2 files: 2 errors" in result.stderr
    for name, rel in (("page", "pages/index.pyxl"), ("api", "pages/api/total.py")):
        files = {"pages/index.pyxl": page(1), rel: page(4000) if rel.endswith(".pyxl") else route(4000)}
        server = start_server(make_project(files, name), "serve", ready=False)
        assert server.wait_exit(120) == 1
        out = server.output()
        assert f"{rel}:{3 if rel.endswith('.pyxl') else 4}" in out and "nested too deeply for Python to compile" in out and HINT in out, out
        assert "Traceback" not in out, out
