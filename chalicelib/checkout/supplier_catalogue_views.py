"""How suppliers, their products and saved addresses look on the wire. Money is an integer in minor
units with its currency (`{"amount": 1250, "currency": "CNY"}`), in the supplier's currency.

Ops and the supplier itself get the full views (stock, off-sale products, the shipping fee);
everyone else the public ones: a supplier's card, and products with `in_stock` but no count.
"""

from __future__ import annotations

from typing import Any

from chalicelib.checkout.model import Product, SavedAddress, Supplier
from chalicelib.checkout.supplier_catalogue import Listed, Shelf
from chalicelib.core.money import Money
from chalicelib.core.timefmt import iso


def _money(amount: int, currency: str) -> dict[str, Any]:
    return Money(amount, currency).as_map()


def public_supplier_view(supplier: Supplier) -> dict[str, Any]:
    return {"supplier_id": supplier.id, "name": supplier.name, "currency": supplier.currency}


def supplier_view(supplier: Supplier) -> dict[str, Any]:
    return {
        **public_supplier_view(supplier),
        "shipping_fee": _money(supplier.shipping_fee, supplier.currency),
        "active": supplier.active,
        "created_at": iso(supplier.created_at),
    }


def public_product_view(product: Product, currency: str) -> dict[str, Any]:
    return {
        "supplier_id": product.supplier_id,
        "product_id": product.product_id,
        "name": product.name,
        "price": _money(product.price, currency),
        "kind": product.product_type.kind.value,
        "category": product.product_type.category,
        "attributes": [{"name": a.name, "values": list(a.values)} for a in product.attributes],
        "in_stock": product.stock > 0,
    }


def product_view(product: Product, currency: str) -> dict[str, Any]:
    return {
        **public_product_view(product, currency),
        "stock": product.stock,
        "on_sale": product.on_sale,
        "created_at": iso(product.created_at),
    }


def listed_view(listed: Listed, full: bool) -> dict[str, Any]:
    view = product_view if full else public_product_view
    return view(listed.product, listed.supplier.currency)


def shelf_view(shelf: Shelf, full: bool) -> dict[str, Any]:
    view = product_view if full else public_product_view
    currency = shelf.supplier.currency
    return {"supplier": supplier_view(shelf.supplier) if full else public_supplier_view(shelf.supplier),
            "items": [view(p, currency) for p in shelf.products.items], "next_token": shelf.products.next_token}


def saved_address_view(saved: SavedAddress) -> dict[str, Any]:
    return {
        "address_id": saved.address_id,
        "label": saved.label,
        "address": saved.address.as_map(),
        "default": saved.is_default,
        "created_at": iso(saved.created_at),
    }
