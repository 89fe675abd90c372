"""csrf.exemptPaths on a real server: an entry of "/" never turns CSRF off for the whole site
(pyxle-framework 0.9.4 ignored it; here it is ignored with a start-up warning), and entries are
matched in their canonical form ("/api//hooks" is "/api/hooks"), as 0.9.4 matched them."""

from __future__ import annotations

import http.client
import json

import httpx

from tests.conftest import SHARED_SECRET
from tests.docs._blocks import cites

PAGE = """
@action
async def rename(request):
    return {"renamed": True}

export default function Index() {
  return <p>index</p>
}
"""
HOOK = "async def post(request):\n    return {'hooked': True}\n"


@cites("docs/security.md", "An entry of `/` is ignored,\n  with a start-up warning naming the file and the key")
@cites("docs/configuration.md", "| `csrf.exemptPaths` | list of path prefixes starting with `/` (canonical: `/api//hooks/.` "
       "is `/api/hooks`; `/` itself is ignored with a warning, as it would exempt everything)")
def test_an_exempt_root_leaves_csrf_on_and_is_named_at_start_up(make_project, start_server) -> None:
    config = {"csrf": {"exemptPaths": ["/", "/api//hooks/."], "apiRoutes": True}}
    project = make_project({"pages/index.pyxl": PAGE, "pages/api/hooks/in.py": HOOK, "pages/api/other.py": HOOK,
                            "pyxle.config.json": json.dumps(config)}, node=True)
    server = start_server(project, env=SHARED_SECRET)
    refused = httpx.post(server.url + "/api/__actions/index/rename", json={})
    assert refused.status_code == 403, refused.text  # no token: the action does not run
    assert httpx.post(server.url + "/api/other").status_code == 403
    assert httpx.post(server.url + "/api/hooks/in").json() == {"hooked": True}  # "/api//hooks/." is /api/hooks
    out = server.output()
    assert ('pyxle.config.json: csrf.exemptPaths[0] "/" is ignored: it would exempt every path; list the prefixes '
            'to exempt (such as "/api/webhooks"), or "csrf": false to turn CSRF checks off') in out, out


CATCH_ALL = "async def post(request):\n    return {'rest': request.path_params['rest']}\n"


def _raw_post(server, path: str) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    """A cross-site-style POST of ``path`` sent byte for byte (httpx would resolve "." and ".."),
    without a token: its status and JSON body."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", path, body=b"{}", headers={"content-type": "application/json",
                                                             "origin": "https://evil.example"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@cites("docs/security.md", "`exemptPaths` and `apiRoutes` are matched against the request's path in its canonical form too\n"
       "  (`//`, `.` and `..` resolved, after percent-decoding): `/api//hooks/x` is exempt, and\n"
       "  `/api/hooks/../admin/x` is `/api/admin/x`, checked however a catch-all route would answer it.")
def test_exempt_paths_and_api_routes_match_the_requests_canonical_path(make_project, start_server) -> None:
    """The request's path was matched as sent: "/api/hooks/.." in front of any path exempted it (the
    catch-all API route answers it), "/api/./admin/x" escaped apiRoutes, and "/api//hooks/x" was
    checked. Its canonical form is matched, as rateLimit.exemptPaths are."""
    config = {"csrf": {"exemptPaths": ["/api/hooks"], "apiRoutes": ["/api/./admin/"]}}
    project = make_project({"pages/api/[...rest].py": CATCH_ALL, "pyxle.config.json": json.dumps(config)})
    server = start_server(project, env=SHARED_SECRET)
    refused = (403, {"error": "CSRF token missing", "code": "csrf_failed"})
    assert _raw_post(server, "/api/hooks/x") == (200, {"rest": "hooks/x"})
    assert _raw_post(server, "/api/admin/x") == refused
    for path in ("/api/hooks/../admin/x", "/api/hooks%2f..%2fadmin/x", "/api/hooks/%2e%2e/admin/x",
                 "/api/./admin/x", "/api//admin/x", "/api/other/../admin/x", "/api/hooks/./../admin/x"):
        assert _raw_post(server, path) == refused, path
    for path in ("/api//hooks/x", "/api/./hooks/x", "/api/other/../hooks/x", "/api/hooks//x"):
        status, body = _raw_post(server, path)
        assert status == 200 and "rest" in body, (path, status, body)
