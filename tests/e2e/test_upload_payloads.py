"""Files sent to actions and typed bodies the ways the docs describe, on a real `pyxle serve`:
`useAction` given a `File` in its payload (the type the page's generated types give an upload
field) sends a multipart form, as `Form` does, where JSON carried the file as `{}` (lost without
a word to an untyped action, a 422 in pydantic's words to a typed one); a JSON body for an upload
field is told to send a form; a FastAPI-style `doc: UploadFile` parameter stops start-up saying
where an upload belongs; an action's `request.form()` keeps a file input left empty, which its
`request.json()` leaves out."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_typed_form_blanks import BROWSER_TYPE, browser_form
from tests.e2e.test_typed_return_unvalidated import refused

MODELS = '''
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile


class Attach(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    title: str
    count: int = 0
    doc: UploadFile
    more: list[UploadFile] = []
'''

API = MODELS + '''

async def post(request, body: Attach):
    return {"doc": body.doc.filename}
'''

PAGE = MODELS + '''

@action
async def typed(request, body: Attach):
    return {"title": body.title, "count": body.count, "doc": [body.doc.filename, len(await body.doc.read())],
            "more": [f.filename for f in body.more]}


@action
async def both(request):
    form = await request.form()
    return {"form": [[key, getattr(value, "filename", value)] for key, value in form.multi_items()],
            "json": await request.json()}


@action
async def loose(request):
    data = await request.json()
    doc = data.get("doc")
    return {"keys": sorted(data), "doc": [doc.filename, len(await doc.read())] if hasattr(doc, "filename") else doc}


import { useEffect, useState } from 'react'
import { useAction } from 'pyxle/client'

export default function Send() {
  const typed = useAction('typed')
  const loose = useAction('loose')
  const [out, setOut] = useState('')
  useEffect(() => {
    window.__send = async (which, build) => {
      const [a, b] = Array.from(document.getElementById('files').files)
      const result = await (which === 'typed' ? typed : loose)(build(a, b))
      setOut(JSON.stringify(result))
      return result
    }
  })
  return <div><input type="file" id="files" multiple /><pre id="out">{out}</pre></div>
}
'''

FILES = [{"name": "résumé.txt", "mimeType": "text/plain", "buffer": b"hello"},
         {"name": "b.bin", "mimeType": "application/octet-stream", "buffer": b"\x00" * 3000}]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("uploads") / "app", {"pages/api/attach.py": API,
                                                                       "pages/send.pyxl": PAGE})
    with serving(root, "--ssr-workers", "1", env={"PYXLE_SECRET_KEY": "u" * 40}) as server:
        yield server


def sent(app: Server, browser, which: str, build: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """What ``useAction(which)`` resolves to, called in Chromium with ``build(a, b)`` as its payload
    (``a`` and ``b`` the two files picked in the page's file input)."""
    tab = browser.new_page()
    try:
        tab.goto(app.url + "/send")
        tab.wait_for_function("window.__PYXLE_ROOT__ !== undefined && window.__send !== undefined", timeout=15000)
        tab.set_input_files("#files", FILES)
        return tab.evaluate(f"window.__send({which!r}, {build})")
    finally:
        tab.close()


@cites("docs/client.md", "A payload holding files")
def test_use_action_sends_the_files_of_its_payload_to_a_typed_action_as_a_form(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    result = sent(app, browser, "typed", "(a, b) => ({ title: 'T', count: 3, doc: a, more: [a, b] })")
    assert result == {"ok": True, "title": "T", "count": 3, "doc": ["résumé.txt", 5], "more": ["résumé.txt", "b.bin"]}


@cites("docs/client.md", "`null` and `undefined`\nleft out as fields not sent")
def test_use_action_sends_a_file_of_its_payload_to_an_untyped_action_as_a_file_not_as_empty(
        app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    result = sent(app, browser, "loose", "(a, b) => ({ title: 'T', doc: b, gone: null, unset: undefined })")
    assert result == {"ok": True, "keys": ["doc", "title"], "doc": ["b.bin", 3000]}  # JSON sent it as {}


@cites("docs/client.md", "A file deeper in the payload, which a form cannot carry")
def test_use_action_refuses_a_file_a_form_cannot_carry_instead_of_sending_it_as_empty(
        app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    nested = sent(app, browser, "loose", "(a, b) => ({ title: 'T', attachment: { doc: a } })")
    assert nested["ok"] is False and "doc: a file is sent as a field of the payload" in nested["error"], nested
    beside = sent(app, browser, "loose", "(a, b) => ({ doc: a, meta: { n: 1 } })")
    assert beside["ok"] is False and "meta: a payload with files is sent as a form" in beside["error"], beside


@cites("docs/validation.md", "A JSON body cannot carry a file: an upload field given a value in JSON is a 422, `\"Input should be\n"
       "a file: send the body as multipart/form-data\"`")
def test_a_json_body_for_an_upload_field_is_told_to_send_a_form(app: Server) -> None:
    answer = httpx.post(app.url + "/api/attach", json={"title": "T", "doc": "x", "more": ["y"]}, timeout=10)
    message = ["Input should be a file: send the body as multipart/form-data"]
    assert (answer.status_code, answer.json()) == (422, {"error": "Validation failed",
                                                         "fields": {"doc": message, "more.0": message}})
    form = httpx.post(app.url + "/api/attach", data={"title": "T"}, files={"doc": ("a.txt", b"x")}, timeout=10)
    assert (form.status_code, form.json()) == (200, {"doc": "a.txt"})


@cites("docs/validation.md", "An `UploadFile` parameter outside a body model")
def test_an_upload_parameter_outside_a_body_model_stops_start_up_saying_where_it_belongs(make_project) -> None:
    root = make_project({"pages/api/up.py": "from starlette.datastructures import UploadFile\n\n\n"
                                            "async def post(request, doc: UploadFile):\n    return {}\n"})
    stderr = refused(root)
    assert ("pages/api/up.py:4: post(): parameter 'doc': an UploadFile is read from the body, so it is a field of "
            "the body's model") in stderr, stderr


@cites("docs/pages.md", "kept by `await request.form()` as\n  Starlette reads it: an `UploadFile` whose `filename` is `\"\"`")
def test_an_actions_form_keeps_a_file_input_left_empty_and_its_json_leaves_it_out(app: Server) -> None:
    with httpx.Client(base_url=app.url) as client:
        client.get("/send")
        answer = client.post("/api/__actions/send/both", content=browser_form(("title", "T"), ("doc", None)),
                             headers={"x-csrf-token": client.cookies["pyxle-csrf"], "content-type": BROWSER_TYPE})
    assert answer.json() == {"ok": True, "form": [["title", "T"], ["doc", ""]], "json": {"title": "T"}}
