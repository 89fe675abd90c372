"""A layout's `<Form>` on an error page, on a real `pyxle serve`: the not-found page of an unknown
URL, an `error.pyxl` page of a loader's error and the page of a refused no-JS post carry the
visitor's CSRF token in its `_csrf_token` field, as a page does, so a post of it without
JavaScript runs the layout's action instead of being refused with 403."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

LAYOUT = """
@server
async def load(request):
    return {"site": "shop"}

@action
async def subscribe(request):
    fields = await request.json()
    return {"subscribed": fields.get("email", "")}

import { Form } from 'pyxle/client'

export default function Layout({ children }) {
  return (
    <div>
      <Form action="subscribe">
        <input name="email" defaultValue="" />
        <button type="submit">Subscribe</button>
      </Form>
      {children}
    </div>
  )
}
"""

HOME = """
export default function Home() {
  return <h1>Home</h1>
}
"""

NOT_FOUND = """
export default function NotFound() {
  return <h1>Nothing here</h1>
}
"""

ERROR = """
export default function ErrorPage({ data }) {
  return <h1>Broken: {data.message}</h1>
}
"""

BROKEN = """
@server
async def load(request):
    raise LoaderError("out of stock", status_code=503)

export default function Broken() {
  return <h1>Never shown</h1>
}
"""

FILES = {"pages/layout.pyxl": LAYOUT, "pages/index.pyxl": HOME, "pages/not-found.pyxl": NOT_FOUND,
         "pages/error.pyxl": ERROR, "pages/broken.pyxl": BROKEN}
HTML = {"accept": "text/html"}
FIELD = re.compile(r'name="_csrf_token" value="([^"]*)"')
FORM = re.compile(r'<form[^>]*action="([^"]*)"')


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    project = write_project(tmp_path_factory.mktemp("error-page-csrf") / "app", FILES)
    with serving(project, "--ssr-workers", "1") as server:
        yield server


def _form(page: httpx.Response) -> tuple[str, str]:
    """The layout form's action URL and the token in its ``_csrf_token`` field."""
    action, field = FORM.search(page.text), FIELD.search(page.text)
    assert action is not None and field is not None, page.text[:500]
    return action.group(1), field.group(1)


def _post_without_javascript(client: httpx.Client, page: httpx.Response) -> httpx.Response:
    """What a browser without JavaScript sends for the form: its fields, urlencoded, from that page."""
    action, token = _form(page)
    return client.post(action, data={"_csrf_token": token, "email": "a@example.com"},
                       headers={**HTML, "referer": str(page.url)})


@cites("docs/security.md", "a layout's `Form` on a `not-found.pyxl` or `error.pyxl` page included (an unknown URL, a "
                           "loader's error, the page of a refused post), so a post from any of them passes")
@pytest.mark.parametrize(("url", "status", "heading"), [("/no/such/page", 404, "Nothing here"),
                                                         ("/broken", 503, "out of stock")])
def test_an_error_pages_form_carries_the_visitors_token_and_its_no_js_post_passes(
        app: Server, url: str, status: int, heading: str) -> None:
    with httpx.Client(base_url=app.url) as client:
        normal = client.get("/", headers=HTML)
        assert _form(normal)[1] == client.cookies["pyxle-csrf"]  # what a page carries
        assert _post_without_javascript(client, normal).status_code == 303
    with httpx.Client(base_url=app.url) as client:  # a visitor whose first page is the error page
        page = client.get(url, headers=HTML)
        assert (page.status_code, heading in page.text) == (status, True)
        assert _form(page)[1] == client.cookies["pyxle-csrf"]
        posted = _post_without_javascript(client, page)
        assert (posted.status_code, posted.headers["location"]) == (303, url)


def test_the_page_of_a_refused_no_js_post_carries_the_token_its_form_posts_next(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/", headers=HTML)
        stale = client.post("/api/__actions/index/subscribe", data={"_csrf_token": "stale", "email": "a@example.com"},
                            headers={**HTML, "referer": f"{app.url}/"})
        assert stale.status_code == 403
        assert _form(stale)[1] == client.cookies["pyxle-csrf"]
        assert _post_without_javascript(client, stale).status_code == 303


def test_a_visitor_without_a_cookie_refused_gets_the_new_token_on_the_refusal_page(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        refused = client.post("/api/__actions/index/subscribe", data={"email": "a@example.com"}, headers=HTML)
        assert refused.status_code == 403
        assert _form(refused)[1] == client.cookies["pyxle-csrf"]  # the cookie this answer set
        assert _post_without_javascript(client, refused).status_code == 303
