"""Orders drafted in a video call, through the app: the merchant drafts from the customer's
details at its own price, edits and sends it; the customer pays through the sandbox and both
sides see it paid; an unpaid order expires at its payment window; either side cancels before
payment; the order outlives the call; and nobody else reaches it."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.payments.port import PaymentOutcome
from devstack.sandbox.provider import SandboxProvider
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.calls import COUNTER, PHONE, CallDesk

PRICE = {"amount": 3900, "currency": "CNY"}
WINDOW_MS = 900_000


@pytest.fixture
def desk(world: World, client: Client) -> CallDesk:
    opened = CallDesk(world, client)
    opened.open()
    opened.terminals()
    assert opened.connect("ws-shop-office", opened.other_staff) == 200
    return opened


def draft(desk: CallDesk, call: dict[str, Any], **fields: Any) -> dict[str, Any]:
    made = desk.staff.post(f"/merchant/calls/{call['call_id']}/orders", {"price": PRICE, **fields})
    assert made.status == 201, made.body
    return dict(made.body)


def send(desk: CallDesk, order: dict[str, Any]) -> dict[str, Any]:
    sent = desk.staff.post(f"/merchant/call-orders/{order['order_id']}/send")
    assert sent.status == 200, sent.body
    return dict(sent.body)


def pay(desk: CallDesk, order: dict[str, Any], outcome: PaymentOutcome = PaymentOutcome.SUCCEEDED) -> Reply:
    provider = desk.world.container.payments
    assert isinstance(provider, SandboxProvider)
    callback = provider.pay(order["payment"]["payment_id"], outcome)
    return Api(desk.client, None).post("/payments/callback", raw=callback.body, headers=callback.headers)


def get(desk: CallDesk, order: dict[str, Any], by: Api) -> Reply:
    return by.get(f"/call-orders/{order['order_id']}")


def test_the_merchant_drafts_from_the_details_at_its_own_price_and_the_customer_pays_it(desk: CallDesk) -> None:
    call = desk.connected()
    desk.type(call, {"content": (2, "2 kg Fuji apples"), "price_proposal": (1, "30 yuan"),
                     "address": (1, "12 Nanjing Rd")},
              submit=True)
    order = draft(desk, call)
    assert order["status"] == "draft" and order["payment"] is None
    assert (order["content"], order["address"], order["price"]) == ("2 kg Fuji apples", "12 Nanjing Rd", PRICE)
    assert get(desk, order, desk.customer).status == 404  # a draft is the merchant's until sent
    assert [o["order_id"] for o in desk.get(call, by=desk.staff)["orders"]] == [order["order_id"]]
    assert desk.get(call)["orders"] == []

    edited = desk.staff.patch(f"/merchant/call-orders/{order['order_id']}", {"price": {"amount": 3500,
                                                                                       "currency": "CNY"}})
    assert edited.status == 200 and edited.body["price"]["amount"] == 3500
    sent = send(desk, order)
    assert sent["status"] == "awaiting_payment" and sent["payment"]["pay_url"]
    assert sent["remaining_ms"] == WINDOW_MS
    [created] = desk.data(PHONE, "call_order.created")
    assert created["order_id"] == order["order_id"] and created["price"]["amount"] == 3500
    assert desk.staff.patch(f"/merchant/call-orders/{order['order_id']}", {"content": "3 kg"}).status == 409

    assert pay(desk, sent).body["status"] == "processed"
    assert get(desk, order, desk.customer).body["status"] == "paid"
    for terminal in (PHONE, COUNTER):
        assert [m["status"] for m in desk.data(terminal, "call_order.status_changed")] == ["paid"]
    assert pay(desk, sent).body["status"] == "ignored"  # the provider's retry changes nothing
    assert len(desk.data(PHONE, "call_order.status_changed")) == 1


def test_an_order_is_drafted_only_in_a_connected_call_by_its_merchant(desk: CallDesk) -> None:
    call = desk.ringing()
    assert desk.staff.post(f"/merchant/calls/{call['call_id']}/orders", {"price": PRICE,
                                                                         "content": "x"}).status == 409
    desk.answer(call)
    assert desk.other_staff.post(f"/merchant/calls/{call['call_id']}/orders", {"price": PRICE,
                                                                               "content": "x"}).status == 404
    assert desk.customer.post(f"/merchant/calls/{call['call_id']}/orders", {"price": PRICE,
                                                                            "content": "x"}).status == 403


@pytest.mark.parametrize("body", [
    {"content": "x", "price": {"amount": 0, "currency": "CNY"}},
    {"content": "x", "price": {"amount": -5, "currency": "CNY"}},
    {"content": "x", "price": {"amount": 10_000_001, "currency": "CNY"}},
    {"content": "x", "price": {"amount": 12.5, "currency": "CNY"}},
    {"content": "x", "price": {"amount": 100, "currency": "USD"}},
    {"content": "x", "price": {"amount": 100}},
    {"content": "x"},
    {"price": PRICE},
])
def test_a_bad_order_is_refused_naming_its_fields_and_changes_nothing(desk: CallDesk, body: dict[str, Any]) -> None:
    call = desk.connected()
    before = desk.snapshot(("call_orders",))
    refused = desk.staff.post(f"/merchant/calls/{call['call_id']}/orders", body)
    assert refused.status in (400, 422) and refused.is_problem and refused.error_fields, refused.body
    assert desk.snapshot(("call_orders",)) == before


def test_an_unpaid_order_expires_at_its_payment_window_and_both_sides_are_told(desk: CallDesk) -> None:
    call = desk.connected()
    sent = send(desk, draft(desk, call, content="apples"))
    desk.at(desk.world.clock.now_ms() + WINDOW_MS)
    assert get(desk, sent, desk.customer).body["status"] == "expired"
    for terminal in (PHONE, COUNTER):
        assert [m["status"] for m in desk.data(terminal, "call_order.status_changed")] == ["expired"]


def test_a_payment_after_expiry_is_flagged_for_refund_not_turned_paid(desk: CallDesk) -> None:
    call = desk.connected()
    sent = send(desk, draft(desk, call, content="apples"))
    desk.at(desk.world.clock.now_ms() + WINDOW_MS + 1_000)
    pay(desk, sent)
    after = get(desk, sent, desk.customer).body
    assert after["status"] == "expired" and after["refund"] is not None


@pytest.mark.parametrize("who", ["customer", "staff"])
def test_either_side_cancels_before_payment(desk: CallDesk, who: str) -> None:
    call = desk.connected()
    sent = send(desk, draft(desk, call, content="apples"))
    path = ("/call-orders/{}/cancel" if who == "customer" else "/merchant/call-orders/{}/cancel").format(
        sent["order_id"])
    cancelled = getattr(desk, who).post(path)
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    assert [m["status"] for m in desk.data(PHONE, "call_order.status_changed")] == ["cancelled"]


def test_the_order_outlives_the_call(desk: CallDesk) -> None:
    call = desk.connected()
    order = draft(desk, call, content="apples")
    desk.customer.post(f"/calls/{call['call_id']}/hangup")
    sent = send(desk, order)
    assert pay(desk, sent).body["status"] == "processed"
    assert get(desk, order, desk.staff).body["status"] == "paid"
    listed = desk.customer.get("/call-orders")
    assert [o["order_id"] for o in listed.body["items"]] == [order["order_id"]]


def test_a_call_order_is_seen_only_by_its_parties_and_ops(desk: CallDesk) -> None:
    call = desk.connected()
    sent = send(desk, draft(desk, call, content="apples"))
    assert get(desk, sent, desk.ops).status == 200
    assert get(desk, sent, desk.other_customer).status == 404
    assert get(desk, sent, desk.other_staff).status == 404
    assert desk.other_staff.post(f"/merchant/call-orders/{sent['order_id']}/cancel").status == 404
    assert desk.other_customer.post(f"/call-orders/{sent['order_id']}/cancel").status == 404
    assert desk.data("ws-shop-office", "call_order.created") == []
    assert desk.other_staff.get("/merchant/call-orders").body["items"] == []
