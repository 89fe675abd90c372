"""A loader that forgets its `return` renders the page with no data (`{}`), as before; under
`pyxle dev` the log says so once per loader, naming its file and line. Before, nothing was said:
the page showed `x=` and the developer had no lead.

pyxle-framework 0.9.4 refused such a loader ("must return a mapping", a 500); Pyxle keeps it
rendering (a guard that returns a redirect and otherwise falls through returns None too)."""

from __future__ import annotations

import httpx

from tests.docs._blocks import cites

LAYOUT = '''@server
async def load(request):
    request.state.seen = True

export default function Layout({ children }) { return <div>{children}</div> }
'''
PAGE = '''@server
async def load(request):
    x = {"x": 1}

export default function Notes({ data }) { return <p>x={data.x}</p> }
'''
WARNING = ("pages/notes/index.pyxl:2: load() returned None, so the page renders with no data: did you forget a "
           "`return`?")


@cites("docs/pages.md", "under\n  `pyxle dev` the log says\n  `pages/notes.pyxl:2: load() returned None, so the page renders with no data")
def test_dev_warns_once_per_loader_that_returns_none(make_project, start_server) -> None:
    project = make_project({"pages/notes/layout.pyxl": LAYOUT, "pages/notes/index.pyxl": PAGE}, node=True)
    server = start_server(project, "dev", "--ssr-workers", "1")
    for _ in range(3):
        answer = httpx.get(server.url + "/notes", timeout=20)
        assert answer.status_code == 200 and "x=" in answer.text
    out = server.wait_for_output(WARNING)
    assert out.count(WARNING) == 1, out
    assert out.count("pages/notes/layout.pyxl:2: load() returned None") == 1, out


def test_serve_renders_a_loader_that_returns_none_without_a_word(make_project, start_server) -> None:
    project = make_project({"pages/notes/index.pyxl": PAGE}, node=True)
    server = start_server(project, "serve", "--ssr-workers", "1")
    answer = httpx.get(server.url + "/notes", timeout=20)
    assert answer.status_code == 200 and '"data":{}' in answer.text
    assert "returned None" not in server.output()
