"""Suppliers and their products in DynamoDB.

A product's `stock` is written whole only when the product is created; from then on it moves by
atomic adds alone — the checkout's reservations and releases (`purchase_store`) and `restock` here
— each a conditional `ADD`, so no read-modify-write can lose another writer's units. A write that a
checkout's transaction on the same product refused (`contended`) wrote nothing and is tried again
(`retry_contended`). Customers' saved addresses are in `address_store.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.checkout.model import AttributeOption, Product, Supplier
from chalicelib.checkout.ports import ProductKey
from chalicelib.checkout.split import Kind, ProductType
from chalicelib.checkout.tables import SupplierModel, SupplierProductModel
from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import ConcurrentUpdate, FieldError, NotFound, ValidationFailed
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import lost_condition, raise_if_contended, retried, save_new, write_token

_SUPPLIER_FIELDS = ("name", "currency", "shipping_fee", "active")


class DynamoSupplierStore:
    # ── suppliers ───────────────────────────────────────────────────────────────────────────

    def create(self, supplier: Supplier) -> Supplier:
        """Create-only: raises `AlreadyExists` when the id is taken."""
        item = SupplierModel(supplier_id=supplier.id, name=supplier.name, currency=supplier.currency,
                             shipping_fee=supplier.shipping_fee, active=supplier.active,
                             created_at=supplier.created_at)
        save_new(item, supplier.id)
        return _supplier(item)

    def update(self, supplier_id: str, changes: Mapping[str, Any]) -> Supplier | None:
        """Set some of `name`, `currency`, `shipping_fee`, `active` (None: no such supplier). The
        item's version guards the write; a lost race re-reads and sets the same fields again."""
        unknown = set(changes) - set(_SUPPLIER_FIELDS)
        if unknown:
            raise ValueError(f"not supplier fields: {sorted(unknown)}")

        def attempt() -> Supplier | None:
            item = get_or_none(SupplierModel, supplier_id, consistent=True)
            if item is None:
                return None
            if not changes:
                return _supplier(item)
            actions = [getattr(SupplierModel, name).set(value) for name, value in changes.items()]
            try:
                item.update(actions=actions, condition=SupplierModel.supplier_id.exists())
            except UpdateError as exc:
                if lost_condition(exc):
                    raise ConcurrentUpdate(supplier_id) from exc
                raise
            return _supplier(item)

        return retry_contended(attempt)

    def get(self, supplier_id: str) -> Supplier | None:
        item = get_or_none(SupplierModel, supplier_id, consistent=True)
        return None if item is None else _supplier(item)

    def list(self, limit: int, token: str | None, *, active_only: bool = False) -> Page[Supplier]:
        """One page of a scan of every supplier, or of the active ones: a scan with a filter, which
        DynamoDB applies after it counts `Limit`; PynamoDB reads on until the page holds `limit`
        items (or the table ends) and resumes the next page after the last item returned. So a
        page of active suppliers may read past many inactive ones: fine while suppliers are few."""
        active = SupplierModel.active == True if active_only else None  # noqa: E712
        return run_page(SupplierModel.scan(filter_condition=active, limit=limit,
                                           last_evaluated_key=decode_token(token)), _supplier)

    def suppliers(self, ids: Iterable[str]) -> dict[str, Supplier]:
        """The suppliers among `ids` that exist (consistent reads: the checkout prices from them)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        return {item.supplier_id: _supplier(item) for item in SupplierModel.batch_get(wanted, consistent_read=True)}

    # ── products ────────────────────────────────────────────────────────────────────────────

    def get_product(self, supplier_id: str, product_id: str) -> Product | None:
        item = get_or_none(SupplierProductModel, supplier_id, product_id, consistent=True)
        return None if item is None else _product(item)

    def products_of(self, supplier_id: str, limit: int, token: str | None, *,
                    on_sale_only: bool = False) -> Page[Product]:
        """One page of a supplier's products by id, or only those on sale. DynamoDB filters after it
        counts `Limit`; PynamoDB then reads on until the page holds `limit` items (or the supplier's
        products end), and resumes the next page after the last item returned."""
        on_sale = SupplierProductModel.on_sale == True if on_sale_only else None  # noqa: E712
        return run_page(SupplierProductModel.query(supplier_id, filter_condition=on_sale, limit=limit,
                                                   last_evaluated_key=decode_token(token)), _product)

    def put_product(self, product: Product, *, create: bool) -> Product:
        """Create-only (`AlreadyExists` if it exists), or update everything but `stock` of an existing
        product (`NotFound` if it does not): stock only ever moves by adds, see the module doc."""
        m = SupplierProductModel
        if create:
            item = _product_item(product)
            save_new(item, f"{product.supplier_id}/{product.product_id}")
            return _product(item)
        item = m(supplier_id=product.supplier_id, product_id=product.product_id)
        actions: list[Any] = [
            m.name.set(product.name), m.price.set(product.price), m.kind.set(product.product_type.kind.value),
            m.category.set(product.product_type.category), m.attributes.set(_attribute_maps(product)),
            m.on_sale.set(product.on_sale)]

        def attempt() -> Product:
            try:
                item.update(actions=actions, condition=m.product_id.exists())
            except UpdateError as exc:
                if lost_condition(exc):
                    raise NotFound(f"product {product.product_id} not found") from exc
                raise_if_contended(exc, f"product {product.product_id}")
                raise
            return _product(item)

        return retry_contended(attempt)

    def restock(self, supplier_id: str, product_id: str, delta: int) -> Product:
        """Add `delta` units atomically; a negative delta only if that many are in stock. Raises
        `NotFound` for no such product and `ValidationFailed` (on `delta`) for too few units."""
        m = SupplierProductModel
        item = m(supplier_id=supplier_id, product_id=product_id)

        def attempt() -> Product:
            # An add is not idempotent: its token keeps botocore's retry after a lost answer from
            # adding it twice (the retry is refused, and finds its token stored).
            token = write_token()
            condition = (m.product_id.exists() if delta > 0 else (m.stock >= -delta)) & (
                m.restock_token.does_not_exist() | (m.restock_token != token))
            try:
                item.update(actions=[m.stock.add(delta), m.restock_token.set(token)], condition=condition)
            except UpdateError as exc:
                raise_if_contended(exc, f"product {product_id}")  # a checkout's reservation held it
                if not lost_condition(exc):
                    raise
                stored = get_or_none(m, supplier_id, product_id, consistent=True)
                if stored is not None and retried(exc) and stored.restock_token == token:
                    return _product(stored)
                current = None if stored is None else _product(stored)
                if current is None:
                    raise NotFound(f"product {product_id} not found") from exc
                raise ValidationFailed("stock cannot go below zero", [
                    FieldError("delta", f"only {current.stock} in stock: take out at most that many")]) from exc
            return _product(item)

        return retry_contended(attempt)

    def products(self, keys: Iterable[ProductKey]) -> dict[ProductKey, Product]:
        """The products among `keys` that exist (consistent reads: the checkout prices from them)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        found = (_product(item) for item in SupplierProductModel.batch_get(wanted, consistent_read=True))
        return {product.key: product for product in found}


