"""The supplier catalogue: ops manage suppliers; each supplier (or ops) manages its own products;
everyone authenticated browses what is on sale; the checkout reads prices and stock from here.

Who sees what:

* **Ops** see and change every supplier and product.
* **A supplier** sees and changes its own products (with stock and off-sale ones). Writing another
  supplier's products answers `404`, whether or not they exist; reading them, it is a customer.
* **Everyone else** sees the public card of an *active* supplier and its products *on sale*;
  an inactive supplier, or an off-sale product, is `404` to them, and the list of suppliers holds
  only the active ones (for a supplier too, its own card in full).

Stock is set once, when a product is created; from then on only `restock` (a delta) moves it.
Checkouts reserve stock with conditional adds (`stock >= n`) and cancelled purchases give it
back with adds, all committed concurrently with catalogue edits: writing a product's stock as an
absolute number would overwrite the reservations and releases made since the writer read it
(overselling, or units lost for good). So `PUT` of a product changes everything but its stock,
and a restock is an atomic `ADD` that may not take the stock below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.checkout.model import AttributeOption, Product, Supplier
from chalicelib.checkout.ports import ProductKey, SupplierStore
from chalicelib.checkout.split import Kind, ProductType
from chalicelib.core.clock import Clock
from chalicelib.core.errors import AlreadyExists, AlreadyTaken, FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.money import Money, currency_errors
from chalicelib.persistence.paging import Page

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.checkout.supplier_schemas import ProductIn, SupplierIn, SupplierPatch


@dataclass(frozen=True)
class Listed:
    """A product with its supplier (whose currency its price is in)."""

    supplier: Supplier
    product: Product
    created: bool = False
    """Whether this request created the product (a `PUT` answers 201 then, else 200)."""


@dataclass(frozen=True)
class Shelf:
    """One page of a supplier's products, as the caller may see them."""

    supplier: Supplier
    products: Page[Product]


def manages(caller: Principal, supplier_id: str) -> bool:
    """Ops, or the supplier itself: who sees everything of a supplier and may change its products."""
    return caller.role is Role.OPS or (caller.role is Role.SUPPLIER and caller.supplier_id == supplier_id)


