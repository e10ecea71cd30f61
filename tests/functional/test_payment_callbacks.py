"""The provider's callbacks: only signed ones count; a wrong amount or currency never pays;
duplicates, late and out-of-order callbacks pay exactly once; a payment after the window closed
is flagged for refund; the window cancels unpaid orders and gives their stock back."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from chalicelib.payments.port import PaymentOutcome, ProviderPayment, callback_body
from tests.aws_faults import WRITES, failing_dynamodb, operation_of
from tests.conftest import World
from tests.functional.api import Api
from tests.functional.market import Market


@pytest.fixture
def market(world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    return opened


def _body(purchase: dict, **change: object) -> bytes:  # type: ignore[type-arg]
    fields: dict[str, object] = {"payment_id": purchase["payment"]["payment_id"], "reference": purchase["purchase_id"],
                                 "amount": purchase["total"]["amount"], "currency": purchase["currency"],
                                 "outcome": PaymentOutcome.SUCCEEDED, "at": 0, **change}
    return callback_body(ProviderPayment(**fields), "evt_test")  # type: ignore[arg-type]


def test_a_callback_without_a_valid_signature_is_refused_and_changes_nothing(market: Market) -> None:
    purchase = market.bought()
    before = market.snapshot()
    body = _body(purchase, at=market.world.clock.now_ms())
    for reply in (market.forged(body),
                  market.forged(body, secret=market.secret, at_s=market.world.clock.now_ms() // 1000 - 3600),
                  Api(market.client, None).post("/payments/callback", raw=body)):
        assert reply.status == 401 and reply.is_problem and reply.body["type"].endswith("invalid-signature")
    assert market.stored(purchase["purchase_id"]).status.value == "pending_payment"
    assert market.snapshot() == before


@pytest.mark.parametrize("change", [{"amount": 1}, {"currency": "USD"}])
def test_a_callback_for_another_amount_or_currency_is_refused_and_ops_are_alerted(
        market: Market, change: dict[str, object]) -> None:
    purchase = market.bought()
    assert market.connect("ws-ops", market.ops) == 200
    before = market.snapshot()
    reply = market.forged(_body(purchase, at=market.world.clock.now_ms(), **change), secret=market.secret)
    assert reply.status == 422 and reply.body["type"].endswith("payment-mismatch")
    assert market.snapshot() == before
    (alert,) = market.pushed("ws-ops", "alert.raised")
    assert alert["data"]["kind"] == "payment_mismatch"
    (kept,) = market.ops.get("/ops/payment-mismatches").body["items"]
    assert (kept["reference"], kept["expected"]) == (purchase["purchase_id"], purchase["total"])


def test_a_mismatched_payment_is_kept_for_ops_once_however_often_the_provider_retries(market: Market) -> None:
    purchase = market.bought()
    payment_id = purchase["payment"]["payment_id"]
    assert market.mismatched(purchase).status == 422
    market.world.clock.advance(5)
    again = market.deliver_callback(market.sandbox.redeliver(payment_id))
    assert again.status == 422
    listed = market.ops.get("/ops/payment-mismatches")
    assert listed.status == 200
    (kept,) = listed.body["items"]
    assert kept["payment_id"] == payment_id and kept["outcome"] == "succeeded"
    assert kept["paid"] == {"amount": purchase["total"]["amount"] + 1, "currency": purchase["currency"]}
    assert kept["expected"] == purchase["total"] and kept["deliveries"] == 2
    assert kept["first_received_at"] < kept["last_received_at"]
    assert market.stored(purchase["purchase_id"]).status.value == "pending_payment"
    assert market.customer.get("/ops/payment-mismatches").status == 403


def test_a_duplicated_callback_pays_once_and_fans_out_once(market: Market) -> None:
    purchase = market.paid()
    assert market.connect("ws-s_books", market.supplier("s_books")) == 200
    again = market.deliver_callback(market.sandbox.redeliver(purchase["payment"]["payment_id"]))
    assert again.status == 200 and again.body["purchase_status"] == "paid"
    assert (again.body["status"], again.body["reason"]) == ("ignored", "already_final")
    assert market.pushed("ws-s_books", "supplier_order.created") == []
    assert len(market.records()) == 3
    assert len(market.supplier("s_books").get("/supplier/orders").body["items"]) == 1


def test_a_callback_whose_write_aws_throttled_is_a_503_with_retry_after_and_its_retry_pays_once(
        market: Market) -> None:
    purchase = market.bought()
    callback = market.sandbox.pay(purchase["payment"]["payment_id"], PaymentOutcome.SUCCEEDED)
    with failing_dynamodb(lambda request: operation_of(request) in WRITES):
        busy = market.deliver_callback(callback)
    assert busy.status == 503 and busy.is_problem and busy.body["type"] == "/problems/service-unavailable"
    assert int(busy.headers["Retry-After"]) == busy.body["retry_after_s"] >= 1  # when the provider should retry
    assert market.stored(purchase["purchase_id"]).status.value == "pending_payment"
    retried = market.deliver_callback(market.sandbox.redeliver(purchase["payment"]["payment_id"]))
    assert retried.status == 200 and retried.body["purchase_status"] == "paid", retried.body
    assert len(market.records()) == 3


def test_a_failure_arriving_after_the_success_changes_nothing(market: Market) -> None:
    purchase = market.paid()
    late_failure = market.forged(_body(purchase, outcome=PaymentOutcome.FAILED, at=1), secret=market.secret)
    assert late_failure.status == 200 and late_failure.body["status"] == "ignored"
    assert market.stored(purchase["purchase_id"]).status.value == "paid"


def test_a_declined_payment_keeps_the_order_payable_and_a_later_success_pays_it(market: Market) -> None:
    purchase = market.bought()
    assert market.connect("ws-u1", market.customer) == 200
    declined = market.pay(purchase, PaymentOutcome.FAILED)
    assert declined.status == 200 and declined.body["purchase_status"] == "pending_payment"
    assert len(market.pushed("ws-u1", "purchase.payment_failed")) == 1
    assert market.pay(purchase).body["purchase_status"] == "paid"


def test_unpaid_orders_are_cancelled_by_the_window_and_their_stock_is_back(market: Market) -> None:
    purchase = market.bought(shoes=4, books=5, cards=0)
    assert (market.stock("s_shoes", "p_run"), market.stock("s_books", "p_novel")) == (6, 0)
    market.expire(purchase["purchase_id"])
    got = market.customer.get(f"/purchases/{purchase['purchase_id']}").body
    assert (got["status"], got["reason"]) == ("cancelled", "payment_window_elapsed")
    assert (market.stock("s_shoes", "p_run"), market.stock("s_books", "p_novel")) == (10, 5)


def test_a_duplicate_or_late_window_alarm_releases_stock_only_once(market: Market) -> None:
    purchase = market.bought(shoes=2, books=0, cards=0)
    messages = market.queued()
    market.world.clock.set(market.stored(purchase["purchase_id"]).payment_deadline + 60_000)
    market.deliver(messages + messages)
    market.sweep()
    market.deliver(market.queued())
    assert market.stock("s_shoes", "p_run") == 10


def test_reading_a_purchase_past_its_deadline_settles_it_even_before_the_alarm(market: Market) -> None:
    purchase = market.bought(shoes=1, books=0, cards=0)
    market.advance(15 * 60)
    assert market.customer.get(f"/purchases/{purchase['purchase_id']}").body["status"] == "cancelled"
    assert market.stock("s_shoes", "p_run") == 10


def test_a_payment_after_cancellation_is_flagged_for_refund_never_lost(market: Market) -> None:
    purchase = market.bought(shoes=1, books=0, cards=0)
    assert market.connect("ws-ops", market.ops) == 200
    market.expire(purchase["purchase_id"])
    market.advance(60)
    reply = market.pay(purchase)
    assert reply.status == 200 and reply.body["refund_due"] is True
    again = market.deliver_callback(market.sandbox.redeliver(purchase["payment"]["payment_id"]))
    assert again.status == 200 and again.body["status"] == "ignored" and again.body["refund_due"] is True
    refunds = market.ops.get("/ops/refunds").body["items"]
    assert [(r["purchase_id"], r["refund"]["amount"]) for r in refunds] == [(purchase["purchase_id"],
                                                                              purchase["total"])]
    assert [a["data"]["kind"] for a in market.pushed("ws-ops", "alert.raised")] == ["refund_due"]
    assert market.records() == [] and market.stock("s_shoes", "p_run") == 10


def test_a_late_callback_for_a_payment_made_in_time_still_pays(market: Market) -> None:
    purchase = market.bought(shoes=1, books=0, cards=0)
    paid_at = market.stored(purchase["purchase_id"]).payment_deadline - 1000
    market.advance(15 * 60 + 30)  # the callback comes 30 s after the deadline; no alarm has run yet
    reply = market.forged(_body(purchase, at=paid_at), secret=market.secret)
    assert reply.status == 200 and reply.body["purchase_status"] == "paid"
    assert market.stock("s_shoes", "p_run") == 9


def test_callbacks_for_unknown_orders_or_payments_are_acknowledged_and_ignored(market: Market) -> None:
    purchase = market.bought()
    before = market.snapshot()
    now = market.world.clock.now_ms()
    reasons = {"pur_unknown": "unknown_purchase", "pay_other": "unknown_payment", "../etc": "unknown_reference",
               "gb_123": "unknown_reference"}
    for change in ({"reference": "pur_unknown"}, {"payment_id": "pay_other"}, {"reference": "../etc"},
                   {"reference": "gb_123"}):  # the last one names no workflow that takes payments
        reply = market.forged(_body(purchase, at=now, **change), secret=market.secret)
        assert reply.status == 200 and reply.body["status"] == "ignored"
        assert reply.body["reason"] == reasons[next(iter(change.values()))]
    assert market.snapshot() == before


@pytest.mark.parametrize("raw", [b"not json", b"[]", json.dumps({"type": "payment.refunded"}).encode(),
                                 json.dumps({"type": "payment.succeeded", "amount": "1"}).encode(),
                                 b"[" * 1_000 + b"]" * 1_000,  # RecursionError in json.loads: a 500, retried forever
                                 b'{"type":' * 3_000 + b'"payment.succeeded"' + b"}" * 3_000,
                                 b'{"type": "payment.succeeded", "reference": "\\ud800"}',
                                 '{"type": "payment.succeeded"}'.encode("utf-16")])
def test_a_signed_callback_we_cannot_read_is_a_400_problem_naming_the_body(market: Market, raw: bytes) -> None:
    market.bought()
    before = market.snapshot()
    reply = market.forged(raw, secret=market.secret)
    assert reply.status == 400 and reply.is_problem and reply.error_fields == ["body"]
    assert market.snapshot() == before

