"""The FastAPI contender of validation_bench.py: the same model and handler as the Pyxle route."""

from fastapi import FastAPI

from bench._order import Order

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/api/orders")
async def create(order: Order) -> dict:
    return {"title": order.title, "items": len(order.items)}
