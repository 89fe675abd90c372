"""The floor for the SSR benchmark: bare Starlette answering a fixed HTML document (no loader, no render).

The document is read once from the file named by BENCH_HTML; whatever this serves per second is
the most any Python ASGI stack on this machine could reach, however fast its SSR path.
"""

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

DOCUMENT = Path(os.environ["BENCH_HTML"]).read_bytes()


async def page(request: Request) -> HTMLResponse:
    return HTMLResponse(DOCUMENT)


app = Starlette(routes=[Route("/", page)])
