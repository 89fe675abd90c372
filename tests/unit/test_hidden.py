"""``pyxle._hidden``: which paths of ``public/`` are left out, and the note naming them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyxle._hidden import hidden, left_out, note


@pytest.mark.parametrize("path", [".env", ".git/config", "img/.DS_Store", "a/.b/c.txt", ".well-known/.x", ".."])
def test_a_name_starting_with_a_dot_is_hidden_at_any_depth(path: str) -> None:
    assert hidden(path)


@pytest.mark.parametrize("path", ["robots.txt", ".well-known/security.txt", ".well-known/acme-challenge/t0k3n",
                                  "img/logo.v2.png", "a..b", "x/y.env"])
def test_other_names_and_well_known_at_the_top_are_served(path: str) -> None:
    assert not hidden(path)


def test_a_well_known_folder_below_the_top_is_hidden() -> None:
    assert hidden("blog/.well-known/security.txt")


def test_left_out_names_a_hidden_folder_once_and_the_note_counts_the_rest(tmp_path: Path) -> None:
    for name in (".env", ".git/objects/ab", ".git/config", "img/.DS_Store", "img/a.png", ".well-known/x.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert left_out(tmp_path) == [".env", ".git/", "img/.DS_Store"]
    assert note("public", [".env"]).startswith("public/.env is not served: ")
    many = note("public", [f".f{i}" for i in range(7)])
    assert many.startswith("public/.f0, public/.f1, public/.f2, public/.f3, public/.f4 and 2 more are not served: ")
