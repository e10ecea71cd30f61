"""The purchase's rules: `decide(purchase, event, now) -> Decision`. Pure: no clock, no AWS.

A purchase waits for one payment inside its payment window:

* **Paid in time** → `paid`, and in the same transaction the N supplier orders (one per supplier
  group) are created: paid exactly once, fanned out exactly once. Virtual sub-orders are
  fulfilled there and then with the codes the service drew.
* **The window elapses** (or the customer cancels) → `cancelled`, and the held stock is released
  in the same transaction.
* **A payment after cancellation** is kept as a refund to make (`refund`), pushed to ops: never lost.

"In time" is the provider's moment of payment (`at`, signed in the callback), so a callback that
arrives late for a payment made before the deadline still pays — unless the deadline had already
been settled (stock released), in which case the payment is flagged for refund instead.
Duplicated and out-of-order callbacks change nothing once the purchase is final.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.checkout.model import (
    Fulfilment,
    Kind,
    Parcel,
    Purchase,
    PurchaseHistory,
    PurchaseStatus,
    StockHold,
    SubStatus,
    SupplierOrder,
)
from chalicelib.core.errors import InvalidTransition
from chalicelib.payments import window
from chalicelib.payments.port import RefundDue
from chalicelib.payments.window import WINDOW_ELAPSED, PaymentFailed, PaymentWindow, PaymentWindowElapsed
from chalicelib.waitstate.model import Decision
from chalicelib.waitstate.table import StateTable

PURCHASE_TABLE: StateTable[PurchaseStatus] = StateTable(
    initial=PurchaseStatus.PENDING_PAYMENT,
    transitions={
        PurchaseStatus.PENDING_PAYMENT: {"pay": PurchaseStatus.PAID, "elapse": PurchaseStatus.CANCELLED,
                                         "cancel": PurchaseStatus.CANCELLED},
        PurchaseStatus.PAID: {},
        PurchaseStatus.CANCELLED: {},
    },
)

CANCELLED_BY_CUSTOMER = "cancelled_by_customer"


# ── events ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PaymentSucceeded(window.PaymentSucceeded):
    fulfilments: tuple[tuple[str, Fulfilment], ...] = ()
    """A code/link for each virtual sub-order, drawn by the service (randomness is not a rule)."""


@dataclass(frozen=True)
class CancelPurchase:
    by: str


PurchaseEvent = PaymentWindowElapsed | PaymentSucceeded | PaymentFailed | CancelPurchase

# ── what a decision asks for: reactions and records written with it ──────────────────────


@dataclass(frozen=True)
class PurchaseChanged:
    purchase: Purchase
    previous: PurchaseStatus
    cause: str


@dataclass(frozen=True)
class FannedOut:
    purchase: Purchase
    orders: tuple[SupplierOrder, ...]


@dataclass(frozen=True)
class RefundFlagged:
    purchase: Purchase


@dataclass(frozen=True)
class PaymentDeclined:
    purchase: Purchase


@dataclass(frozen=True)
class StockReservation:
    """Take units if (and only if) that many are in stock: the write that cannot oversell."""

    hold: StockHold


@dataclass(frozen=True)
class StockRelease:
    hold: StockHold


@dataclass(frozen=True)
class NewSupplierOrder:
    order: SupplierOrder


# ── the rules ───────────────────────────────────────────────────────────────────────────────


def reservations(purchase: Purchase) -> tuple[StockReservation, ...]:
    """What a new purchase writes with itself."""
    return tuple(StockReservation(hold) for hold in purchase.holds())


class _Window:
    """A purchase as `payments/window.py` decides its payment."""

    def awaiting(self, purchase: Purchase) -> bool:
        return purchase.status is PurchaseStatus.PENDING_PAYMENT

    def paid(self, purchase: Purchase) -> bool:
        return purchase.status is PurchaseStatus.PAID

    def deadline(self, purchase: Purchase) -> int:
        return purchase.payment_deadline

    def price(self, purchase: Purchase) -> tuple[int, str]:
        return purchase.total, purchase.currency

    def refund(self, purchase: Purchase) -> RefundDue | None:
        return purchase.refund

    def declined_at(self, purchase: Purchase, at: int) -> bool:
        return any(h.cause == "payment_failed" and h.at == at for h in purchase.history)

    def elapse(self, purchase: Purchase, now: int) -> Decision[Purchase]:
        return _cancelled(purchase, WINDOW_ELAPSED, now)

    def pay(self, purchase: Purchase, payment: PaymentSucceeded, now: int) -> Decision[Purchase]:
        paid = replace(purchase, status=_to(purchase, "pay"), paid_at=now, updated_at=now,
                       history=(*purchase.history, PurchaseHistory(now, PurchaseStatus.PAID, "payment")))
        orders = fan_out(paid, dict(payment.fulfilments), now)
        return Decision(paid, (PurchaseChanged(paid, purchase.status, "payment"), FannedOut(paid, orders)),
                        writes=tuple(NewSupplierOrder(o) for o in orders))

    def flag_refund(self, purchase: Purchase, refund: RefundDue, now: int) -> Decision[Purchase]:
        flagged = replace(purchase, updated_at=now, refund=refund,
                          history=(*purchase.history, PurchaseHistory(now, purchase.status, "refund_due")))
        return Decision(flagged, (RefundFlagged(flagged),))

    def decline(self, purchase: Purchase, failure: PaymentFailed, now: int) -> Decision[Purchase]:
        failed = PurchaseHistory(failure.at, purchase.status, "payment_failed")
        declined = replace(purchase, updated_at=now, history=(*purchase.history, failed))
        return Decision(declined, (PaymentDeclined(declined),))


WINDOW: PaymentWindow[Purchase, PaymentSucceeded] = PaymentWindow(_Window())


def decide(purchase: Purchase, event: PurchaseEvent, now: int) -> Decision[Purchase]:
    return WINDOW.decide(purchase, event, now, lambda current: _cancel(current, event, now))


def _cancel(purchase: Purchase, event: object, now: int) -> Decision[Purchase]:
    if not isinstance(event, CancelPurchase):
        raise TypeError(f"unknown purchase event {event!r}")
    if purchase.status is PurchaseStatus.CANCELLED:
        return Decision(purchase)
    if purchase.status is PurchaseStatus.PAID:
        return Decision(purchase, refusal=InvalidTransition(
            "a paid purchase is not cancelled here; each supplier order is handled on its own",
            current_status=purchase.status.value))
    return _cancelled(purchase, CANCELLED_BY_CUSTOMER, now)


def fan_out(purchase: Purchase, fulfilments: dict[str, Fulfilment], now: int) -> tuple[SupplierOrder, ...]:
    """One supplier order per group: only that supplier's goods, prices and address."""
    orders = []
    for group in purchase.groups:
        parcels = []
        for parcel_id, sub in zip(group.sub_order_ids(), group.group.sub_orders, strict=True):
            fulfilment = fulfilments.get(parcel_id)
            if sub.product_type.kind is Kind.VIRTUAL:
                if fulfilment is None:
                    raise ValueError(f"no fulfilment drawn for virtual sub-order {parcel_id}")
                parcels.append(Parcel(parcel_id, sub, SubStatus.FULFILLED, delivered_at=now, fulfilment=fulfilment))
            else:
                parcels.append(Parcel(parcel_id, sub, SubStatus.PAID))
        orders.append(SupplierOrder(
            id=group.order_id, purchase_id=purchase.id, customer_id=purchase.customer_id,
            supplier_id=group.supplier_id, supplier_name=group.supplier_name, currency=purchase.currency,
            address=group.address, parcels=tuple(parcels), created_at=now, updated_at=now))
    return tuple(orders)


def _cancelled(purchase: Purchase, cause: str, now: int) -> Decision[Purchase]:
    move = "elapse" if cause == WINDOW_ELAPSED else "cancel"
    cancelled = replace(purchase, status=_to(purchase, move), cancelled_at=now, cancel_reason=cause,
                        updated_at=now,
                        history=(*purchase.history, PurchaseHistory(now, PurchaseStatus.CANCELLED, cause)))
    return Decision(cancelled, (PurchaseChanged(cancelled, purchase.status, cause),),
                    writes=tuple(StockRelease(hold) for hold in purchase.holds()))


def _to(purchase: Purchase, move: str) -> PurchaseStatus:
    target = PURCHASE_TABLE.target(purchase.status, move)
    if target is None:
        raise ValueError(f"{move} is not a move from {purchase.status}")  # a rule bug, never a caller's
    return target


def sub_status(purchase: Purchase) -> SubStatus:
    """What every sub-order of a purchase is while the purchase decides (after that, see its
    supplier orders)."""
    return {PurchaseStatus.PENDING_PAYMENT: SubStatus.PENDING_PAYMENT, PurchaseStatus.PAID: SubStatus.PAID,
            PurchaseStatus.CANCELLED: SubStatus.CANCELLED}[purchase.status]
