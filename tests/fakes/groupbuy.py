"""Group-buy's stores in memory, each as its DynamoDB store (`chalicelib/groupbuy/*_store.py`) keeps it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.groupbuy.booking import Booking, SlotReleased, SlotTaken
from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.groupbuy.order import GroupOrder
from chalicelib.groupbuy.order_decider import NewVoucher
from chalicelib.groupbuy.ports import (
    BookingStore,
    DealStore,
    GroupOrderStore,
    QueueStore,
    ShopQueue,
    SlotFullError,
    UploadQueue,
    VideoStore,
    VoucherStore,
)
from chalicelib.groupbuy.queue_store import SERVED_KEPT
from chalicelib.groupbuy.video import Video, VideoStatus
from chalicelib.groupbuy.voucher import Voucher
from chalicelib.persistence.paging import Page
from tests.fakes.entities import InMemoryEntityStore, refuse_unknown
from tests.fakes.paging import page_of


class InMemoryDealStore(DealStore):
    """Deals and settings are versioned: a write from a stale version is a ConcurrentUpdate. Stored
    settings keep their zone only when it is their own (else they follow the merchant's)."""

    def __init__(self) -> None:
        self.deals: dict[str, Deal] = {}
        self.settings: dict[str, tuple[ShopSettings, str | None]] = {}

    def create(self, deal: Deal) -> Deal:
        if deal.id in self.deals:
            raise AlreadyExists(deal.id)
        saved = self.deals[deal.id] = replace(deal, version=1)
        return saved

    def get(self, deal_id: str) -> Deal | None:
        return self.deals.get(deal_id)

    def save(self, deal: Deal) -> Deal:
        stored = self.deals.get(deal.id)
        if stored is None or stored.version != deal.version:
            raise ConcurrentUpdate(deal.id)
        saved = self.deals[deal.id] = replace(deal, version=deal.version + 1)
        return saved

    def of_shop(self, shop_id: str, limit: int, token: str | None, *, on_sale_at: int | None = None) -> Page[Deal]:
        return page_of((d for d in self.deals.values() if d.shop_id == shop_id), limit, token, index="by_shop",
                       position=_newest, descending=True,
                       matches=lambda d: on_sale_at is None or d.on_sale_at(on_sale_at))

    def on_sale(self, now_ms: int, limit: int, token: str | None) -> Page[Deal]:
        return page_of((d for d in self.deals.values() if d.active), limit, token, index="on_sale",
                       position=_newest, descending=True, matches=lambda d: d.on_sale_at(now_ms))

    def get_settings(self, shop_id: str, merchant_zone: str) -> ShopSettings | None:
        stored = self.settings.get(shop_id)
        if stored is None:
            return None
        settings, own_zone = stored
        return replace(settings, slots=replace(settings.slots, zone=own_zone or merchant_zone))

    def put_settings(self, settings: ShopSettings) -> ShopSettings:
        stored = self.settings.get(settings.shop_id)
        if (stored[0].version if stored else 0) != settings.version:
            raise ConcurrentUpdate(settings.shop_id)
        saved = replace(settings, version=settings.version + 1)
        self.settings[settings.shop_id] = (saved, settings.slots.zone if settings.zone_overridden else None)
        return saved


def _newest(deal: Deal) -> tuple[int, str]:
    return (deal.created_at, deal.id)




# ── orders, vouchers, bookings, queues and videos ───────────────────────────────────────────


class InMemoryVoucherStore(InMemoryEntityStore[Voucher], VoucherStore):
    def __init__(self, shards: int = 16) -> None:
        super().__init__(shards)
        self.codes: dict[str, str] = {}

    def create_with_order(self, voucher: Voucher) -> None:
        """A paid order's voucher and its code claim (no trigger: the sweeper hands its alarm over)."""
        self._put(voucher, 1, None)
        self.codes[voucher.code] = voucher.id

    def by_code(self, code: str) -> Voucher | None:
        voucher_id = self.codes.get(code)
        return None if voucher_id is None else self.get(voucher_id)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Voucher]:
        return page_of((v for v in self.entities() if v.customer_id == customer_id), limit, token,
                       index="vouchers.by_customer", position=lambda v: (v.created_at, v.id), descending=True)


