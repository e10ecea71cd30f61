"""Spec 03 on the running stack: a cart across three suppliers with physical and virtual goods,
paid once on the sandbox's pay page (which calls the platform back with a signed callback); each
supplier console receives only its own order, the customer's terminal gets three records and a
live ETA as the parcel moves. An unpaid order is cancelled by its (short) window, stock back."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.builders import cny
from tests.e2e.client import WAIT_S, Api, Message, Terminal
from tests.e2e.conftest import PAYMENT_WINDOW_S, Parties

pytestmark = pytest.mark.e2e

HOME = {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
DEPOT = {"lat": 31.3024, "lng": 121.4737}  # 8 km north of HOME
HALFWAY = {"lat": 31.2664, "lng": 121.4737}  # 4 km


def pushed(message_type: str, **fields: Any) -> Callable[[Message], bool]:
    return lambda m: m.get("type") == message_type and all(m["data"].get(k) == v for k, v in fields.items())


class Marketplace:
    """Three suppliers of the test's own: shoes (sizes), books, gift cards (virtual)."""

    def __init__(self, parties: Parties) -> None:
        self.parties = parties
        tag = uuid.uuid4().hex[:8]
        self.ids = {"shoes": f"s_shoes_{tag}", "books": f"s_books_{tag}", "cards": f"s_cards_{tag}"}
        self.staff: dict[str, Api] = {}
        catalogue = {
            "shoes": ("p_run", {"name": "Runner", "price": cny(5000), "stock": 10, "kind": "physical",
                                "category": "shoes",
                                "attributes": {"size": ["40", "41", "42"]}}, 1000),
            "books": ("p_novel", {"name": "Novel", "price": cny(3000), "stock": 5, "kind": "physical",
                                  "category": "books"}, 500),
            "cards": ("p_gift", {"name": "Gift card", "price": cny(10000), "stock": 50, "kind": "virtual",
                                 "category": "gift_cards"}, 0),
        }
        for name, (product_id, product, fee) in catalogue.items():
            supplier_id = self.ids[name]
            made = parties.ops.post("/suppliers", {"supplier_id": supplier_id, "name": name.title(), "currency": "CNY",
                                                   "shipping_fee": cny(fee)})
            assert made.status_code == 201, made.text
            staff = parties.api(parties.token(role="supplier", sub=f"clerk-{supplier_id}", supplier_id=supplier_id))
            put = staff.put(f"/suppliers/{supplier_id}/products/{product_id}", product)
            assert put.status_code == 201, put.text
            self.staff[name] = staff

    def sections(self) -> list[dict[str, Any]]:
        return [
            {"supplier_id": self.ids["shoes"], "address": HOME, "items": [
                {"product_id": "p_run", "quantity": 1, "unit_price": cny(5000), "attributes": {"size": "41"}}]},
            {"supplier_id": self.ids["books"], "address": HOME, "items": [
                {"product_id": "p_novel", "quantity": 2, "unit_price": cny(3000)}]},
            {"supplier_id": self.ids["cards"], "items": [
                {"product_id": "p_gift", "quantity": 1, "unit_price": cny(10000)}]},
        ]

    def stock(self, name: str, product_id: str) -> int:
        got = self.staff[name].get(f"/suppliers/{self.ids[name]}/products/{product_id}")
        assert got.status_code == 200, got.text
        return int(got.json()["stock"])


