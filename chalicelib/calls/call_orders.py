"""Spec 05's call orders: the merchant drafts an order in a connected call (the customer's details
fill what it leaves out), edits it while it is a draft, and sends it — the payment is created at
the provider then, and the order waits on the engine for it until its deadline. Either party
cancels before payment; the provider's callbacks settle it through the platform's settlement; the
reactions after each committed transition push to the customer and the merchant."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.calls import call_order_decider
from chalicelib.calls.call_order import (
    ORDER_KIND,
    CallOrder,
    CallOrderStatus,
    CallOrderStore,
    CancelOrder,
    EditDraft,
    OrderTerms,
    SendOrder,
)
from chalicelib.calls.call_order_decider import OrderChanged, OrderSent, PaymentDeclined, RefundFlagged
from chalicelib.calls.order_views import order_view
from chalicelib.core.clock import Clock
from chalicelib.core.errors import FieldError, InvalidTransition, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.money import Money, currency_errors
from chalicelib.core.observability import MetricsSink, log
from chalicelib.payments.port import PaymentOutcome, PaymentProvider, PaymentRef, ProviderPayment
from chalicelib.payments.settlement import Settlement
from chalicelib.payments.window import PaymentFailed, PaymentSucceeded, PaymentWindowElapsed
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.settings import env_int
from chalicelib.waitstate.engine import Change, WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:
    from chalicelib.calls.ports import CallLookup, CallParties, Merchants
    from chalicelib.calls.schemas_orders import CallOrderIn, CallOrderPatch
    from chalicelib.contribution import Platform

CONNECTED = "connected"
"""The `CallStatus` in which an order is drafted."""
DAY_MS = 24 * 3600 * 1000
YEAR_MS = 365 * DAY_MS
PAST_GRACE_MS = DAY_MS
"""A time is within a year from now; a day in the past is still taken (a draft written this
morning for "today 9:00", a clock a little ahead)."""


class CallOrderService:
    def __init__(self, engine: WaitStateEngine, store: CallOrderStore, calls: CallLookup, merchants: Merchants,
                 payments: PaymentProvider, notifier: Notifier, clock: Clock, metrics: MetricsSink, *,
                 window_s: int) -> None:
        self._engine = engine
        self.store = store
        self._calls = calls
        self._merchants = merchants
        self.payments = payments
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self._window_ms = window_s * 1000
        self._settlement = Settlement(
            "call_order", store.get, self._apply_payment,
            lambda o: {"order_id": o.id, "order_status": o.status.value, "refund_due": o.refund is not None},
            lambda o: o.status is CallOrderStatus.AWAITING_PAYMENT,
            metrics, lambda o: self._alert("payment_mismatch", o))

    # ── the merchant's order form ───────────────────────────────────────────────────────────

    def draft(self, caller: Principal, call_id: str, body: CallOrderIn) -> CallOrder:
        """A draft in a connected call of the caller's merchant; what the body leaves out is taken
        from the customer's details (the price never is: it is the merchant's)."""
        caller.require(Role.MERCHANT)
        call = self._calls.call_for_order(caller, call_id)
        if call.merchant_id != caller.merchant_id:
            raise NotFound(f"call {call_id} not found")
        if call.status != CONNECTED:
            raise InvalidTransition(f"the call is {call.status}: an order is drafted while the call is connected",
                                    call_status=call.status)
        now = self._clock.now_ms()
        content = body.content or _detail(call, "content")
        terms = OrderTerms(
            content=content or "", price=body.price.amount, currency=body.price.currency,
            time=_ms(body.time) if body.time is not None else _detail_time(call, now),
            address=body.address or _detail(call, "address"), note=body.note)
        errors = [] if content else [FieldError("content", "required: the customer's details give none")]
        self._check(call.merchant_id, terms, now, errors, time_given=body.time is not None)
        order = CallOrder(id=new_id("cor"), call_id=call.call_id, merchant_id=call.merchant_id,
                          customer_id=call.customer_id, status=CallOrderStatus.DRAFT, terms=terms, created_at=now,
                          updated_at=now)
        created: CallOrder = self._engine.start(ORDER_KIND, order)
        log("call_order.drafted", order_id=created.id, call_id=call_id, price=terms.price)
        self._metrics.metric("CallOrderDrafted", 1, "Count", {}, order_id=created.id)
        return created

    def edit(self, caller: Principal, order_id: str, patch: CallOrderPatch) -> CallOrder:
        caller.require(Role.MERCHANT)
        current = self._visible(caller, order_id)
        given, terms, now = patch.model_fields_set, current.terms, self._clock.now_ms()
        edited = OrderTerms(
            content=patch.content if patch.content is not None else terms.content,
            price=patch.price.amount if patch.price is not None else terms.price,
            currency=patch.price.currency if patch.price is not None else terms.currency,
            time=(None if patch.time is None else _ms(patch.time)) if "time" in given else terms.time,
            address=patch.address if "address" in given else terms.address,
            note=patch.note if "note" in given else terms.note)
        if current.status is CallOrderStatus.DRAFT:  # a sent order is refused as such (409), not for its fields
            self._check(current.merchant_id, edited, now, [], time_given=patch.time is not None,
                        price_given=patch.price is not None)
        changed: CallOrder = self._engine.apply(ORDER_KIND, order_id, EditDraft(edited), self._visible_to(caller))
        return changed

    def send(self, caller: Principal, order_id: str) -> CallOrder:
        """The payment is created at the provider, and the order awaits it until its deadline."""
        caller.require(Role.MERCHANT)
        current = self._visible(caller, order_id)
        if current.status is not CallOrderStatus.DRAFT:  # before a payment is created for nothing
            raise InvalidTransition("only a draft is sent, once", current_status=current.status.value)
        terms = current.terms
        intent = self.payments.create_payment(order_id, terms.price, terms.currency,
                                              f"ontime call order {order_id}: {terms.content[:80]}")
        send = SendOrder(PaymentRef(self.payments.name, intent.payment_id, intent.pay_url),
                         self._clock.now_ms() + self._window_ms)
        sent: CallOrder = self._engine.apply(ORDER_KIND, order_id, send, self._visible_to(caller))
        log("call_order.sent", order_id=sent.id, call_id=sent.call_id, total=terms.price)
        return sent

    def merchant_cancel(self, caller: Principal, order_id: str) -> CallOrder:
        """A draft, or a sent order before it is paid."""
        caller.require(Role.MERCHANT)
        return self._cancel(caller, order_id, f"merchant:{caller.merchant_id}")

    def customer_cancel(self, caller: Principal, order_id: str) -> CallOrder:
        """A sent order before it is paid."""
        caller.require(Role.CUSTOMER)
        return self._cancel(caller, order_id, f"customer:{caller.sub}")

    def _cancel(self, caller: Principal, order_id: str, by: str) -> CallOrder:
        self._visible(caller, order_id)
        cancelled: CallOrder = self._engine.apply(ORDER_KIND, order_id, CancelOrder(by), self._visible_to(caller))
        return cancelled

    # ── reading ─────────────────────────────────────────────────────────────────────────────

    def get(self, caller: Principal, order_id: str) -> CallOrder:
        """The customer sees an order once it was sent; the merchant its drafts too; ops all."""
        caller.require(Role.CUSTOMER, Role.MERCHANT, Role.OPS)
        current = self._visible(caller, order_id)
        settled: CallOrder = self._engine.settled(ORDER_KIND, current, self._visible_to(caller))
        return settled

    def merchant_orders(self, caller: Principal, limit: int, token: str | None) -> Page[CallOrder]:
        caller.require(Role.MERCHANT)
        return self.store.for_merchant(str(caller.merchant_id), limit, token)

    def customer_orders(self, caller: Principal, limit: int, token: str | None) -> Page[CallOrder]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    def of_call(self, call_id: str, *, sent_only: bool) -> list[CallOrder]:
        """A call's orders, oldest first, each settled (none shows a window open past its deadline);
        `sent_only` for the customer's view of the call."""
        orders = [o for o in self.store.of_call(call_id) if o.sent or not sent_only]
        return [self._engine.settled(ORDER_KIND, o) for o in orders]

    def _visible(self, caller: Principal, order_id: str) -> CallOrder:
        current = self.store.get(order_id)
        if current is None or not _may_see(caller, current):
            raise NotFound(f"call order {order_id} not found")
        return current

    def _visible_to(self, caller: Principal) -> Any:
        return lambda order: _may_see(caller, order)

    def _check(self, merchant_id: str, terms: OrderTerms, now: int, errors: list[FieldError], *,
               time_given: bool, price_given: bool = True) -> None:
        """422 with every rule the terms break that needs the merchant or the clock."""
        if price_given:
            seller = self._merchants.merchant_for_order(merchant_id)
            if seller is None:
                raise NotFound(f"merchant {merchant_id} not found")
            errors += currency_errors(str(seller.currency), "the merchant's",
                                      price=Money(terms.price, terms.currency))
        if time_given and terms.time is not None and not _within_a_year(terms.time, now):
            errors.append(FieldError("time", "must lie within a year from now (and not more than a day ago)"))
        if errors:
            raise ValidationFailed(f"{len(errors)} field(s) are not valid", errors=errors)

    # ── payment ─────────────────────────────────────────────────────────────────────────────

    def settle(self, event_id: str, payment: ProviderPayment) -> dict[str, Any]:
        answer: dict[str, Any] = self._settlement.settle(event_id, payment)
        return answer

    def reconcile(self, caller: Principal, order_id: str) -> CallOrder:
        caller.require(Role.CUSTOMER)
        reconciled = self._settlement.reconcile(self.payments, self._visible(caller, order_id))
        return self.get(caller, order_id) if reconciled is None else reconciled

    def _apply_payment(self, current: CallOrder, payment: ProviderPayment) -> Change:
        event: PaymentSucceeded | PaymentFailed
        if payment.outcome is PaymentOutcome.SUCCEEDED:
            event = PaymentSucceeded(payment.payment_id, payment.amount, payment.currency, payment.at)
        else:
            event = PaymentFailed(payment.payment_id, payment.at)
        return self._engine.change(ORDER_KIND, current.id, event)

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react(self, order: CallOrder, events: tuple[object, ...], now: int) -> None:
        buyer, seller = party.customer(order.customer_id), party.merchant(order.merchant_id)
        for event in events:
            match event:
                case OrderSent(order=o):
                    self._notifier.push(buyer, "call_order.created", order_view(o, now), now)
                    self._metrics.metric("CallOrderSent", 1, "Count", {}, order_id=o.id)
                case OrderChanged(order=o, previous=previous, cause=cause):
                    changed = {**order_view(o, now), "previous_status": previous.value, "cause": cause}
                    # A draft was never the customer's: its cancellation is the merchant's news alone.
                    for told in (seller,) if previous is CallOrderStatus.DRAFT else (buyer, seller):
                        self._notifier.push(told, "call_order.status_changed", changed, now)
                    self._metrics.metric("CallOrderOutcome", 1, "Count", {"outcome": cause}, order_id=o.id)
                    log("call_order.transition", order_id=o.id, previous=previous.value, status=o.status.value,
                        cause=cause)
                case RefundFlagged(order=o):
                    log("call_order.refund_due", logging.WARNING, order_id=o.id)
                    self._metrics.metric("RefundDue", 1, "Count", {"workflow": "calls"}, order_id=o.id)
                    self._notifier.push(buyer, "call_order.refund_due", order_view(o, now), now)
                    self._alert("refund_due", o)
                case PaymentDeclined(order=o):
                    # The window stays open and the pay page says why; nothing to push.
                    log("call_order.payment_declined", order_id=o.id)

    def _alert(self, kind: str, about: CallOrder) -> None:
        now = self._clock.now_ms()
        self._notifier.push(party.OPS, "alert.raised", {"kind": kind, "call_order": order_view(about, now)}, now)


