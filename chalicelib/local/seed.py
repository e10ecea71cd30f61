"""The demo merchant the local stack starts with, created through the app's own routes (so the
same validation applies as for any merchant an ops user creates)."""

from __future__ import annotations

from typing import Any

from chalicelib import bootstrap
from chalicelib.local.lambdas import LambdaRuntime
from chalicelib.local.rest import call_route

DEMO_MERCHANT_ID = "m_demo"
DEMO_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"product_id": "p_noodles", "name": "Beef noodle soup", "price": 2800, "stock": 500},
    {"product_id": "p_dumplings", "name": "Pork dumplings (12)", "price": 2200, "stock": 500},
    {"product_id": "p_buns", "name": "Steamed buns (4)", "price": 1200, "stock": 500},
    {"product_id": "p_tea", "name": "Jasmine tea", "price": 600, "stock": 1000},
)


class SeedFailed(RuntimeError):
    """The app refused the demo data: the message carries its problem body."""


def seed_demo(runtime: LambdaRuntime, *, answer_window_s: int) -> dict[str, Any]:
    issuer = bootstrap.container().dev_issuer
    if issuer is None:
        raise SeedFailed("the app has no development token issuer (is the stage local?)")
    auth = {"authorization": f"Bearer {issuer.issue({'role': 'ops', 'sub': 'ontime-seed'})}"}
    merchant = {"merchant_id": DEMO_MERCHANT_ID, "name": "ontime demo kitchen", "time_zone": "Asia/Shanghai",
                "answer_window_s": answer_window_s}
    created: dict[str, Any] = _expect(201, *call_route(runtime, "POST", "/merchants", body=merchant, headers=auth))
    for product in DEMO_PRODUCTS:
        _expect(201, *call_route(runtime, "POST", f"/merchants/{DEMO_MERCHANT_ID}/products", body=product,
                                 headers=auth))
    return created


def _expect(wanted: int, status: int, body: Any) -> Any:
    if status != wanted:
        raise SeedFailed(f"seeding got {status}: {body}")
    return body