class SupplierCatalogue:
    def __init__(self, store: SupplierStore, clock: Clock) -> None:
        self.store = store
        self._clock = clock

    # ── suppliers (ops) ─────────────────────────────────────────────────────────────────────

    def create_supplier(self, caller: Principal, body: SupplierIn) -> Supplier:
        caller.require(Role.OPS)
        fee = None if body.shipping_fee is None else body.shipping_fee.to_money()
        _check_currency(body.currency, shipping_fee=fee)
        supplier = Supplier(id=body.supplier_id or new_id("sup"), name=body.name, currency=body.currency,
                            shipping_fee=0 if fee is None else fee.amount, active=body.active,
                            created_at=self._clock.now_ms())
        try:
            return self.store.create(supplier)
        except AlreadyExists:
            raise AlreadyTaken(f"supplier {supplier.id} already exists", supplier_id=supplier.id) from None

    def patch_supplier(self, caller: Principal, supplier_id: str, patch: SupplierPatch) -> Supplier:
        """Changes apply to what is priced from now on: pending purchases keep the fee and currency
        they were created with."""
        caller.require(Role.OPS)
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        cleared = [FieldError(name, "cannot be null") for name, value in changes.items() if value is None]
        if cleared:
            raise ValidationFailed("a field cannot be cleared", cleared)
        if patch.shipping_fee is not None:
            current = patch.currency or self.supplier(caller, supplier_id).currency
            _check_currency(current, shipping_fee=patch.shipping_fee.to_money())
            changes["shipping_fee"] = patch.shipping_fee.amount
        updated = self.store.update(supplier_id, changes)
        if updated is None:
            raise NotFound(f"supplier {supplier_id} not found")
        return updated

    def suppliers_page(self, caller: Principal, limit: int, token: str | None) -> Page[Supplier]:
        """Every supplier for ops; the active ones for everyone else (a supplier too: its own
        inactive card it still reads by id). The store filters, so pages stay `limit` long."""
        return self.store.list(limit, token, active_only=caller.role is not Role.OPS)

    def supplier(self, caller: Principal, supplier_id: str) -> Supplier:
        """Any supplier for ops and the supplier itself; an active one for everyone else."""
        supplier = self.store.get(supplier_id)
        if supplier is None or not (supplier.active or manages(caller, supplier_id)):
            raise NotFound(f"supplier {supplier_id} not found")
        return supplier

    # ── products: the supplier itself, or ops ───────────────────────────────────────────────

    def put_product(self, caller: Principal, supplier_id: str, product_id: str, body: ProductIn) -> Listed:
        """Create the product with `body.stock`, or update everything of it but its stock (which
        `body.stock` then does not touch: see the module doc)."""
        supplier = self._managed(caller, supplier_id)
        _check_currency(supplier.currency, price=body.price.to_money())
        product = Product(
            supplier_id=supplier_id, product_id=product_id, name=body.name, price=body.price.amount,
            stock=body.stock,
            product_type=ProductType(Kind(body.kind), body.category),
            attributes=tuple(AttributeOption(name, tuple(values)) for name, values in body.attributes.items()),
            on_sale=body.on_sale, created_at=self._clock.now_ms())
        if self.store.get_product(supplier_id, product_id) is None:
            try:
                return Listed(supplier, self.store.put_product(product, create=True), created=True)
            except AlreadyExists:
                pass  # created meanwhile by another request: this one is an update
        return Listed(supplier, self.store.put_product(product, create=False))

    def restock(self, caller: Principal, supplier_id: str, product_id: str, delta: int) -> Listed:
        """Add (or, negative, take out) units atomically; never below zero (422 on `delta`)."""
        supplier = self._managed(caller, supplier_id)
        return Listed(supplier, self.store.restock(supplier_id, product_id, delta))

    # ── reading products ────────────────────────────────────────────────────────────────────

    def product(self, caller: Principal, supplier_id: str, product_id: str) -> Listed:
        supplier = self.supplier(caller, supplier_id)
        product = self.store.get_product(supplier_id, product_id)
        if product is None or not (product.on_sale or manages(caller, supplier_id)):
            raise NotFound(f"product {product_id} not found")
        return Listed(supplier, product)

    def products_page(self, caller: Principal, supplier_id: str, limit: int, token: str | None) -> Shelf:
        """Everything for ops and the supplier itself, what is on sale for everyone else."""
        if not manages(caller, supplier_id):
            return self.browse(caller, supplier_id, limit, token)
        supplier = self.supplier(caller, supplier_id)
        return Shelf(supplier, self.store.products_of(supplier_id, limit, token))

    def browse(self, caller: Principal, supplier_id: str, limit: int, token: str | None) -> Shelf:
        """The products on sale of an active supplier (404 for an inactive or unknown one), as any
        authenticated caller may see them."""
        supplier = self.store.get(supplier_id)
        if supplier is None or not supplier.active:
            raise NotFound(f"supplier {supplier_id} not found")
        return Shelf(supplier, self.store.products_of(supplier_id, limit, token, on_sale_only=True))

    # ── what the checkout reads (no caller: it checks on-sale and active itself) ──────────

    def products(self, keys: Iterable[ProductKey]) -> dict[ProductKey, Product]:
        """The products among `keys` that exist, on sale or not, read consistently."""
        return self.store.products(keys)

    def suppliers(self, ids: Iterable[str]) -> dict[str, Supplier]:
        """The suppliers among `ids` that exist, active or not, read consistently."""
        return self.store.suppliers(ids)

    # ── scoping ─────────────────────────────────────────────────────────────────────────────

    def _managed(self, caller: Principal, supplier_id: str) -> Supplier:
        """The supplier a product write is for: 403 for roles that never write products, 404 for
        another supplier's (whether or not it exists) and for a supplier that does not exist."""
        caller.require(Role.SUPPLIER, Role.OPS)
        supplier = self.store.get(supplier_id) if manages(caller, supplier_id) else None
        if supplier is None:
            raise NotFound(f"supplier {supplier_id} not found")
        return supplier


def _check_currency(currency: str, **amounts: Money | None) -> None:
    """A supplier sells in one currency: its fee and its prices are taken in it or not at all."""
    wrong = currency_errors(currency, "the supplier's", **amounts)
    if wrong:
        raise ValidationFailed("an amount is not in the supplier's currency", wrong)
