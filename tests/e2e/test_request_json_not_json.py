"""`await request.json()` refuses what Python's json module takes though JSON (RFC 8259) has no such
thing: NaN, Infinity and a number too large for a float are a 400, never an echo handler's 500. A
handler that catches the error itself, as Starlette's and pyxle-framework 0.9's apps do (`except
ValueError`, `except json.JSONDecodeError`), answers in its own words instead."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import serving, write_project
from tests.docs._blocks import cites

ECHO_API = '''
async def post(request):
    return {"got": await request.json()}
'''

ECHO_PAGE = '''
import json


@action
async def echo(request):
    return {"got": await request.json()}


@action
async def careful(request):
    try:
        body = await request.json()
    except json.JSONDecodeError as exc:
        raise ActionError(f"Send JSON ({exc.msg} at {exc.pos}).")
    return {"got": body}


export default function Home() {
  return <p>echo</p>
}
'''

CAREFUL_API = '''
from starlette.responses import JSONResponse


async def post(request):
    try:
        payload = await request.json()
    except ValueError as exc:
        return JSONResponse({"error": "invalid json", "why": str(exc)}, status_code=422)
    return {"got": payload}
'''

NOT_JSON = [b'{"x": NaN}', b'{"x": Infinity}', b"[-Infinity]", b'{"x": 1e999}', b"[-1e999]"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = write_project(tmp_path_factory.mktemp("echo"), {"pages/api/echo.py": ECHO_API, "pages/api/careful.py": CAREFUL_API,
                                                                      "pages/index.pyxl": ECHO_PAGE},
                         None)
    with serving(root) as server:
        yield server


@pytest.mark.parametrize("body", NOT_JSON, ids=lambda body: body.decode())
def test_an_api_route_answers_400_for_nan_infinity_and_a_float_overflow(server, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(server.url + "/api/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed JSON body: ")


@pytest.mark.parametrize("body", NOT_JSON, ids=lambda body: body.decode())
def test_an_action_answers_400_for_nan_infinity_and_a_float_overflow(server, body: bytes) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        response = client.post("/api/__actions/index/echo", content=body,
                               headers={"content-type": "application/json", "x-csrf-token": client.cookies["pyxle-csrf"]})
    assert response.status_code == 400
    assert response.json()["error"].startswith("Malformed JSON body: ")


def test_json_bodies_with_large_finite_floats_and_a_byte_order_mark_still_echo(server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(server.url + "/api/echo", content=b'\xef\xbb\xbf{"x": 1e308, "y": [0.5, -2.5e-3]}',
                          headers={"content-type": "application/json"})
    assert (response.status_code, response.json()) == (200, {"got": {"x": 1e308, "y": [0.5, -0.0025]}})


@cites("docs/api-routes.md", "json.JSONDecodeError`, as Starlette raises it) answers in its own words: the error is both")
@pytest.mark.parametrize("body", [b"{nope", b"", b'{"x": NaN}', b"[" * 100_000], ids=["malformed", "empty", "nan", "deep"])
def test_an_api_route_that_catches_value_error_answers_in_its_own_words(server, body: bytes) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(server.url + "/api/careful", content=body, headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["error"]) == (422, "invalid json")


def test_the_error_a_handler_catches_reads_as_json_s_own(server) -> None:  # type: ignore[no-untyped-def]
    response = httpx.post(server.url + "/api/careful", content=b"", headers={"content-type": "application/json"})
    assert response.json()["why"] == "Expecting value: line 1 column 1 (char 0)"


def test_an_action_that_catches_json_decode_error_answers_in_its_own_words(server) -> None:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=server.url) as client:
        client.get("/")
        response = client.post("/api/__actions/index/careful", content=b'{"a": 1,}',
                               headers={"content-type": "application/json", "x-csrf-token": client.cookies["pyxle-csrf"]})
    assert (response.status_code, response.json()) == (400, {"ok": False, "error": "Send JSON (Expecting property name enclosed in double quotes at 8)."})
