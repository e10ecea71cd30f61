"""Workflow 01's use cases: place, fetch, answer, cancel, resubmit, list — and the reactions
(pushes, metrics) that follow each committed transition."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.core.clock import Clock
from chalicelib.core.errors import FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.orders import decider
from chalicelib.orders.model import (
    WAITING,
    Answer,
    Cancel,
    Deadline,
    Fetch,
    HistoryEntry,
    MerchantAction,
    Order,
    OrderEvent,
    OrderLine,
    Resubmit,
    Status,
    StatusChanged,
    WindowOpened,
)
from chalicelib.orders.placement import RequestedItem, price_lines
from chalicelib.orders.ports import Menus, OrderableMerchant, OrderStore
from chalicelib.orders.tables import ORDER_KIND
from chalicelib.orders.views import order_view
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.terminal import PendingList
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.orders.schemas import ActionIn, ItemIn, PlaceOrderIn, ResubmitIn

MAX_PENDING_LISTED = 500
"""How many pending orders a console's `list_pending` lists (in parts under the push size limit);
a merchant with more than that many waiting is told `more` and reads them all over REST."""


class OrderService:
    def __init__(self, engine: WaitStateEngine, store: OrderStore, menus: Menus[Any], notifier: Notifier,
                 clock: Clock, metrics: MetricsSink) -> None:
        self._engine = engine
        self.store = store
        self._menus = menus
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics

    # ── customer ──────────────────────────────────────────────────────────────────────────

    def place(self, caller: Principal, body: PlaceOrderIn) -> Order:
        caller.require(Role.CUSTOMER)
        now = self._clock.now_ms()
        merchant = self._menus.merchant_for_order(body.merchant_id)
        lines = self._priced(merchant, body.items, now)
        assert merchant is not None
        window_ms = self._menus.answer_window_ms(merchant)
        order = Order(
            id=new_id("ord"), customer_id=caller.sub, merchant_id=merchant.id, status=Status.NEW, lines=lines,
            currency=merchant.currency, address=body.delivery_address.to_address(), note=body.note or None,
            created_at=now, updated_at=now, window_ms=window_ms, window_started_at=now,
            answer_deadline=now + window_ms, history=(HistoryEntry(now, Status.NEW, "place"),),
        )
        placed: Order = self._engine.start(ORDER_KIND, order, (WindowOpened(order),))
        log("order.placed", order_id=placed.id, merchant_id=placed.merchant_id, customer_id=placed.customer_id,
            total=placed.total.amount, answer_deadline=placed.answer_deadline)
        return placed

    def resubmit(self, caller: Principal, order_id: str, body: ResubmitIn) -> Order:
        caller.require(Role.CUSTOMER)
        order = self._visible(caller, order_id)
        merchant = self._menus.merchant_for_order(order.merchant_id)
        lines = self._priced(merchant, body.items, self._clock.now_ms())
        assert merchant is not None
        event = Resubmit(lines, body.delivery_address.to_address(), body.note or None,
                         self._menus.answer_window_ms(merchant))
        return self._apply(order_id, event, caller)

    def cancel(self, caller: Principal, order_id: str) -> Order:
        caller.require(Role.CUSTOMER)
        return self._apply(order_id, Cancel(), caller)

    def customer_orders(self, caller: Principal, limit: int, token: str | None) -> Page[Order]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    # ── merchant ──────────────────────────────────────────────────────────────────────────

    def fetch(self, caller: Principal, order_id: str) -> Order:
        """The merchant console's fetch of full order data; the first one proves receipt."""
        caller.require(Role.MERCHANT)
        return self._apply(order_id, Fetch(), caller)

    def answer(self, caller: Principal, order_id: str, body: ActionIn) -> Order:
        caller.require(Role.MERCHANT)
        return self._apply(order_id, Answer(MerchantAction(body.action), body.reason), caller)

    def merchant_orders(self, caller: Principal, status: str | None, limit: int, token: str | None) -> Page[Order]:
        caller.require(Role.MERCHANT)
        merchant_id = str(caller.merchant_id)
        if status in (None, "pending"):
            return self._answerable(merchant_id, limit, token, self._clock.now_ms())
        if status == "all":
            return self.store.for_merchant(merchant_id, None, limit, token)
        try:
            wanted = Status(status)
        except ValueError:
            raise ValidationFailed("unknown status filter",
                                   [FieldError("status", "pending, all, or an order status")]) from None
        return self.store.for_merchant(merchant_id, wanted, limit, token)

    def pending_work(self, of: Party, now: int) -> PendingList:
        """The orders a merchant terminal must still answer (its `list_pending` after a reconnect):
        all of them, up to `MAX_PENDING_LISTED`; past that, `more` sends it to the REST list."""
        orders: list[Order] = []
        token: str | None = None
        while True:
            page = self._answerable(of.id, 100, token, now)
            orders += page.items
            token = page.next_token
            if token is None or len(orders) >= MAX_PENDING_LISTED:
                break
        return PendingList("orders.listed", [order_view(o, now) for o in orders], more=token is not None)

    def _answerable(self, merchant_id: str, limit: int, token: str | None, now: int) -> Page[Order]:
        """A merchant's pending orders, minus those past their deadline whose alarm is still firing:
        a reconnecting console must never show an order it can no longer answer."""
        page = self.store.pending_for_merchant(merchant_id, limit, token)
        return Page([o for o in page.items if now < o.answer_deadline], page.next_token)

    # ── anyone allowed to see it ──────────────────────────────────────────────────────────

    def get(self, caller: Principal, order_id: str) -> Order:
        settled: Order = self._engine.settled(ORDER_KIND, self._visible(caller, order_id),
                                              lambda o: may_see(caller, o.parties))
        return settled

    # ── the wait-state engine's side ──────────────────────────────────────────────────────

    def react(self, order: Order, events: tuple[object, ...], now: int) -> None:
        for event in events:
            if isinstance(event, WindowOpened):
                self._notifier.push(party.merchant(order.merchant_id), "order.created", order_view(order, now), now)
            elif isinstance(event, StatusChanged):
                self._status_changed(order, event, now)

    def _status_changed(self, order: Order, event: StatusChanged, now: int) -> None:
        data = {**order_view(order, now), "previous_status": event.previous.value, "cause": event.cause}
        self._notifier.push(party.customer(order.customer_id), "order.status_changed", data, now)
        self._notifier.push(party.merchant(order.merchant_id), "order.status_changed", data, now)
        log("order.transition", order_id=order.id, merchant_id=order.merchant_id, previous=event.previous.value,
            status=order.status.value, cause=event.cause)
        if event.previous in WAITING and order.status in decider.WINDOW_OUTCOMES:
            self._metrics.metric("WindowOutcome", 1, "Count", {"outcome": order.status.value}, order_id=order.id)
            if order.answered_at is not None:
                self._metrics.metric("AnswerTime", order.answered_at - order.window_started_at, "Milliseconds",
                                     {"action": order.status.value}, order_id=order.id)

    # ── helpers ───────────────────────────────────────────────────────────────────────────

    def _visible(self, caller: Principal, order_id: str) -> Order:
        order = self.store.get(order_id)
        if order is None or not may_see(caller, order.parties):
            raise NotFound(f"order {order_id} not found")
        return order

    def _apply(self, order_id: str, event: OrderEvent, caller: Principal) -> Order:
        result: Order = self._engine.apply(ORDER_KIND, order_id, event, lambda order: may_see(caller, order.parties))
        return result

    def _priced(self, merchant: OrderableMerchant | None, items: list[ItemIn], now: int) -> tuple[OrderLine, ...]:
        requested = [RequestedItem(i.product_id, i.quantity, None if i.unit_price is None else i.unit_price.to_money())
                     for i in items]
        wanted = [i.product_id for i in items]
        products = {} if merchant is None else self._menus.products_for_order(merchant.id, wanted)
        lines, errors = price_lines(merchant, products, requested, now)
        if errors:
            raise ValidationFailed("the order cannot be placed", errors)
        return lines


def order_workflow(service: OrderService) -> Workflow[Order]:
    return Workflow(kind=ORDER_KIND, store=service.store, decide=decider.decide, alarm_event=Deadline,
                    react=service.react)


__all__ = ["ORDER_KIND", "OrderService", "order_workflow"]