# ── mapping ─────────────────────────────────────────────────────────────────────────────────

def _supplier(item: SupplierModel) -> Supplier:
    return Supplier(id=item.supplier_id, name=item.name, currency=item.currency,
                    shipping_fee=int(item.shipping_fee or 0), active=bool(item.active), created_at=int(item.created_at))


def _attribute_maps(product: Product) -> list[dict[str, Any]]:
    return [{"name": a.name, "values": list(a.values)} for a in product.attributes]


def _product_item(product: Product) -> SupplierProductModel:
    return SupplierProductModel(
        supplier_id=product.supplier_id, product_id=product.product_id, name=product.name, price=product.price,
        stock=product.stock, kind=product.product_type.kind.value, category=product.product_type.category,
        attributes=_attribute_maps(product), on_sale=product.on_sale, created_at=product.created_at)


def _product(item: SupplierProductModel) -> Product:
    attributes = tuple(AttributeOption(str(raw["name"]), tuple(str(v) for v in raw["values"]))
                       for raw in item.attributes or [])
    return Product(supplier_id=item.supplier_id, product_id=item.product_id, name=item.name, price=int(item.price),
                   stock=int(item.stock), product_type=ProductType(Kind(item.kind), item.category),
                   attributes=attributes, on_sale=bool(item.on_sale), created_at=int(item.created_at))
