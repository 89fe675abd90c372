"""Typed API handlers against a real `pyxle serve`: parameters and bodies validated, 422 with fields."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.conftest import Server, serving, write_project
from tests.docs._blocks import cites

MODELS = """
    from typing import Annotated
    from typing_extensions import TypedDict  # pydantic needs it on Python < 3.12
    from dataclasses import dataclass
    from pydantic import BaseModel, ConfigDict, Field

    class Item(BaseModel):
        sku: str
        qty: int = Field(ge=1)

    class Order(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str = Field(min_length=1)
        items: list[Item] = []
        note: object = None

    class Point(TypedDict):
        x: int
        y: int

    @dataclass
    class Size:
        w: float
        h: float
    """

ROUTES = {
    "models.py": MODELS,
    "pages/api/items/[id].py": """
        from typing import Annotated
        from pydantic import Field
        from pyxle.validation import Header

        async def get(request, id: int, verbose: bool = False, tags: list[str] = [],
                      limit: Annotated[int, Field(ge=1, le=100)] = 10):
            return {"id": id, "verbose": verbose, "tags": tags, "limit": limit}

        async def delete(request, id: int, x_token: Annotated[str, Header()]):
            return {"deleted": id, "token": x_token}
        """,
    "pages/api/orders.py": """
        from models import Order

        async def post(request, order: Order) -> Order:
            return order
        """,
    "pages/api/points.py": """
        from models import Point, Size

        def post(request, body: Point):
            return {"sum": body["x"] + body["y"]}

        async def put(request, body: Size):
            return {"area": body.w * body.h}
        """,
    "pages/api/listing.py": """
        from models import Item

        async def get(request) -> list[Item]:
            return [Item(sku="a", qty=1), {"sku": "b", "qty": 2}]
        """,
    "pages/api/maybe.py": """
        from typing import Optional
        from models import Item

        async def post(request, body: Optional[Item] = None):
            return {"body": None if body is None else body.sku}
        """,
    "pages/api/plain.py": "async def get(request): return {'params': dict(request.query_params)}\n",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with serving(write_project(tmp_path_factory.mktemp("typed"), ROUTES, None)) as server:
        yield server


def test_a_path_parameter_is_converted_to_its_annotated_type(server: Server) -> None:
    response = httpx.get(server.url + "/api/items/42")
    assert response.status_code == 200
    assert response.json() == {"id": 42, "verbose": False, "tags": [], "limit": 10}


def test_query_parameters_take_types_lists_and_defaults(server: Server) -> None:
    response = httpx.get(server.url + "/api/items/7?verbose=true&tags=a&tags=b&limit=5")
    assert response.json() == {"id": 7, "verbose": True, "tags": ["a", "b"], "limit": 5}


def test_a_path_parameter_of_the_wrong_type_is_a_422_naming_it(server: Server) -> None:
    response = httpx.get(server.url + "/api/items/abc")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "Validation failed"
    assert list(body["fields"]) == ["id"]
    assert "integer" in body["fields"]["id"][0]


def test_a_query_constraint_from_annotated_is_enforced(server: Server) -> None:
    response = httpx.get(server.url + "/api/items/1?limit=1000&verbose=maybe")
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"limit", "verbose"}


def test_a_header_is_read_only_when_asked_for_and_required_when_it_has_no_default(server: Server) -> None:
    missing = httpx.delete(server.url + "/api/items/3")
    assert missing.status_code == 422
    assert missing.json()["fields"] == {"x-token": ["Field required"]}
    given = httpx.delete(server.url + "/api/items/3", headers={"x-token": "t0k"})
    assert given.json() == {"deleted": 3, "token": "t0k"}


def test_a_model_body_is_validated_and_a_model_return_is_json(server: Server) -> None:
    order = {"title": "Books", "items": [{"sku": "b1", "qty": 2}]}
    response = httpx.post(server.url + "/api/orders", json=order)
    assert response.status_code == 200
    assert response.json() == {**order, "note": None}


def test_nested_errors_are_keyed_by_dotted_paths(server: Server) -> None:
    response = httpx.post(server.url + "/api/orders", json={"items": [{"sku": "a", "qty": 0}, {"qty": "x"}]})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"title", "items.0.qty", "items.1.sku", "items.1.qty"}
    assert all(isinstance(m, list) and all(isinstance(s, str) for s in m) for m in fields.values())


def test_extra_fields_are_refused_when_the_model_forbids_them(server: Server) -> None:
    response = httpx.post(server.url + "/api/orders", json={"title": "t", "surprise": 1})
    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["surprise"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"title": "t", "items": [{"sku": "a", "qty": ' + b"9" * 5000 + b"}]}", "application/json"),
        (b'{"title": "t", "items": [{"sku": "a", "qty": 1e999}]}', "application/json"),
        (b'{"title": "\xff\xfe"}', "application/json"),
        (b'{"title": "t", "note": ' + b"[" * 100 + b"]" * 100 + b"}", "application/json"),
        (b'{"title": "t", "note": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
        (b'{"title": ', "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b"null", "application/json"),
    ],
    ids=["huge-int", "huge-float", "invalid-utf8", "deep-100", "deep-5000", "truncated", "empty", "array", "null"],
)
def test_bad_bodies_of_every_kind_are_a_422_with_fields_never_a_500(server: Server, body: bytes,
                                                                    content_type: str) -> None:
    response = httpx.post(server.url + "/api/orders", content=body, headers={"content-type": content_type})
    assert response.status_code == 422, response.text
    payload = response.json()
    assert payload["error"] == "Validation failed"
    assert payload["fields"] and all(isinstance(v, list) for v in payload["fields"].values())
    assert "Traceback" not in response.text


@cites("docs/validation.md", "An API route's typed body is read as JSON when the request's `Content-Type` is "
       "`application/json`\n(or `application/*+json`) or missing")
@cites("docs/validation.md", "a\nbody sent as `text/plain` is a 422 with `\"Content-Type text/plain is not JSON or a form; send\n"
       "application/json\"` under `\"__root__\"`")
def test_a_typed_body_is_read_as_json_only_from_json_or_no_content_type(server: Server) -> None:
    """text/plain is what another site may post without a preflight: it was read as JSON, and the
    route (not CSRF-checked unless it opts in) ran with it."""
    order = b'{"title": "cross-site"}'
    for kind in ("text/plain", "text/plain;charset=UTF-8", "application/octet-stream"):
        refused = httpx.post(server.url + "/api/orders", content=order,
                             headers={"content-type": kind, "origin": "http://evil.example"})
        assert refused.status_code == 422, (kind, refused.text)
        short = kind.partition(";")[0]
        assert refused.json()["fields"] == {
            "__root__": [f"Content-Type {short} is not JSON or a form; send application/json"]}
    for headers in ({"content-type": "application/json"}, {"content-type": "application/merge-patch+json"}, {}):
        accepted = httpx.post(server.url + "/api/orders", content=order, headers=headers)
        assert accepted.status_code == 200 and accepted.json()["title"] == "cross-site", (headers, accepted.text)


def test_json_nested_deeper_than_the_limit_is_refused_by_name(server: Server) -> None:
    body = b'{"title": "t", "note": ' + b"[" * 40 + b"]" * 40 + b"}"
    response = httpx.post(server.url + "/api/orders", content=body, headers={"content-type": "application/json"})
    assert response.json()["fields"] == {"__root__": ["JSON nested deeper than 32 levels"]}


def test_a_typeddict_body_and_a_dataclass_body_are_validated(server: Server) -> None:
    assert httpx.post(server.url + "/api/points", json={"x": 1, "y": "2"}).json() == {"sum": 3}
    bad = httpx.post(server.url + "/api/points", json={"x": 1})
    assert bad.status_code == 422 and list(bad.json()["fields"]) == ["y"]
    assert httpx.put(server.url + "/api/points", json={"w": 2, "h": 1.5}).json() == {"area": 3.0}
    assert httpx.put(server.url + "/api/points", json={"w": "wide", "h": 1}).json()["fields"].keys() == {"w"}


@pytest.mark.parametrize("send", [
    lambda url: httpx.put(url, content=b'{"w": "wide", "h": NaN, "zz": Infinity}', headers={"content-type": "application/json"}),
    lambda url: httpx.put(url, content=b'{"w": "wide", "h": 1e999}', headers={"content-type": "application/json"}),
    lambda url: httpx.put(url, data={"w": "wide", "h": "inf", "zz": "nan"}),
    lambda url: httpx.put(url, json={"w": "wide", "h": "inf", "zz": "nan"}),
    lambda url: httpx.put(url, json={"w": "wide", "h": "-Infinity"}),
    lambda url: httpx.put(url, json={"w": "wide", "h": "nan"}),
], ids=["json-nan", "json-1e999", "form-inf", "json-string-inf", "json-string-minus-infinity", "json-string-nan"])
@cites("docs/validation.md", "named beside the other fields that failed in the same body")
def test_a_float_that_is_not_finite_is_named_beside_another_fields_error(server: Server, send) -> None:
    """pydantic stops at the field that fails; the finite check ran on a validated value only, so
    the other field went unnamed until the first was fixed. An ignored extra key is not named."""
    response = send(server.url + "/api/points")
    assert response.status_code == 422, response.text
    fields = response.json()["fields"]
    assert set(fields) == {"w", "h"}, fields
    assert fields["h"] == ["Input should be a finite number"]


def test_a_form_body_is_validated_like_json(server: Server) -> None:
    response = httpx.post(server.url + "/api/points", data={"x": "4", "y": "5"})
    assert response.json() == {"sum": 9}


@cites("docs/validation.md", "a byte that is not UTF-8 in a form field is read as Latin-1 (`caf\\xe9`\nis `café`)")
@cites("docs/validation.md", "a URL-encoded escape that is not UTF-8 becomes `�` (`caf%E9` is `caf�`, what a\n"
                             "form with `accept-charset=\"ISO-8859-1\"` sends; browsers send UTF-8 otherwise), never an error")
def test_a_form_field_that_is_not_utf8_is_read_as_latin1_as_starlette_reads_it(server: Server) -> None:
    response = httpx.post(server.url + "/api/orders", content=b"title=caf\xe9",
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and response.json()["title"] == "café", response.text
    escaped = httpx.post(server.url + "/api/orders", content=b"title=caf%E9",
                         headers={"content-type": "application/x-www-form-urlencoded"})
    assert escaped.status_code == 200 and escaped.json()["title"] == "caf\ufffd", escaped.text


def test_a_list_of_models_returned_is_serialised_by_the_return_annotation(server: Server) -> None:
    assert httpx.get(server.url + "/api/listing").json() == [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}]


def test_an_unannotated_handler_sees_the_query_string_as_before(server: Server) -> None:
    assert httpx.get(server.url + "/api/plain?a=1&b=x").json() == {"params": {"a": "1", "b": "x"}}


def test_a_huge_invalid_body_is_a_quick_422_and_the_server_answers_meanwhile(server: Server) -> None:
    """10 MiB of ``{}`` items: pydantic built 6.8 million errors, the loop blocked 20-30 s."""
    body = b'{"title": "x", "items": [' + b",".join([b"{}"] * 3_400_000) + b"]}"
    answers: dict[str, tuple[int, float, dict]] = {}

    def send_big() -> None:
        started = time.monotonic()
        response = httpx.post(server.url + "/api/orders", content=body, timeout=60,
                              headers={"content-type": "application/json"})
        answers["big"] = (response.status_code, time.monotonic() - started, response.json())

    sender = threading.Thread(target=send_big)
    sender.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert httpx.get(server.url + "/api/plain", timeout=30).status_code == 200
    assert time.monotonic() - started < 5
    sender.join(60)
    status, took, payload = answers["big"]
    assert (status, payload["fields"]) == (422, {"items.0.sku": ["Field required"], "items.0.qty": ["Field required"]})
    assert took < 5


@cites('docs/validation.md', 'A 422 lists the first 100 errors; when there are more, `"__root__"` says so (`"Only the first 100\nof 150 errors are listed"`)')
def test_a_422_lists_the_first_hundred_errors_and_counts_the_rest(server: Server) -> None:
    response = httpx.post(server.url + "/api/orders", json={"title": "x", "items": [{"sku": "a", "qty": 0}] * 150})
    fields = response.json()["fields"]
    assert (response.status_code, len(fields)) == (422, 101)
    assert fields["items.99.qty"] == ["Input should be greater than or equal to 1"] and "items.100.qty" not in fields
    assert fields["__root__"] == ["Only the first 100 of 150 errors are listed"]


@cites('docs/validation.md', 'A body with a default (`order: Order | None = None`, in an API route or an action) is optional: a\nrequest without one (empty, `Content-Length: 0`) gets the default')
def test_an_optional_body_left_out_is_its_default(server: Server) -> None:
    """FastAPI passes None; Pyxle answered 422 "Request body is empty" while OpenAPI said not required."""
    url = server.url + "/api/maybe"
    for headers in ({}, {"content-type": "application/json"}, {"content-type": "application/x-www-form-urlencoded"}):
        response = httpx.post(url, headers=headers)
        assert (response.status_code, response.json()) == (200, {"body": None}), headers
    assert httpx.post(url, json={"sku": "a", "qty": 1}).json() == {"body": "a"}
    assert httpx.post(url, json={"sku": "a"}).status_code == 422


def test_a_large_valid_body_is_read_whole(server: Server) -> None:
    """Past 64 KiB the body is validated failing fast; valid, it arrives as a plain read gives it."""
    items = [{"sku": f"s{i}", "qty": i + 1} for i in range(5000)]
    response = httpx.post(server.url + "/api/orders", json={"title": "big", "items": items}, timeout=30)
    assert (response.status_code, response.json()["items"][-1]) == (200, {"sku": "s4999", "qty": 5000})
    bad = httpx.post(server.url + "/api/orders", json={"title": "big", "items": [*items, {"sku": "x", "qty": 0}]})
    assert bad.json()["fields"] == {"items.5000.qty": ["Input should be greater than or equal to 1"]}
