"""The models of the bodies `deal_views.py` renders, for the routes that answer them and the API
documents."""

from __future__ import annotations

from chalicelib.http.responses import MoneyView, ResponseBody, Timestamp


class ShopCard(ResponseBody):
    shop_id: str
    """The merchant that serves the deal."""
    name: str


class DealView(ResponseBody):
    deal_id: str
    shop: ShopCard
    title: str
    description: str | None
    price: MoneyView
    original_price: MoneyView | None
    valid_from: Timestamp
    valid_until: Timestamp
    """On sale in [valid_from, valid_until)."""
    voucher_expires_at: Timestamp
    """Its vouchers are valid until then (`valid_until`, unless the deal names a later moment)."""
    max_per_order: int
    active: bool
    on_sale: bool
    """Active and inside its sale window now."""
    created_at: Timestamp
    updated_at: Timestamp


class DealBody(DealView):
    """One deal, with the server's time (for the countdown to `valid_until`)."""

    server_time: Timestamp


class MealView(ResponseBody):
    name: str
    start: str
    """Local wall-clock `HH:MM` in `time_zone`."""
    end: str


class ShopSettingsView(ResponseBody):
    shop_id: str
    time_zone: str
    follows_shop_time_zone: bool
    """True: `time_zone` is the merchant's (and follows it); false: the settings chose it."""
    meals: list[MealView]
    days: int
    lead_s: int
    interval_s: int
    capacity: int | None
    minutes_per_person_default: float
    defaults: bool
    """True: nothing stored, these are the spec's defaults in the shop's zone."""
    updated_at: Timestamp | None
