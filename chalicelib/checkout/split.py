"""Workflow 03's split: one cart → one group per supplier → one sub-order per product type, with
shipping and the discount allocated so that every total adds up exactly. Pure: no I/O.

The allocation rule (documented in `docs/decisions.md`):

* **Shipping** is each supplier's own fee, charged once per group that holds physical goods, and
  spread over that group's physical sub-orders in proportion to their goods subtotals.
* **The discount** (an order-level amount, capped at the goods total) is spread over every
  sub-order of the order in proportion to its goods subtotal; it never exceeds a sub-order's own
  goods, and shipping is never discounted.
* Both use `allocate` (largest remainder, ties to the earlier sub-order), and groups and
  sub-orders keep the order in which the cart first names their supplier and product type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.core.money import allocate


class Kind(StrEnum):
    PHYSICAL = "physical"
    VIRTUAL = "virtual"


@dataclass(frozen=True)
class ProductType:
    kind: Kind
    category: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}/{self.category}"


@dataclass(frozen=True)
class CartLine:
    supplier_id: str
    product_id: str
    name: str
    product_type: ProductType
    unit_price: int
    quantity: int
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def amount(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class SubOrder:
    supplier_id: str
    product_type: ProductType
    lines: tuple[CartLine, ...]
    shipping: int
    discount: int

    @property
    def subtotal(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping - self.discount


@dataclass(frozen=True)
class SupplierGroup:
    supplier_id: str
    sub_orders: tuple[SubOrder, ...]

    @property
    def total(self) -> int:
        return sum(s.total for s in self.sub_orders)

    @property
    def ships(self) -> bool:
        return any(s.product_type.kind is Kind.PHYSICAL for s in self.sub_orders)


@dataclass(frozen=True)
class Split:
    groups: tuple[SupplierGroup, ...]

    @property
    def sub_orders(self) -> tuple[SubOrder, ...]:
        return tuple(s for g in self.groups for s in g.sub_orders)

    @property
    def subtotal(self) -> int:
        return sum(s.subtotal for s in self.sub_orders)

    @property
    def shipping(self) -> int:
        return sum(s.shipping for s in self.sub_orders)

    @property
    def discount(self) -> int:
        return sum(s.discount for s in self.sub_orders)

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


def split_cart(lines: Sequence[CartLine], shipping_fees: Mapping[str, int], discount: int = 0) -> Split:
    """`shipping_fees`: each supplier's fee for one shipment (0 or absent: free shipping)."""
    if not lines:
        raise ValueError("an empty cart cannot be split")
    by_supplier: dict[str, dict[ProductType, list[CartLine]]] = {}
    for line in lines:
        by_supplier.setdefault(line.supplier_id, {}).setdefault(line.product_type, []).append(line)
    buckets = [(supplier, kind, tuple(group)) for supplier, types in by_supplier.items()
               for kind, group in types.items()]
    subtotals = [sum(line.amount for line in group) for _, _, group in buckets]
    discounts = allocate(min(max(discount, 0), sum(subtotals)), subtotals)
    shipping = [0] * len(buckets)
    for supplier in by_supplier:
        physical = [i for i, (s, kind, _) in enumerate(buckets) if s == supplier and kind.kind is Kind.PHYSICAL]
        fee = shipping_fees.get(supplier, 0) if physical else 0
        for index, share in zip(physical, allocate(fee, [subtotals[i] for i in physical]), strict=True):
            shipping[index] = share
    sub_orders = [SubOrder(supplier, kind, group, shipping[i], discounts[i])
                  for i, (supplier, kind, group) in enumerate(buckets)]
    return Split(tuple(SupplierGroup(supplier, tuple(s for s in sub_orders if s.supplier_id == supplier))
                       for supplier in by_supplier))
