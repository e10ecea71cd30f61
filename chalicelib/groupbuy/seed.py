"""Group-buy's demo data in the local stack: two deals of the catalogue's demo kitchen (`m_demo`),
on sale from the stack's start, and its settings left at the spec's defaults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.contribution import SeedClient
from chalicelib.core.money import money_of

DEMO_SHOP_ID = "m_demo"
"""The catalogue's demo merchant (`catalogue/seed.py`), which seeds before this package."""
DEMO_DEALS: tuple[dict[str, Any], ...] = (
    {"deal_id": "deal_demo_noodles", "title": "Noodles for two", "price": money_of(4900, "CNY"),
     "original_price": money_of(6800, "CNY"), "valid_until": "2030-12-31T16:00:00Z"},
    {"deal_id": "deal_demo_feast", "title": "Dumpling feast for four", "description": "48 dumplings, 4 teas.",
     "price": money_of(9900, "CNY"), "original_price": money_of(13600, "CNY"), "valid_until": "2030-12-31T16:00:00Z",
     "max_per_order": 4},
)


def seed(client: SeedClient) -> Iterator[str]:
    for deal in DEMO_DEALS:
        client.call("POST", "/deals", {"shop_id": DEMO_SHOP_ID, **deal})
    yield "demo deals        " + ", ".join(d["deal_id"] for d in DEMO_DEALS) + f" at {DEMO_SHOP_ID}"
