"""csrf.exemptPaths on a real server: an entry of "/" never turns CSRF off for the whole site
(pyxle-framework 0.9.4 ignored it; here it is ignored with a start-up warning), and entries are
matched in their canonical form ("/api//hooks" is "/api/hooks"), as 0.9.4 matched them."""

from __future__ import annotations

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