class InMemoryGroupOrderStore(InMemoryEntityStore[GroupOrder], GroupOrderStore):
    """A paid order's commit creates its vouchers with it; a code or voucher id taken refuses all."""

    def __init__(self, vouchers: InMemoryVoucherStore, shards: int = 16) -> None:
        super().__init__(shards)
        self.vouchers = vouchers

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, (NewVoucher,))
        new = [w.voucher for w in writes if isinstance(w, NewVoucher)]
        if any(v.code in self.vouchers.codes or self.vouchers.get(v.id) is not None for v in new):
            raise ConcurrentUpdate(entity_id)
        for voucher in new:
            self.vouchers.create_with_order(voucher)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[GroupOrder]:
        return page_of((o for o in self.entities() if o.customer_id == customer_id), limit, token,
                       index="group_orders.by_customer", position=lambda o: (o.created_at, o.id), descending=True)


class InMemoryBookingStore(InMemoryEntityStore[Booking], BookingStore):
    """A `SlotTaken` takes a place only while one is left (else `SlotFullError`, nothing written)."""

    def __init__(self, shards: int = 16) -> None:
        super().__init__(shards)
        self.counts: dict[tuple[str, str], int] = {}

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, (SlotTaken, SlotReleased))
        for record in writes:
            taken = isinstance(record, SlotTaken) and self.counts.get((record.shop_id, record.slot_id), 0)
            if isinstance(record, SlotTaken) and taken >= record.capacity:
                raise SlotFullError()
        for record in writes:
            key = (record.shop_id, record.slot_id)  # type: ignore[attr-defined]
            self.counts[key] = self.counts.get(key, 0) + (1 if isinstance(record, SlotTaken) else -1)

    def for_voucher(self, voucher_id: str) -> list[Booking]:
        return sorted((b for b in self.entities() if b.voucher_id == voucher_id), key=lambda b: b.slot_start)

    def booked_counts(self, shop_id: str, slot_ids: Iterable[str]) -> Mapping[str, int]:
        return {slot_id: self.counts[(shop_id, slot_id)] for slot_id in slot_ids if (shop_id, slot_id) in self.counts}


class InMemoryQueueStore(QueueStore):
    def __init__(self) -> None:
        self.queues: dict[str, ShopQueue] = {}

    def get(self, shop_id: str) -> ShopQueue:
        return self.queues.get(shop_id, ShopQueue(shop_id, 0, None, ()))

    def report(self, shop_id: str, waiting: int, now: int) -> ShopQueue:
        saved = self.queues[shop_id] = replace(self.get(shop_id), waiting=waiting, reported_at=now)
        return saved

    def served(self, shop_id: str, at: int) -> None:
        current = self.get(shop_id)
        self.queues[shop_id] = replace(current, served_at=tuple(sorted((*current.served_at, at)))[-SERVED_KEPT:])


class InMemoryVideoStore(VideoStore):
    def __init__(self) -> None:
        self.videos: dict[str, Video] = {}

    def create(self, video: Video) -> Video:
        if video.id in self.videos:
            raise AlreadyExists(video.id)
        saved = self.videos[video.id] = replace(video, version=1)
        return saved

    def get(self, video_id: str) -> Video | None:
        return self.videos.get(video_id)

    def move(self, video: Video, expected: frozenset[VideoStatus], changes: Mapping[str, Any]) -> Video | None:
        current = self.videos.get(video.id)
        if current is None or current.status not in expected or current.version != video.version:
            return None
        saved = self.videos[video.id] = replace(current, **changes, version=current.version + 1)
        return saved

    def for_voucher(self, voucher_id: str) -> list[Video]:
        return sorted((v for v in self.videos.values() if v.voucher_id == voucher_id), key=lambda v: -v.created_at)

    def published(self, deal_id: str, limit: int, token: str | None) -> Page[Video]:
        return page_of((v for v in self.videos.values() if v.deal_id == deal_id and v.published_at is not None),
                       limit, token, index="videos.by_deal", position=lambda v: (v.published_at, v.id),
                       descending=True)


class RecordingUploadQueue(UploadQueue):
    def __init__(self) -> None:
        self.resent: list[tuple[str, int]] = []
        self.held: list[tuple[str, int]] = []

    def resend(self, bucket_key: str, size: int) -> None:
        self.resent.append((bucket_key, size))

    def hold(self, receipt: str, seconds: int) -> None:
        self.held.append((receipt, seconds))
