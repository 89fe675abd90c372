"""Under `pyxle dev`, while a page does not build, its action's answer carries `"ok": false`
as every action error does; while the project does not load (an API route that does not
import), an API route's answer is `{"error", "detail"}`."""

from __future__ import annotations

import time

import httpx

from tests.conftest import SHARED_SECRET, write_project
from tests.docs._blocks import cites

FILES = {
    "pages/index.pyxl": '''
@action
async def save(request):
    return {"saved": True}

export default function Home() { return <p>home</p> }
''',
    "pages/api/hello.py": "async def get(request): return {'hello': True}\n",
}


@cites("docs/pages.md", "Every error answer of `/api/__actions/` carries `\"ok\": false` beside `\"error\"`")
@cites("docs/pages.md", "under `pyxle dev`,\n  the answer while the project does not build")
def test_an_action_answers_ok_false_while_the_build_is_broken(tmp_path, start_server) -> None:  # type: ignore[no-untyped-def]
    project = write_project(tmp_path / "app", FILES)
    server = start_server(project, "dev", env=SHARED_SECRET)
    with httpx.Client(base_url=server.url, timeout=20) as client:
        client.get("/")
        csrf = {"x-csrf-token": client.cookies["pyxle-csrf"]}
        (project / "pages" / "index.pyxl").write_text(FILES["pages/index.pyxl"].replace(
            "@action", "x = 1 / 0\n\n@action"))
        deadline = time.monotonic() + 30
        while client.get("/", headers={"accept": "text/html"}).status_code != 500:
            assert time.monotonic() < deadline, "the broken page was not picked up"
            time.sleep(0.2)
        action = client.post("/api/__actions/index/save", json={}, headers=csrf)
        form = client.post("/api/__actions/index/save", data={"csrf_token": csrf["x-csrf-token"]},
                           headers={"accept": "text/html"})
        (project / "pages" / "api" / "broken.py").write_text("async def get(request):\n    return {'x': 1\n")
        while (api := client.get("/api/hello")).status_code != 500:
            assert time.monotonic() < deadline, "the broken API route was not picked up"
            time.sleep(0.2)
    for answer in (action, form):
        assert answer.status_code == 500, answer.text[:300]
        body = answer.json()
        assert body["ok"] is False and body["error"] == "Build failed" and "pages/index.pyxl" in body["detail"]
    assert "ok" not in api.json() and api.json()["error"] == "Build failed" and "pages/api/broken.py" in api.json()["detail"]
