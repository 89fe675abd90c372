"""A form's text field may be as large as the body limit (`maxBodySize`) allows, on a real `pyxle
serve`: `Form` posts multipart, and Starlette's parser refused a field over 1 MiB (a long article
in a `<textarea>`, pasted base64) with a bare "Validation failed", where 0.9's JSON `Form` saved it.
And a typed action that cannot read its body at all (too many fields, a malformed form) says why,
in `Form` and on the page a no-JS post gets, instead of "Validation failed"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import PageWatch, Server, serving, write_project
from tests.docs._blocks import cites

LIMIT = 2 * 1024 * 1024
BIG = 1_500_000  # over Starlette's 1 MiB part size, under the app's 2 MiB body limit

NOTES = """
from pydantic import BaseModel

class Note(BaseModel):
    title: str
    note: str = ""

@action
async def save(request, body: Note):
    return {"title": body.title, "length": len(body.note)}

@action
async def keep(request):
    body = await request.json()
    return {"length": len(body["note"])}

@action
async def tick(request, body: Note):
    return {"title": body.title}

import { useState } from 'react'
import { Form } from 'pyxle/client'

export default function Notes() {
  const [said, setSaid] = useState('')
  return (
    <main>
      <Form action="save" onSuccess={(r) => setSaid(`saved ${r.length}`)}>
        <input name="title" aria-label="title" defaultValue="long" />
        <textarea name="note" aria-label="note" />
        <button>Save</button>
      </Form>
      <Form action="tick">
        <input name="title" defaultValue="boxes" />
        {Array.from({ length: 1001 }, (_, i) => <input key={i} type="hidden" name={`box${i}`} value="on" />)}
        <button>Tick</button>
      </Form>
      <p data-testid="said">{said}</p>
    </main>
  )
}
"""

SIZES = """
async def post(request):
    form = await request.form()
    return {key: len(value) for key, value in form.multi_items()}
"""

SMALL = """
async def post(request):
    form = await request.form(max_part_size=65536)
    return {key: len(value) for key, value in form.multi_items()}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("large-fields") / "app", {
        "pages/notes.pyxl": NOTES, "pages/api/sizes.py": SIZES, "pages/api/small.py": SMALL,
        "pyxle.config.json": json.dumps({"maxBodySize": LIMIT}),
    })
    with serving(root, "--ssr-workers", "1") as server:
        yield server


@contextmanager
def client_with_token(site: Server) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=site.url, timeout=30) as client:
        client.get("/notes")
        yield client, {"x-csrf-token": client.cookies["pyxle-csrf"]}


@cites("docs/client.md", "A text field may be as large as the whole body may be")
def test_a_form_with_a_textarea_over_1_mib_saves_it(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/notes")
    page.hydrated()
    page.page.get_by_label("note").evaluate(f"(el) => {{ el.value = 'x'.repeat({BIG}) }}")
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_test_id("said").filter(has_text="saved").wait_for()
    assert page.page.get_by_test_id("said").text_content() == f"saved {BIG}"
    assert page.page.locator("[data-pyxle-form-error]").count() == 0


def test_an_untyped_action_and_an_urlencoded_post_read_a_field_over_1_mib(site: Server) -> None:
    with client_with_token(site) as (client, token):
        kept = client.post("/api/__actions/notes/keep", files={"note": (None, "x" * BIG)}, headers=token)
        assert (kept.status_code, kept.json()) == (200, {"ok": True, "length": BIG})
        saved = client.post("/api/__actions/notes/save", data={"title": "t", "note": "y" * BIG}, headers=token)
        assert (saved.status_code, saved.json()) == (200, {"ok": True, "title": "t", "length": BIG})


@cites("docs/api-routes.md", "A text field may be as large as the body:")
def test_an_api_routes_request_form_reads_a_field_over_1_mib_and_the_body_limit_still_holds(site: Server) -> None:
    answer = httpx.post(site.url + "/api/sizes", files={"note": (None, "x" * BIG)}, timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"note": BIG})
    over = httpx.post(site.url + "/api/sizes", files={"note": (None, "x" * (LIMIT + 1))}, timeout=30)
    assert over.status_code == 413


@cites("docs/api-routes.md", "`await\n  request.form(max_part_size=65536)` sets a limit of the route's own, a field over it a `400`.")
def test_an_api_route_may_still_set_a_field_limit_of_its_own(site: Server) -> None:
    assert httpx.post(site.url + "/api/small", files={"note": (None, "x" * 65536)}, timeout=30).json() == {"note": 65536}
    over = httpx.post(site.url + "/api/small", files={"note": (None, "x" * 65537)}, timeout=30)
    assert (over.status_code, over.json()) == (400, {"error": "Part exceeded maximum size of 64KB."})


@cites("docs/client.md", "a long `<textarea>` is saved whole; a body over the limit fails with its `413` message.")
def test_a_form_whose_body_is_over_the_limit_says_so(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/notes")
    page.hydrated()
    page.page.get_by_label("note").evaluate(f"(el) => {{ el.value = 'x'.repeat({LIMIT + 1}) }}")
    page.page.get_by_role("button", name="Save").click()
    alert = page.page.locator("[data-pyxle-form-error]")
    alert.wait_for()
    assert alert.text_content() == f"Request body is larger than the limit of {LIMIT} bytes"


@cites("docs/validation.md", "A typed action given a body it cannot read at all (`\"__root__\"` its only key: not JSON, not an "
                             "object,\na form with more than 1000 fields) is answered with that reason as its `\"error\"`")
def test_a_typed_action_that_cannot_read_its_form_says_why_in_the_form(site: Server, page: PageWatch) -> None:
    page.page.goto(site.url + "/notes")
    page.hydrated()
    page.page.get_by_role("button", name="Tick").click()
    alert = page.page.locator("[data-pyxle-form-error]")
    alert.wait_for()
    assert alert.text_content() == "Too many fields. Maximum number of fields is 1000."


@cites("docs/validation.md", "and a plain form post's page says it: `{\"ok\": false, \"error\": \"Too many fields. Maximum number of\n"
                             "fields is 1000.\", \"fields\": {\"__root__\": [\"Too many fields. Maximum number of fields is 1000.\"]}}`")
def test_a_typed_action_that_cannot_read_its_form_says_why_to_fetch_and_on_the_no_js_page(site: Server) -> None:
    fields = {"title": "t", **{f"box{i}": "on" for i in range(1001)}}
    with client_with_token(site) as (client, token):
        answer = client.post("/api/__actions/notes/tick", data=fields, headers=token)
        reason = "Too many fields. Maximum number of fields is 1000."
        assert (answer.status_code, answer.json()) == (422, {"ok": False, "error": reason,
                                                             "fields": {"__root__": [reason]}})
        shown = client.post("/api/__actions/notes/tick", data={**fields, "_csrf_token": token["x-csrf-token"]},
                            headers={"accept": "text/html", "referer": site.url + "/notes"})
        assert shown.status_code == 422 and reason in shown.text and "Validation failed" not in shown.text
