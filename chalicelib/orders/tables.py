"""Timed orders in DynamoDB (persistence shape only): one item per order, state and alarm together."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import AddressMap, DueIndex, HistoryMap, WaitingEntityModel

ORDER_KIND = "order"
"""The wait-state engine's name for the entities of this table (in alarm messages and the sweep)."""


class OrderLineMap(MapAttribute[str, Any]):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price = NumberAttribute()
    quantity = NumberAttribute()


class MerchantPendingIndex(GlobalSecondaryIndex["OrderModel"]):
    """Sparse: a merchant's orders that still wait for an answer, soonest deadline first."""

    class Meta:
        index_name = "merchant_pending"
        projection = AllProjection()

    pending_merchant_id = UnicodeAttribute(hash_key=True)
    answer_deadline = NumberAttribute(range_key=True)


class MerchantOrdersIndex(GlobalSecondaryIndex["OrderModel"]):
    class Meta:
        index_name = "by_merchant"
        projection = AllProjection()

    merchant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerOrdersIndex(GlobalSecondaryIndex["OrderModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class OrderModel(WaitingEntityModel):
    class Meta:
        table_name = "orders"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    merchant_id = UnicodeAttribute()
    status = UnicodeAttribute()
    lines = ListAttribute(of=OrderLineMap)
    currency = UnicodeAttribute()
    address = AddressMap()
    note = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    window_ms = NumberAttribute()
    window_started_at = NumberAttribute()
    answer_deadline = NumberAttribute()
    round = NumberAttribute(default=1)
    connected_at = NumberAttribute(null=True)
    answered_at = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    history = ListAttribute(of=HistoryMap, default=list)
    pending_merchant_id = UnicodeAttribute(null=True)

    due = DueIndex()
    merchant_pending = MerchantPendingIndex()
    by_merchant = MerchantOrdersIndex()
    by_customer = CustomerOrdersIndex()
