"""Workflow 04's group-buy orders: buying a deal (a pending-payment order on the engine), the
provider's callbacks through the platform's settlement, and the reactions after each committed
transition — the vouchers issued on payment and the first slot list pushed to the buyer."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.core.clock import Clock
from chalicelib.core.errors import FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.groupbuy import order_decider
from chalicelib.groupbuy.order import (
    CancelOrder,
    GroupOrder,
    OrderStatus,
    PaymentSucceeded,
)
from chalicelib.groupbuy.order_decider import OrderChanged, PaymentDeclined, RefundFlagged, VouchersIssued
from chalicelib.groupbuy.ports import Deals, GroupOrderStore
from chalicelib.groupbuy.tables import ORDER_KIND
from chalicelib.groupbuy.views import order_view, voucher_view
from chalicelib.payments.port import PaymentOutcome, PaymentProvider, PaymentRef, ProviderPayment
from chalicelib.payments.settlement import Settlement
from chalicelib.payments.window import PaymentFailed, PaymentWindowElapsed
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.waitstate.engine import Change, WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:
    from chalicelib.groupbuy.deals import DealCatalogue
    from chalicelib.groupbuy.schemas import GroupOrderIn
    from chalicelib.groupbuy.videos import VideoService
    from chalicelib.groupbuy.vouchers import VoucherService

CODE_DIGITS = 12


def draw_code() -> str:
    """A redeem code: digits only, so a keypad, a barcode and a QR reader all carry it."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


