"""A function a route file imports is never its handler, whatever its name: against `pyxle serve`."""

from __future__ import annotations

import httpx

from tests.docs._blocks import cites

STORE = """
STORE = {"k": "v"}


def delete(key):
    STORE.pop(key, None)
    return {"deleted": str(key)[:40]}


def fetch(request):
    return {"store": STORE}
"""


@cites("docs/api-routes.md", "with `from httpx import get` or\n`from ._store import delete`, the file serves no GET or DELETE")
def test_a_helper_imported_from_a_private_module_is_not_served_as_a_method(make_project, start_server) -> None:
    project = make_project({
        "pages/api/_store.py": STORE,
        "pages/api/items.py": "from ._store import delete, STORE\n\n\nasync def post(request):\n    return {'store': STORE}\n",
    })
    server = start_server(project, "serve")
    deleted = httpx.delete(server.url + "/api/items")
    assert deleted.status_code == 405, deleted.text
    assert deleted.headers["allow"] == "POST, OPTIONS"
    assert httpx.options(server.url + "/api/items").headers["allow"] == "POST, OPTIONS"
    assert httpx.post(server.url + "/api/items").json() == {"store": {"k": "v"}}


def test_a_0_9_endpoint_route_that_imports_httpx_get_starts_and_serves_its_endpoint(make_project, start_server) -> None:
    project = make_project({
        "pages/api/proxy.py": "from httpx import get\n\n\nasync def endpoint(request):\n    return {'method': request.method}\n",
    })
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/proxy").json() == {"method": "GET"}
    assert httpx.put(server.url + "/api/proxy").json() == {"method": "PUT"}


def test_httpx_get_imported_beside_post_is_not_a_handler_and_no_error_names_httpx(make_project, start_server) -> None:
    project = make_project({
        "pages/api/proxy.py": "from httpx import get\n\n\nasync def post(request):\n    return {'posted': True}\n",
    })
    server = start_server(project, "serve")
    assert httpx.post(server.url + "/api/proxy").json() == {"posted": True}
    assert httpx.get(server.url + "/api/proxy").status_code == 405
    assert "proxy.py:" not in server.output()


@cites("docs/api-routes.md", "A handler is a function the route file defines (or assigns, `get = views.list_users`)")
def test_a_helper_function_assigned_to_a_method_name_is_served(make_project, start_server) -> None:
    project = make_project({
        "pages/api/_store.py": STORE,
        "pages/api/items.py": "from . import _store\nfrom ._store import fetch\n\nget = fetch\ndelete = _store.fetch\n",
    })
    server = start_server(project, "serve")
    assert httpx.get(server.url + "/api/items").json() == {"store": {"k": "v"}}
    assert httpx.delete(server.url + "/api/items").json() == {"store": {"k": "v"}}


def test_a_route_whose_only_method_names_are_imported_says_so_at_start_up(make_project, start_server) -> None:
    project = make_project({"pages/api/_store.py": STORE, "pages/api/items.py": "from ._store import delete\n"})
    server = start_server(project, "serve", ready=False)
    assert server.wait_exit(60) == 1
    output = server.output()
    assert "pages/api/items.py: defines no handler" in output, output
    assert "delete is imported, and only functions the file defines or assigns are handlers" in output
