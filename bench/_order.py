"""The pydantic model every contender of validation_bench.py validates."""

from pydantic import BaseModel, Field


class Item(BaseModel):
    sku: str
    qty: int = Field(ge=1)
    price: float = Field(ge=0)  # a float: typed input is checked for infinities and NaN, which cost a walk


class Order(BaseModel):
    title: str = Field(min_length=1)
    items: list[Item] = []
