"""The merchants' menu catalogue in DynamoDB: merchants and their products (persistence shape only)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import StageModel

DIRECTORY = "merchants"
"""The one value of `directory_partition`: every verified merchant sits in one partition of `directory`."""


class DirectoryIndex(GlobalSecondaryIndex["MerchantModel"]):
    """Sparse: only verified merchants (those that may take orders) carry `directory_partition`.
    One constant partition holds them all, by name, so the customers' list is one Query and no
    Scan. Merchants are few and rarely written; one partition's throughput (≈ 3,000 reads/s) is
    far above what browsing asks; shard it (partitions read in parallel and merged) before it is
    not. Merchants stored before the index existed carry no partition: a re-save lists them."""

    class Meta:
        index_name = "directory"
        projection = AllProjection()

    directory_partition = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


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
    directory_partition = UnicodeAttribute(null=True)
    directory = DirectoryIndex()


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