def test_three_suppliers_paid_once_each_console_sees_only_its_order_and_the_customer_a_live_eta(
        parties: Parties) -> None:
    market = Marketplace(parties)
    customer = parties.customer()
    saved = customer.post("/me/addresses", {"label": "Home", "address": HOME, "default": True})
    assert saved.status_code == 201, saved.text
    consoles = {name: parties.terminal(staff) for name, staff in market.staff.items()}
    phone = parties.terminal(customer)

    form = customer.post("/checkout/form", {"items": [
        {"supplier_id": market.ids[n], "product_id": p, "quantity": 1}
        for n, p in (("shoes", "p_run"), ("books", "p_novel"), ("cards", "p_gift"))]})
    assert form.status_code == 200, form.text
    assert [s["needs_address"] for s in form.json()["sections"]] == [True, True, False]
    assert form.json()["sections"][0]["address"]["value"]["line1"] == HOME["line1"]

    created = customer.post("/purchases", {"sections": market.sections()})
    assert created.status_code == 201, created.text
    purchase = created.json()
    assert purchase["status"] == "pending_payment" and purchase["total"] == cny(6000 + 6500 + 10000)

    # The sandbox's pay page, then "Pay": the sandbox calls the platform back, signed.
    pay_url = purchase["payment"]["pay_url"]
    page = httpx.get(pay_url, timeout=WAIT_S, trust_env=False)
    assert page.status_code == 200 and "225.00" in page.text
    paid = httpx.post(pay_url, json={"outcome": "succeeded"}, timeout=WAIT_S, trust_env=False)
    assert paid.status_code == 200 and paid.json()["callback_status"] == 200, paid.text

    orders: dict[str, dict[str, Any]] = {}
    for name, console in consoles.items():
        orders[name] = console.wait_for(pushed("supplier_order.created", supplier_id=market.ids[name]))["data"]
    records = [phone.wait_for(pushed("record.created"))["data"] for _ in range(3)]
    assert sorted(r["supplier"]["supplier_id"] for r in records) == sorted(market.ids.values())
    for name, console in consoles.items():
        console.drain(0.3)
        created_here = [m for m in console.received if m["type"] == "supplier_order.created"]
        assert [m["data"]["supplier_id"] for m in created_here] == [market.ids[name]], "only its own order"
    gift = next(r for r in records if r["supplier"]["supplier_id"] == market.ids["cards"])
    assert gift["sub_orders"][0]["status"] == "fulfilled" and gift["sub_orders"][0]["fulfilment"]["code"]
    panels = customer.get("/purchase-records").json()["items"]
    assert len(panels) == 3

    # Ship the books with a carrier; each position moves the panel's distance and ETA.
    parcel_id = orders["books"]["sub_orders"][0]["sub_order_id"]
    shipped = market.staff["books"].post(f"/parcels/{parcel_id}/ship",
                                         {"method": "courier", "carrier_id": "carrier-e2e", "position": DEPOT})
    assert shipped.status_code == 200, shipped.text
    first = _tracking(phone.wait_for(pushed("record.updated", sub_order_id=parcel_id)), parcel_id)
    assert first["distance_km"] == 8.0 and first["method"] == "courier"
    carrier = parties.api(parties.token(role="carrier", sub="carrier-e2e"))
    moved = carrier.post(f"/parcels/{parcel_id}/positions", HALFWAY)
    assert moved.status_code == 200, moved.text
    second = _tracking(phone.wait_for(pushed("record.updated", sub_order_id=parcel_id)), parcel_id)
    assert second["distance_km"] == 4.0 and second["eta"] < first["eta"]
    other = market.staff["shoes"].post(f"/parcels/{parcel_id}/positions", HALFWAY)
    assert other.status_code == 404 and other.headers["content-type"] == "application/problem+json"
    done = carrier.post(f"/parcels/{parcel_id}/delivered")
    assert done.status_code == 200 and done.json()["parcel"]["status"] == "delivered"


def test_an_unpaid_order_is_cancelled_by_its_window_and_its_stock_is_back(parties: Parties) -> None:
    market = Marketplace(parties)
    customer = parties.customer()
    phone: Terminal = parties.terminal(customer)
    created = customer.post("/purchases", {"sections": market.sections()[1:2]})
    assert created.status_code == 201, created.text
    purchase_id = created.json()["purchase_id"]
    assert market.stock("books", "p_novel") == 3
    cancelled = phone.wait_for(pushed("purchase.status_changed", purchase_id=purchase_id, status="cancelled"),
                               timeout_s=PAYMENT_WINDOW_S + WAIT_S)
    assert cancelled["data"]["cause"] == "payment_window_elapsed"
    assert market.stock("books", "p_novel") == 5
    # Paying now is too late: the money is kept as a refund to make, not an order.
    late = httpx.post(created.json()["payment"]["pay_url"], json={"outcome": "succeeded"}, timeout=WAIT_S,
                      trust_env=False)
    assert late.status_code == 200 and late.json()["callback_status"] == 200
    seen_by_ops = parties.ops.get(f"/ops/purchases/{purchase_id}").json()
    assert seen_by_ops["status"] == "cancelled" and seen_by_ops["refund"]["reason"] == "paid_after_cancellation"


def _tracking(message: Message, parcel_id: str) -> dict[str, Any]:
    parcel = next(p for p in message["data"]["sub_orders"] if p["sub_order_id"] == parcel_id)
    tracking: dict[str, Any] = parcel["tracking"]
    return tracking
