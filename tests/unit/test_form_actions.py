"""The Forms a compiled client module holds whose action is a string, and whether a page's Python
lets the compiler see every action it has (pyxle.pages._forms)."""

from __future__ import annotations

import pytest

from pyxle.pages._forms import FormAction, form_actions, sees_every_action


def test_forms_of_pyxle_client_under_any_local_name_are_found_with_their_position() -> None:
    code = ("import { Form as F, Head } from 'pyxle/client'\nimport * as px from \"pyxle/client\"\n"
            "export default function P() {\n  return <div><F action=\"save\" onSuccess={(r) => r > 1} />"
            "<px.Form action={'ping'}></px.Form></div>\n}\n")
    assert form_actions(code) == [FormAction("save", 4, 15, "F"), FormAction("ping", 4, 59, "px.Form")]


@pytest.mark.parametrize("form", ["<Form action={name} />", '<Form action="x" pagePath="blog/new" />',
                                  '<Form action="x" {...props} />', "<Form />"])
def test_forms_whose_action_is_not_known_here_are_left_out(form: str) -> None:
    code = f"import {{ Form }} from 'pyxle/client'\nexport default function P({{ name, props }}) {{ return {form} }}\n"
    assert form_actions(code) == []


def test_a_form_of_the_projects_own_is_not_pyxles() -> None:
    code = "import Form from './Form.jsx'\nexport default function P() { return <Form action=\"x\" /> }\n"
    assert form_actions(code) == []


@pytest.mark.parametrize("python", [
    "", "import os\nfrom typing import Any\nfrom pyxle.runtime import ActionError\n",
    "NOTES = []\nCACHE = {'revalidate': 60}\nLIMIT: int = 10 * 2\n",
    "@action\nasync def save(request):\n    return {}\n",
    "@login_required\n@action(name='save')\nasync def save_it(request):\n    return {}\n",
    "def helper():\n    return 1\n",
])
def test_python_whose_actions_are_all_marked_functions(python: str) -> None:
    assert sees_every_action(python)


@pytest.mark.parametrize("python", [
    "from notes import NOTES\n", "from .shared import save\n", "from pyxle_auth import sign_out\n",
    "from helpers import *\n", "save = make_action()\n", "save = shared.save\n",
    "@my_action\nasync def save(request):\n    return {}\n",
    "try:\n    from fast import save\nexcept ImportError:\n    pass\n",
])
def test_python_that_may_hold_an_action_the_compiler_cannot_see(python: str) -> None:
    assert not sees_every_action(python)
