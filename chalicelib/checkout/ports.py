"""What split orders need stored (DynamoDB: the `*_store.py` modules; in memory: the tests' fakes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from chalicelib.checkout.model import Coupon, Product, Purchase, SavedAddress, StockHold, Supplier, SupplierOrder
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import EntityStore

ProductKey = tuple[str, str]
"""(supplier id, product id)."""


class OutOfStock(Exception):
    """A reservation lost: these products no longer have the units the purchase asked for."""

    def __init__(self, holds: list[StockHold]) -> None:
        super().__init__(", ".join(f"{h.supplier_id}/{h.product_id}" for h in holds))
        self.holds = holds


class PurchaseStore(EntityStore[Purchase], Protocol):
    """Purchases. An insert also writes its `StockReservation`s (each only if that many units are
    in stock: else nothing is written and `OutOfStock` names the short products); a commit writes
    the decision's `StockRelease`s and `NewSupplierOrder`s with it."""

    def get(self, purchase_id: str) -> Purchase | None: ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Purchase]:
        """A customer's purchases, newest first."""
        ...

    def refunds_due(self, limit: int, token: str | None) -> Page[Purchase]:
        """Purchases with a payment to give back (ops)."""
        ...


class SupplierOrderStore(EntityStore[SupplierOrder], Protocol):
    """Supplier orders: created only by a purchase's payment, then changed one commit at a time."""

    def get(self, order_id: str) -> SupplierOrder | None: ...

    def many(self, order_ids: list[str]) -> list[SupplierOrder]:
        """Those that exist, in the order asked."""
        ...

    def for_supplier(self, supplier_id: str, status: str | None, limit: int, token: str | None
                     ) -> Page[SupplierOrder]:
        """A supplier's orders, newest first (only those in `status`, if given)."""
        ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[SupplierOrder]: ...


class SupplierStore(Protocol):
    """Suppliers and their products. A product's stock is written whole only when it is created;
    from then on it moves by atomic adds alone (`restock`, and the purchases' reservations)."""

    def create(self, supplier: Supplier) -> Supplier:
        """Create-only: `AlreadyExists` when the id is taken."""
        ...

    def update(self, supplier_id: str, changes: Mapping[str, Any]) -> Supplier | None:
        """Set some of `name`, `currency`, `shipping_fee`, `active` (None: no such supplier)."""
        ...

    def get(self, supplier_id: str) -> Supplier | None: ...

    def list(self, limit: int, token: str | None, *, active_only: bool = False) -> Page[Supplier]:
        """One page of every supplier, or only the active ones (full pages: filtered in the store)."""
        ...

    def suppliers(self, ids: Iterable[str]) -> dict[str, Supplier]:
        """The suppliers among `ids` that exist (read consistently: the checkout prices from them)."""
        ...

    def get_product(self, supplier_id: str, product_id: str) -> Product | None: ...

    def products_of(self, supplier_id: str, limit: int, token: str | None, *,
                    on_sale_only: bool = False) -> Page[Product]: ...

    def put_product(self, product: Product, *, create: bool) -> Product:
        """Create-only (`AlreadyExists`), or update everything but `stock` (`NotFound` if absent)."""
        ...

    def restock(self, supplier_id: str, product_id: str, delta: int) -> Product:
        """Add `delta` units atomically, never below zero (`NotFound`; `ValidationFailed` on `delta`)."""
        ...

    def products(self, keys: Iterable[ProductKey]) -> dict[ProductKey, Product]:
        """The products among `keys` that exist (read consistently)."""
        ...


class AddressStore(Protocol):
    """A customer's saved addresses (few: one query reads them all, one transaction writes them all)."""

    def list(self, customer_id: str) -> list[SavedAddress]: ...

    def get(self, customer_id: str, address_id: str) -> SavedAddress | None: ...

    def add(self, saved: SavedAddress) -> SavedAddress:
        """Create-only, with `is_default` as given (`AlreadyExists` if the id is taken)."""
        ...

    def put(self, saved: SavedAddress) -> SavedAddress | None:
        """Replace the label and address of an existing one, leaving `is_default` alone (None: none)."""
        ...

    def delete(self, customer_id: str, address_id: str) -> bool:
        """Whether there was such an address to delete."""
        ...

    def set_default(self, customer_id: str, address_id: str) -> SavedAddress | None:
        """Make this address the default and every other one not, at once (None: no such address)."""
        ...


class CouponStore(Protocol):
    def create(self, coupon: Coupon) -> Coupon:
        """Create-only: `AlreadyExists` when the code is taken."""
        ...

    def get(self, code: str) -> Coupon | None: ...

    def set_active(self, code: str, active: bool) -> Coupon | None:
        """None: no such coupon."""
        ...

    def list(self, limit: int, token: str | None) -> Page[Coupon]: ...
