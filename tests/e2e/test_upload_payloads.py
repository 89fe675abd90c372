"""Files sent to actions and typed bodies the ways the docs describe, on a real `pyxle serve`:
`useAction` given a `File` in its payload (the type the page's generated types give an upload
field) sends a multipart form, as `Form` does, where JSON carried the file as `{}` (lost without
a word to an untyped action, a 422 in pydantic's words to a typed one); a JSON body for an upload
field is told to send a form; a FastAPI-style `doc: UploadFile` parameter stops start-up saying
where an upload belongs; an action's `request.form()` keeps a file input left empty, which its
`request.json()` leaves out; files sent under one name more than once reach an untyped action's
`request.json()` as a list of them (`useAction`'s `more: [a, b]`, a `Form`'s `<input type="file"
multiple>` with JavaScript and without), text fields keeping their last value."""

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
async def names(request):
    def name(value):
        return value.filename if hasattr(value, "filename") else [name(v) for v in value] if isinstance(value, list) else value
    return {"got": {key: name(value) for key, value in (await request.json()).items()}}


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
  const names = useAction('names')
  const [out, setOut] = useState('')
  useEffect(() => {
    window.__send = async (which, build) => {
      const [a, b] = Array.from(document.getElementById('files').files)
      const result = await ({ typed, loose, names })[which](build(a, b))
      setOut(JSON.stringify(result))
      return result
    }
  })
  return <div><input type="file" id="files" multiple /><pre id="out">{out}</pre></div>
}
'''

FILES = [{"name": "résumé.txt", "mimeType": "text/plain", "buffer": b"hello"},
         {"name": "b.bin", "mimeType": "application/octet-stream", "buffer": b"\x00" * 3000}]


MULTI = """
import json


@action
async def pick(request):
    def name(value):
        return value.filename if hasattr(value, "filename") else [name(v) for v in value] if isinstance(value, list) else value
    got = {key: name(value) for key, value in (await request.json()).items() if key != "_csrf_token"}
    raise ActionError(json.dumps(got, sort_keys=True))


import { Form } from 'pyxle/client'

export default function Multi() {
  return (
    <Form action="pick" id="pick">
      <input type="hidden" name="title" value="old" />
      <input type="hidden" name="title" value="new" />
      <input type="file" name="doc" aria-label="Documents" multiple />
      <input type="file" name="one" aria-label="One document" />
      <button type="submit">Send</button>
    </Form>
  )
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_project(tmp_path_factory.mktemp("uploads") / "app", {"pages/api/attach.py": API,
                                                                       "pages/send.pyxl": PAGE,
                                                                       "pages/multi.pyxl": MULTI})
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


@cites("docs/client.md", "`await request.json()` get the files: `upload({ title, doc: file, more: [a, b] })`")
@cites("docs/client.md", "a name that carries more than one file is the list of those files")
def test_use_action_sends_every_file_of_a_list_to_an_untyped_action(app: Server, browser) -> None:  # type: ignore[no-untyped-def]
    result = sent(app, browser, "names", "(a, b) => ({ title: 'x', doc: a, more: [a, b] })")
    assert result == {"ok": True, "got": {"title": "x", "doc": "résumé.txt", "more": ["résumé.txt", "b.bin"]}}
    one = sent(app, browser, "names", "(a, b) => ({ more: [b] })")
    assert one == {"ok": True, "got": {"more": "b.bin"}}  # one file is the file, as a field sent once


def picked(app: Server, browser, *, javascript: bool) -> str:  # type: ignore[no-untyped-def]
    """What the untyped action of ``/multi`` read from ``request.json()`` (the message the ``Form``
    shows), two files picked in its ``multiple`` input, one in its single one."""
    context = browser.new_context(java_script_enabled=javascript)
    try:
        tab = context.new_page()
        tab.goto(app.url + "/multi")
        if javascript:
            tab.wait_for_function("window.__PYXLE_ROOT__ !== undefined", timeout=15000)
        tab.get_by_label("Documents").set_input_files(FILES)
        tab.get_by_label("One document").set_input_files(FILES[:1])
        tab.get_by_role("button", name="Send").click()
        tab.get_by_role("alert").wait_for(timeout=15000)
        return tab.get_by_role("alert").inner_text()
    finally:
        context.close()


@cites("docs/pages.md", "a name that carries more than one file is the list of those files")
@pytest.mark.parametrize("javascript", [True, False], ids=["fetch", "no-js"])
def test_a_form_file_input_with_multiple_gives_an_untyped_action_every_file(
        app: Server, browser, javascript: bool) -> None:  # type: ignore[no-untyped-def]
    import json

    assert json.loads(picked(app, browser, javascript=javascript)) == {
        "doc": ["résumé.txt", "b.bin"], "one": "résumé.txt", "title": "new"}
