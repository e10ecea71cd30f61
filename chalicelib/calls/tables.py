"""Video calls in DynamoDB (persistence shape only): the calls and the merchants' call settings."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import DueIndex, HistoryMap, StageModel, WaitingEntityModel

CALL_KIND = "call"
"""The wait-state engine's name for a call (alarm messages, the sweep)."""


class LiveMerchantCallsIndex(GlobalSecondaryIndex["CallModel"]):
    """Sparse: only ringing and connected calls carry `live_merchant_id` (a reconnected console's list)."""

    class Meta:
        index_name = "live_by_merchant"
        projection = AllProjection()

    live_merchant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class LiveCustomerCallsIndex(GlobalSecondaryIndex["CallModel"]):
    """Sparse: only ringing and connected calls carry `live_customer_id`."""

    class Meta:
        index_name = "live_by_customer"
        projection = AllProjection()

    live_customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CallModel(WaitingEntityModel):
    class Meta:
        table_name = "calls"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    merchant_id = UnicodeAttribute()
    status = UnicodeAttribute()
    customer_connection = UnicodeAttribute()
    merchant_connection = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    ring_deadline = NumberAttribute()
    presence_check_ms = NumberAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    answered_at = NumberAttribute(null=True)
    ended_at = NumberAttribute(null=True)
    end_cause = UnicodeAttribute(null=True)
    next_presence_check = NumberAttribute(null=True)
    absent_since = NumberAttribute(null=True)
    details = MapAttribute[str, Any](default=dict)
    """`{field: {"value": text, "version": n}}`."""
    details_requested_at = NumberAttribute(null=True)
    details_submitted_at = NumberAttribute(null=True)
    live_merchant_id = UnicodeAttribute(null=True)
    live_customer_id = UnicodeAttribute(null=True)
    history = ListAttribute(of=HistoryMap, default=list)

    due = DueIndex()
    live_by_merchant = LiveMerchantCallsIndex()
    live_by_customer = LiveCustomerCallsIndex()


class CallSettingsModel(StageModel):
    class Meta:
        table_name = "call_settings"

    merchant_id = UnicodeAttribute(hash_key=True)
    ring_s = NumberAttribute()
    updated_at = NumberAttribute()
