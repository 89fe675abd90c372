"""The control for compression's cost on the server: bare Starlette on granian answering the same
HTML (``BENCH_HTML``), compressed in the handler itself with Pyxle's default levels (brotli 4,
gzip 4) when the client offers it; ``bench/compress_bench.py --control`` runs it beside `pyxle serve`."""

import os
import zlib

import brotli
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

with open(os.environ["BENCH_HTML"], "rb") as file:
    BODY = file.read()


def gzip4(data: bytes) -> bytes:
    compressor = zlib.compressobj(4, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


async def page(request: Request) -> Response:
    offered = request.headers.get("accept-encoding", "")
    headers = {"vary": "Accept-Encoding"}
    if "br" in offered:
        return Response(brotli.compress(BODY, quality=4), media_type="text/html", headers={**headers, "content-encoding": "br"})
    if "gzip" in offered:
        return Response(gzip4(BODY), media_type="text/html", headers={**headers, "content-encoding": "gzip"})
    return Response(BODY, media_type="text/html", headers=headers)


app = Starlette(routes=[Route("/api/bench_constant", page)])