def _may_see(caller: Principal, order: CallOrder) -> bool:
    """A party's, or ops'; the customer's only once it was sent."""
    return may_see(caller, order.parties) and (caller.role is not Role.CUSTOMER or order.sent)


def _detail(call: CallParties, name: str) -> str | None:
    text = call.details.get(name)
    return (text.strip() or None) if text else None


def _detail_time(call: CallParties, now: int) -> int | None:
    """The customer's typed time, if it is an ISO 8601 moment within a year (free text is left to
    the merchant, who reads it in the synced form)."""
    text = _detail(call, "when")
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    ms = _ms(moment)
    return ms if _within_a_year(ms, now) else None


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _within_a_year(ms: int, now: int) -> bool:
    return now - PAST_GRACE_MS <= ms <= now + YEAR_MS


def order_workflow(service: CallOrderService) -> Workflow[CallOrder]:
    return Workflow(kind=ORDER_KIND, store=service.store, decide=call_order_decider.decide,
                    alarm_event=PaymentWindowElapsed, react=service.react)


def build_orders(platform: Platform, calls: CallLookup) -> CallOrderService:
    """The order desk of the calls package (its `wiring.py` builds it with the call service as
    `calls`; payee `cor`, workflow `order_workflow`)."""
    from chalicelib.calls.call_order_store import DynamoCallOrderStore

    config = platform.settings
    store = platform.port(CallOrderStore, lambda: DynamoCallOrderStore(config.due_shards))
    return CallOrderService(platform.engine, store, calls, cast("Merchants", platform.need("menus")),
                            platform.payments, platform.notifier, platform.clock, platform.metrics,
                            window_s=env_int(config.env, "ONTIME_PAYMENT_WINDOW_S", 900))
