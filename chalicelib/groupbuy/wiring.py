"""What group-buy vouchers (workflow 04) contribute: deals and the shops' group-buy settings (the
shops are the catalogue's merchants, read through `menus`); orders paid through the platform's
payment port (`gbo_…` references), vouchers, bookings and their queue updates on the engine; the
shops' queues; the on-site videos and the `process_videos` function with its bucket, queue and
layer (`video_infra.py`); the customer's and the shop's routes, nine tables, alarms and graphs, and
the demo deals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from chalicelib.contribution import (
    ALL_INDEXES,
    READ,
    WRITE,
    AccessPattern,
    Contribution,
    Function,
    Grant,
    MetricAlarm,
    Platform,
    Table,
    WaitingKind,
    Widget,
    Wired,
)
from chalicelib.groupbuy.video_infra import (
    VIDEO_ENVIRONMENT,
    VIDEO_FUNCTION,
    VIDEO_OUTPUTS,
    VIDEO_PERMISSIONS,
    VIDEO_RESOURCES,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from chalicelib.contribution import SeedClient
    from chalicelib.groupbuy.service import GroupBuyServices
    from chalicelib.http.routing import Routes
    from chalicelib.push.messages import Message
    from chalicelib.settings import Settings

API, FIRE = Function.API, Function.FIRE_ALARMS
PROCESS = "process_videos"


def build(platform: Platform) -> Wired[GroupBuyServices]:
    from chalicelib import aws
    from chalicelib.groupbuy.booking_store import DynamoBookingStore
    from chalicelib.groupbuy.deal import Merchants, MerchantShops
    from chalicelib.groupbuy.deal_store import DynamoDealStore
    from chalicelib.groupbuy.deals import DealCatalogue
    from chalicelib.groupbuy.order_store import DynamoOrderStore
    from chalicelib.groupbuy.ports import (
        BookingStore,
        DealStore,
        GroupOrderStore,
        QueueStore,
        UploadQueue,
        VideoStore,
        VoucherStore,
    )
    from chalicelib.groupbuy.queue_store import DynamoQueueStore
    from chalicelib.groupbuy.service import GroupBuyServices, GroupOrderService, order_workflow
    from chalicelib.groupbuy.settings import GroupBuySettings
    from chalicelib.groupbuy.upload_queue import SqsUploadQueue
    from chalicelib.groupbuy.video_store import DynamoVideoStore
    from chalicelib.groupbuy.videos import VideoLimitsSetting, VideoService
    from chalicelib.groupbuy.voucher_store import DynamoVoucherStore
    from chalicelib.groupbuy.vouchers import VoucherService, booking_workflow, voucher_workflow
    from chalicelib.objects import ObjectStore, S3Objects

    config, shards = platform.settings, platform.settings.due_shards
    settings = GroupBuySettings.of(config)
    shops = MerchantShops(cast(Merchants, platform.need("menus")))
    deals = DealCatalogue(platform.port(DealStore, DynamoDealStore), shops, platform.clock)
    vouchers = VoucherService(
        platform.engine, platform.port(VoucherStore, lambda: DynamoVoucherStore(shards)),
        platform.port(BookingStore, lambda: DynamoBookingStore(shards)), platform.port(QueueStore, DynamoQueueStore),
        deals, platform.notifier, platform.clock, platform.metrics)
    orders = GroupOrderService(
        platform.engine, platform.port(GroupOrderStore, lambda: DynamoOrderStore(shards)), deals, vouchers,
        platform.payments, platform.notifier, platform.clock, platform.metrics, window_s=settings.payment_window_s)
    files = platform.port(ObjectStore, lambda: S3Objects(settings.video_bucket, config.region, config.s3_endpoint_url))
    retries = platform.port(UploadQueue, lambda: SqsUploadQueue(
        aws.LazyClient("sqs", region_name=config.region), settings.video_queue_url, settings.video_bucket))
    videos = VideoService(platform.port(VideoStore, DynamoVideoStore), vouchers.store, deals, files, retries,
                          platform.notifier, platform.clock, platform.metrics,
                          limits=VideoLimitsSetting(max_bytes=settings.video_max_mb * 1024 * 1024))
    vouchers.videos = videos
    return Wired(GroupBuyServices(deals, orders, vouchers, videos),
                 workflows=(order_workflow(orders), voucher_workflow(vouchers), booking_workflow(vouchers)),
                 payees={"gbo": orders})


def routes() -> tuple[Routes[Any], ...]:
    from chalicelib.groupbuy import routes_customer, routes_deals, routes_merchant

    return routes_deals.routes, routes_customer.routes, routes_merchant.routes


def messages() -> tuple[Message, ...]:
    from chalicelib.groupbuy.messages import MESSAGES

    return MESSAGES


def settings(config: Settings) -> object:
    from chalicelib.groupbuy.settings import GroupBuySettings

    return GroupBuySettings.of(config)


def waiting() -> tuple[WaitingKind, ...]:
    from chalicelib.groupbuy.tables import (
        BOOKING_KIND,
        ORDER_KIND,
        VOUCHER_KIND,
        BookingModel,
        GroupOrderModel,
        VoucherModel,
    )

    return (
        WaitingKind(ORDER_KIND, GroupOrderModel, "group-buy payment windows (unpaid orders cancelled)"),
        WaitingKind(VOUCHER_KIND, VoucherModel, "voucher expiries (unused vouchers ended and refunded)"),
        WaitingKind(BOOKING_KIND, BookingModel, "booked slots' queue updates and no-shows"),
    )


def tables() -> tuple[Table, ...]:
    from chalicelib.groupbuy.tables import (
        BookingModel,
        DealModel,
        GroupOrderModel,
        ShopQueueModel,
        ShopSettingsModel,
        SlotCountModel,
        VideoModel,
        VoucherCodeModel,
        VoucherModel,
    )

    return (
        Table(DealModel, (Grant((API,), (*READ, *WRITE), ("by_shop", "on_sale")), Grant((FIRE,), READ)), (
            AccessPattern("deal by id (page, purchase, edit)", "`ontime-deals`", "`id = :id`",
                          "strongly consistent; every write conditioned on `version`"),
            AccessPattern("deals on sale, newest first (customers browse)", "`deals.on_sale`",
                          "`on_sale_partition = \"deals\"`, sort `created_at` desc",
                          "sparse: active deals only; the sale window as a filter; one partition suffices at "
                          "this scale (shard it before ≈ 3,000 reads/s)"),
            AccessPattern("a shop's deals, newest first (on sale: filtered)", "`deals.by_shop`",
                          "`shop_id = :m`, sort `created_at` desc"),
        )),
        Table(ShopSettingsModel, (Grant((API, FIRE), READ), Grant((API,), WRITE)), (
            AccessPattern("a shop's group-buy settings (slots, queue estimate)", "`ontime-shop_settings`",
                          "`shop_id = :m`", "no item: the spec's defaults in the merchant's zone"),
        )),
        Table(GroupOrderModel, (Grant((API,), (*READ, *WRITE), ALL_INDEXES),), (
            AccessPattern("group-buy order by id (callback, app, alarm)", "`ontime-group_orders`", "`id = :id`",
                          "strongly consistent; writes conditioned on `version`"),
            AccessPattern("a customer's group-buy orders, newest first", "`group_orders.by_customer`",
                          "`customer_id = :u`"),
        )),
        Table(VoucherModel, (Grant((API, FIRE), (*READ, *WRITE), ALL_INDEXES),), (
            AccessPattern("voucher by id (app, redeem, expiry alarm, no-show)", "`ontime-vouchers`", "`id = :id`",
                          "created with its order's payment (one transaction); writes conditioned on `version`"),
            AccessPattern("a customer's vouchers, newest first", "`vouchers.by_customer`", "`customer_id = :u`"),
        )),
        Table(VoucherCodeModel, (Grant((API,), (*READ, *WRITE)),), (
            AccessPattern("voucher by redeem code (the shop scans it)", "`ontime-voucher_codes`", "`code = :c`",
                          "created only if absent, with the voucher: a code names one voucher"),
        )),
        Table(BookingModel, (Grant((API, FIRE), (*READ, *WRITE), ALL_INDEXES),), (
            AccessPattern("booking by id (alarm, cancel)", "`ontime-bookings`", "`id = :id` (voucher × slot)",
                          "one booking per voucher and slot: a pick is a conditional create"),
            AccessPattern("a voucher's bookings", "`bookings.by_voucher`", "`voucher_id = :v`",
                          "redeem and expiry stop them; the slot list marks them"),
        )),
        Table(SlotCountModel, (Grant((API, FIRE), (*READ, "dynamodb:UpdateItem")),), (
            AccessPattern("places taken in a shop's slots (capacity)", "`ontime-slot_counts`",
                          "`BatchGetItem (shop_id, slot_id)`", "moves only by conditional adds in the booking's "
                          "transaction"),
        )),
        Table(ShopQueueModel, (Grant((API, FIRE), (*READ, *WRITE)),), (
            AccessPattern("a shop's reported queue and recent redemptions", "`ontime-shop_queues`", "`shop_id = :m`",
                          "read by every queue update; written by the staff's report and each redemption"),
        )),
        Table(VideoModel, (Grant((API,), (*READ, *WRITE), ALL_INDEXES),
                           # the processor reads a video by id and moves it by a conditional put, no more
                           Grant((PROCESS,), ("dynamodb:GetItem", "dynamodb:PutItem"))), (
            AccessPattern("video by id (upload notification, retry)", "`ontime-videos`", "`id = :id`",
                          "every status change conditioned on `version` and the status it leaves"),
            AccessPattern("a deal's published videos, newest first", "`videos.by_deal`", "`deal_id = :d`",
                          "sparse: only published videos carry `published_at`"),
            AccessPattern("a voucher's videos", "`videos.by_voucher`", "`voucher_id = :v`"),
        )),
    )


def seed(client: SeedClient) -> Iterable[str]:
    from chalicelib.groupbuy.seed import seed as demo_data

    return demo_data(client)


GROUPBUY = Contribution(
    name="groupbuy",
    summary="group-buy vouchers (workflow 04): deals of the catalogue's shops, booked slots, live queue updates",
    build=build,
    load_routes=routes,
    load_messages=messages,
    settings=settings,
    load_tables=tables,
    load_waiting=waiting,
    alarms=(
        MetricAlarm("GroupBuyRefundDueAlarm", "ontime-groupbuy-refund-due",
                    "A group-buy voucher expired unused, or a payment arrived for an order already cancelled: its "
                    "price must be refunded (the voucher's or order's `refund`).", "RefundDue",
                    dimensions={"workflow": "groupbuy"}),
        MetricAlarm("VideoProcessingFailedAlarm", "ontime-video-processing-failed",
                    "Transcoding an on-site video failed; the upload is kept and retried (SQS, then the buyer's "
                    "retry). Look at the process_videos logs (`video.failed`) and the dead-letter queue.",
                    "VideoProcessingFailed"),
    ),
    widgets=(
        Widget("Group-buy: orders, vouchers (count per 5 min, by outcome)", (
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"GroupOrderOutcome\"', 'Sum', 300)",
              "id": "orders", "label": "orders ${PROP('Dim.outcome')}"},),
            ({"expression": "SEARCH('{ontime,outcome} MetricName=\"VoucherOutcome\"', 'Sum', 300)",
              "id": "vouchers", "label": "vouchers ${PROP('Dim.outcome')}"},),
        ), stacked=True),
        Widget("Group-buy: queue updates pushed, videos published / rejected / failed (count per 5 min)", (
            ("ontime", "QueueUpdatePushed", {"stat": "Sum"}),
            ("ontime", "VideoPublished", {"stat": "Sum"}),
            ({"expression": "SEARCH('{ontime,reason} MetricName=\"VideoRejected\"', 'Sum', 300)",
              "id": "rejected", "label": "rejected ${PROP('Dim.reason')}"},),
            ("ontime", "VideoProcessingFailed", {"stat": "Sum"}),
        )),
    ),
    seed=seed,
    functions=(VIDEO_FUNCTION,),
    permissions=VIDEO_PERMISSIONS,
    resources=VIDEO_RESOURCES,
    environment=VIDEO_ENVIRONMENT,
    outputs=VIDEO_OUTPUTS,
    data_notes="creating or changing a deal = 1 read (the merchant, cached) + 1 conditional put; browsing = 1 "
               "query of the sparse `on_sale` index (or `by_shop`) + the page's merchants (cached).",
)
