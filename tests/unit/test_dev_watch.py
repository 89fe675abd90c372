"""What `pyxle dev` watches: the project's sources, never its build output wherever it is configured."""

from __future__ import annotations

from pathlib import Path

from watchfiles import Change

from pyxle.app._reload import _relevance, _watched


def test_build_output_is_neither_watched_nor_relevant(tmp_path: Path) -> None:
    for folder in ("pages", "components", "ship", "out/site", "node_modules/react"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "db.py").write_text("")
    outputs = (tmp_path / "ship", tmp_path / "out" / "site")  # a custom distDir and buildDir
    watched = _watched(tmp_path, outputs)
    assert [p.name for p in watched] == ["components", "db.py", "out", "pages"]

    relevant = _relevance(outputs)
    assert relevant(Change.modified, str(tmp_path / "pages" / "index.pyxl"))
    assert relevant(Change.modified, str(tmp_path / "components" / "Counter.tsx"))
    assert not relevant(Change.added, str(tmp_path / "out" / "site" / "server" / "pages" / "index.py"))
    assert not relevant(Change.added, str(tmp_path / "ship" / "public" / "_pyxle" / "page.js"))
    assert not relevant(Change.modified, str(tmp_path / "pages" / "notes.txt"))
