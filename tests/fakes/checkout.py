"""Split orders in memory: suppliers and their stock, coupons, saved addresses, and the purchases
whose writes reserve and release that stock and create the supplier orders of the fan-out."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.checkout.model import Coupon, Product, Purchase, SavedAddress, StockHold, Supplier, SupplierOrder
from chalicelib.checkout.ports import (
    AddressStore,
    CouponStore,
    OutOfStock,
    ProductKey,
    PurchaseStore,
    SupplierOrderStore,
    SupplierStore,
)
from chalicelib.checkout.purchase_decider import NewSupplierOrder, StockRelease, StockReservation
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, FieldError, NotFound, ValidationFailed
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import DueAlarm
from tests.fakes.entities import InMemoryEntityStore, refuse_unknown
from tests.fakes.paging import Position, page_of, scan_position

_SUPPLIER_FIELDS = ("name", "currency", "shipping_fee", "active")


class InMemorySupplierStore(SupplierStore):
    """A product's stock is set at creation, then moves only by `restock` and by the purchases'
    reservations and releases (`reserve`, `release`)."""

    def __init__(self) -> None:
        self._suppliers: dict[str, Supplier] = {}
        self._products: dict[ProductKey, Product] = {}

    # ── suppliers ───────────────────────────────────────────────────────────────────────────

    def create(self, supplier: Supplier) -> Supplier:
        if supplier.id in self._suppliers:
            raise AlreadyExists(supplier.id)
        self._suppliers[supplier.id] = supplier
        return supplier

    def update(self, supplier_id: str, changes: Mapping[str, Any]) -> Supplier | None:
        unknown = set(changes) - set(_SUPPLIER_FIELDS)
        if unknown:
            raise ValueError(f"not supplier fields: {sorted(unknown)}")
        stored = self._suppliers.get(supplier_id)
        if stored is None:
            return None
        self._suppliers[supplier_id] = replace(stored, **changes)
        return self._suppliers[supplier_id]

    def get(self, supplier_id: str) -> Supplier | None:
        return self._suppliers.get(supplier_id)

    def list(self, limit: int, token: str | None, *, active_only: bool = False) -> Page[Supplier]:
        scan = scan_position(self._suppliers)
        return page_of(self._suppliers.values(), limit, token, index="suppliers", position=lambda s: scan(s.id),
                       matches=lambda s: s.active or not active_only)

    def suppliers(self, ids: Iterable[str]) -> dict[str, Supplier]:
        return {i: self._suppliers[i] for i in dict.fromkeys(ids) if i in self._suppliers}

    # ── products ────────────────────────────────────────────────────────────────────────────

    def get_product(self, supplier_id: str, product_id: str) -> Product | None:
        return self._products.get((supplier_id, product_id))

    def products_of(self, supplier_id: str, limit: int, token: str | None, *,
                    on_sale_only: bool = False) -> Page[Product]:
        return page_of((p for (s, _), p in self._products.items() if s == supplier_id), limit, token,
                       index="supplier_products", position=lambda p: (p.product_id,),
                       matches=lambda p: p.on_sale or not on_sale_only)

    def put_product(self, product: Product, *, create: bool) -> Product:
        stored = self._products.get(product.key)
        if create:
            if stored is not None:
                raise AlreadyExists(f"{product.supplier_id}/{product.product_id}")
            self._products[product.key] = product
            return product
        if stored is None:
            raise NotFound(f"product {product.product_id} not found")
        self._products[product.key] = replace(product, stock=stored.stock, created_at=stored.created_at)
        return self._products[product.key]

    def restock(self, supplier_id: str, product_id: str, delta: int) -> Product:
        stored = self._products.get((supplier_id, product_id))
        if stored is None:
            raise NotFound(f"product {product_id} not found")
        if stored.stock + delta < 0:
            raise ValidationFailed("stock cannot go below zero", [
                FieldError("delta", f"only {stored.stock} in stock: take out at most that many")])
        self._products[stored.key] = replace(stored, stock=stored.stock + delta)
        return self._products[stored.key]

    def products(self, keys: Iterable[ProductKey]) -> dict[ProductKey, Product]:
        return {k: self._products[k] for k in dict.fromkeys(keys) if k in self._products}

    # ── what a purchase's writes do ─────────────────────────────────────────────────────────

    def short_of(self, holds: Iterable[StockHold]) -> builtins.list[StockHold]:
        """The holds whose product is missing or has fewer units (a reservation's condition fails)."""
        return [h for h in holds if (p := self._products.get((h.supplier_id, h.product_id))) is None
                or p.stock < h.quantity]

    def move_stock(self, hold: StockHold, delta: int) -> None:
        product = self._products[(hold.supplier_id, hold.product_id)]
        self._products[product.key] = replace(product, stock=product.stock + delta)


def _created(order: SupplierOrder | Purchase) -> Position:
    return order.created_at, order.id


class InMemorySupplierOrderStore(InMemoryEntityStore[SupplierOrder], SupplierOrderStore):
    """Supplier orders: created by a purchase's payment (`create_paid`), then committed one by one."""

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, ())

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        return []

    def many(self, order_ids: list[str]) -> list[SupplierOrder]:
        found = (self.get(order_id) for order_id in order_ids)
        return [order for order in found if order is not None]

    def for_supplier(self, supplier_id: str, status: str | None, limit: int, token: str | None
                     ) -> Page[SupplierOrder]:
        return page_of((o for o in self.entities() if o.supplier_id == supplier_id), limit, token,
                       index="supplier_orders.by_supplier", position=_created, descending=True,
                       matches=lambda o: status is None or o.status == status)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[SupplierOrder]:
        return page_of((o for o in self.entities() if o.customer_id == customer_id), limit, token,
                       index="supplier_orders.by_customer", position=_created, descending=True)

    def taken(self, order_ids: Iterable[str]) -> bool:
        return any(order_id in self._items for order_id in order_ids)

    def create_paid(self, order: SupplierOrder) -> None:
        self._put(order, 1, None)


