"""The hint for a route whose import of a name fails: a module of the project named like one of
Python's own (`secrets.py`), which Python's, imported first, shadows; and a name misspelt."""

from __future__ import annotations

import pytest

SHADOWED = "pages/api/k.py:1: ImportError while importing: cannot import name 'API_KEY' from 'secrets'"
SHADOW_HINT = ("hint: the project's secrets.py has the name of Python's own module secrets, which the server "
               "imported first, so `import secrets` gets Python's: rename secrets.py")


@pytest.mark.parametrize("command", ["serve", "dev"])
def test_a_project_module_named_like_pythons_own_is_named_in_the_hint(make_project, start_server,
                                                                      command: str) -> None:  # type: ignore[no-untyped-def]
    """The hint said to move side effects out of the module, which has none."""
    project = make_project({"secrets.py": 'API_KEY = "k"\n',
                            "pages/api/k.py": "from secrets import API_KEY\n\n\nasync def get(request):\n"
                                              "    return {'k': API_KEY}\n"})
    server = start_server(project, command, ready=False)
    assert server.wait_exit(120) == 1
    assert SHADOWED in server.output() and SHADOW_HINT in server.output(), server.output()


def test_a_name_a_module_does_not_have_is_a_hint_to_check_it(make_project, start_server) -> None:  # type: ignore[no-untyped-def]
    project = make_project({"pages/api/j.py": "from json import lods\n\n\nasync def get(request):\n    return {}\n"})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(120) == 1
    assert "pages/api/j.py:1: ImportError while importing: cannot import name 'lods' from 'json'" in server.output()
    assert "hint: check the name imported from json" in server.output(), server.output()
