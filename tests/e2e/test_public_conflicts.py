"""A page or API route at the URL of a file of ``public/`` hides the file: ``pyxle build`` and
``pyxle check`` refuse it naming both (as Next.js's build does), and ``pyxle serve`` starts, the
route answering, and says so. The page won silently, and ``pages/robots.txt.pyxl`` left over
beside ``public/robots.txt`` told crawlers what the site owner could not see."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from tests.conftest import server_env, serving, write_project
from tests.docs._blocks import cites

DOC = "docs/deployment.md"
ROBOTS_PAGE = '''
from starlette.responses import PlainTextResponse

@server
async def load(request):
    return PlainTextResponse("User-agent: *\\nDisallow: /\\n")

export default function Robots() { return null }
'''
FILES = {
    "pages/index.pyxl": "export default function Home() { return <h1>home</h1> }\n",
    "pages/robots.txt.pyxl": ROBOTS_PAGE,
    "pages/api/feed.json.py": "async def get(request):\n    return {'items': []}\n",
    "pages/[slug].pyxl": "export default function Slug() { return <p>slug</p> }\n",
    "public/robots.txt": "User-agent: *\nAllow: /\n",
    "public/api/feed.json": "{}",
    "public/favicon.svg": "<svg/>",
}
ROBOTS = "pages/robots.txt.pyxl and public/robots.txt are both /robots.txt: the route answers it, and the file is never served"
FEED = "pages/api/feed.json.py and public/api/feed.json are both /api/feed.json"


def pyxle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyxle", *args], capture_output=True, text=True,
                          env=server_env(), check=False, timeout=300)


@cites(DOC, "`pyxle build` and `pyxle check`\nrefuse this, naming both")
def test_check_refuses_a_page_and_an_api_route_at_the_url_of_a_public_file(tmp_path: Path) -> None:
    result = pyxle("check", str(write_project(tmp_path / "app", FILES)))
    assert result.returncode == 1, result.stdout + result.stderr
    assert ROBOTS in result.stdout and FEED in result.stdout
    assert "hint: delete one of them" in result.stdout
    assert "favicon" not in result.stdout  # a dynamic page is not a file's twin


@cites(DOC, "`pages/robots.txt.pyxl and public/robots.txt are both /robots.txt: the route answers it, and the file is "
            "never served`,\nwith the hint to delete one of them")
def test_build_refuses_a_page_at_the_url_of_a_public_file(tmp_path: Path) -> None:
    project = write_project(tmp_path / "app", FILES)
    result = pyxle("build", str(project))
    assert result.returncode == 1, result.stdout + result.stderr
    assert ROBOTS in result.stderr and FEED in result.stderr
    assert not (project / "dist" / "manifest.json").exists()
    (project / "public" / "robots.txt").unlink()
    (project / "public" / "api" / "feed.json").unlink()
    assert pyxle("build", str(project)).returncode == 0


@cites(DOC, "`pyxle serve` and `pyxle dev` start, with the route answering,\nand say the same once as they start")
def test_serve_starts_with_the_route_answering_and_says_which_file_it_hides(tmp_path: Path) -> None:
    with serving(write_project(tmp_path / "app", FILES)) as server:
        assert httpx.get(server.url + "/robots.txt").text == "User-agent: *\nDisallow: /\n"
        assert server.output().count(ROBOTS) == 1
        assert FEED in server.output()


@cites(DOC, "A file of `public/` is served before a dynamic route that would take its URL")
def test_a_public_file_is_served_before_a_dynamic_page_that_would_take_its_url(tmp_path: Path) -> None:
    """``pages/[slug].pyxl`` answered ``/robots.txt`` and ``/favicon.svg`` with its page, hiding the
    whole of ``public/`` at the top (pyxle-framework 0.9 served the files first, as Next.js does)."""
    files = {**FILES, "pages/docs/[...path].pyxl": "export default function Doc() { return <p>doc page</p> }\n",
             "public/docs/guide.pdf": "%PDF-1.4", "public/.env": "SECRET=1"}
    del files["pages/robots.txt.pyxl"], files["pages/api/feed.json.py"]
    with serving(write_project(tmp_path / "app", files)) as server:
        assert httpx.get(server.url + "/robots.txt").text == "User-agent: *\nAllow: /\n"
        favicon = httpx.get(server.url + "/favicon.svg")
        assert favicon.text == "<svg/>" and favicon.headers["content-type"] == "image/svg+xml"
        assert httpx.head(server.url + "/favicon.svg").headers["content-length"] == "6"
        assert httpx.get(server.url + "/docs/guide.pdf").headers["content-type"] == "application/pdf"
        assert "slug" in httpx.get(server.url + "/about").text  # no file there: the page
        assert "doc page" in httpx.get(server.url + "/docs/intro").text
        assert "SECRET" not in httpx.get(server.url + "/.env").text  # a dotfile is not served
        assert "never served" not in server.output()  # nothing hidden, nothing said
