"""Group-buy vouchers through the app (workflow 04): a shop `m1` in Shanghai opened through
`POST /merchants`, its group-buy settings, a deal, a customer who buys and pays through the sandbox,
and the levers a functional test pulls — the clock (set to spec 04's morning of 24 March), the
alarms (delivered when due, as SQS would), the sweeper, the terminals."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from chalice.test import Client

from chalicelib.payments.port import PaymentOutcome
from chalicelib.waitstate.model import AlarmMessage
from devstack.sandbox.provider import SandboxProvider, SignedCallback
from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.levers import AppLevers

SHOP = "m1"
OTHER_SHOP = "m2"
ZONE = ZoneInfo("Asia/Shanghai")
TABLES = ("group_orders", "vouchers", "voucher_codes", "bookings", "slot_counts", "shop_queues")
DEAL = {"title": "Noodles for two", "price": cny(4900), "valid_until": "2026-04-30T16:00:00Z"}


def local_ms(text: str) -> int:
    """Epoch ms of a wall-clock time in the shop's zone, `2026-03-24T09:00`."""
    return int(datetime.fromisoformat(text).replace(tzinfo=ZONE).timestamp() * 1000)


MORNING = local_ms("2026-03-24T09:00")
"""Spec 04's example: a purchase on the morning of 24 March (Shanghai)."""


class GroupBuy(AppLevers):
    tables = TABLES

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.staff = self.party("merchant", "staff-1", merchant_id=SHOP)
        self.other_staff = self.party("merchant", "staff-2", merchant_id=OTHER_SHOP)
        self.customer = self.party("customer", "u1")
        self.other_customer = self.party("customer", "u2")

    # ── set-up ──────────────────────────────────────────────────────────────────────────────

    def open(self, **settings: Any) -> None:
        """The clock on the morning of 24 March; shops m1 and m2 in Shanghai; m1's settings."""
        self.world.clock.set(MORNING)
        for merchant_id in (SHOP, OTHER_SHOP):
            created = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": f"Noodles {merchant_id}",
                                                   "time_zone": "Asia/Shanghai", "currency": "CNY"})
            assert created.status == 201, created.body
        if settings:
            self.settings(**settings)

    def settings(self, **fields: Any) -> dict[str, Any]:
        put = self.staff.put(f"/shops/{SHOP}/group-buy-settings", fields)
        assert put.status in (200, 201), put.body
        return dict(put.body)

    def deal(self, shop_id: str = SHOP, **fields: Any) -> dict[str, Any]:
        created = self.ops.post("/deals", {**DEAL, "shop_id": shop_id, **fields})
        assert created.status == 201, created.body
        return dict(created.body)

    # ── buying ──────────────────────────────────────────────────────────────────────────────

    def buy(self, deal: dict[str, Any], quantity: int = 1, *, by: Api | None = None) -> dict[str, Any]:
        created = (by or self.customer).post("/group-buy/orders", {"deal_id": deal["deal_id"], "quantity": quantity})
        assert created.status == 201, created.body
        return dict(created.body)

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.world.container.payments
        assert isinstance(provider, SandboxProvider)
        return provider

    def deliver_callback(self, callback: SignedCallback) -> Reply:
        """The provider's POST, through the app (no bearer token: the signature is the proof)."""
        return Api(self.client, None).post("/payments/callback", raw=callback.body, headers=callback.headers)

    def pay(self, order: dict[str, Any], outcome: PaymentOutcome = PaymentOutcome.SUCCEEDED) -> Reply:
        return self.deliver_callback(self.sandbox.pay(order["payment"]["payment_id"], outcome))

    def order(self, order_id: str, *, by: Api | None = None) -> dict[str, Any]:
        got = (by or self.customer).get(f"/group-buy/orders/{order_id}")
        assert got.status == 200, got.body
        return dict(got.body)

    def vouchers_bought(self, deal: dict[str, Any], quantity: int = 1, *, by: Api | None = None) -> list[str]:
        """Buy and pay: the vouchers' ids."""
        order = self.buy(deal, quantity, by=by)
        paid = self.pay(order)
        assert paid.status == 200 and paid.body["status"] == "processed", paid.body
        return list(self.order(order["order_id"], by=by)["voucher_ids"])

    def voucher(self, voucher_id: str, *, by: Api | None = None) -> dict[str, Any]:
        got = (by or self.customer).get(f"/vouchers/{voucher_id}")
        assert got.status == 200, got.body
        return dict(got.body)

    def slots(self, voucher_id: str, *, by: Api | None = None) -> list[dict[str, Any]]:
        got = (by or self.customer).get(f"/vouchers/{voucher_id}/slots")
        assert got.status == 200, got.body
        return list(got.body["slots"])

    def book(self, voucher_id: str, *slot_ids: str, by: Api | None = None) -> Reply:
        return (by or self.customer).post(f"/vouchers/{voucher_id}/bookings", {"slot_ids": list(slot_ids)})

    def booked(self, voucher_id: str, slot_id: str) -> dict[str, Any]:
        made = self.book(voucher_id, slot_id)
        assert made.status == 200 and not made.body["refused"], made.body
        [booking] = made.body["bookings"]
        return dict(booking)

    def cancel(self, voucher_id: str, booking_id: str, *, by: Api | None = None) -> Reply:
        return (by or self.customer).post(f"/vouchers/{voucher_id}/bookings/{booking_id}/cancel")

    def booking(self, voucher_id: str, booking_id: str) -> dict[str, Any]:
        [found] = [b for b in self.voucher(voucher_id)["bookings"] if b["booking_id"] == booking_id]
        return dict(found)

    # ── the shop ────────────────────────────────────────────────────────────────────────────

    def report_queue(self, waiting: int) -> dict[str, Any]:
        put = self.staff.put("/merchant/queue", {"waiting": waiting})
        assert put.status == 200, put.body
        return dict(put.body)

    def redeem(self, code: str, *, by: Api | None = None) -> Reply:
        return (by or self.staff).post("/merchant/vouchers/redeem", {"code": code})

    # ── time ────────────────────────────────────────────────────────────────────────────────

    def at(self, ms: int) -> list[AlarmMessage]:
        """The clock moves to `ms` and what is due fires: the sweeper hands over the alarms come
        into range, and the queue delivers the triggers due by then (the others stay queued).
        The messages delivered, to deliver again as a duplicating queue would."""
        self.world.clock.set(ms)
        self.sweep()
        delivered = self.due()
        self.deliver(delivered)
        return delivered

    def due(self) -> list[AlarmMessage]:
        """The queued triggers due now (taken off the queue); later ones stay, as SQS's delay keeps them."""
        now = self.world.clock.now_ms()
        taken = self.queued()
        later = [m for m in taken if m.wake_at > now]
        for message in later:
            self.world.alarms.send(message, (message.wake_at - now) // 1000)
        return [m for m in taken if m.wake_at <= now]
