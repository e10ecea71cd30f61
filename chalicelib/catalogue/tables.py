"""The merchants' menu catalogue in DynamoDB: merchants and their products (persistence shape only)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from chalicelib.persistence.tables import StageModel


class MerchantModel(StageModel):
    class Meta:
        table_name = "merchants"

    merchant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    business_hours = MapAttribute[str, Any]()
    paused = BooleanAttribute(default=False)
    verified = BooleanAttribute(default=True)
    answer_window_s = NumberAttribute(null=True)
    currency = UnicodeAttribute()
    created_at = NumberAttribute()
    version = VersionAttribute()


class ProductModel(StageModel):
    class Meta:
        table_name = "products"

    merchant_id = UnicodeAttribute(hash_key=True)
    product_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    price = NumberAttribute()
    currency = UnicodeAttribute()
    """The merchant's, recorded with the price: an amount means nothing without it."""
    stock = NumberAttribute()
    on_sale = BooleanAttribute(default=True)
    max_per_order = NumberAttribute(default=20)
    created_at = NumberAttribute()
