"""The swap of a checked reload build into distDir (``pyxle.app._staging``): in one step on Linux,
with two renames elsewhere; either way the served folder ends with the new build and the staging
folder with the old one, for the check to remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyxle.app import _staging


def _builds(tmp_path: Path) -> tuple[Path, Path]:
    dist = tmp_path / "dist"
    (dist / "server").mkdir(parents=True)
    (dist / "server" / "ssr.mjs").write_text("old")
    staging = _staging.stage(dist)
    assert staging == tmp_path / ".dist.next" and (staging / "server" / "ssr.mjs").read_text() == "old"
    (staging / "server" / "ssr.mjs").write_text("new")
    return dist, staging


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_promote_serves_the_new_build_and_leaves_the_old_one_to_discard(tmp_path: Path, monkeypatch, exchange) -> None:  # type: ignore[no-untyped-def]
    dist, staging = _builds(tmp_path)
    if not exchange:
        monkeypatch.setattr(_staging, "_exchange", lambda a, b: False)
    _staging.promote(staging, dist)
    assert (dist / "server" / "ssr.mjs").read_text() == "new"
    assert (staging / "server" / "ssr.mjs").read_text() == "old"
    _staging.discard(staging)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_a_first_build_is_moved_into_place(tmp_path: Path) -> None:
    staging = _staging.stage(tmp_path / "dist")
    assert not staging.exists()
    (staging / "server").mkdir(parents=True)
    _staging.promote(staging, tmp_path / "dist")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
