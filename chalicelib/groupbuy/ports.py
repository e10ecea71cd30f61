"""What group-buy needs stored (DynamoDB: the `*_store.py` modules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.groupbuy.booking import Booking
from chalicelib.groupbuy.order import GroupOrder
from chalicelib.groupbuy.queue_estimate import EstimateSettings
from chalicelib.groupbuy.slots import SlotSettings
from chalicelib.groupbuy.video import Video, VideoStatus
from chalicelib.groupbuy.voucher import Voucher
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import EntityStore


@dataclass(frozen=True)
class DealTerms:
    """What a purchase of a deal is bound to, read when it is bought."""

    deal_id: str
    shop_id: str
    title: str
    price: int
    currency: str
    vouchers_expire_at: int
    max_per_order: int


@dataclass(frozen=True)
class ShopTerms:
    """A shop's name and group-buy settings (the spec's defaults where it set none)."""

    shop_id: str
    name: str
    slots: SlotSettings
    estimate: EstimateSettings


class Deals(Protocol):
    """The deals and shops (`deals.py`), as the orders, vouchers and videos read them."""

    def for_purchase(self, deal_id: str, now: int) -> DealTerms:
        """The deal if it is on sale at `now` (NotFound, or a 409 problem saying why not)."""
        ...

    def shop_terms(self, shop_id: str) -> ShopTerms: ...


@dataclass(frozen=True)
class StoredObject:
    size: int
    content_type: str


class VideoFiles(Protocol):
    """The video bucket: uploads straight from the phone (presigned POST), outputs, short-lived links."""

    def presign_post(self, key: str, content_type_prefix: str, max_bytes: int, expires_s: int) -> dict[str, Any]: ...

    def presign_get(self, key: str, expires_s: int) -> str: ...

    def head(self, key: str) -> StoredObject | None: ...

    def download(self, key: str, path: str) -> None: ...

    def upload(self, path: str, key: str, content_type: str) -> None: ...


class UploadQueue(Protocol):
    """Hands an upload to the processor again (the buyer's retry), as S3's notification did."""

    def resend(self, bucket_key: str, size: int) -> None: ...


class OrderStore(EntityStore[GroupOrder], Protocol):
    """Orders. A paid order's commit writes its `NewVoucher`s with it (voucher + code claim)."""

    def get(self, order_id: str) -> GroupOrder | None: ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[GroupOrder]: ...


class VoucherStore(EntityStore[Voucher], Protocol):
    def get(self, voucher_id: str) -> Voucher | None: ...

    def by_code(self, code: str) -> Voucher | None: ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Voucher]: ...


class SlotFullError(Exception):
    """The booking's `SlotTaken` lost: the slot had no place left; nothing was written."""


class BookingStore(EntityStore[Booking], Protocol):
    """Bookings; an insert or commit with a `SlotTaken` raises `SlotFullError` when the slot is full."""

    def get(self, booking_id: str) -> Booking | None: ...

    def for_voucher(self, voucher_id: str) -> list[Booking]:
        """A voucher's bookings by slot start (a voucher has few)."""
        ...

    def booked_counts(self, shop_id: str, slot_ids: Iterable[str]) -> Mapping[str, int]:
        """How many bookings hold each of these slots (only slots of shops with a capacity are counted)."""
        ...


@dataclass(frozen=True)
class ShopQueue:
    shop_id: str
    waiting: int
    reported_at: int | None
    served_at: tuple[int, ...]
    """When the shop redeemed its last vouchers (the newest few), for its service rate."""


class QueueStore(Protocol):
    def get(self, shop_id: str) -> ShopQueue: ...

    def report(self, shop_id: str, waiting: int, now: int) -> ShopQueue: ...

    def served(self, shop_id: str, at: int) -> None:
        """One voucher redeemed at `at`."""
        ...


class VideoStore(Protocol):
    def create(self, video: Video) -> Video:
        """Create-only (`AlreadyExists`)."""
        ...

    def get(self, video_id: str) -> Video | None: ...

    def move(self, video: Video, expected: frozenset[VideoStatus], changes: Mapping[str, Any]) -> Video | None:
        """Apply `changes` if the stored video is still in one of `expected` (None: it is not)."""
        ...

    def for_voucher(self, voucher_id: str) -> list[Video]: ...

    def published(self, deal_id: str, limit: int, token: str | None) -> Page[Video]:
        """A deal's published videos, newest first."""
        ...
