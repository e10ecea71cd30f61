"""Split orders' demo data in the local stack: three suppliers, two shipping physical goods and one
selling virtual goods, so one cart can be split three ways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.contribution import SeedClient
from chalicelib.core.money import money_of


def _cny(fen: int) -> dict[str, Any]:
    return money_of(fen, "CNY")


DEMO_SUPPLIERS: tuple[dict[str, Any], ...] = (
    {"supplier_id": "s_demo_shoes", "name": "Demo shoe house", "shipping_fee": _cny(1000), "products": (
        {"product_id": "p_runner", "name": "Runner", "price": _cny(39900), "stock": 50, "kind": "physical",
         "category": "shoes", "attributes": {"size": ["40", "41", "42", "43"], "colour": ["black", "white"]}},)},
    {"supplier_id": "s_demo_books", "name": "Demo book barn", "shipping_fee": _cny(600), "products": (
        {"product_id": "p_novel", "name": "Three-Body Problem", "price": _cny(4500), "stock": 100, "kind": "physical",
         "category": "books"},)},
    {"supplier_id": "s_demo_cards", "name": "Demo gift cards", "shipping_fee": _cny(0), "products": (
        {"product_id": "p_gift_100", "name": "Gift card 100 CNY", "price": _cny(10000), "stock": 1000,
         "kind": "virtual", "category": "gift_cards"},)},
)


def seed(client: SeedClient) -> Iterator[str]:
    for demo in DEMO_SUPPLIERS:
        supplier_id = demo["supplier_id"]
        client.call("POST", "/suppliers", {"supplier_id": supplier_id, "name": demo["name"], "currency": "CNY",
                                           "shipping_fee": demo["shipping_fee"]})
        for product in demo["products"]:
            fields = {k: v for k, v in product.items() if k != "product_id"}
            client.call("PUT", f"/suppliers/{supplier_id}/products/{product['product_id']}", fields)
    yield "demo suppliers    s_demo_shoes, s_demo_books (physical), s_demo_cards (virtual)"
