"""Small files of ``public/`` are answered from memory (``pyxle.app._memfiles``) and looked up with one
stat (``pyxle.app._static._finder``): against a real ``pyxle serve``, what changes on disk reaches the
next request, a symlink that comes to lead outside ``public/`` stops being served, and ranges, HEAD
and files over the memory limit are answered as before."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
import pytest

from pyxle.app._memfiles import MAX_FILE, SmallFiles
from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = write_project(tmp_path_factory.mktemp("memfiles") / "app", {
        "pages/api/ping.py": "async def get(request):\n    return {'ok': True}\n",
        "public/note.txt": "first version\n",
        "outside.txt": "a secret outside public/\n",
    }, None)
    (root / "public" / "inside.txt").write_text("served from inside\n")
    (root / "public" / "big.bin").write_bytes(os.urandom(MAX_FILE + 4096))
    with serving(root, env={"PYXLE_SECRET_KEY": "m" * 40}) as server:
        server.root = root  # type: ignore[attr-defined]
        yield server


def get(server: Server, path: str, **kwargs: object) -> httpx.Response:
    return httpx.get(server.url + path, **kwargs)  # type: ignore[arg-type]


@cites("docs/deployment.md", "read again as soon as it changes on disk, so an edited or replaced file is served at once")
def test_a_file_written_again_is_served_as_it_is_now(site: Server) -> None:
    note = site.root / "public" / "note.txt"  # type: ignore[attr-defined]
    assert get(site, "/note.txt").text == "first version\n"
    note.write_text("second version, longer\n")  # in place: same inode, new size and time
    assert get(site, "/note.txt").text == "second version, longer\n"
    note.write_text("third version, longer\n")  # the same size as the second
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns + 1_000_000))
    assert get(site, "/note.txt").text == "third version, longer\n"
    replacement = note.with_name("note.tmp")
    replacement.write_text("fourth, put in place by a rename\n")
    replacement.replace(note)  # a deploy's atomic swap: a new inode
    answer = get(site, "/note.txt")
    assert answer.text == "fourth, put in place by a rename\n"
    assert answer.headers["content-length"] == str(len(answer.content))
    note.unlink()
    assert get(site, "/note.txt").status_code == 404


@cites("docs/deployment.md", "A symlink in `public/` is served only while it leads to a file inside it.")
def test_a_symlink_that_comes_to_lead_outside_public_is_not_followed(site: Server) -> None:
    root: Path = site.root  # type: ignore[attr-defined]
    link = root / "public" / "link.txt"
    link.symlink_to(root / "public" / "inside.txt")
    assert get(site, "/link.txt").text == "served from inside\n"
    link.unlink()
    link.symlink_to(root / "outside.txt")  # the same name, now leading out of public/
    answer = get(site, "/link.txt")
    assert answer.status_code == 404
    assert "secret" not in answer.text
    link.unlink()
    link.symlink_to(root / "public" / "inside.txt")
    assert get(site, "/link.txt").text == "served from inside\n"


@cites("docs/deployment.md", "a larger one is sent from disk each time")
def test_head_ranges_and_a_file_over_the_memory_limit_answer_as_before(site: Server) -> None:
    whole = get(site, "/inside.txt")
    head = httpx.head(site.url + "/inside.txt")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(whole.content))
    assert head.headers["etag"] == whole.headers["etag"]
    part = get(site, "/inside.txt", headers={"Range": "bytes=7-10"})
    assert part.status_code == 206 and part.content == b"from"
    assert part.headers["content-range"] == f"bytes 7-10/{len(whole.content)}"
    big = get(site, "/big.bin")
    assert big.status_code == 200
    assert big.content == (site.root / "public" / "big.bin").read_bytes()  # type: ignore[attr-defined]
    assert get(site, "/inside.txt", headers={"If-None-Match": whole.headers["etag"]}).status_code == 304


@cites("docs/deployment.md", "A file of up to 256 KiB is kept in memory after its first request (at most 32 MiB each for `public/` and the assets, per worker; past that the oldest go first)")
def test_the_files_kept_stay_within_their_byte_budget(tmp_path: Path) -> None:
    """The memory is bounded: past ``max_total`` the oldest files are let go, and a file over
    ``max_file`` is never kept. The defaults are the documented 256 KiB and 32 MiB."""
    defaults = SmallFiles()
    assert (defaults.max_file, defaults.max_total) == (256 * 1024, 32 * 1024 * 1024)
    small = SmallFiles(max_file=100, max_total=250)

    def read(name: str) -> bytes | None:
        path = tmp_path / name
        return asyncio.run(small._bytes(str(path), path.stat()))

    for name in "abcd":
        (tmp_path / name).write_bytes(name.encode() * 100)
        assert read(name) == name.encode() * 100
    assert list(small._files) == [str(tmp_path / "c"), str(tmp_path / "d")]
    assert small._total == 200
    (tmp_path / "e").write_bytes(b"e" * 101)
    assert read("e") is None
    assert small._total == 200
