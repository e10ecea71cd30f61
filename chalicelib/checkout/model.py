"""Workflow 03's vocabulary: suppliers and their products, saved addresses, the purchase (the one
order a checkout creates, which waits for its payment) and the supplier orders it fans out into
once paid (one per supplier group: the supplier's paid order and the customer's paid record).

Pure data: no I/O. The split itself (`split.py`) decides the groups and sub-orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.checkout.split import Kind, ProductType, SubOrder, SupplierGroup
from chalicelib.checkout.tracking import Method
from chalicelib.core.address import Address
from chalicelib.payments.port import PaymentRef, RefundDue
from chalicelib.push.party import Party, customer

# ── the catalogue ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Supplier:
    id: str
    name: str
    currency: str
    shipping_fee: int
    """Charged once per group with physical goods (minor units), see `split.py`."""
    active: bool
    created_at: int


@dataclass(frozen=True)
class AttributeOption:
    """An attribute the customer chooses for a product (`size`), with the values offered."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Product:
    supplier_id: str
    product_id: str
    name: str
    price: int
    stock: int
    product_type: ProductType
    attributes: tuple[AttributeOption, ...]
    on_sale: bool
    created_at: int

    @property
    def key(self) -> tuple[str, str]:
        return self.supplier_id, self.product_id


@dataclass(frozen=True)
class Coupon:
    """An ops-made discount code: a fixed amount off a checkout's goods (never off shipping)."""

    code: str
    amount_off: int
    currency: str
    min_subtotal: int
    active: bool
    created_at: int

    def refusal(self, currency: str, subtotal: int) -> str | None:
        """Why this coupon does not apply to goods worth `subtotal` in `currency` (None: it does)."""
        if not self.active:
            return "this coupon is no longer valid"
        if currency != self.currency:
            return f"this coupon is for {self.currency} orders"
        if subtotal < self.min_subtotal:
            return f"this coupon needs goods worth at least {self.min_subtotal} {self.currency}"
        return None


@dataclass(frozen=True)
class SavedAddress:
    customer_id: str
    address_id: str
    label: str
    address: Address
    is_default: bool
    created_at: int


# ── the purchase: pending_payment → paid | cancelled ─────────────────────────────────────


class PurchaseStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    CANCELLED = "cancelled"


class SubStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PurchaseGroup:
    """One supplier's part of a purchase, as split, with what the supplier order will need."""

    order_id: str
    """The id of the supplier order this group becomes once paid (`<purchase id>-<n>`)."""
    supplier_name: str
    address: Address | None
    """The shipping address of the section (only when it holds physical goods)."""
    group: SupplierGroup

    @property
    def supplier_id(self) -> str:
        return self.group.supplier_id

    def sub_order_ids(self) -> tuple[str, ...]:
        return tuple(sub_order_id(self.order_id, n) for n in range(1, len(self.group.sub_orders) + 1))


def supplier_party(supplier_id: str) -> Party:
    return Party("supplier", supplier_id)


def sub_order_id(order_id: str, n: int) -> str:
    return f"{order_id}-{n}"


def order_id_of(sub_id: str) -> str:
    """The supplier order a sub-order id belongs to (`pur_…-2-1` → `pur_…-2`)."""
    return sub_id.rpartition("-")[0]


@dataclass(frozen=True)
class PurchaseHistory:
    at: int
    status: str
    cause: str


@dataclass(frozen=True)
class StockHold:
    """Units of one product a purchase holds: reserved at create, released if it is cancelled."""

    supplier_id: str
    product_id: str
    quantity: int


