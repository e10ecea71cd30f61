"""How merchants and products look on the wire."""

from __future__ import annotations

from typing import Any

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.core.money import money_of
from chalicelib.http.responses import MoneyView, ResponseBody


class MerchantView(ResponseBody):
    merchant_id: str
    name: str
    time_zone: str
    business_hours: dict[str, list[list[str]]]
    """Opening intervals per weekday in local time (`[["11:00", "14:00"], …]`)."""
    paused: bool
    verified: bool
    answer_window_s: int
    """The merchant's own answer window, or the platform's default."""
    currency: str


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


class ProductView(ResponseBody):
    product_id: str
    merchant_id: str
    name: str
    price: MoneyView
    """In the merchant's currency."""
    stock: int
    on_sale: bool
    max_per_order: int


def product_view(product: Product) -> dict[str, Any]:
    return {
        "product_id": product.id,
        "merchant_id": product.merchant_id,
        "name": product.name,
        "price": money_of(product.price, product.currency),
        "stock": product.stock,
        "on_sale": product.on_sale,
        "max_per_order": product.max_per_order,
    }
