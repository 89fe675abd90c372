"""Error pages (``not-found.pyxl``, ``error.pyxl``) carry pyxle-auth's ``#pyxle-auth`` seed as pages
do: a layout's ``useAuth`` shows the signed-in visitor there too. Without it the hook asked the
plugin's default ``/auth/me``, which an ``authPathPrefix`` moves: the visitor saw "Sign in"."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REPO, Server, link_node_modules, serving

EXAMPLE = REPO / "examples" / "auth"
NOT_FOUND = """
export default function NotFound() {
  return <h1 id="missing">Nothing here</h1>
}
"""
BROKEN = """
@server
async def load(request):
    raise RuntimeError("the database is down")

export default function Broken() { return null }
"""
ERROR = """
export default function Failed({ error }) {
  return <h1 id="failed">Something went wrong</h1>
}
"""


@pytest.fixture(scope="module")
def auth_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """examples/auth with a not-found and an error page, its endpoints moved to /account-api."""
    root = tmp_path_factory.mktemp("error-auth") / "auth"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("data", "dist", ".pyxle-build", "node_modules"))
    link_node_modules(root)
    (root / "pages" / "not-found.pyxl").write_text(NOT_FOUND)
    (root / "pages" / "error.pyxl").write_text(ERROR)
    (root / "pages" / "broken.pyxl").write_text(BROKEN)
    config = json.loads((root / "pyxle.config.json").read_text())
    config["plugins"] = ["pyxle-db", {"name": "pyxle-auth", "settings": {"authPathPrefix": "/account-api"}}]
    (root / "pyxle.config.json").write_text(json.dumps(config))
    with serving(root, env={"PYXLE_SECRET_KEY": "a" * 48}) as server:
        yield server


def _signed_in(client: httpx.Client, email: str) -> None:
    client.get("/")
    token = {"x-csrf-token": client.cookies["pyxle-csrf"]}
    answer = client.post("/account-api/signup", json={"email": email, "password": "a long enough password"},
                         headers=token)
    assert answer.status_code == 201, answer.text


def _seed(html: str) -> dict[str, object]:
    start = html.index('<script type="application/json" id="pyxle-auth">') + len(
        '<script type="application/json" id="pyxle-auth">')
    return json.loads(html[start:html.index("</script>", start)])


def test_the_not_found_and_error_pages_carry_the_signed_in_visitor_and_the_endpoints(auth_app: Server) -> None:
    with httpx.Client(base_url=auth_app.url) as client:
        _signed_in(client, "ada@example.com")
        missing, failed = client.get("/nope"), client.get("/broken")
    assert missing.status_code == 404 and 'id="missing"' in missing.text
    assert failed.status_code == 500 and 'id="failed"' in failed.text
    for answer in (missing, failed):
        seed = _seed(answer.text)
        assert seed["user"]["email"] == "ada@example.com"  # type: ignore[index]
        assert seed["endpoints"]["me"] == "/account-api/me"  # type: ignore[index]
    anonymous = httpx.get(auth_app.url + "/nope")
    assert _seed(anonymous.text)["user"] is None and "ada@example.com" not in anonymous.text


def test_a_signed_in_visitor_sees_themselves_in_the_layout_of_the_not_found_page(auth_app: Server, page) -> None:  # type: ignore[no-untyped-def]
    browser = page.page
    browser.goto(auth_app.url + "/signup")
    page.hydrated()
    browser.get_by_label("Email").fill("grace@example.com")
    browser.get_by_label("Password").fill("a long enough password")
    browser.get_by_role("button", name="Sign up").click()
    browser.wait_for_url("**/account")
    browser.goto(auth_app.url + "/nope")
    page.hydrated()
    browser.locator("#missing").wait_for()
    browser.locator("#signed-in-as").wait_for(timeout=5000)
    assert browser.locator("#signed-in-as").inner_text() == "grace@example.com"
    assert browser.get_by_role("link", name="Sign in").count() == 0
