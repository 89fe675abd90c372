"""`await request.json()` refuses what Python's json module takes though JSON (RFC 8259) has no such
thing: NaN, Infinity and a number too large for a float are a 400, never an echo handler's 500."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import serving, write_project

ECHO_API = '''
async def post(request):
    return {"got": await request.json()}
'''

ECHO_PAGE = '''
@action
async def echo(request):
    return {"got": await request.json()}


export default function Home() {
  return <p>echo</p>
}
'''

NOT_JSON = [b'{"x": NaN}', b'{"x": Infinity}', b"[-Infinity]", b'{"x": 1e999}', b"[-1e999]"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = write_project(tmp_path_factory.mktemp("echo"), {"pages/api/echo.py": ECHO_API, "pages/index.pyxl": ECHO_PAGE},
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
