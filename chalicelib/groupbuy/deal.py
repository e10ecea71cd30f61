"""Group-buy deals and a shop's group-buy settings (spec 04). Pure: no clock, no I/O.

A *shop* is a merchant of the catalogue (its id, name, time zone and currency); group-buy reads it
through the `ShopDirectory` port and never imports the catalogue.

A deal is **on sale** in `[valid_from, valid_until)` while it is `active`. Its vouchers are valid
until `voucher_expires_at`: `vouchers_expire_at` when the deal names one (at or after
`valid_until`: a voucher bought on the last day can still be used for a while), else
`valid_until` itself — the end of the sale also ends its vouchers.

A shop with no stored settings has the spec's defaults in its merchant's time zone: lunch
11:00–14:00 and dinner 17:00–21:00, the next 3 days, the first queue update 30 min before a slot
and then every 60 min, no capacity limit, and the queue estimate's default minutes per person.
Stored settings without a zone of their own follow the merchant's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from chalicelib.core.errors import FieldError
from chalicelib.groupbuy.queue_estimate import EstimateSettings
from chalicelib.groupbuy.slots import SlotSettings

MAX_TITLE = 120
MAX_DESCRIPTION = 2000
DEFAULT_MAX_PER_ORDER = 10
MAX_PER_ORDER = 100
DEFAULT_MINUTES_PER_PERSON = EstimateSettings().default_minutes_per_person
MAX_MINUTES_PER_PERSON = 120.0
EARLIEST_MS = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)
LATEST_MS = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)
"""Every moment of a deal lies in [2000, 2100): a year 9999 is a typo, not a deal."""


@dataclass(frozen=True)
class Shop:
    """A merchant as group-buy sees it."""

    shop_id: str
    name: str
    time_zone: str
    currency: str


class ShopDirectory(Protocol):
    """The shops (the catalogue's merchants, a few seconds stale at most)."""

    def shop(self, shop_id: str) -> Shop | None: ...


class Merchants(Protocol):
    """The catalogue's service as group-buy needs it (`platform.need("menus")`)."""

    def merchant_for_order(self, merchant_id: str) -> Any: ...


class MerchantShops:
    """The shops are the catalogue's merchants: each has an id, a name, a time zone and a currency."""

    def __init__(self, merchants: Merchants) -> None:
        self._merchants = merchants

    def shop(self, shop_id: str) -> Shop | None:
        merchant = self._merchants.merchant_for_order(shop_id)
        if merchant is None:
            return None
        return Shop(str(merchant.id), str(merchant.name), str(merchant.time_zone), str(merchant.currency))


@dataclass(frozen=True)
class Deal:
    id: str
    shop_id: str
    title: str
    price: int
    """Minor units of `currency`, the shop's."""
    currency: str
    valid_from: int
    valid_until: int
    description: str | None = None
    original_price: int | None = None
    vouchers_expire_at: int | None = None
    max_per_order: int = DEFAULT_MAX_PER_ORDER
    active: bool = True
    created_at: int = 0
    updated_at: int = 0
    version: int = 0

    @property
    def voucher_expires_at(self) -> int:
        """When the vouchers of this deal stop being valid (see the module doc)."""
        return self.valid_until if self.vouchers_expire_at is None else self.vouchers_expire_at

    def on_sale_at(self, now_ms: int) -> bool:
        return self.active and self.valid_from <= now_ms < self.valid_until


@dataclass(frozen=True)
class ShopSettings:
    """A shop's group-buy settings. `zone_overridden` says whether `slots.zone` is the shop's own
    choice (stored) or its merchant's time zone (followed when the merchant's changes)."""

    shop_id: str
    slots: SlotSettings
    minutes_per_person_default: float = DEFAULT_MINUTES_PER_PERSON
    zone_overridden: bool = False
    updated_at: int | None = None
    version: int = 0
    """0: nothing stored (the defaults)."""

    @property
    def estimate(self) -> EstimateSettings:
        """The queue estimate's settings with this shop's default minutes per person."""
        return EstimateSettings(default_minutes_per_person=self.minutes_per_person_default)


def default_settings(shop: Shop) -> ShopSettings:
    return ShopSettings(shop.shop_id, SlotSettings(zone=shop.time_zone))


def deal_errors(deal: Deal, shop: Shop, now_ms: int, *, creating: bool) -> list[FieldError]:
    """Every rule a deal breaks (fields as the request names them); none: a valid deal."""
    errors: list[FieldError] = []
    if deal.currency != shop.currency:
        errors.append(FieldError("price.currency", f"must be {shop.currency}, the shop's currency"))
    if deal.price <= 0:
        errors.append(FieldError("price.amount", "must be more than 0"))
    if deal.original_price is not None and deal.original_price < deal.price:
        errors.append(FieldError("original_price.amount", "must be at least the price"))
    if not 1 <= len(deal.title) <= MAX_TITLE:
        errors.append(FieldError("title", f"1 to {MAX_TITLE} characters (after trimming)"))
    if not 1 <= deal.max_per_order <= MAX_PER_ORDER:
        errors.append(FieldError("max_per_order", f"between 1 and {MAX_PER_ORDER}"))
    moments = {"valid_from": deal.valid_from, "valid_until": deal.valid_until,
               "vouchers_expire_at": deal.vouchers_expire_at}
    out_of_range = {name for name, ms in moments.items() if ms is not None and not EARLIEST_MS <= ms < LATEST_MS}
    errors += [FieldError(name, "must lie between 2000 and 2100") for name in sorted(out_of_range)]
    if not {"valid_from", "valid_until"} & out_of_range and deal.valid_until <= deal.valid_from:
        errors.append(FieldError("valid_until", "must be after valid_from"))
    elif creating and deal.valid_until <= now_ms and "valid_until" not in out_of_range:
        errors.append(FieldError("valid_until", "must be in the future"))
    if (deal.vouchers_expire_at is not None and "vouchers_expire_at" not in out_of_range
            and deal.vouchers_expire_at < deal.valid_until):
        errors.append(FieldError("vouchers_expire_at", "must be at or after valid_until"))
    return errors


def minutes_per_person_errors(minutes: float) -> list[FieldError]:
    if not 0 < minutes <= MAX_MINUTES_PER_PERSON:
        return [FieldError("minutes_per_person_default", f"more than 0, at most {MAX_MINUTES_PER_PERSON:g}")]
    return []