@dataclass(frozen=True)
class Purchase:
    id: str
    customer_id: str
    status: PurchaseStatus
    currency: str
    groups: tuple[PurchaseGroup, ...]
    discount: int
    payment: PaymentRef
    payment_deadline: int
    created_at: int
    updated_at: int
    paid_at: int | None = None
    cancelled_at: int | None = None
    cancel_reason: str | None = None
    refund: RefundDue | None = None
    history: tuple[PurchaseHistory, ...] = ()
    coupon: str | None = None
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        return self.payment_deadline if self.status is PurchaseStatus.PENDING_PAYMENT else None

    @property
    def parties(self) -> tuple[Party, ...]:
        return (customer(self.customer_id),)

    @property
    def total(self) -> int:
        return sum(g.group.total for g in self.groups)

    @property
    def subtotal(self) -> int:
        return sum(s.subtotal for g in self.groups for s in g.group.sub_orders)

    @property
    def shipping(self) -> int:
        return sum(s.shipping for g in self.groups for s in g.group.sub_orders)

    def holds(self) -> tuple[StockHold, ...]:
        """The stock this purchase holds, one entry per product (a product on two lines sums)."""
        quantities: dict[tuple[str, str], int] = {}
        for g in self.groups:
            for s in g.group.sub_orders:
                for line in s.lines:
                    key = (line.supplier_id, line.product_id)
                    quantities[key] = quantities.get(key, 0) + line.quantity
        return tuple(StockHold(s, p, q) for (s, p), q in quantities.items())

    def virtual_sub_order_ids(self) -> tuple[str, ...]:
        return tuple(sid for g in self.groups
                     for sid, s in zip(g.sub_order_ids(), g.group.sub_orders, strict=True)
                     if s.product_type.kind is Kind.VIRTUAL)


# ── the supplier order (the supplier's paid order, the customer's paid record) ───────────


@dataclass(frozen=True)
class Position:
    lat: float
    lng: float
    at: int


@dataclass(frozen=True)
class Tracking:
    method: Method
    shipped_at: int
    carrier_id: str | None = None
    position: Position | None = None
    distance_km: float | None = None
    eta: int | None = None


@dataclass(frozen=True)
class Fulfilment:
    """How the customer redeems virtual goods."""

    code: str
    link: str


@dataclass(frozen=True)
class Parcel:
    """One sub-order of a supplier order, as it moves: paid → shipped → delivered, or fulfilled."""

    id: str
    sub_order: SubOrder
    status: SubStatus
    tracking: Tracking | None = None
    delivered_at: int | None = None
    fulfilment: Fulfilment | None = None

    @property
    def physical(self) -> bool:
        return self.sub_order.product_type.kind is Kind.PHYSICAL


@dataclass(frozen=True)
class SupplierOrder:
    id: str
    purchase_id: str
    customer_id: str
    supplier_id: str
    supplier_name: str
    currency: str
    address: Address | None
    parcels: tuple[Parcel, ...]
    created_at: int
    updated_at: int
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        return None  # nothing here waits on a deadline; the engine is used for its fenced commit

    @property
    def parties(self) -> tuple[Party, ...]:
        """Its customer, its supplier, and the carrier of each parcel (who sees only that parcel)."""
        carriers = {p.tracking.carrier_id for p in self.parcels if p.tracking is not None and p.tracking.carrier_id}
        return (customer(self.customer_id), supplier_party(self.supplier_id),
                *(Party("carrier", c) for c in sorted(carriers)))

    @property
    def total(self) -> int:
        return sum(p.sub_order.total for p in self.parcels)

    @property
    def status(self) -> str:
        """One word for lists: `paid` until something moves, `in_progress`, then `completed`."""
        done = (SubStatus.DELIVERED, SubStatus.FULFILLED)
        if all(p.status in done for p in self.parcels):
            return "completed"
        if any(p.status is not SubStatus.PAID for p in self.parcels):
            return "in_progress"
        return "paid"

    def parcel(self, parcel_id: str) -> Parcel | None:
        return next((p for p in self.parcels if p.id == parcel_id), None)

    def carried_by(self, carrier_id: str) -> tuple[Parcel, ...]:
        """The parcels this carrier was named for (all a carrier may see of the order)."""
        return tuple(p for p in self.parcels if p.tracking is not None and p.tracking.carrier_id == carrier_id)


__all__ = [
    "AttributeOption", "Coupon", "Fulfilment", "Kind", "Method", "Parcel", "PaymentRef", "Position",
    "Product", "ProductType", "Purchase", "PurchaseGroup", "PurchaseHistory", "PurchaseStatus", "RefundDue",
    "SavedAddress", "StockHold", "SubStatus", "Supplier", "SupplierOrder", "Tracking", "order_id_of", "sub_order_id",
    "supplier_party",
]
