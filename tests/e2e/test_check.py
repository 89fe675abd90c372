"""`pyxle check` finds what would fail at run time without running anything: compile errors, and
names a page's Python uses but never defines (pyxle-framework 0.9's check did too)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import server_env

PAGE = '''
import json

@server
async def load(request):
    if request.query_params.get("fail"):
        raise LoaderError("no", status_code=404)
    return {"x": undefined_name, "y": json.dumps(helper()), "z": len(str(request.url))}

def helper():
    return [item for item in range(3)]

@action
async def save(request):
    return invalidate_routes({"ok": True}, "/")

export default function Page({ data }) {
  return <p>{data.x}</p>
}
'''


def check(project) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "pyxle", "check", str(project)], capture_output=True, text=True,
                          env=server_env(), check=False, timeout=60)


def test_check_names_an_undefined_name_in_a_pages_python_at_its_line(make_project) -> None:
    """What a page is given without imports (server, action, LoaderError, invalidate_routes, ...)
    and builtins are defined; a name nothing defines is an error at its own line and column."""
    result = check(make_project({"pages/index.pyxl": PAGE}))
    assert result.returncode == 1
    assert result.stdout.count("undefined name") == 1
    assert "pages/index.pyxl:7:18: undefined name 'undefined_name'" in result.stdout
    assert "hint: define or import it: the code would raise NameError when it runs" in result.stdout
    assert "checked 1 file: 1 error" in result.stderr


def test_check_passes_a_page_whose_names_are_all_defined(make_project) -> None:
    fixed = PAGE.replace("undefined_name", "helper()").replace("import json", "import json\nfrom os.path import *")
    result = check(make_project({"pages/index.pyxl": fixed}))
    assert result.returncode == 0, result.stdout
    assert "checked 1 file: 0 errors" in result.stdout