class InMemoryPurchaseStore(InMemoryEntityStore[Purchase], PurchaseStore):
    """Purchases. An insert takes its reservations' stock only if every product has it (else it
    writes nothing and raises OutOfStock naming the short ones); a commit gives released stock
    back and creates the fan-out's supplier orders, all with the purchase's own write."""

    def __init__(self, suppliers: InMemorySupplierStore, orders: InMemorySupplierOrderStore, shards: int = 16
                 ) -> None:
        super().__init__(shards)
        self.suppliers = suppliers
        self.orders = orders

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, (StockReservation, StockRelease, NewSupplierOrder))
        short = self.suppliers.short_of(r.hold for r in writes if isinstance(r, StockReservation))
        if short:
            raise OutOfStock(short)
        if self.orders.taken(r.order.id for r in writes if isinstance(r, NewSupplierOrder)):
            raise ConcurrentUpdate(entity_id)  # the supplier order's create-only condition fails
        for record in writes:
            if isinstance(record, StockReservation):
                self.suppliers.move_stock(record.hold, -record.hold.quantity)
            elif isinstance(record, StockRelease):
                self.suppliers.move_stock(record.hold, +record.hold.quantity)
            elif isinstance(record, NewSupplierOrder):
                self.orders.create_paid(record.order)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Purchase]:
        return page_of((p for p in self.entities() if p.customer_id == customer_id), limit, token,
                       index="purchases.by_customer", position=_created, descending=True)

    def refunds_due(self, limit: int, token: str | None) -> Page[Purchase]:
        scan = scan_position(self._items)
        return page_of(self.entities(), limit, token, index="purchases", position=lambda p: scan(p.id),
                       matches=lambda p: p.refund is not None)


class InMemoryAddressStore(AddressStore):
    def __init__(self) -> None:
        self._addresses: dict[tuple[str, str], SavedAddress] = {}

    def list(self, customer_id: str) -> list[SavedAddress]:
        return sorted((a for (c, _), a in self._addresses.items() if c == customer_id), key=lambda a: a.address_id)

    def get(self, customer_id: str, address_id: str) -> SavedAddress | None:
        return self._addresses.get((customer_id, address_id))

    def add(self, saved: SavedAddress) -> SavedAddress:
        if (saved.customer_id, saved.address_id) in self._addresses:
            raise AlreadyExists(saved.address_id)
        self._addresses[(saved.customer_id, saved.address_id)] = saved
        return saved

    def put(self, saved: SavedAddress) -> SavedAddress | None:
        stored = self.get(saved.customer_id, saved.address_id)
        if stored is None:
            return None
        replaced = replace(stored, label=saved.label, address=saved.address)
        self._addresses[(saved.customer_id, saved.address_id)] = replaced
        return replaced

    def delete(self, customer_id: str, address_id: str) -> bool:
        return self._addresses.pop((customer_id, address_id), None) is not None

    def set_default(self, customer_id: str, address_id: str) -> SavedAddress | None:
        if self.get(customer_id, address_id) is None:
            return None
        for saved in self.list(customer_id):
            self._addresses[(customer_id, saved.address_id)] = replace(saved, is_default=saved.address_id == address_id)
        return self.get(customer_id, address_id)


class InMemoryCouponStore(CouponStore):
    def __init__(self) -> None:
        self._coupons: dict[str, Coupon] = {}

    def create(self, coupon: Coupon) -> Coupon:
        if coupon.code in self._coupons:
            raise AlreadyExists(coupon.code)
        self._coupons[coupon.code] = coupon
        return coupon

    def get(self, code: str) -> Coupon | None:
        return self._coupons.get(code)

    def set_active(self, code: str, active: bool) -> Coupon | None:
        stored = self._coupons.get(code)
        if stored is None:
            return None
        self._coupons[code] = replace(stored, active=active)
        return self._coupons[code]

    def list(self, limit: int, token: str | None) -> Page[Coupon]:
        scan = scan_position(self._coupons)
        return page_of(self._coupons.values(), limit, token, index="coupons", position=lambda c: scan(c.code))
