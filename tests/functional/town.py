"""Two of every party, each with resources of its own, for tests of who may see what.

Every party comes in two: side `ann` (whose member calls in a scoping test) and side `bob`
(whose resources are "someone else's"). Resources are built on first use, so a test pays only
for what it reads, and each is recorded with the parties that may see its id: a party's
`markers` are the ids it must never be shown.

* merchants `m-ann`/`m-bob` (staff `staff-ann`/`staff-bob`), each with product `p1` (`shop.py`'s menu);
  an order of `cust-ann` at `m-ann`, one of `cust-bob` at `m-bob`;
* areas `area-ann`/`area-bob`, installers `inst-ann`/`inst-bob` covering one each, and one request
  per customer in that area (so dispatched to that side's installer);
* suppliers `sup-ann`/`sup-bob`, product `p-ann`/`p-bob` each; purchase A of `cust-ann` holds goods
  of both (supplier orders A-1 of `sup-ann`, A-2 of `sup-bob`), purchase B of `cust-bob` only
  `sup-bob`'s (B-1); paid, and each parcel shipped with its side's carrier (`carrier-ann` carries
  A-1's parcel, `carrier-bob` those of A-2 and B-1); an unpaid purchase, a saved address and a
  coupon per side.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from chalice.test import Client

from chalicelib.bootstrap import contributions
from chalicelib.contribution import models_of
from chalicelib.groupbuy.video import VideoStatus
from chalicelib.persistence.tables import short_name
from tests.builders import cny
from tests.conftest import World
from tests.events import ws_message
from tests.functional import crew, market, shop
from tests.functional.api import Api
from tests.functional.levers import AppLevers
from tests.functional.market import Market

SIDES = ("ann", "bob")
ANN, BOB = SIDES
Seer = tuple[str, str]
"""A party: its role and its side."""
T = TypeVar("T")

BOOK = {k: v for k, v in market.PRODUCTS["s_books"][0].items() if k != "product_id"}


def other(side: str) -> str:
    return BOB if side == ANN else ANN


class Town(AppLevers):
    tables = tuple(short_name(model) for model in models_of(contributions()))
    """Every table (a scoping test names the few it snapshots)."""

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self._market = Market(world, client)
        self._built: dict[tuple[str, str], Any] = {}
        self._seen_by: dict[str, frozenset[Seer]] = {}
        for side in SIDES:  # a customer's id is theirs and their merchant's and suppliers', no one else's
            supplier_sides = {ANN, BOB} if side == ANN else {BOB}
            self._record(self.customer_id(side), ("customer", side), ("merchant", side),
                         *(("supplier", s) for s in supplier_sides))

    # ── the parties ─────────────────────────────────────────────────────────────────────────

    @staticmethod
    def customer_id(side: str) -> str:
        return f"cust-{side}"

    def caller(self, role: str, side: str) -> Api:
        """The party of `role` on `side` (ops: the one operator, who has no side)."""
        match role:
            case "ops":
                return self.ops
            case "merchant":
                return self.party("merchant", f"staff-{side}", merchant_id=f"m-{side}")
            case "supplier":
                return self.party("supplier", f"clerk-{side}", supplier_id=f"sup-{side}")
            case "customer":
                return self.party("customer", self.customer_id(side))
        return self.party(role, f"{role if role != 'installer' else 'inst'}-{side}")

    def markers(self, role: str, side: str) -> set[str]:
        """The ids of everything this party may not see (nothing, for ops)."""
        if role == "ops":
            return set()
        return {id_ for id_, seers in self._seen_by.items() if (role, side) not in seers}

    # ── orders ──────────────────────────────────────────────────────────────────────────────

    def merchant(self, side: str) -> str:
        def build() -> str:
            merchant_id = f"m-{side}"
            created = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": f"Noodles {side}",
                                                   "time_zone": "Asia/Shanghai"})
            assert created.status == 201, created.body
            assert self.ops.post(f"/merchants/{merchant_id}/products", shop.MENU[0]).status == 201
            return merchant_id
        return self._once("merchant", side, build)

    def order(self, side: str) -> str:
        def build() -> str:
            body = shop.Shop.order_body(merchant_id=self.merchant(side))
            placed = self.caller("customer", side).post("/orders", body)
            assert placed.status == 201, placed.body
            return self._record(placed.body["order_id"], ("customer", side), ("merchant", side))
        return self._once("order", side, build)

    def returned_order(self, side: str) -> str:
        def build() -> str:
            order_id = self.order(side)
            answer = self.caller("merchant", side).post(f"/merchant/orders/{order_id}/actions",
                                                        {"action": "return", "reason": "one more, please"})
            assert answer.status == 200, answer.body
            return order_id
        return self._once("returned_order", side, build)

    # ── group-buy ───────────────────────────────────────────────────────────────────────────

    def deal(self, side: str) -> str:
        """A deal of `m-ann`/`m-bob`: public, as every deal is (so no party's marker)."""
        def build() -> str:
            created = self.ops.post("/deals", self.deal_body(side))
            assert created.status == 201, created.body
            return str(created.body["deal_id"])
        return self._once("deal", side, build)

    def group_order(self, side: str) -> str:
        """A paid group-buy order of `cust-<side>` for the deal of `m-<side>`: its one voucher issued."""
        def build() -> str:
            created = self.caller("customer", side).post("/group-buy/orders", {"deal_id": self.deal(side)})
            assert created.status == 201, created.body
            paid = self._market.pay(created.body)
            assert paid.status == 200 and paid.body["status"] == "processed", paid.body
            order = self.caller("customer", side).get(f"/group-buy/orders/{created.body['order_id']}").body
            self._record(str(order["voucher_ids"][0]), ("customer", side))
            return self._record(created.body["order_id"], ("customer", side))
        return self._once("group_order", side, build)

    def unpaid_group_order(self, side: str) -> str:
        def build() -> str:
            created = self.caller("customer", side).post("/group-buy/orders", {"deal_id": self.deal(side)})
            assert created.status == 201, created.body
            return self._record(created.body["order_id"], ("customer", side))
        return self._once("unpaid_group_order", side, build)

    def voucher(self, side: str) -> str:
        order = self.caller("customer", side).get(f"/group-buy/orders/{self.group_order(side)}").body
        return str(order["voucher_ids"][0])

    def code(self, side: str) -> str:
        """The voucher's code, for its shop to redeem (which then sees the voucher)."""
        voucher_id = self.voucher(side)
        self._record(voucher_id, ("customer", side), ("merchant", side))
        return str(self.caller("customer", side).get(f"/vouchers/{voucher_id}").body["code"])

    def later_slot(self, side: str) -> str:
        """The last slot the voucher is offered: still bookable whatever the test does first."""
        slots = self.caller("customer", side).get(f"/vouchers/{self.voucher(side)}/slots").body["slots"]
        return str(slots[-1]["slot_id"])

    def booking(self, side: str) -> dict[str, str]:
        def build() -> dict[str, str]:
            voucher_id = self.voucher(side)
            made = self.caller("customer", side).post(f"/vouchers/{voucher_id}/bookings",
                                                      {"slot_ids": [self.later_slot(side)]})
            assert made.status == 200, made.body
            booking_id = str(made.body["bookings"][0]["booking_id"])
            self._record(booking_id, ("customer", side))
            return {"voucher_id": voucher_id, "booking_id": booking_id}
        return self._once("booking", side, build)

    def redeemed_voucher(self, side: str) -> str:
        """A voucher of a second paid order, redeemed by `m-<side>`: now its shop's to see too."""
        def build() -> str:
            created = self.caller("customer", side).post("/group-buy/orders", {"deal_id": self.deal(side)})
            assert created.status == 201, created.body
            assert self._market.pay(created.body).status == 200
            order = self.caller("customer", side).get(f"/group-buy/orders/{created.body['order_id']}").body
            voucher_id = str(order["voucher_ids"][0])
            code = self.caller("customer", side).get(f"/vouchers/{voucher_id}").body["code"]
            used = self.caller("merchant", side).post("/merchant/vouchers/redeem", {"code": code})
            assert used.status == 200, used.body
            self._record(created.body["order_id"], ("customer", side))
            return self._record(voucher_id, ("customer", side), ("merchant", side))
        return self._once("redeemed_voucher", side, build)

    def failed_video(self, side: str) -> dict[str, str]:
        """The redeemed voucher's upload, whose processing failed (the buyer may retry it)."""
        def build() -> dict[str, str]:
            voucher_id = self.redeemed_voucher(side)
            videos = self.world.groupbuy.videos
            [video] = videos.store.for_voucher(voucher_id)
            self.world.put_object(video.source_key, b"\0" * 64, "video/mp4")
            assert videos.store.move(video, frozenset({video.status}), {"status": VideoStatus.FAILED}) is not None
            self._record(video.id, ("customer", side))
            return {"voucher_id": voucher_id, "video_id": video.id}
        return self._once("failed_video", side, build)

    def deal_body(self, side: str) -> dict[str, Any]:
        return {"shop_id": self.merchant(side), "title": f"Noodles for two at {side}",
                "price": {"amount": 4900, "currency": "CNY"}, "valid_until": "2030-12-31T16:00:00Z"}

    # ── installations ───────────────────────────────────────────────────────────────────────

    def area(self, side: str) -> str:
        def build() -> str:
            area_id = f"area-{side}"
            created = self.ops.post("/areas", {"area_id": area_id, "name": side.title()})
            assert created.status == 201, created.body
            return area_id
        return self._once("area", side, build)

    def installer(self, side: str) -> str:
        def build() -> str:
            installer_id = f"inst-{side}"
            hired = self.ops.post("/installers", {"installer_id": installer_id, "name": f"Installer {side}",
                                                  "phone": "+86 138 0000 0000", "areas": [self.area(side)]})
            assert hired.status == 201, hired.body
            located = self.caller("installer", side).put("/installer/location",
                                                         {"lat": crew.NEAR[0], "lng": crew.NEAR[1]})
            assert located.status == 200, located.body
            return installer_id
        return self._once("installer", side, build)

    def spare_installer(self, side: str) -> str:
        """A second installer of the side's area, hired once its request went to the first."""
        def build() -> str:
            self.installation(side)
            installer_id = f"inst-{side}-2"
            hired = self.ops.post("/installers", {"installer_id": installer_id, "name": f"Installer {side} 2",
                                                  "phone": "+86 138 0000 0002", "areas": [self.area(side)]})
            assert hired.status == 201, hired.body
            return installer_id
        return self._once("spare_installer", side, build)

    def installation(self, side: str) -> str:
        def build() -> str:
            self.installer(side)
            body = crew.Crew.request_body(area_id=self.area(side), customer_id=self.customer_id(side))
            created = self.ops.post("/installations", body)
            assert created.status == 201 and created.body["assignment"]["installer"]["installer_id"] == \
                f"inst-{side}", created.body
            return self._record(created.body["installation_id"], ("customer", side), ("installer", side))
        return self._once("installation", side, build)

    def started_installation(self, side: str) -> str:
        def build() -> str:
            installation_id = self.installation(side)
            for action in ("confirm", "start"):
                reply = self.caller("installer", side).post(f"/installer/dispatches/{installation_id}/actions",
                                                            {"action": action})
                assert reply.status == 200, reply.body
            return installation_id
        return self._once("started_installation", side, build)

    # ── split orders ────────────────────────────────────────────────────────────────────────

    def supplier(self, side: str) -> str:
        def build() -> str:
            supplier_id = f"sup-{side}"
            created = self.ops.post("/suppliers", {"supplier_id": supplier_id, "currency": "CNY",
                                                   **market.SUPPLIERS["s_books"]})
            assert created.status == 201, created.body
            put = self.caller("supplier", side).put(f"/suppliers/{supplier_id}/products/{self.product(side)}", BOOK)
            assert put.status == 201, put.body
            return supplier_id
        return self._once("supplier", side, build)

    @staticmethod
    def product(side: str) -> str:
        return f"p-{side}"

    def section(self, side: str) -> dict[str, Any]:
        return {"supplier_id": self.supplier(side), "address": market.HOME,
                "items": [{"product_id": self.product(side), "quantity": 1}]}

    def purchase(self, side: str) -> str:
        """Purchase A (`cust-ann`: goods of both suppliers) or B (`cust-bob`: `sup-bob`'s), paid and shipped."""
        return str(self._purchases()[side]["purchase_id"])

    def record(self, side: str) -> str:
        """A customer's paid record: A-1 for `cust-ann`, B-1 for `cust-bob`."""
        return self._orders_of(side)[0]

    def supplier_order(self, side: str) -> str:
        """A supplier's (and its carrier's) order: A-1 of `sup-ann`, A-2 of `sup-bob` (the same purchase)."""
        self._purchases()
        return f"{self.purchase(ANN)}-{1 if side == ANN else 2}"

    def parcel(self, side: str) -> str:
        """The parcel of `supplier_order(side)`, carried by `carrier-<side>`."""
        return f"{self.supplier_order(side)}-1"

    def unpaid_purchase(self, side: str) -> str:
        def build() -> str:
            created = self.caller("customer", side).post("/purchases", {"sections": [self.section(side)]})
            assert created.status == 201, created.body
            return self._record(created.body["purchase_id"], ("customer", side))
        return self._once("unpaid_purchase", side, build)

    def payment_mismatch(self, side: str) -> str:
        """A payment for the side's unpaid purchase, of another amount: refused and kept for ops."""
        def build() -> str:
            purchase = self.caller("customer", side).get(f"/purchases/{self.unpaid_purchase(side)}").body
            refused = self._market.mismatched(purchase)
            assert refused.status == 422, refused.body
            return self._record(purchase["payment"]["payment_id"], ("customer", side))
        return self._once("payment_mismatch", side, build)

    def address(self, side: str) -> str:
        def build() -> str:
            saved = self.caller("customer", side).post("/me/addresses", {"label": "Home", "address": market.HOME})
            assert saved.status == 201, saved.body
            return self._record(saved.body["address_id"], ("customer", side))
        return self._once("address", side, build)

    def coupon(self, side: str) -> str:
        def build() -> str:
            code = f"{side.upper()}10"
            created = self.ops.post("/coupons", {"code": code, "amount_off": {"amount": 100, "currency": "CNY"}})
            assert created.status == 201, created.body
            return code
        return self._once("coupon", side, build)

    def _orders_of(self, side: str) -> list[str]:
        purchase = self._purchases()[side]
        return [g["record_id"] for g in purchase["groups"]]

    def _purchases(self) -> dict[str, dict[str, Any]]:
        def build() -> dict[str, dict[str, Any]]:
            bought = {}
            for side, sections in ((ANN, [self.section(ANN), self.section(BOB)]), (BOB, [self.section(BOB)])):
                created = self.caller("customer", side).post("/purchases", {"sections": sections})
                assert created.status == 201, created.body
                paid = self._market.pay(created.body)
                assert paid.status == 200 and paid.body["status"] == "processed", paid.body
                bought[side] = created.body
            self._record(bought[ANN]["purchase_id"], ("customer", ANN), ("supplier", ANN), ("supplier", BOB))
            self._record(bought[BOB]["purchase_id"], ("customer", BOB), ("supplier", BOB))
            for side, purchase in bought.items():
                for group in purchase["groups"]:
                    supplier_side = group["supplier_id"].removeprefix("sup-")
                    seers = (("customer", side), ("supplier", supplier_side), ("carrier", supplier_side))
                    self._record(group["record_id"], *seers)
                    for parcel in group["sub_orders"]:
                        self._record(parcel["sub_order_id"], *seers)
                        shipped = self.caller("supplier", supplier_side).post(
                            f"/parcels/{parcel['sub_order_id']}/ship",
                            {"method": "courier", "carrier_id": f"carrier-{supplier_side}"})
                        assert shipped.status == 200, shipped.body
            assert [g["supplier_id"] for g in bought[ANN]["groups"]] == ["sup-ann", "sup-bob"]
            return bought
        return self._once("purchases", "", build)

    # ── video calls ─────────────────────────────────────────────────────────────────────────

    def ringing_call(self, side: str) -> str:
        """`cust-<side>` rings `m-<side>` from a phone of its own (`ws-call-cust-<side>`), while a
        console of `staff-<side>` (`ws-call-merch-<side>`) is connected."""
        def build() -> str:
            merchant_id = self.merchant(side)
            for connection, role in ((f"ws-call-cust-{side}", "customer"), (f"ws-call-merch-{side}", "merchant")):
                assert self.connect(connection, self.caller(role, side)) == 200
            placed = self.caller("customer", side).post("/calls", {"merchant_id": merchant_id,
                                                                   "connection_id": f"ws-call-cust-{side}"})
            assert placed.status == 201, placed.body
            return self._record(placed.body["call_id"], ("customer", side), ("merchant", side))
        return self._once("ringing_call", side, build)

    def connected_call(self, side: str) -> str:
        """A call of `cust-<side>` answered by `staff-<side>` on its own console."""
        def build() -> str:
            call_id = self.ringing_call(side)
            answered = self.caller("merchant", side).post(f"/merchant/calls/{call_id}/answer",
                                                          {"connection_id": f"ws-call-merch-{side}"})
            assert answered.status == 200, answered.body
            return call_id
        return self._once("connected_call", side, build)

    def call_order(self, side: str) -> str:
        """An order `m-<side>` drafted in its connected call (the customer does not see it yet)."""
        def build() -> str:
            drafted = self.caller("merchant", side).post(f"/merchant/calls/{self.connected_call(side)}/orders",
                                                         {"content": "2 kg apples", "price": cny(3900)})
            assert drafted.status == 201, drafted.body
            # the customer's once sent (a route of the matrix sends it): theirs, never the other side's
            return self._record(drafted.body["order_id"], ("customer", side), ("merchant", side))
        return self._once("call_order", side, build)

    def sent_call_order(self, side: str) -> str:
        """The drafted order, sent: now the customer's to pay."""
        def build() -> str:
            order_id = self.call_order(side)
            sent = self.caller("merchant", side).post(f"/merchant/call-orders/{order_id}/send")
            assert sent.status == 200, sent.body
            return order_id
        return self._once("sent_call_order", side, build)

    def list_pending(self, connection_id: str) -> None:
        """What a (re)connected terminal sends over its socket to get its pending work."""
        self.client.lambda_.invoke("message", ws_message(connection_id, json.dumps({"action": "list_pending"})))

    # ── helpers ─────────────────────────────────────────────────────────────────────────────

    def _once(self, kind: str, side: str, build: Callable[[], T]) -> T:
        key = (kind, side)
        if key not in self._built:
            self._built[key] = build()
        built: T = self._built[key]
        return built

    def _record(self, id_: str, *seers: Seer) -> str:
        self._seen_by[id_] = frozenset(seers)
        return id_
