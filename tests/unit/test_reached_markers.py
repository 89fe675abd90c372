"""The server's loading.pyxl markers (client/_reached.js), run in Node: taken out of a render's
markup wherever its pieces split them, and the digest on each loading.pyxl fallback found."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyxle
from tests.conftest import NODE_MODULES

CLIENT = Path(pyxle.__file__).parent / "client"
SCRIPT = """
import { fallenIn, stripper } from './_reached.js'
const mark = 'abc123'
const reached = `<template data-pyxle-reached="${mark}"></template>`
const fallback = `<template data-pyxle-fallback="${mark}"></template>`
const html = `<div>${reached}<p>a</p><!--$!--><template data-dgst="pyxle-0000aaaa"></template>${fallback}<p>wait</p><!--/$-->${reached}x</div>`
const pieces = []
for (let at = 0; at <= html.length; at++) {
  const strip = stripper(mark)
  pieces.push(strip(html.slice(0, at)) + strip(html.slice(at), true))
}
const own = '<!--$!--><template data-dgst="pyxle-1111bbbb" data-msg="x"></template><p>own</p><!--/$-->'
console.log(JSON.stringify({
  pieces: [...new Set(pieces)],
  fallen: fallenIn(html, mark),
  ownOnly: fallenIn(own + reached, mark),
  timedOut: fallenIn(`<!--$!--><template data-dgst="pyxle-2222cccc"></template>${fallback}<p>wait</p><!--/$-->`, mark),
}))
"""


def test_markers_are_taken_out_wherever_the_pieces_split_them_and_the_fallbacks_digest_is_found(tmp_path: Path) -> None:
    shutil.copytree(CLIENT, tmp_path / "client")
    (tmp_path / "node_modules").symlink_to(NODE_MODULES)
    (tmp_path / "client" / "check.mjs").write_text(SCRIPT)
    out = subprocess.run(["node", "check.mjs"], cwd=tmp_path / "client", capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(out.stdout)
    assert result["pieces"] == ['<div><p>a</p><!--$!--><template data-dgst="pyxle-0000aaaa"></template><p>wait</p><!--/$-->x</div>']
    assert result["fallen"] == ["pyxle-0000aaaa"]
    assert result["ownOnly"] == []  # a boundary of the page's own is not loading.pyxl's
    assert result["timedOut"] == ["pyxle-2222cccc"]
