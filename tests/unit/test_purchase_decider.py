"""The purchase's rules: paid exactly once and fanned out with it, cancelled with its stock
released when the window elapses, a payment after cancellation kept as a refund to make."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.checkout.model import PurchaseStatus, StockHold, SubStatus
from chalicelib.checkout.purchase_decider import (
    PURCHASE_TABLE,
    CancelPurchase,
    FannedOut,
    NewSupplierOrder,
    PaymentDeclined,
    PurchaseChanged,
    RefundFlagged,
    StockRelease,
    decide,
    reservations,
)
from chalicelib.core.errors import InvalidTransition
from chalicelib.payments.port import PaymentMismatch
from chalicelib.payments.window import PaymentFailed, PaymentWindowElapsed
from tests.builders import T0
from tests.checkout_builders import WINDOW_MS, a_purchase, paid, payment_of

DEADLINE = T0 + WINDOW_MS


def test_the_purchase_table_is_sound_and_paid_and_cancelled_are_final() -> None:
    assert PURCHASE_TABLE.problems() == []
    assert PURCHASE_TABLE.final == {PurchaseStatus.PAID, PurchaseStatus.CANCELLED}


def test_a_pending_purchase_waits_on_its_payment_deadline_and_a_final_one_waits_on_nothing() -> None:
    bought = a_purchase()
    assert bought.wake_at == DEADLINE
    assert paid(bought)[0].wake_at is None


def test_a_new_purchase_reserves_each_product_once_summing_its_lines() -> None:
    from tests.checkout_builders import a_line

    bought = a_purchase([a_line("s_shoes", "p_run", 5000, 2), a_line("s_shoes", "p_run", 5000, 3)])
    assert [r.hold for r in reservations(bought)] == [StockHold("s_shoes", "p_run", 5)]


def test_payment_in_time_pays_and_creates_one_supplier_order_per_group_in_the_same_write() -> None:
    bought = a_purchase()
    decision = decide(bought, payment_of(bought), T0 + 1000)
    assert decision.state.status is PurchaseStatus.PAID and decision.refusal is None
    orders = [w.order for w in decision.writes if isinstance(w, NewSupplierOrder)]
    assert [o.id for o in orders] == ["pur_1-1", "pur_1-2"]
    assert [o.supplier_id for o in orders] == ["s_shoes", "s_books"]
    assert sum(o.total for o in orders) == bought.total
    fanned = [e for e in decision.events if isinstance(e, FannedOut)]
    assert len(fanned) == 1 and fanned[0].orders == tuple(orders)


def test_each_supplier_order_holds_only_its_suppliers_goods() -> None:
    _, orders = paid()
    for order in orders:
        assert {line.supplier_id for p in order.parcels for line in p.sub_order.lines} == {order.supplier_id}


def test_virtual_goods_are_fulfilled_at_payment_with_a_code_and_physical_goods_wait_to_ship() -> None:
    _, orders = paid()
    shoes = orders[0]
    statuses = {p.sub_order.product_type.kind.value: p for p in shoes.parcels}
    assert statuses["virtual"].status is SubStatus.FULFILLED
    assert statuses["virtual"].fulfilment is not None and statuses["virtual"].fulfilment.code == "CODE0"
    assert statuses["physical"].status is SubStatus.PAID and statuses["physical"].fulfilment is None


def test_a_duplicate_callback_changes_nothing_and_creates_nothing() -> None:
    done, _ = paid()
    again = decide(done, payment_of(done, at=T0 + 5000), T0 + 5000)
    assert again.state == done and again.writes == () and again.events == ()


def test_the_alarm_at_the_deadline_cancels_and_releases_every_hold() -> None:
    bought = a_purchase()
    decision = decide(bought, PaymentWindowElapsed(DEADLINE), DEADLINE)
    assert decision.state.status is PurchaseStatus.CANCELLED
    assert decision.state.cancel_reason == "payment_window_elapsed"
    assert {w.hold for w in decision.writes if isinstance(w, StockRelease)} == set(bought.holds())
    assert [type(e) for e in decision.events] == [PurchaseChanged]


def test_an_early_or_repeated_alarm_changes_nothing() -> None:
    bought = a_purchase()
    assert decide(bought, PaymentWindowElapsed(DEADLINE), DEADLINE - 1).state == bought
    cancelled = decide(bought, PaymentWindowElapsed(DEADLINE), DEADLINE).state
    repeat = decide(cancelled, PaymentWindowElapsed(DEADLINE), DEADLINE + 5000)
    assert repeat.state == cancelled and repeat.writes == ()


def test_a_late_callback_for_a_payment_made_in_time_still_pays_if_the_window_was_not_yet_settled() -> None:
    bought = a_purchase()
    decision = decide(bought, payment_of(bought, at=DEADLINE - 1), DEADLINE + 30_000)
    assert decision.state.status is PurchaseStatus.PAID
    assert not any(isinstance(w, StockRelease) for w in decision.writes)


def test_a_payment_made_after_the_deadline_cancels_first_then_is_flagged_for_refund() -> None:
    bought = a_purchase()
    decision = decide(bought, payment_of(bought, at=DEADLINE), DEADLINE + 10)
    state = decision.state
    assert state.status is PurchaseStatus.CANCELLED
    assert state.refund is not None and state.refund.amount == bought.total
    assert state.refund.reason == "paid_after_cancellation"
    assert len([w for w in decision.writes if isinstance(w, StockRelease)]) == len(bought.holds())
    assert not any(isinstance(w, NewSupplierOrder) for w in decision.writes)
    assert [type(e) for e in decision.events] == [PurchaseChanged, RefundFlagged]


def test_a_payment_after_the_window_was_settled_is_flagged_once_however_often_it_is_called_back() -> None:
    bought = a_purchase()
    cancelled = decide(bought, PaymentWindowElapsed(DEADLINE), DEADLINE).state
    payment = payment_of(bought, at=DEADLINE - 1)  # in time at the provider, but too late for us
    first = decide(cancelled, payment, DEADLINE + 1000)
    assert first.state.refund is not None and [type(e) for e in first.events] == [RefundFlagged]
    second = decide(first.state, payment, DEADLINE + 2000)
    assert second.state == first.state and second.events == ()


@pytest.mark.parametrize("change", [{"amount": 1}, {"currency": "USD"}])
def test_a_payment_of_another_amount_or_currency_is_refused_and_changes_nothing(change: dict[str, object]) -> None:
    bought = a_purchase()
    decision = decide(bought, replace(payment_of(bought), **change), T0 + 1000)  # type: ignore[arg-type]
    assert isinstance(decision.refusal, PaymentMismatch)
    assert decision.state == bought and decision.writes == ()


def test_a_failed_payment_keeps_the_purchase_waiting_and_is_reported_once() -> None:
    bought = a_purchase()
    failed = decide(bought, PaymentFailed("pay_1", T0 + 100), T0 + 200)
    assert failed.state.status is PurchaseStatus.PENDING_PAYMENT
    assert [type(e) for e in failed.events] == [PaymentDeclined]
    assert decide(failed.state, PaymentFailed("pay_1", T0 + 100), T0 + 300).state == failed.state


def test_a_failure_reported_after_success_is_ignored() -> None:
    done, _ = paid()
    assert decide(done, PaymentFailed("pay_1", T0 + 100), T0 + 2000).state == done


def test_the_customer_cancels_a_pending_purchase_and_its_stock_is_released() -> None:
    bought = a_purchase()
    decision = decide(bought, CancelPurchase("customer:u1"), T0 + 1000)
    assert decision.state.status is PurchaseStatus.CANCELLED
    assert decision.state.cancel_reason == "cancelled_by_customer"
    assert len([w for w in decision.writes if isinstance(w, StockRelease)]) == len(bought.holds())


def test_a_paid_purchase_cannot_be_cancelled_and_a_cancelled_one_cancels_again_harmlessly() -> None:
    done, _ = paid()
    assert isinstance(decide(done, CancelPurchase("customer:u1"), T0 + 2000).refusal, InvalidTransition)
    cancelled = decide(a_purchase(), CancelPurchase("customer:u1"), T0).state
    again = decide(cancelled, CancelPurchase("customer:u1"), T0 + 1)
    assert again.state == cancelled and again.writes == () and again.refusal is None
