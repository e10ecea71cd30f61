"""The order desk of a video call (`CallOrderService`) on in-memory fakes: a fake clock, a recording
alarm queue and push sender, the sandbox provider. A merchant drafts in its own connected call (the
customer's details fill the gaps), sends it (the customer is told, the window opens), either party
cancels, the deadline expires it, the provider's callback pays it; the customer never sees a draft."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import TypeAdapter

from chalicelib.auth.principal import Principal, Role
from chalicelib.calls.call_order import CallOrder, CallOrderStatus
from chalicelib.calls.call_orders import CallOrderService, order_workflow
from chalicelib.calls.order_messages import ORDER_MESSAGES
from chalicelib.calls.order_view_models import CallOrderView
from chalicelib.calls.order_views import order_view
from chalicelib.calls.schemas_orders import CallOrderIn, CallOrderPatch
from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import Forbidden, InvalidTransition, MalformedRequest, NotFound, ValidationFailed
from chalicelib.core.observability import RecordingMetrics
from chalicelib.core.timefmt import iso
from chalicelib.http.requests import parse
from chalicelib.payments.port import PaymentOutcome, ProviderPayment
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.waitstate.engine import FireOutcome, WaitStateEngine
from devstack.sandbox.provider import SandboxProvider
from tests.builders import T0
from tests.fakes.calls import FakeCallLookup, InMemoryCallOrderStore
from tests.fakes.doubles import RecordingAlarmQueue, RecordingPushSender
from tests.fakes.platform_ports import InMemoryConnectionRegistry

WINDOW_S = 900
MERCHANT = Principal("staff-1", Role.MERCHANT, merchant_id="m1")
OTHER_MERCHANT = Principal("staff-2", Role.MERCHANT, merchant_id="m2")
CUSTOMER = Principal("u1", Role.CUSTOMER)
STRANGER = Principal("u2", Role.CUSTOMER)
OPS = Principal("ops-1", Role.OPS)
DECLARED = {m.type: m.data for m in ORDER_MESSAGES}
TERMINALS = {"c-customer": party.customer("u1"), "c-merchant": party.merchant("m1"), "c-ops": party.OPS}


class Desk:
    def __init__(self) -> None:
        self.clock = FakeClock(T0)
        self.alarms = RecordingAlarmQueue()
        self.push = RecordingPushSender()
        self.metrics = RecordingMetrics()
        self.store = InMemoryCallOrderStore()
        self.calls = FakeCallLookup()
        self.sandbox = SandboxProvider(b"secret", "http://sandbox", "http://api/payments/callback", self.clock)
        connections = InMemoryConnectionRegistry()
        for connection_id, who in TERMINALS.items():
            connections.register(connection_id, who, who.id, T0 - 60_000)
        self.engine = WaitStateEngine(self.alarms, self.clock, self.metrics, due_shards=16, sweep_interval_s=60,
                                      overdue_grace_s=30)
        merchants = SimpleNamespace(merchant_for_order=lambda m: SimpleNamespace(id=m, currency="CNY")
                                    if m in ("m1", "m2") else None)
        self.orders = CallOrderService(self.engine, self.store, self.calls, merchants, self.sandbox,
                                       Notifier(connections, self.push), self.clock, self.metrics, window_s=WINDOW_S)
        self.engine.register(order_workflow(self.orders))

    def draft(self, body: dict[str, Any] | None = None, call_id: str = "cal_1") -> CallOrder:
        return self.orders.draft(MERCHANT, call_id, parse(CallOrderIn, body or {"content": "2 kg of apples",
                                                                              "price": {"amount": 1250,
                                                                                        "currency": "CNY"}}))

    def sent(self) -> CallOrder:
        return self.orders.send(MERCHANT, self.draft().id)

    def pushed(self, connection_id: str, message_type: str) -> list[dict[str, Any]]:
        """The data of each message of a type to one terminal, each as its declaration says."""
        found = [m["data"] for m in self.push.to(connection_id, message_type)]
        for data in found:
            TypeAdapter(DECLARED[message_type]).validate_python(data)
        return found

    def fire_due(self) -> list[FireOutcome]:
        return [self.engine.fire(message) for message in self.alarms.take()]


@pytest.fixture
def desk() -> Desk:
    desk = Desk()
    desk.calls.add("cal_1", details={"content": "apples, 2 kg", "price_proposal": "about 12 yuan",
                                     "when": "2026-11-19T10:00:00+08:00", "address": "88 Century Avenue"})
    return desk


def cny(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


# ── drafting ───────────────────────────────────────────────────────────────────────────────


def test_a_draft_takes_what_the_body_leaves_out_from_the_customers_details_but_never_the_price(desk: Desk) -> None:
    draft = desk.draft({"price": cny(1300)})
    assert draft.status is CallOrderStatus.DRAFT and draft.id.startswith("cor_")
    assert (draft.terms.content, draft.terms.address) == ("apples, 2 kg", "88 Century Avenue")
    assert draft.terms.time is not None and iso(draft.terms.time) == "2026-11-19T02:00:00.000Z"
    assert (draft.terms.price, draft.terms.currency) == (1300, "CNY")
    assert (draft.call_id, draft.merchant_id, draft.customer_id) == ("cal_1", "m1", "u1")
    assert draft.wake_at is None and desk.alarms.sent == [] and desk.push.sent == []


def test_the_merchants_own_fields_win_over_the_details(desk: Desk) -> None:
    draft = desk.draft({"content": "3 kg of pears", "price": cny(900), "time": "2026-11-20T09:00:00Z",
                        "address": "1 Bund Road", "note": "call first"})
    assert draft.terms.content == "3 kg of pears" and draft.terms.address == "1 Bund Road"
    assert iso(draft.terms.time or 0) == "2026-11-20T09:00:00.000Z" and draft.terms.note == "call first"


def test_a_typed_time_that_is_not_an_iso_moment_is_left_to_the_merchant(desk: Desk) -> None:
    desk.calls.add("cal_2", details={"content": "a cake", "time": "tomorrow morning"})
    draft = desk.draft({"price": cny(5000)}, call_id="cal_2")
    assert draft.terms.time is None and draft.terms.address is None


def test_an_order_needs_content_from_the_body_or_the_details(desk: Desk) -> None:
    desk.calls.add("cal_2", details={"content": "   "})
    with pytest.raises(ValidationFailed) as refused:
        desk.draft({"price": cny(5000)}, call_id="cal_2")
    assert [e.field for e in refused.value.errors] == ["content"]


def test_only_the_calls_merchant_drafts(desk: Desk) -> None:
    body = parse(CallOrderIn, {"content": "x", "price": cny(100)})
    with pytest.raises(Forbidden):
        desk.orders.draft(CUSTOMER, "cal_1", body)
    with pytest.raises(NotFound):
        desk.orders.draft(OTHER_MERCHANT, "cal_1", body)
    with pytest.raises(NotFound):
        desk.orders.draft(MERCHANT, "cal_missing", body)
    assert list(desk.store.entities()) == []


@pytest.mark.parametrize("status", ["ringing", "ended", "missed", "declined", "cancelled"])
def test_an_order_is_drafted_only_in_a_connected_call(desk: Desk, status: str) -> None:
    desk.calls.move("cal_1", status)
    with pytest.raises(InvalidTransition) as refused:
        desk.draft()
    assert refused.value.extensions == {"call_status": status}
    assert list(desk.store.entities()) == []


def test_a_price_in_another_currency_and_a_time_beyond_a_year_are_refused_together(desk: Desk) -> None:
    with pytest.raises(ValidationFailed) as refused:
        desk.draft({"content": "x", "price": {"amount": 100, "currency": "USD"}, "time": "2028-01-01T00:00:00Z"})
    assert [e.field for e in refused.value.errors] == ["price.currency", "time"]


@pytest.mark.parametrize("body", [
    {"content": "x", "price": cny(0)}, {"content": "x", "price": cny(10_000_001)}, {"content": "x", "price": 1250},
    {"content": "x", "price": {"amount": 12.5, "currency": "CNY"}}, {"content": "x", "price": {"amount": 1}},
    {"content": "x", "price": {"amount": 100, "currency": "cny"}}, {"content": "x"},
    {"content": "a\x00b", "price": cny(100)}, {"content": "\x1b[2J", "price": cny(100)},
    {"content": "x" * 2001, "price": cny(100)}, {"content": "x", "price": cny(100), "time": "tomorrow"},
    {"content": "x", "price": cny(100), "time": "2026-12-01T10:00:00"}, {"content": "x", "price": cny(100),
                                                                        "time": 1795000000},
    {"content": "x", "price": cny(100), "address": "x" * 501}, {"content": "x", "price": cny(100), "tip": 5},
])
def test_a_malformed_body_names_its_field(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(CallOrderIn, body)
    assert refused.value.errors


def test_line_breaks_are_text_not_control_characters() -> None:
    assert parse(CallOrderIn, {"content": "apples\n\tpears", "price": cny(100)}).content == "apples\n\tpears"


# ── editing and sending ────────────────────────────────────────────────────────────────────


def test_the_merchant_edits_a_draft_and_null_clears_an_optional_field(desk: Desk) -> None:
    draft = desk.draft({"price": cny(1300), "note": "fragile"})
    edited = desk.orders.edit(MERCHANT, draft.id, parse(CallOrderPatch, {"price": cny(1200), "note": None}))
    assert edited.terms.price == 1200 and edited.terms.note is None
    assert edited.terms.content == draft.terms.content and edited.terms.address == draft.terms.address


def test_content_and_price_cannot_be_cleared() -> None:
    for patch in ({"content": None}, {"price": None}):
        with pytest.raises(MalformedRequest):
            parse(CallOrderPatch, patch)


def test_sending_opens_the_payment_window_and_tells_the_customer(desk: Desk) -> None:
    draft = desk.draft()
    desk.clock.advance(10)
    sent = desk.orders.send(MERCHANT, draft.id)
    assert sent.status is CallOrderStatus.AWAITING_PAYMENT and sent.sent_at == T0 + 10_000
    assert sent.payment_deadline == T0 + 10_000 + WINDOW_S * 1000 and sent.payment is not None
    assert sent.payment.provider == "sandbox" and desk.sandbox.payment(sent.payment.payment_id) is not None
    [created] = desk.pushed("c-customer", "call_order.created")
    assert created["order_id"] == sent.id and created["status"] == "awaiting_payment"
    assert created["payment"]["pay_url"] and created["remaining_ms"] == WINDOW_S * 1000
    assert [(m.entity_id, m.wake_at) for m, _ in desk.alarms.sent] == [(sent.id, sent.payment_deadline)]


def test_a_sent_order_is_neither_edited_nor_sent_again(desk: Desk) -> None:
    sent = desk.sent()
    with pytest.raises(InvalidTransition):
        desk.orders.edit(MERCHANT, sent.id, parse(CallOrderPatch, {"price": cny(1)}))
    with pytest.raises(InvalidTransition):
        desk.orders.send(MERCHANT, sent.id)
    assert desk.store.get(sent.id) == sent


def test_the_order_outlives_the_call(desk: Desk) -> None:
    draft = desk.draft()
    desk.calls.move("cal_1", "ended")
    assert desk.orders.send(MERCHANT, draft.id).status is CallOrderStatus.AWAITING_PAYMENT


def test_another_merchant_cannot_touch_the_order(desk: Desk) -> None:
    draft = desk.draft()
    acts: list[Callable[[], CallOrder]] = [lambda: desk.orders.send(OTHER_MERCHANT, draft.id),
                                           lambda: desk.orders.merchant_cancel(OTHER_MERCHANT, draft.id),
                                           lambda: desk.orders.get(OTHER_MERCHANT, draft.id)]
    for act in acts:
        with pytest.raises(NotFound):
            act()


# ── who sees what ──────────────────────────────────────────────────────────────────────────


def test_the_customer_sees_an_order_only_once_it_was_sent(desk: Desk) -> None:
    draft = desk.draft()
    with pytest.raises(NotFound):
        desk.orders.get(CUSTOMER, draft.id)
    with pytest.raises(NotFound):
        desk.orders.customer_cancel(CUSTOMER, draft.id)
    assert desk.orders.customer_orders(CUSTOMER, 10, None).items == []
    assert desk.orders.of_call("cal_1", sent_only=True) == []
    assert [o.id for o in desk.orders.of_call("cal_1", sent_only=False)] == [draft.id]
    assert desk.orders.get(MERCHANT, draft.id).id == draft.id and desk.orders.get(OPS, draft.id).id == draft.id

    sent = desk.orders.send(MERCHANT, draft.id)
    assert desk.orders.get(CUSTOMER, sent.id) == sent
    assert [o.id for o in desk.orders.customer_orders(CUSTOMER, 10, None).items] == [sent.id]
    assert [o.id for o in desk.orders.of_call("cal_1", sent_only=True)] == [sent.id]
    with pytest.raises(NotFound):
        desk.orders.get(STRANGER, sent.id)


def test_the_merchant_lists_its_orders_drafts_too_newest_first(desk: Desk) -> None:
    first = desk.sent()
    desk.clock.advance(1)
    second = desk.draft()
    assert [o.id for o in desk.orders.merchant_orders(MERCHANT, 10, None).items] == [second.id, first.id]
    assert desk.orders.merchant_orders(OTHER_MERCHANT, 10, None).items == []


# ── the outcomes ───────────────────────────────────────────────────────────────────────────


def test_the_merchant_cancels_a_draft_and_the_customer_is_not_told(desk: Desk) -> None:
    cancelled = desk.orders.merchant_cancel(MERCHANT, desk.draft().id)
    assert cancelled.status is CallOrderStatus.CANCELLED and cancelled.cancel_reason == "cancelled_by_merchant"
    assert desk.pushed("c-customer", "call_order.status_changed") == []


@pytest.mark.parametrize(("who", "cause"), [("merchant", "cancelled_by_merchant"),
                                            ("customer", "cancelled_by_customer")])
def test_either_party_cancels_a_sent_order_and_both_are_told(desk: Desk, who: str, cause: str) -> None:
    sent = desk.sent()
    cancel = desk.orders.merchant_cancel if who == "merchant" else desk.orders.customer_cancel
    cancelled = cancel(MERCHANT if who == "merchant" else CUSTOMER, sent.id)
    assert cancelled.status is CallOrderStatus.CANCELLED and cancelled.cancel_reason == cause
    for connection_id in ("c-customer", "c-merchant"):
        [changed] = desk.pushed(connection_id, "call_order.status_changed")
        assert (changed["status"], changed["previous_status"], changed["cause"]) == ("cancelled",
                                                                                    "awaiting_payment", cause)


def test_the_deadline_expires_an_unpaid_order_on_its_alarm(desk: Desk) -> None:
    sent = desk.sent()
    desk.clock.advance(WINDOW_S)
    assert desk.fire_due() == [FireOutcome.FIRED]
    expired = desk.store.get(sent.id)
    assert expired is not None and expired.status is CallOrderStatus.EXPIRED and expired.wake_at is None
    [changed] = desk.pushed("c-merchant", "call_order.status_changed")
    assert (changed["status"], changed["cause"]) == ("expired", "payment_window_elapsed")
    with pytest.raises(InvalidTransition):
        desk.orders.customer_cancel(CUSTOMER, sent.id)


def test_a_reader_after_the_deadline_sees_it_expired_before_the_alarm_fires(desk: Desk) -> None:
    sent = desk.sent()
    desk.clock.advance(WINDOW_S + 1)
    assert desk.orders.get(CUSTOMER, sent.id).status is CallOrderStatus.EXPIRED
    assert [o.status for o in desk.orders.of_call("cal_1", sent_only=True)] == [CallOrderStatus.EXPIRED]


def paid(order: CallOrder, at: int, amount: int = 1250) -> ProviderPayment:
    assert order.payment is not None
    return ProviderPayment(order.payment.payment_id, order.id, amount, "CNY", PaymentOutcome.SUCCEEDED, at)


def test_the_providers_callback_pays_the_order_once_and_both_are_told(desk: Desk) -> None:
    sent = desk.sent()
    desk.clock.advance(60)
    answer = desk.orders.settle("evt_1", paid(sent, desk.clock.now_ms()))
    assert answer == {"status": "processed", "order_id": sent.id, "order_status": "paid", "refund_due": False}
    assert desk.orders.get(CUSTOMER, sent.id).status is CallOrderStatus.PAID
    assert desk.orders.settle("evt_1", paid(sent, desk.clock.now_ms()))["reason"] == "already_final"
    for connection_id in ("c-customer", "c-merchant"):
        assert [m["status"] for m in desk.pushed(connection_id, "call_order.status_changed")] == ["paid"]
    with pytest.raises(InvalidTransition):
        desk.orders.merchant_cancel(MERCHANT, sent.id)


def test_a_callback_for_a_draft_or_another_payment_is_ignored(desk: Desk) -> None:
    draft = desk.draft()
    ghost = ProviderPayment("pay_ghost", draft.id, 1250, "CNY", PaymentOutcome.SUCCEEDED, T0)
    assert desk.orders.settle("evt_1", ghost) == {"status": "ignored", "reason": "unknown_payment"}
    assert desk.store.get(draft.id) == draft


def test_a_payment_after_cancellation_is_flagged_for_refund_and_ops_are_alerted(desk: Desk) -> None:
    sent = desk.sent()
    desk.orders.customer_cancel(CUSTOMER, sent.id)
    answer = desk.orders.settle("evt_1", paid(sent, desk.clock.now_ms()))
    assert answer["refund_due"] is True and answer["order_status"] == "cancelled"
    [refund] = desk.pushed("c-customer", "call_order.refund_due")
    assert refund["refund"]["amount"] == cny(1250)
    [alert] = desk.pushed("c-ops", "alert.raised")
    assert alert["kind"] == "refund_due" and alert["call_order"]["order_id"] == sent.id


def test_a_payment_of_another_amount_is_refused_and_ops_are_alerted(desk: Desk) -> None:
    sent = desk.sent()
    with pytest.raises(Exception, match="the order 1250 CNY"):
        desk.orders.settle("evt_1", paid(sent, desk.clock.now_ms(), amount=1))
    assert desk.store.get(sent.id) == sent
    assert [a["kind"] for a in desk.pushed("c-ops", "alert.raised")] == ["payment_mismatch"]


def test_the_customer_reconciles_with_the_provider_after_paying(desk: Desk) -> None:
    sent = desk.sent()
    assert sent.payment is not None
    assert desk.orders.reconcile(CUSTOMER, sent.id).status is CallOrderStatus.AWAITING_PAYMENT
    desk.sandbox.pay(sent.payment.payment_id)
    assert desk.orders.reconcile(CUSTOMER, sent.id).status is CallOrderStatus.PAID


def test_every_state_of_an_order_renders_as_its_declared_view(desk: Desk) -> None:
    draft, sent = desk.draft(), desk.sent()
    cancelled = desk.orders.merchant_cancel(MERCHANT, desk.sent().id)
    paid_order = desk.sent()
    desk.orders.settle("evt_1", paid(paid_order, desk.clock.now_ms()))
    for order in (draft, sent, cancelled, desk.store.get(paid_order.id)):
        assert order is not None
        view = TypeAdapter(CallOrderView).validate_python(order_view(order, desk.clock.now_ms()))
        assert view.status == order.status.value
    assert order_view(draft, T0)["payment"] is None and order_view(cancelled, T0)["payment"]["pay_url"] is None
