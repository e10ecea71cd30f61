"""How merchants and products look on the wire."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.model import Merchant, Product


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


def product_view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "merchant_id": product.merchant_id,
        "name": product.name,
        "price": product.price,
        "stock": product.stock,
        "on_sale": product.on_sale,
        "max_per_order": product.max_per_order,
    }
