"""Request bodies of group-buy deals and shop settings (workflow 04), as strict as the rest. What
JSON types can say is checked here (400); what needs the shop (its currency, its zone) or several
fields at once (a sale window, meals that overlap) is checked by `DealCatalogue` (422)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.groupbuy.deal import (
    DEFAULT_MAX_PER_ORDER,
    DEFAULT_MINUTES_PER_PERSON,
    MAX_DESCRIPTION,
    MAX_PER_ORDER,
    MAX_TITLE,
)
from chalicelib.groupbuy.slots import MAX_DAYS
from chalicelib.http.fields import Id, Instant, PositiveMoneyIn, Strict, example

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION)]
PerOrder = Annotated[int, Field(ge=1, le=MAX_PER_ORDER)]
WallTime = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")]
"""A local wall-clock time, `HH:MM` (00:00 … 23:59) or `HH:MM:SS`."""
MealName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
DAY_S = 24 * 3600


class DealIn(Strict):
    model_config = example(
        {"shop_id": "m_demo", "title": "Noodles for two", "price": {"amount": 4900, "currency": "CNY"},
         "original_price": {"amount": 6800, "currency": "CNY"}, "valid_until": "2030-12-31T16:00:00Z"},
        {"title": "Hot-pot set for four", "description": "Two broths, six plates, four drinks.",
         "price": {"amount": 19900, "currency": "CNY"}, "valid_from": "2026-12-01T00:00:00Z",
         "valid_until": "2027-03-01T00:00:00Z", "vouchers_expire_at": "2027-06-01T00:00:00Z", "max_per_order": 4})

    deal_id: Id | None = None
    shop_id: Id | None = None
    """The merchant that serves it (a merchant's own, when omitted; ops name it)."""
    title: Title
    description: Description | None = None
    price: PositiveMoneyIn
    """In the shop's currency."""
    original_price: PositiveMoneyIn | None = None
    """What it costs without the deal (at least `price`), to show the saving."""
    valid_from: Instant | None = None
    """When it goes on sale (omitted: now)."""
    valid_until: Instant
    """When its sale ends (exclusive); also when its vouchers expire, unless `vouchers_expire_at`."""
    vouchers_expire_at: Instant | None = None
    """When its vouchers expire, at or after `valid_until` (omitted: `valid_until`)."""
    max_per_order: PerOrder = DEFAULT_MAX_PER_ORDER
    active: bool = True


class DealPatch(Strict):
    model_config = example({"price": {"amount": 4500, "currency": "CNY"}}, {"active": False})

    title: Title | None = None
    description: Description | None = None
    """null clears it."""
    price: PositiveMoneyIn | None = None
    original_price: PositiveMoneyIn | None = None
    """null clears it."""
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    vouchers_expire_at: Instant | None = None
    """null: the vouchers expire with the sale (`valid_until`)."""
    max_per_order: PerOrder | None = None
    active: bool | None = None


class MealIn(Strict):
    name: MealName
    start: WallTime
    end: WallTime
    """Exclusive, after `start` on the same day."""


class ShopSettingsIn(Strict):
    """The whole settings (`PUT`): an omitted field takes the spec's default."""

    model_config = example(
        {"meals": [{"name": "lunch", "start": "11:30", "end": "14:00"},
                   {"name": "dinner", "start": "17:30", "end": "21:30"}], "days": 3, "capacity": 20},
        {"time_zone": "Europe/London", "lead_s": 2700, "interval_s": 1800, "minutes_per_person_default": 4})

    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    """An IANA zone for the slots; omitted: the merchant's time zone (and follows it)."""
    meals: Annotated[list[MealIn], Field(min_length=1, max_length=6)] = Field(default_factory=lambda: [
        MealIn(name="lunch", start="11:00", end="14:00"), MealIn(name="dinner", start="17:00", end="21:00")])
    days: Annotated[int, Field(ge=1, le=MAX_DAYS)] = 3
    """How many local days, from today, a slot list covers."""
    lead_s: Annotated[int, Field(ge=0, le=DAY_S)] = 1800
    """Seconds: the first queue update comes this long before a slot starts (default 30 min)."""
    interval_s: Annotated[int, Field(ge=1, le=DAY_S)] = 3600
    """Seconds: then one update every interval until the slot ends (default 60 min)."""
    capacity: Annotated[int, Field(ge=1, le=100_000)] | None = None
    """Bookings per slot (omitted: no limit)."""
    minutes_per_person_default: Annotated[float, Field(gt=0, le=120, allow_inf_nan=False)] = DEFAULT_MINUTES_PER_PERSON
    """The queue estimate's minutes per person while the shop has no recent service rate."""
