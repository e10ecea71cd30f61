"""A call order's rules (`chalicelib/calls/call_order_decider.py`): edits only while a draft, sent
once into its payment window, cancelled by either party before payment, paid final, and the
window's rules — in time, late, after cancellation, another amount, duplicates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.calls.call_order import (
    CallOrder,
    CallOrderEvent,
    CallOrderStatus,
    CancelOrder,
    EditDraft,
    OrderTerms,
    SendOrder,
)
from chalicelib.calls.call_order_decider import (
    INITIAL,
    TRANSITIONS,
    OrderChanged,
    OrderSent,
    PaymentDeclined,
    RefundFlagged,
    decide,
)
from chalicelib.core.errors import InvalidTransition
from chalicelib.payments.port import PaymentMismatch, PaymentRef
from chalicelib.payments.window import PAID_AFTER_CANCELLATION, PaymentFailed, PaymentSucceeded, PaymentWindowElapsed
from tests.builders import T0

S = CallOrderStatus
WINDOW_MS = 900_000
DEADLINE = T0 + 1000 + WINDOW_MS
TERMS = OrderTerms("2 kg of apples", 1250, "CNY", time=T0 + 86_400_000, address="88 Century Ave")
PAYMENT = PaymentRef("sandbox", "pay_1", "http://pay/pay_1")
BY_MERCHANT, BY_CUSTOMER = CancelOrder("merchant:m1"), CancelOrder("customer:u1")


def a_draft(**changes: Any) -> CallOrder:
    return replace(CallOrder(id="cor_1", call_id="cal_1", merchant_id="m1", customer_id="u1", status=S.DRAFT,
                             terms=TERMS, created_at=T0, updated_at=T0, version=1), **changes)


def a_sent(**changes: Any) -> CallOrder:
    sent = decide(a_draft(), SendOrder(PAYMENT, DEADLINE), T0 + 1000).state
    return replace(sent, **changes)


def paid_at(at: int, amount: int = 1250, currency: str = "CNY") -> PaymentSucceeded:
    return PaymentSucceeded("pay_1", amount, currency, at)


def refusal_of(order: CallOrder, event: CallOrderEvent, now: int) -> InvalidTransition:
    decision = decide(order, event, now)
    assert decision.state == order and decision.events == ()
    assert isinstance(decision.refusal, InvalidTransition)
    return decision.refusal


# ── the table ──────────────────────────────────────────────────────────────────────────────


def test_the_table_has_one_initial_state_final_states_without_exits_and_every_state_reaches_a_final_one() -> None:
    assert set(TRANSITIONS) == set(S) and INITIAL is S.DRAFT
    finals = {s for s, to in TRANSITIONS.items() if not to}
    assert finals == {S.PAID, S.EXPIRED, S.CANCELLED}

    def reaches_final(state: CallOrderStatus, seen: frozenset[CallOrderStatus] = frozenset()) -> bool:
        return state in finals or any(reaches_final(n, seen | {state}) for n in TRANSITIONS[state] - seen - {state})

    assert all(reaches_final(s) for s in S)


EVENTS: list[CallOrderEvent] = [
    EditDraft(replace(TERMS, price=999)), SendOrder(PAYMENT, DEADLINE), BY_MERCHANT, BY_CUSTOMER,
    PaymentWindowElapsed(DEADLINE), paid_at(T0 + 5000), paid_at(DEADLINE + 1), PaymentFailed("pay_1", T0 + 5000)]


def orders_in_every_state() -> list[CallOrder]:
    sent = a_sent()
    return [a_draft(), sent, decide(sent, paid_at(T0 + 5000), T0 + 5000).state,
            decide(sent, PaymentWindowElapsed(DEADLINE), DEADLINE).state,
            decide(sent, BY_CUSTOMER, T0 + 5000).state]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize("now", [T0 + 5000, DEADLINE + 10])
def test_every_decision_follows_the_table(event: CallOrderEvent, now: int) -> None:
    for order in orders_in_every_state():
        after = decide(order, event, now).state
        assert after.status is order.status or after.status in TRANSITIONS[order.status], (order.status, event)


# ── a draft ────────────────────────────────────────────────────────────────────────────────


def test_a_draft_has_no_alarm_and_no_payment() -> None:
    draft = a_draft()
    assert draft.wake_at is None and draft.payment is None and not draft.sent


def test_a_draft_takes_edits_without_an_alarm_or_an_event() -> None:
    edited = decide(a_draft(), EditDraft(replace(TERMS, price=1100, note="ring twice")), T0 + 10)
    assert edited.refusal is None and edited.events == ()
    assert edited.state.terms.price == 1100 and edited.state.terms.note == "ring twice"
    assert edited.state.updated_at == T0 + 10 and edited.state.wake_at is None


def test_an_edit_that_changes_nothing_writes_nothing() -> None:
    assert decide(a_draft(), EditDraft(TERMS), T0 + 10).state == a_draft()


@pytest.mark.parametrize("order", orders_in_every_state()[1:], ids=lambda o: o.status.value)
def test_only_a_draft_is_edited(order: CallOrder) -> None:
    refused = refusal_of(order, EditDraft(replace(TERMS, price=1)), T0 + 6000)
    assert refused.extensions == {"current_status": order.status.value}


def test_sending_opens_the_payment_window_with_the_drawn_payment_and_deadline() -> None:
    sent = decide(a_draft(), SendOrder(PAYMENT, DEADLINE), T0 + 1000)
    order = sent.state
    assert order.status is S.AWAITING_PAYMENT and order.payment == PAYMENT
    assert order.payment_deadline == DEADLINE and order.wake_at == DEADLINE and order.sent_at == T0 + 1000
    assert sent.events == (OrderSent(order),)


@pytest.mark.parametrize("order", orders_in_every_state()[1:], ids=lambda o: o.status.value)
def test_an_order_is_sent_once(order: CallOrder) -> None:
    refusal_of(order, SendOrder(replace(PAYMENT, payment_id="pay_2"), DEADLINE + 5), T0 + 6000)


def test_the_merchant_cancels_a_draft() -> None:
    cancelled = decide(a_draft(), BY_MERCHANT, T0 + 10)
    assert cancelled.state.status is S.CANCELLED and cancelled.state.cancel_reason == "cancelled_by_merchant"
    assert cancelled.events == (OrderChanged(cancelled.state, S.DRAFT, "cancelled_by_merchant"),)


def test_the_customer_cannot_cancel_a_draft_it_was_never_sent() -> None:
    refusal_of(a_draft(), BY_CUSTOMER, T0 + 10)


def test_the_provider_has_nothing_to_say_about_a_draft() -> None:
    for event in (paid_at(T0 + 5), PaymentFailed("pay_1", T0 + 5), PaymentWindowElapsed(T0)):
        assert decide(a_draft(), event, T0 + 10).state == a_draft()


# ── awaiting payment ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("cancel", "cause"), [(BY_MERCHANT, "cancelled_by_merchant"),
                                               (BY_CUSTOMER, "cancelled_by_customer")])
def test_either_party_cancels_before_payment(cancel: CancelOrder, cause: str) -> None:
    cancelled = decide(a_sent(), cancel, T0 + 5000)
    order = cancelled.state
    assert order.status is S.CANCELLED and order.cancelled_at == T0 + 5000 and order.cancel_reason == cause
    assert order.wake_at is None
    assert cancelled.events == (OrderChanged(order, S.AWAITING_PAYMENT, cause),)


def test_cancelling_a_cancelled_order_again_changes_nothing() -> None:
    cancelled = decide(a_sent(), BY_CUSTOMER, T0 + 5000).state
    again = decide(cancelled, BY_MERCHANT, T0 + 6000)
    assert again.state == cancelled and again.events == () and again.refusal is None


def test_paid_in_time_is_paid_and_final() -> None:
    paid = decide(a_sent(), paid_at(T0 + 5000), T0 + 5100)
    order = paid.state
    assert order.status is S.PAID and order.paid_at == T0 + 5100 and order.wake_at is None
    assert paid.events == (OrderChanged(order, S.AWAITING_PAYMENT, "payment"),)
    for cancel in (BY_MERCHANT, BY_CUSTOMER):
        assert refusal_of(order, cancel, T0 + 6000).extensions == {"current_status": "paid"}


def test_a_payment_made_in_time_whose_callback_comes_after_the_deadline_still_pays() -> None:
    paid = decide(a_sent(), paid_at(DEADLINE - 1), DEADLINE + 30_000)
    assert paid.state.status is S.PAID


def test_the_deadline_expires_an_unpaid_order() -> None:
    expired = decide(a_sent(), PaymentWindowElapsed(DEADLINE), DEADLINE)
    order = expired.state
    assert order.status is S.EXPIRED and order.wake_at is None and order.cancelled_at is None
    assert expired.events == (OrderChanged(order, S.AWAITING_PAYMENT, "payment_window_elapsed"),)


def test_an_alarm_before_the_deadline_changes_nothing() -> None:
    assert decide(a_sent(), PaymentWindowElapsed(DEADLINE), DEADLINE - 1).state == a_sent()


def test_a_cancel_that_finds_the_deadline_passed_expires_the_order_first_then_is_refused() -> None:
    late = decide(a_sent(), BY_CUSTOMER, DEADLINE + 5)
    assert late.state.status is S.EXPIRED and isinstance(late.refusal, InvalidTransition)
    assert [type(e) for e in late.events] == [OrderChanged]


def test_a_payment_after_the_deadline_expires_the_order_and_is_flagged_for_refund() -> None:
    late = decide(a_sent(), paid_at(DEADLINE + 1), DEADLINE + 2)
    order = late.state
    assert order.status is S.EXPIRED and order.refund is not None
    assert order.refund.reason == PAID_AFTER_CANCELLATION and order.refund.amount == 1250
    assert [type(e) for e in late.events] == [OrderChanged, RefundFlagged]


def test_a_payment_after_cancellation_is_flagged_for_refund_once() -> None:
    cancelled = decide(a_sent(), BY_MERCHANT, T0 + 5000).state
    flagged = decide(cancelled, paid_at(T0 + 6000), T0 + 6000)
    assert flagged.state.status is S.CANCELLED and flagged.state.refund is not None
    assert flagged.events == (RefundFlagged(flagged.state),)
    again = decide(flagged.state, paid_at(T0 + 6000), T0 + 7000)
    assert again.state == flagged.state and again.events == ()


def test_a_payment_of_another_amount_or_currency_is_refused_and_changes_nothing() -> None:
    for wrong in (paid_at(T0 + 5000, amount=1249), paid_at(T0 + 5000, currency="USD")):
        refused = decide(a_sent(), wrong, T0 + 5000)
        assert refused.state == a_sent() and isinstance(refused.refusal, PaymentMismatch)


def test_a_duplicate_payment_callback_changes_nothing() -> None:
    paid = decide(a_sent(), paid_at(T0 + 5000), T0 + 5000).state
    again = decide(paid, paid_at(T0 + 5000), T0 + 9000)
    assert again.state == paid and again.events == () and again.refusal is None


def test_a_failed_payment_leaves_the_window_open_and_is_told_once() -> None:
    failure = PaymentFailed("pay_1", T0 + 5000)
    declined = decide(a_sent(), failure, T0 + 5000)
    assert declined.state.status is S.AWAITING_PAYMENT and declined.state.wake_at == DEADLINE
    assert declined.events == (PaymentDeclined(declined.state),)
    again = decide(declined.state, failure, T0 + 6000)
    assert again.state == declined.state and again.events == ()
    assert decide(declined.state, paid_at(T0 + 7000), T0 + 7000).state.status is S.PAID


@pytest.mark.parametrize("order", orders_in_every_state()[2:], ids=lambda o: o.status.value)
def test_the_alarm_changes_nothing_once_the_order_is_final(order: CallOrder) -> None:
    assert decide(order, PaymentWindowElapsed(DEADLINE), DEADLINE + 10).state == order
