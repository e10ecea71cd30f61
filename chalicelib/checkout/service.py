"""Workflow 03's checkout: the edit form, creating the pending-payment purchase (split, priced by
the server, stock reserved), the provider's callbacks, and the reactions — the fan-out pushes to
each supplier's console and the customer's records — after each committed transition."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.checkout import cart, purchase_decider
from chalicelib.checkout.addresses import AddressBook
from chalicelib.checkout.coupons import Coupons
from chalicelib.checkout.model import (
    Fulfilment,
    Purchase,
    PurchaseGroup,
    PurchaseStatus,
    SupplierOrder,
    supplier_party,
)
from chalicelib.checkout.ports import OutOfStock, PurchaseStore, SupplierOrderStore
from chalicelib.checkout.purchase_decider import (
    CancelPurchase,
    FannedOut,
    PaymentDeclined,
    PaymentSucceeded,
    PurchaseChanged,
    PurchaseEvent,
    RefundFlagged,
)
from chalicelib.checkout.split import split_cart
from chalicelib.checkout.supplier_catalogue import SupplierCatalogue
from chalicelib.checkout.supplier_orders import SupplierOrderService
from chalicelib.checkout.tables import PURCHASE_KIND
from chalicelib.checkout.views import ops_purchase_view, purchase_view, record_view, supplier_order_view
from chalicelib.core.clock import Clock
from chalicelib.core.errors import NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.payments.port import PaymentOutcome, PaymentProvider, PaymentRef, ProviderPayment
from chalicelib.payments.settlement import Settlement
from chalicelib.payments.window import PaymentFailed, PaymentWindowElapsed
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.waitstate.engine import Change, WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.checkout.schemas import CartIn, PurchaseIn


class CheckoutService:
    def __init__(self, engine: WaitStateEngine, store: PurchaseStore, orders: SupplierOrderStore,
                 catalogue: SupplierCatalogue, addresses: AddressBook, coupons: Coupons, payments: PaymentProvider,
                 notifier: Notifier, clock: Clock, metrics: MetricsSink, *, window_s: int,
                 redeem_base_url: str) -> None:
        self._engine = engine
        self.store = store
        self._orders = orders
        self._catalogue = catalogue
        self._addresses = addresses
        self._coupons = coupons
        self.payments = payments
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self._window_ms = window_s * 1000
        self._redeem_base_url = redeem_base_url
        self._settlement = Settlement(
            "purchase", store.get, self._apply_payment,
            lambda p: {"purchase_id": p.id, "purchase_status": p.status.value, "refund_due": p.refund is not None},
            lambda p: p.status is PurchaseStatus.PENDING_PAYMENT,
            metrics, lambda o: self._alert("payment_mismatch", o))

    # ── the edit form and creating ──────────────────────────────────────────────────────────

    def form(self, caller: Principal, body: CartIn) -> dict[str, Any]:
        caller.require(Role.CUSTOMER)
        wanted = [(i.supplier_id, i.product_id, i.quantity) for i in body.items]
        products = self._catalogue.products([(s, p) for s, p, _ in wanted])
        suppliers = self._catalogue.suppliers([s for s, _, _ in wanted])
        form, errors = cart.edit_form(wanted, products, suppliers, self._addresses.default_for(caller.sub))
        if errors:
            raise ValidationFailed("some items of the cart cannot be ordered", errors)
        return form

    def create(self, caller: Principal, body: PurchaseIn) -> Purchase:
        caller.require(Role.CUSTOMER)
        sections = [s.submitted() for s in body.sections]
        products = self._catalogue.products(cart.wanted_keys(sections))
        suppliers = self._catalogue.suppliers([s.supplier_id for s in sections])
        checked, errors = cart.check(sections, products, suppliers)
        goods = 0 if checked is None else sum(line.amount for line in checked.lines)
        discount, coupon_errors = self._coupons.discount(body.coupon, None if checked is None else checked.currency,
                                                         goods)
        if checked is None or coupon_errors:
            raise ValidationFailed("the order cannot be created", errors + coupon_errors)
        split = split_cart(checked.lines, {s.id: s.shipping_fee for s in suppliers.values()}, discount)
        purchase_id = new_id("pur")
        groups = tuple(
            PurchaseGroup(f"{purchase_id}-{n}", suppliers[g.supplier_id].name,
                          checked.addresses.get(g.supplier_id) if g.ships else None, g)
            for n, g in enumerate(split.groups, start=1))
        # The payment exists before the purchase: a purchase is never stored without a way to pay,
        # and an intent whose purchase was refused (stock) is simply never paid.
        intent = self.payments.create_payment(purchase_id, split.total, checked.currency,
                                              f"ontime order {purchase_id} ({len(groups)} suppliers)")
        now = self._clock.now_ms()
        pending = Purchase(
            id=purchase_id, customer_id=caller.sub, status=PurchaseStatus.PENDING_PAYMENT, currency=checked.currency,
            groups=groups, discount=split.discount, payment=PaymentRef(self.payments.name, intent.payment_id,
                                                                       intent.pay_url),
            payment_deadline=now + self._window_ms, created_at=now, updated_at=now, coupon=body.coupon)
        try:
            created: Purchase = self._engine.start(PURCHASE_KIND, pending,
                                                   writes=purchase_decider.reservations(pending))
        except OutOfStock as short:
            raise ValidationFailed("the order cannot be created", [
                cart.stock_error(sections, (h.supplier_id, h.product_id), None) for h in short.holds]) from short
        log("purchase.created", purchase_id=created.id, customer_id=caller.sub, total=created.total,
            suppliers=len(groups), sub_orders=len(split.sub_orders))
        self._metrics.metric("PurchaseCreated", 1, "Count", {}, purchase_id=created.id)
        return created

    # ── payment ─────────────────────────────────────────────────────────────────────────────

    def settle(self, event_id: str, payment: ProviderPayment) -> dict[str, Any]:
        """A provider's (verified) callback for one of our purchases, applied at most once."""
        answer: dict[str, Any] = self._settlement.settle(event_id, payment)
        return answer

    def reconcile(self, caller: Principal, purchase_id: str) -> Purchase:
        """Ask the provider instead of waiting for its callback (the app, back from the pay page)."""
        reconciled = self._settlement.reconcile(self.payments, self._visible(caller, purchase_id))
        return self.get(caller, purchase_id) if reconciled is None else reconciled

    def _apply_payment(self, current: Purchase, payment: ProviderPayment) -> Change:
        event: PurchaseEvent
        if payment.outcome is PaymentOutcome.SUCCEEDED:
            event = PaymentSucceeded(payment.payment_id, payment.amount, payment.currency, payment.at,
                                     self._draw_fulfilments(current))
        else:
            event = PaymentFailed(payment.payment_id, payment.at)
        return self._engine.change(PURCHASE_KIND, current.id, event)

    def _draw_fulfilments(self, current: Purchase) -> tuple[tuple[str, Fulfilment], ...]:
        drawn = []
        for sub_id in current.virtual_sub_order_ids():
            code = secrets.token_hex(8).upper()
            drawn.append((sub_id, Fulfilment(code, f"{self._redeem_base_url}{code}")))
        return tuple(drawn)

    # ── customers and ops ───────────────────────────────────────────────────────────────────

    def get(self, caller: Principal, purchase_id: str) -> Purchase:
        current = self._visible(caller, purchase_id)
        settled: Purchase = self._engine.settled(PURCHASE_KIND, current, lambda p: may_see(caller, p.parties))
        return settled

    def records_of(self, bought: Purchase) -> list[SupplierOrder] | None:
        if bought.status is not PurchaseStatus.PAID:
            return None
        return self._orders.many([g.order_id for g in bought.groups])

    def purchases(self, caller: Principal, limit: int, token: str | None) -> Page[Purchase]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    def cancel(self, caller: Principal, purchase_id: str) -> Purchase:
        caller.require(Role.CUSTOMER, Role.OPS)
        self._visible(caller, purchase_id)
        return self._apply(purchase_id, CancelPurchase(f"{caller.role.value}:{caller.sub}"),
                           lambda p: may_see(caller, p.parties))

    def refunds_due(self, caller: Principal, limit: int, token: str | None) -> Page[Purchase]:
        caller.require(Role.OPS)
        return self.store.refunds_due(limit, token)

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react(self, bought: Purchase, events: tuple[object, ...], now: int) -> None:
        customer = party.customer(bought.customer_id)
        for event in events:
            match event:
                case PurchaseChanged(purchase=p, previous=previous, cause=cause):
                    self._notifier.push(customer, "purchase.status_changed",
                                        {**purchase_view(p, None, now), "previous_status": previous.value,
                                         "cause": cause}, now)
                    self._metrics.metric("PurchaseOutcome", 1, "Count", {"outcome": cause}, purchase_id=p.id)
                    log("purchase.transition", purchase_id=p.id, previous=previous.value, status=p.status.value,
                        cause=cause)
                case FannedOut(orders=orders):
                    for order in orders:
                        self._notifier.push(supplier_party(order.supplier_id), "supplier_order.created",
                                            supplier_order_view(order, now), now)
                    for order in orders:
                        self._notifier.push(customer, "record.created", record_view(order, now), now)
                case RefundFlagged(purchase=p):
                    log("purchase.refund_due", logging.WARNING, purchase_id=p.id,
                        payment_id=p.refund.payment_id if p.refund else None)
                    self._metrics.metric("RefundDue", 1, "Count", {}, purchase_id=p.id)
                    self._notifier.push(customer, "purchase.refund_due", purchase_view(p, None, now), now)
                    self._alert("refund_due", p)
                case PaymentDeclined(purchase=p):
                    self._notifier.push(customer, "purchase.payment_failed", purchase_view(p, None, now), now)

    def _alert(self, kind: str, about: Purchase) -> None:
        now = self._clock.now_ms()
        self._notifier.push(party.OPS, "alert.raised", {"kind": kind, "purchase": ops_purchase_view(about, now)}, now)

    # ── helpers ─────────────────────────────────────────────────────────────────────────────

    def _visible(self, caller: Principal, purchase_id: str) -> Purchase:
        current = self.store.get(purchase_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"purchase {purchase_id} not found")
        return current

    def _apply(self, purchase_id: str, event: PurchaseEvent,
               visible: Callable[[Purchase], bool] | None = None) -> Purchase:
        result: Purchase = self._engine.apply(PURCHASE_KIND, purchase_id, event, visible)
        return result


def purchase_workflow(service: CheckoutService) -> Workflow[Purchase]:
    return Workflow(kind=PURCHASE_KIND, store=service.store, decide=purchase_decider.decide,
                    alarm_event=PaymentWindowElapsed, react=service.react)


@dataclass(frozen=True)
class CheckoutServices:
    """What split orders' routes use."""

    checkout: CheckoutService
    supplier_orders: SupplierOrderService
    suppliers: SupplierCatalogue
    addresses: AddressBook
    coupons: Coupons
