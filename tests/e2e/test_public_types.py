"""What a user's type checker sees of Pyxle's public names: `py.typed` is shipped, so mypy and
editors read the package's own annotations. Names imported on first use (`from pyxle import
server`) were `Any` to them: a wrong call passed `mypy --strict`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(300)

USER_CODE = """
from pyxle import server, sign_cookie, verify_cookie
from pyxle.testing import PyxleClient, app_client

reveal_type(server)
reveal_type(sign_cookie)
reveal_type(verify_cookie)
reveal_type(app_client)
reveal_type(PyxleClient)
sign_cookie(1, salt=2)
"""


def test_names_imported_on_first_use_keep_their_types_for_mypy(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text(USER_CODE)
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
                             str(tmp_path / ".mypy_cache"), "user.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=240, check=False)
    revealed = [line.split('Revealed type is "', 1)[1] for line in result.stdout.splitlines() if "Revealed type" in line]
    assert len(revealed) == 5, result.stdout + result.stderr
    assert not any(kind.startswith("Any") for kind in revealed), revealed
    assert revealed[1].startswith("def (value: str") and "-> str" in revealed[1], revealed[1]
    assert "PyxleClient" in revealed[3] and "PyxleClient" in revealed[4], revealed
    # The wrong call is caught: an int where the value and the salt are strings.
    assert 'Argument 1 to "sign_cookie" has incompatible type "int"; expected "str"' in result.stdout, result.stdout
    assert 'Argument "salt" to "sign_cookie" has incompatible type "int"; expected "str"' in result.stdout, result.stdout