class GroupOrderService:
    def __init__(self, engine: WaitStateEngine, store: GroupOrderStore, deals: Deals, vouchers: VoucherService,
                 payments: PaymentProvider, notifier: Notifier, clock: Clock, metrics: MetricsSink, *,
                 window_s: int) -> None:
        self._engine = engine
        self.store = store
        self._deals = deals
        self._vouchers = vouchers
        self.payments = payments
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self._window_ms = window_s * 1000
        self._settlement = Settlement(
            "group_order", store.get, self._apply_payment,
            lambda o: {"order_id": o.id, "order_status": o.status.value, "refund_due": o.refund is not None},
            lambda o: o.status is OrderStatus.PENDING_PAYMENT,
            metrics, lambda o: self._alert("payment_mismatch", o))

    def create(self, caller: Principal, body: GroupOrderIn) -> GroupOrder:
        caller.require(Role.CUSTOMER)
        terms = self._deals.for_purchase(body.deal_id).deal
        if body.quantity > terms.max_per_order:
            raise ValidationFailed("too many vouchers in one order", [
                FieldError("quantity", f"at most {terms.max_per_order} vouchers of this deal per order")])
        now = self._clock.now_ms()
        order_id = new_id("gbo")
        intent = self.payments.create_payment(order_id, terms.price * body.quantity, terms.currency,
                                              f"ontime group-buy {order_id} ({body.quantity} × {terms.title})")
        pending = GroupOrder(
            id=order_id, customer_id=caller.sub, deal_id=terms.id, shop_id=terms.shop_id, title=terms.title,
            quantity=body.quantity, unit_price=terms.price, currency=terms.currency,
            status=OrderStatus.PENDING_PAYMENT, payment=PaymentRef(self.payments.name, intent.payment_id,
                                                                   intent.pay_url),
            payment_deadline=now + self._window_ms, vouchers_expire_at=terms.voucher_expires_at,
            created_at=now, updated_at=now)
        created: GroupOrder = self._engine.start(ORDER_KIND, pending)
        log("group_order.created", order_id=created.id, deal_id=terms.id, quantity=body.quantity,
            total=created.total)
        self._metrics.metric("GroupOrderCreated", 1, "Count", {}, order_id=created.id)
        return created

    # ── payment ─────────────────────────────────────────────────────────────────────────────

    def settle(self, event_id: str, payment: ProviderPayment) -> dict[str, Any]:
        answer: dict[str, Any] = self._settlement.settle(event_id, payment)
        return answer

    def reconcile(self, caller: Principal, order_id: str) -> GroupOrder:
        reconciled = self._settlement.reconcile(self.payments, self._visible(caller, order_id))
        return self.get(caller, order_id) if reconciled is None else reconciled

    def _apply_payment(self, current: GroupOrder, payment: ProviderPayment) -> Change:
        event: PaymentSucceeded | PaymentFailed
        if payment.outcome is PaymentOutcome.SUCCEEDED:
            drawn = tuple((new_id("vch"), draw_code()) for _ in range(current.quantity))
            event = PaymentSucceeded(payment.payment_id, payment.amount, payment.currency, payment.at, drawn)
        else:
            event = PaymentFailed(payment.payment_id, payment.at)
        return self._engine.change(ORDER_KIND, current.id, event)

    # ── the buyer ───────────────────────────────────────────────────────────────────────────

    def get(self, caller: Principal, order_id: str) -> GroupOrder:
        current = self._visible(caller, order_id)
        settled: GroupOrder = self._engine.settled(ORDER_KIND, current, lambda o: may_see(caller, o.parties))
        return settled

    def orders(self, caller: Principal, limit: int, token: str | None) -> Page[GroupOrder]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    def cancel(self, caller: Principal, order_id: str) -> GroupOrder:
        caller.require(Role.CUSTOMER, Role.OPS)
        self._visible(caller, order_id)
        by = CancelOrder(f"{caller.role.value}:{caller.sub}")
        cancelled: GroupOrder = self._engine.apply(ORDER_KIND, order_id, by, lambda o: may_see(caller, o.parties))
        return cancelled

    def _visible(self, caller: Principal, order_id: str) -> GroupOrder:
        current = self.store.get(order_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"group-buy order {order_id} not found")
        return current

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react(self, order: GroupOrder, events: tuple[object, ...], now: int) -> None:
        buyer = party.customer(order.customer_id)
        for event in events:
            match event:
                case OrderChanged(order=o, previous=previous, cause=cause):
                    self._notifier.push(buyer, "group_order.status_changed",
                                        {**order_view(o, now), "previous_status": previous.value, "cause": cause}, now)
                    self._metrics.metric("GroupOrderOutcome", 1, "Count", {"outcome": cause}, order_id=o.id)
                    log("group_order.transition", order_id=o.id, previous=previous.value, status=o.status.value,
                        cause=cause)
                case VouchersIssued(vouchers=vouchers):
                    for voucher in vouchers:
                        self._notifier.push(buyer, "voucher.issued", voucher_view(voucher, [], now), now)
                    for voucher in vouchers:
                        self._vouchers.offer_slots(voucher, "paid", now, bookings=[])  # just issued
                case RefundFlagged(order=o):
                    log("group_order.refund_due", logging.WARNING, order_id=o.id)
                    self._metrics.metric("RefundDue", 1, "Count", {"workflow": "groupbuy"}, order_id=o.id)
                    self._notifier.push(buyer, "group_order.refund_due", order_view(o, now), now)
                    self._alert("refund_due", o)
                case PaymentDeclined(order=o):
                    self._notifier.push(buyer, "group_order.payment_failed", order_view(o, now), now)

    def _alert(self, kind: str, about: GroupOrder) -> None:
        now = self._clock.now_ms()
        self._notifier.push(party.OPS, "alert.raised", {"kind": kind, "group_order": order_view(about, now)}, now)


def order_workflow(service: GroupOrderService) -> Workflow[GroupOrder]:
    return Workflow(kind=ORDER_KIND, store=service.store, decide=order_decider.decide,
                    alarm_event=PaymentWindowElapsed, react=service.react)


@dataclass(frozen=True)
class GroupBuyServices:
    """What group-buy's routes and its video processor use."""

    deals: DealCatalogue
    orders: GroupOrderService
    vouchers: VoucherService
    videos: VideoService
