"""Call orders in DynamoDB (persistence shape only): one table, read by id, by call, by merchant and
by customer."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import DueIndex, HistoryMap, WaitingEntityModel


class CallOrdersIndex(GlobalSecondaryIndex["CallOrderModel"]):
    class Meta:
        index_name = "by_call"
        projection = AllProjection()

    call_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class MerchantCallOrdersIndex(GlobalSecondaryIndex["CallOrderModel"]):
    class Meta:
        index_name = "by_merchant"
        projection = AllProjection()

    merchant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerCallOrdersIndex(GlobalSecondaryIndex["CallOrderModel"]):
    """Sparse: only sent orders carry `sent_at`, so a customer never lists a merchant's draft."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    sent_at = NumberAttribute(range_key=True)


class CallOrderModel(WaitingEntityModel):
    class Meta:
        table_name = "call_orders"

    id = UnicodeAttribute(hash_key=True)
    call_id = UnicodeAttribute()
    merchant_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    content = UnicodeAttribute()
    price = NumberAttribute()
    currency = UnicodeAttribute()
    time = NumberAttribute(null=True)
    address = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    payment = MapAttribute[str, Any](null=True)
    payment_deadline = NumberAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    sent_at = NumberAttribute(null=True)
    paid_at = NumberAttribute(null=True)
    cancelled_at = NumberAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    refund = MapAttribute[str, Any](null=True)
    history = ListAttribute(of=HistoryMap, default=list)

    due = DueIndex()
    by_call = CallOrdersIndex()
    by_merchant = MerchantCallOrdersIndex()
    by_customer = CustomerCallOrdersIndex()
