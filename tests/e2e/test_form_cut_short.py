"""A multipart body that ends before its closing boundary (a client that stopped writing, a proxy
that cut it, a body built by hand) is refused as malformed wherever a form is read: an API route's
``request.form()``, an action's ``request.json()`` or ``request.form()``, a no-JS form post (a
page), a typed body (a 422). python-multipart does not check the end (its ``finalize`` is a TODO),
so such a body read as the parts that had ended before the cut, often none: the handler saw an
empty form and went on."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites
from tests.e2e.test_hardening_server import raw_request

ECHO_API = '''
async def post(request):
    form = await request.form()
    return {"fields": [[key, value] for key, value in form.multi_items()]}
'''

TYPED_API = '''
from pydantic import BaseModel

class Note(BaseModel):
    title: str = "untitled"

async def post(request, body: Note):
    return {"title": body.title}
'''

PAGE = '''
@action
async def send(request):
    return {"fields": await request.json()}

@action
async def upload(request):
    form = await request.form()
    return {"names": list(form.keys())}

import { Form } from 'pyxle/client'

export default function Contact() {
  return <Form action="send"><textarea name="message" /><button type="submit">Send</button></Form>
}
'''

SIZES_API = '''
async def post(request):
    form = await request.form()
    return {key: len(await value.read()) for key, value in form.multi_items()}
'''
FILES = {"pages/api/echo.py": ECHO_API, "pages/api/typed.py": TYPED_API, "pages/contact.pyxl": PAGE,
         "pages/api/sizes.py": SIZES_API}
TYPE = "multipart/form-data; boundary=cut"
WHOLE = (b'--cut\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n'
         b'--cut\r\nContent-Disposition: form-data; name="message"\r\n\r\nworld\r\n--cut--\r\n')
CUT = {  # each a body a client sent in full (its Content-Length), whose multipart ends too soon
    "before the closing dashes": WHOLE[:-4],
    "inside the last part": WHOLE[:WHOLE.index(b"world") + 3],
    "inside the first part": WHOLE[:WHOLE.index(b"hello") + 2],
    "inside the first part's headers": WHOLE[:24],
    "after the first boundary": b"--cut\r\n",
}
MESSAGE = "Malformed multipart body: it ends before its closing boundary"
HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(write_project(tmp_path_factory.mktemp("cut-short") / "app", FILES), "--ssr-workers", "1",
                 env={"PYXLE_SECRET_KEY": "c" * 40}) as server:
        yield server


def _raw_post(server: Server, path: str, body: bytes) -> tuple[int, dict]:  # type: ignore[type-arg]
    """The body as written, its Content-Length declared and met, over a plain socket."""
    head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {TYPE}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    status, _, rest = raw_request(server.url, head + body).partition(b"\r\n")
    return int(status.split()[1]), json.loads(rest.partition(b"\r\n\r\n")[2])


@cites("docs/api-routes.md", "a multipart body that ends\n  before its closing boundary (`--boundary--`): `400 {\"error\": \"Malformed multipart body: it ends\n"
                            "  before its closing boundary\"}`, never a form of the parts that arrived before the cut")
@pytest.mark.parametrize("body", CUT.values(), ids=CUT.keys())
def test_an_api_routes_form_cut_short_is_a_400_not_an_empty_form(server: Server, body: bytes) -> None:
    assert _raw_post(server, "/api/echo", body) == (400, {"error": MESSAGE})


UNPARSED = {  # (Content-Type, body) -> Starlette's message
    "no boundary": ("multipart/form-data", WHOLE, "Missing boundary in multipart."),
    "1001 fields": (TYPE, b"".join(b'--cut\r\nContent-Disposition: form-data; name="f"\r\n\r\nx\r\n'
                                   for _ in range(1001)) + b"--cut--\r\n",
                    "Too many fields. Maximum number of fields is 1000."),
}


@cites("docs/api-routes.md", "A form that `await request.form()` cannot parse is answered `400` with a JSON error too: "
                             "multipart\n  without a boundary, more than 1000 fields")
@pytest.mark.parametrize(("kind", "body", "message"), UNPARSED.values(), ids=UNPARSED.keys())
def test_every_form_request_form_cannot_parse_is_a_400(server: Server, kind: str, body: bytes, message: str) -> None:
    answer = httpx.post(server.url + "/api/echo", content=body, headers={"content-type": kind}, timeout=10)
    assert (answer.status_code, answer.json()) == (400, {"error": message})



def test_a_file_over_1_mib_is_read(server: Server) -> None:
    """A file spools to disk; a text field over 1 MiB is read too (test_form_large_fields.py)."""
    big = b"x" * (1024 * 1024 + 1)
    answer = httpx.post(server.url + "/api/sizes", files={"doc": ("big.bin", big)}, timeout=30)
    assert (answer.status_code, answer.json()) == (200, {"doc": len(big)})

@cites("docs/api-routes.md", "An empty\n  body is an empty form.")
def test_whole_and_empty_multipart_bodies_still_read(server: Server) -> None:
    assert _raw_post(server, "/api/echo", WHOLE) == (200, {"fields": [["title", "hello"], ["message", "world"]]})
    assert _raw_post(server, "/api/echo", WHOLE[:-2]) == (200, {"fields": [["title", "hello"], ["message", "world"]]})
    assert _raw_post(server, "/api/echo", b"--cut--\r\n") == (200, {"fields": []})  # a form with no fields
    assert _raw_post(server, "/api/echo", b"") == (200, {"fields": []})  # no body at all: nothing was cut


def test_a_chunked_body_cut_short_inside_its_multipart_is_a_400_too(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        yield CUT["inside the last part"][:30]
        yield CUT["inside the last part"][30:]

    answer = httpx.post(server.url + "/api/echo", content=chunks(), headers={"content-type": TYPE}, timeout=10)
    assert (answer.status_code, answer.json()) == (400, {"error": MESSAGE})


@cites("docs/validation.md", "or a multipart body cut short before its closing boundary")
def test_a_typed_body_cut_short_is_a_422_under_root(server: Server) -> None:
    """A typed body's every unreadable form is a 422 (docs/validation.md): the cut one read as no
    fields, so the model's defaults filled it in."""
    answer = httpx.post(server.url + "/api/typed", content=CUT["inside the first part"],
                        headers={"content-type": TYPE}, timeout=10)
    assert answer.status_code == 422
    assert answer.json()["fields"] == {"__root__": [MESSAGE]}


@pytest.mark.parametrize("action", ["send", "upload"])
def test_an_actions_form_cut_short_is_a_400_for_fetch(server: Server, action: str) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/contact")
        answer = client.post(f"/api/__actions/contact/{action}", content=CUT["inside the last part"],
                             headers={"content-type": TYPE, "accept": "application/json",
                                      "x-csrf-token": client.cookies["pyxle-csrf"]})
    assert (answer.status_code, answer.json()) == (400, {"ok": False, "error": MESSAGE})


@pytest.mark.parametrize("action", ["send", "upload"])
def test_a_no_js_form_post_cut_short_gets_the_refusal_page(server: Server, action: str) -> None:
    """As any body that cannot be read: a page with a way back, with neither the fields that did
    arrive taken as the form nor the parser's words shown."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        client.get("/contact")
        answer = client.post(f"/api/__actions/contact/{action}", content=CUT["inside the last part"],
                             headers={**HTML, "content-type": TYPE, "x-csrf-token": client.cookies["pyxle-csrf"],
                                      "referer": server.url + "/contact"})
    assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
    assert "boundary" not in answer.text.lower() and 'href="/contact"' in answer.text
