"""A folder under pages/ that is a symbolic link is not followed (its files would route, but the
build's fingerprint and the dev watch would not see them as pages'): start-up says so, where its
pages used to be left without URLs in silence. A linked file is routed."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.docs._blocks import cites

ITEMS = "async def get(request):\n    return {'items': [1]}\n"


@cites("docs/pages.md", "A file under `pages/` that is a symbolic link is routed as its own; a folder that is one is not\n"
                        "followed, and start-up says so")
def test_a_linked_folder_under_pages_is_named_at_start_up_and_a_linked_file_is_routed(
        make_project, start_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "v2").mkdir(parents=True)
    (elsewhere / "v2" / "items.py").write_text(ITEMS)
    (elsewhere / "one.py").write_text(ITEMS)
    project = make_project({"pages/api/hello.py": "async def get(request):\n    return {'hello': 1}\n"})
    (project / "pages" / "api" / "v2").symlink_to(elsewhere / "v2", target_is_directory=True)
    (project / "pages" / "api" / "one.py").symlink_to(elsewhere / "one.py")
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/v2/items", timeout=10).status_code == 404
    assert httpx.get(server.url + "/api/one", timeout=10).json() == {"items": [1]}
    assert ("pages/api/v2 is a link to a folder, and links to folders under pages/ are not followed: its pages "
            "and API routes have no URL (hint: move the folder into pages/, or link its files one by one)"
            in server.output()), server.output()
    assert server.output().count("is a link to a folder") == 1
