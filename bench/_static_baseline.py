"""Baseline for static files: Starlette's StaticFiles alone, mounted at /, for the same folder."""

import os

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

app = Starlette(routes=[Mount("/", StaticFiles(directory=os.environ["BENCH_PUBLIC_DIR"]))])
