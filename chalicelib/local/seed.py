"""The demo data the local stack starts with — a merchant with products, and an installation area
with two installers in Shanghai — created through the app's own routes (so the same validation
applies as for anything an ops user creates, and an installer app reports each location)."""

from __future__ import annotations

from collections.abc import Callable
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

DEMO_AREA_ID = "area_demo"
DEMO_INSTALLERS: tuple[dict[str, Any], ...] = (
    {"installer_id": "i_demo_1", "name": "Wang Lei", "phone": "+86 138 0000 0001", "location": (31.2304, 121.4737)},
    {"installer_id": "i_demo_2", "name": "Li Na", "phone": "+86 138 0000 0002", "location": (31.2196, 121.4754)},
)
"""People's Square and Xintiandi: about 1.2 km apart."""


DEMO_SUPPLIERS: tuple[dict[str, Any], ...] = (
    {"supplier_id": "s_demo_shoes", "name": "Demo shoe house", "shipping_fee": 1000, "products": (
        {"product_id": "p_runner", "name": "Runner", "price": 39900, "stock": 50, "kind": "physical",
         "category": "shoes", "attributes": {"size": ["40", "41", "42", "43"], "colour": ["black", "white"]}},)},
    {"supplier_id": "s_demo_books", "name": "Demo book barn", "shipping_fee": 600, "products": (
        {"product_id": "p_novel", "name": "Three-Body Problem", "price": 4500, "stock": 100, "kind": "physical",
         "category": "books"},)},
    {"supplier_id": "s_demo_cards", "name": "Demo gift cards", "shipping_fee": 0, "products": (
        {"product_id": "p_gift_100", "name": "Gift card 100 CNY", "price": 10000, "stock": 1000, "kind": "virtual",
         "category": "gift_cards"},)},
)
"""Three suppliers for a split order: two ship physical goods, one sells virtual goods."""


class SeedFailed(RuntimeError):
    """The app refused the demo data: the message carries its problem body."""


def seed_demo(runtime: LambdaRuntime, *, answer_window_s: int, dispatch_periods_s: tuple[int, int] = (600, 1200)
              ) -> dict[str, Any]:
    issuer = bootstrap.container().dev_issuer
    if issuer is None:
        raise SeedFailed("the app has no development token issuer (is the stage local?)")

    def auth(role: str, sub: str) -> dict[str, str]:
        return {"authorization": f"Bearer {issuer.issue({'role': role, 'sub': sub})}"}

    ops = auth("ops", "ontime-seed")
    merchant = {"merchant_id": DEMO_MERCHANT_ID, "name": "ontime demo kitchen", "time_zone": "Asia/Shanghai",
                "answer_window_s": answer_window_s}
    created: dict[str, Any] = _expect(201, *call_route(runtime, "POST", "/merchants", body=merchant, headers=ops))
    for product in DEMO_PRODUCTS:
        _expect(201, *call_route(runtime, "POST", f"/merchants/{DEMO_MERCHANT_ID}/products", body=product,
                                 headers=ops))
    seed_installers(runtime, ops, auth, dispatch_periods_s)
    seed_suppliers(runtime, ops)
    return created


def seed_installers(runtime: LambdaRuntime, ops: dict[str, str], auth: Callable[[str, str], dict[str, str]],
                    periods_s: tuple[int, int]) -> None:
    """The demo area (the platform's default deduction) and its installers, each located by their app."""
    remind_s, revoke_s = periods_s
    area = {"area_id": DEMO_AREA_ID, "name": "Shanghai demo", "remind_after_s": remind_s, "revoke_after_s": revoke_s}
    _expect(201, *call_route(runtime, "POST", "/areas", body=area, headers=ops))
    for demo in DEMO_INSTALLERS:
        installer_id, (lat, lng) = demo["installer_id"], demo["location"]
        body = {"installer_id": installer_id, "name": demo["name"], "phone": demo["phone"], "areas": [DEMO_AREA_ID]}
        _expect(201, *call_route(runtime, "POST", "/installers", body=body, headers=ops))
        _expect(200, *call_route(runtime, "PUT", "/installer/location", body={"lat": lat, "lng": lng},
                                 headers=auth("installer", installer_id)))


def seed_suppliers(runtime: LambdaRuntime, ops: dict[str, str]) -> None:
    for demo in DEMO_SUPPLIERS:
        supplier_id = demo["supplier_id"]
        body = {"supplier_id": supplier_id, "name": demo["name"], "currency": "CNY",
                "shipping_fee": demo["shipping_fee"]}
        _expect(201, *call_route(runtime, "POST", "/suppliers", body=body, headers=ops))
        for product in demo["products"]:
            fields = {k: v for k, v in product.items() if k != "product_id"}
            _expect(201, *call_route(runtime, "PUT", f"/suppliers/{supplier_id}/products/{product['product_id']}",
                                     body=fields, headers=ops))


def _expect(wanted: int, status: int, body: Any) -> Any:
    if status != wanted:
        raise SeedFailed(f"seeding got {status}: {body}")
    return body
