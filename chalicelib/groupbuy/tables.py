"""Group-buy in DynamoDB (persistence shape only): deals and the shops' group-buy settings, orders,
vouchers and their codes, bookings and the slots' booking counts, the shops' reported queues, and
the on-site videos."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import DueIndex, HistoryMap, StageModel, WaitingEntityModel

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
    lead_s = NumberAttribute()
    interval_s = NumberAttribute()
    capacity = NumberAttribute(null=True)
    minutes_per_person_default = NumberAttribute()
    updated_at = NumberAttribute()
    version = VersionAttribute()


ORDER_KIND = "group_order"
VOUCHER_KIND = "voucher"
BOOKING_KIND = "booking"
"""The wait-state engine's names for the entities of these tables (alarm messages, the sweep)."""


class CustomerOrdersIndex(GlobalSecondaryIndex["GroupOrderModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class GroupOrderModel(WaitingEntityModel):
    class Meta:
        table_name = "group_orders"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    title = UnicodeAttribute()
    quantity = NumberAttribute()
    unit_price = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    payment = MapAttribute[str, Any]()
    payment_deadline = NumberAttribute()
    vouchers_expire_at = NumberAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    paid_at = NumberAttribute(null=True)
    cancelled_at = NumberAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    voucher_ids = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    refund = MapAttribute[str, Any](null=True)
    history = ListAttribute(of=HistoryMap, default=list)

    due = DueIndex()
    by_customer = CustomerOrdersIndex()


class CustomerVouchersIndex(GlobalSecondaryIndex["VoucherModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class VoucherModel(WaitingEntityModel):
    class Meta:
        table_name = "vouchers"

    id = UnicodeAttribute(hash_key=True)
    order_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    title = UnicodeAttribute()
    code = UnicodeAttribute()
    price = NumberAttribute()
    currency = UnicodeAttribute()
    payment_id = UnicodeAttribute()
    status = UnicodeAttribute()
    expires_at = NumberAttribute()
    created_at = NumberAttribute()
    used_at = NumberAttribute(null=True)
    redeemed_by = UnicodeAttribute(null=True)
    refund = MapAttribute[str, Any](null=True)
    history = ListAttribute(of=HistoryMap, default=list)

    due = DueIndex()
    by_customer = CustomerVouchersIndex()


class VoucherCodeModel(StageModel):
    """A redeem code → its voucher. Created only if absent, with the voucher: a code names one voucher."""

    class Meta:
        table_name = "voucher_codes"

    code = UnicodeAttribute(hash_key=True)
    voucher_id = UnicodeAttribute()


class VoucherBookingsIndex(GlobalSecondaryIndex["BookingModel"]):
    class Meta:
        index_name = "by_voucher"
        projection = AllProjection()

    voucher_id = UnicodeAttribute(hash_key=True)
    slot_start = NumberAttribute(range_key=True)


class BookingModel(WaitingEntityModel):
    class Meta:
        table_name = "bookings"

    id = UnicodeAttribute(hash_key=True)
    voucher_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    slot_start = NumberAttribute()
    slot_end = NumberAttribute()
    lead_ms = NumberAttribute()
    interval_ms = NumberAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    next_update_at = NumberAttribute(null=True)
    last_update_at = NumberAttribute(null=True)
    capacity = NumberAttribute(null=True)
    history = ListAttribute(of=HistoryMap, default=list)

    due = DueIndex()
    by_voucher = VoucherBookingsIndex()


class SlotCountModel(StageModel):
    """How many bookings hold a slot of a shop with a capacity: moved only by conditional adds."""

    class Meta:
        table_name = "slot_counts"

    shop_id = UnicodeAttribute(hash_key=True)
    slot_id = UnicodeAttribute(range_key=True)
    booked = NumberAttribute(default=0)


class ShopQueueModel(StageModel):
    """The queue a shop's staff last reported, and when it last served vouchers (its service rate)."""

    class Meta:
        table_name = "shop_queues"

    shop_id = UnicodeAttribute(hash_key=True)
    waiting = NumberAttribute(default=0)
    reported_at = NumberAttribute(null=True)
    served_at = ListAttribute(of=NumberAttribute, default=list)  # type: ignore[arg-type]
    version = VersionAttribute()


class DealVideosIndex(GlobalSecondaryIndex["VideoModel"]):
    """Sparse: only published videos carry `published_at`, so the deal page lists only those."""

    class Meta:
        index_name = "by_deal"
        projection = AllProjection()

    deal_id = UnicodeAttribute(hash_key=True)
    published_at = NumberAttribute(range_key=True)


class VoucherVideosIndex(GlobalSecondaryIndex["VideoModel"]):
    class Meta:
        index_name = "by_voucher"
        projection = AllProjection()

    voucher_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class VideoModel(StageModel):
    class Meta:
        table_name = "videos"

    id = UnicodeAttribute(hash_key=True)
    voucher_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    deal_id = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    shop_name = UnicodeAttribute()
    visit_date = UnicodeAttribute()
    source_key = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    attempts = NumberAttribute(default=0)
    reason = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)
    video_key = UnicodeAttribute(null=True)
    poster_key = UnicodeAttribute(null=True)
    duration_s = NumberAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    published_at = NumberAttribute(null=True)
    claimed_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    by_deal = DealVideosIndex()
    by_voucher = VoucherVideosIndex()
