"""A group-buy order's payment window and the vouchers its payment issues, decided without a clock or AWS."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import InvalidTransition
from chalicelib.groupbuy.order import (
    CancelOrder,
    GroupOrder,
    OrderEvent,
    OrderStatus,
    PaymentSucceeded,
)
from chalicelib.groupbuy.order_decider import (
    NewVoucher,
    RefundFlagged,
    VouchersIssued,
    decide,
)
from chalicelib.groupbuy.voucher import VoucherStatus
from chalicelib.payments.port import PaymentMismatch, PaymentRef
from chalicelib.payments.window import PAID_AFTER_CANCELLATION, WINDOW_ELAPSED, PaymentFailed, PaymentWindowElapsed
from tests.builders import T0

WINDOW = 15 * 60_000
EXPIRY = T0 + 30 * 86_400_000


def pending(quantity: int = 2) -> GroupOrder:
    return GroupOrder(id="gbo_1", customer_id="u1", deal_id="deal_1", shop_id="m1", title="Hotpot for two",
                      quantity=quantity, unit_price=9900, currency="CNY", status=OrderStatus.PENDING_PAYMENT,
                      payment=PaymentRef("sandbox", "pay_1", "http://pay/pay_1"), payment_deadline=T0 + WINDOW,
                      vouchers_expire_at=EXPIRY, created_at=T0, updated_at=T0)


def paid_event(order: GroupOrder, at: int = T0 + 1000, amount: int | None = None) -> PaymentSucceeded:
    drawn = tuple((f"vch_{n}", f"{n:012d}") for n in range(order.quantity))
    return PaymentSucceeded("pay_1", order.total if amount is None else amount, "CNY", at, drawn)


def test_a_payment_in_time_pays_the_order_and_issues_one_voucher_per_unit_in_the_same_write() -> None:
    order = pending(quantity=3)
    decision = decide(order, paid_event(order), T0 + 2000)
    assert decision.state.status is OrderStatus.PAID
    assert decision.state.voucher_ids == ("vch_0", "vch_1", "vch_2")
    vouchers = [w.voucher for w in decision.writes if isinstance(w, NewVoucher)]
    assert [v.code for v in vouchers] == ["000000000000", "000000000001", "000000000002"]
    assert {(v.status, v.expires_at, v.price, v.customer_id, v.shop_id) for v in vouchers} == {
        (VoucherStatus.ACTIVE, EXPIRY, 9900, "u1", "m1")}
    issued = [e for e in decision.events if isinstance(e, VouchersIssued)]
    assert len(issued) == 1 and issued[0].vouchers == tuple(vouchers)


def test_a_duplicate_payment_callback_issues_nothing_more() -> None:
    order = pending()
    paid = decide(order, paid_event(order), T0 + 2000).state
    again = decide(paid, paid_event(order), T0 + 3000)
    assert again.state == paid and again.writes == () and again.events == ()


def test_the_window_elapsing_cancels_and_a_later_payment_is_flagged_for_refund_not_issued() -> None:
    order = pending()
    cancelled = decide(order, PaymentWindowElapsed(order.payment_deadline), order.payment_deadline)
    assert cancelled.state.status is OrderStatus.CANCELLED and cancelled.state.cancel_reason == WINDOW_ELAPSED
    late = decide(cancelled.state, paid_event(order, at=order.payment_deadline + 5), order.payment_deadline + 10)
    assert late.state.refund is not None and late.state.refund.reason == PAID_AFTER_CANCELLATION
    assert late.writes == () and any(isinstance(e, RefundFlagged) for e in late.events)


def test_a_payment_made_before_the_deadline_but_delivered_after_it_still_pays() -> None:
    order = pending()
    decision = decide(order, paid_event(order, at=order.payment_deadline - 1), order.payment_deadline + 60_000)
    assert decision.state.status is OrderStatus.PAID and len(decision.writes) == order.quantity


def test_a_payment_of_another_amount_is_refused_and_changes_nothing() -> None:
    order = pending()
    decision = decide(order, paid_event(order, amount=1), T0 + 2000)
    assert decision.state == order and isinstance(decision.refusal, PaymentMismatch)


def test_a_paid_order_is_not_cancelled() -> None:
    order = pending()
    paid = decide(order, paid_event(order), T0 + 2000).state
    decision = decide(paid, CancelOrder("customer:u1"), T0 + 3000)
    assert decision.state == paid and isinstance(decision.refusal, InvalidTransition)


def test_a_failed_payment_keeps_the_window_open_and_is_told_once() -> None:
    order = pending()
    failed = decide(order, PaymentFailed("pay_1", T0 + 500), T0 + 600)
    assert failed.state.status is OrderStatus.PENDING_PAYMENT and failed.events
    assert decide(failed.state, PaymentFailed("pay_1", T0 + 500), T0 + 700).events == ()


@given(st.lists(st.sampled_from(["pay", "pay_late", "elapse", "cancel", "fail"]), max_size=8),
       st.integers(min_value=1, max_value=10))
def test_vouchers_are_issued_at_most_once_whatever_the_order_of_events(moves: list[str], quantity: int) -> None:
    order, now, issued = pending(quantity), T0 + 1000, 0
    for move in moves:
        now += 60_000
        events: dict[str, OrderEvent] = {
            "pay": paid_event(order, at=now), "pay_late": paid_event(order, at=order.payment_deadline + 1),
                 "elapse": PaymentWindowElapsed(order.payment_deadline), "cancel": CancelOrder("customer:u1"),
                 "fail": PaymentFailed("pay_1", now)}
        event = events[move]
        decision = decide(order, event, now)
        issued += sum(1 for w in decision.writes if isinstance(w, NewVoucher))
        order = decision.state
    assert issued in (0, quantity)
    assert (issued == quantity) == (order.status is OrderStatus.PAID)
    if order.status is OrderStatus.CANCELLED:
        assert order.cancel_reason is not None


def test_drawn_codes_must_match_the_quantity() -> None:
    order = pending(quantity=2)
    with pytest.raises(ValueError, match="1 codes drawn for 2 vouchers"):
        decide(order, replace(paid_event(order), drawn=(("vch_0", "1"),)), T0 + 2000)
