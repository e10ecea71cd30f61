"""The catalogue's demo data in the local stack: one merchant in Shanghai with a small menu."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.contribution import SeedClient
from chalicelib.core.money import money_of


def _cny(fen: int) -> dict[str, Any]:
    return money_of(fen, "CNY")


DEMO_MERCHANT_ID = "m_demo"
DEMO_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"product_id": "p_noodles", "name": "Beef noodle soup", "price": _cny(2800), "stock": 500},
    {"product_id": "p_dumplings", "name": "Pork dumplings (12)", "price": _cny(2200), "stock": 500},
    {"product_id": "p_buns", "name": "Steamed buns (4)", "price": _cny(1200), "stock": 500},
    {"product_id": "p_tea", "name": "Jasmine tea", "price": _cny(600), "stock": 1000},
)


def seed(client: SeedClient) -> Iterator[str]:
    merchant = {"merchant_id": DEMO_MERCHANT_ID, "name": "ontime demo kitchen", "time_zone": "Asia/Shanghai",
                "answer_window_s": client.option("demo_window_s", 120)}
    client.call("POST", "/merchants", merchant)
    for product in DEMO_PRODUCTS:
        client.call("POST", f"/merchants/{DEMO_MERCHANT_ID}/products", product)
    yield (f"demo merchant     {DEMO_MERCHANT_ID} 'ontime demo kitchen' with "
           + ", ".join(p["product_id"] for p in DEMO_PRODUCTS))
