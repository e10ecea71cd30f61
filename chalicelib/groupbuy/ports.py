"""What group-buy needs stored (DynamoDB: the `*_store.py` modules; in memory: the tests' fakes), and
what its services read from each other and from S3."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.groupbuy.booking import Booking
from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.groupbuy.order import GroupOrder
from chalicelib.groupbuy.queue_estimate import EstimateSettings
from chalicelib.groupbuy.slots import SlotSettings
from chalicelib.groupbuy.video import Video, VideoStatus
from chalicelib.groupbuy.voucher import Voucher
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import EntityStore

if TYPE_CHECKING:
    from chalicelib.groupbuy.deals import Offer


@dataclass(frozen=True)
class ShopTerms:
    """A shop's name and group-buy settings (the spec's defaults where it set none)."""

    shop_id: str
    name: str
    slots: SlotSettings
    estimate: EstimateSettings


class Deals(Protocol):
    """The deals and shops (`deals.py`), as the orders, vouchers and videos read them."""

    def for_purchase(self, deal_id: str) -> Offer:
        """The deal with its shop and settings, if it is on sale now (else 404 or a 422 on `deal_id`)."""
        ...

    def shop_terms(self, shop_id: str) -> ShopTerms: ...


class UploadQueue(Protocol):
    """The processor's queue: hands an upload to it again (the buyer's retry), as S3's notification
    did, and keeps a message being processed hidden for as long as its processing runs."""

    def resend(self, bucket_key: str, size: int) -> None: ...

    def hold(self, receipt: str, seconds: int) -> None:
        """The received message of `receipt` comes back `seconds` from now unless deleted first
        (SQS: its visibility timeout, changed). Raises what SQS raised."""
        ...


class DealStore(Protocol):
    """Deals, each written whole and conditioned on its version, and the shops' settings."""

    def create(self, deal: Deal) -> Deal:
        """Create-only (`AlreadyExists` when the id is taken); the stored deal has version 1."""
        ...

    def get(self, deal_id: str) -> Deal | None: ...

    def save(self, deal: Deal) -> Deal:
        """Replace the stored deal read at `deal.version`; `ConcurrentUpdate` when another write came
        first (or it is gone). The stored deal's version is one more."""
        ...

    def of_shop(self, shop_id: str, limit: int, token: str | None, *, on_sale_at: int | None = None) -> Page[Deal]:
        """A shop's deals, newest first; with `on_sale_at`, only those on sale at that moment."""
        ...

    def on_sale(self, now_ms: int, limit: int, token: str | None) -> Page[Deal]:
        """Every shop's deals on sale at `now_ms`, newest first."""
        ...

    def get_settings(self, shop_id: str, merchant_zone: str) -> ShopSettings | None:
        """The shop's stored settings (None: none stored); without a zone of their own they are in
        `merchant_zone`."""
        ...

    def put_settings(self, settings: ShopSettings) -> ShopSettings:
        """Replace the settings read at `settings.version` (0: none stored, create them);
        `ConcurrentUpdate` when another write came first. The zone is stored only when
        `zone_overridden`. The stored settings' version is one more."""
        ...


class GroupOrderStore(EntityStore[GroupOrder], Protocol):
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
        """Apply `changes` if the stored video is still in one of `expected` and at the version of
        `video` as the caller read it (None: it is not, and nothing was written)."""
        ...

    def for_voucher(self, voucher_id: str) -> list[Video]: ...

    def published(self, deal_id: str, limit: int, token: str | None) -> Page[Video]:
        """A deal's published videos, newest first."""
        ...
