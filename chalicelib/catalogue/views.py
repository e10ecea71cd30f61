"""How merchants and products look on the wire. Everyone signed in reads a merchant and its menu;
how many units are left is the merchant's business (its staff and ops), the others see whether
a product is in stock (as with suppliers' products, `checkout/supplier_catalogue_views.py`)."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.core.money import money_of


def merchant_view(merchant: Merchant, default_window_s: int) -> dict[str, Any]:
    return {
        "merchant_id": merchant.id,
        "name": merchant.name,
        "time_zone": merchant.time_zone,
        "business_hours": merchant.business_hours,
        "paused": merchant.paused,
        "verified": merchant.verified,
        "answer_window_s": merchant.answer_window_s or default_window_s,
        "currency": merchant.currency,
    }


def public_product_view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "merchant_id": product.merchant_id,
        "name": product.name,
        "price": money_of(product.price, product.currency),
        "on_sale": product.on_sale,
        "in_stock": product.stock > 0,
        "max_per_order": product.max_per_order,
    }


def product_view(product: Product) -> dict[str, Any]:
    return {**public_product_view(product), "stock": product.stock}
