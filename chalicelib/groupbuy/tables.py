"""Group-buy in DynamoDB (persistence shape only): deals and the shops' group-buy settings."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import StageModel

ON_SALE = "deals"
"""The one value of `on_sale_partition`: every active deal sits in one partition of `on_sale`."""


class ShopDealsIndex(GlobalSecondaryIndex["DealModel"]):
    class Meta:
        index_name = "by_shop"
        projection = AllProjection()

    shop_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class OnSaleIndex(GlobalSecondaryIndex["DealModel"]):
    """Sparse: only active deals carry `on_sale_partition`. One constant partition holds them all,
    newest first, so a customer's browse is one Query and no Scan. Its throughput is one partition's
    (≈ 3,000 reads/s, 1,000 writes/s): far above what browsing a city's deals asks; shard it (a
    few partitions read in parallel and merged) before it is not. The sale window is a filter, so
    ended deals that are still active are read and skipped: ops or the merchant deactivate them."""

    class Meta:
        index_name = "on_sale"
        projection = AllProjection()

    on_sale_partition = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class DealModel(StageModel):
    class Meta:
        table_name = "deals"

    id = UnicodeAttribute(hash_key=True)
    shop_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    price = NumberAttribute()
    currency = UnicodeAttribute()
    original_price = NumberAttribute(null=True)
    valid_from = NumberAttribute()
    valid_until = NumberAttribute()
    vouchers_expire_at = NumberAttribute(null=True)
    max_per_order = NumberAttribute()
    active = BooleanAttribute()
    on_sale_partition = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()

    by_shop = ShopDealsIndex()
    on_sale = OnSaleIndex()


class MealMap(MapAttribute[str, str]):
    name = UnicodeAttribute()
    start = UnicodeAttribute()
    """Local wall-clock `HH:MM`."""
    end = UnicodeAttribute()


class ShopSettingsModel(StageModel):
    """A shop's group-buy settings; no item: the spec's defaults in the merchant's zone."""

    class Meta:
        table_name = "shop_settings"

    shop_id = UnicodeAttribute(hash_key=True)
    zone = UnicodeAttribute(null=True)
    """None: the merchant's time zone, followed when it changes."""
    meals = ListAttribute(of=MealMap)
    days = NumberAttribute()
    lead_min = NumberAttribute()
    interval_min = NumberAttribute()
    capacity = NumberAttribute(null=True)
    minutes_per_person_default = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()
