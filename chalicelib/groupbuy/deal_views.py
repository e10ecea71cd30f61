"""How deals and shop settings look on the wire (their models: `deal_view_models.py`). Money is an
integer in minor units with its currency, the shop's; moments are ISO 8601 UTC."""

from __future__ import annotations

from typing import Any

from chalicelib.core.money import Money, money_map
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.groupbuy.deal import ShopSettings
from chalicelib.groupbuy.deals import Listing
from chalicelib.groupbuy.slots import wall_text


def deal_view(listing: Listing, now: int) -> dict[str, Any]:
    deal, shop = listing.deal, listing.shop
    original = None if deal.original_price is None else Money(deal.original_price, deal.currency)
    return {
        "deal_id": deal.id,
        "shop": {"shop_id": shop.shop_id, "name": shop.name},
        "title": deal.title,
        "description": deal.description,
        "price": Money(deal.price, deal.currency).as_map(),
        "original_price": money_map(original),
        "valid_from": iso(deal.valid_from),
        "valid_until": iso(deal.valid_until),
        "voucher_expires_at": iso(deal.voucher_expires_at),
        "max_per_order": deal.max_per_order,
        "active": deal.active,
        "on_sale": deal.on_sale_at(now),
        "created_at": iso(deal.created_at),
        "updated_at": iso(deal.updated_at),
    }


def deal_body(listing: Listing, now: int) -> dict[str, Any]:
    """One deal as a route answers it: with the server's time for its sale window's countdown."""
    return {**deal_view(listing, now), "server_time": iso(now)}


def shop_settings_view(settings: ShopSettings) -> dict[str, Any]:
    slots = settings.slots
    return {
        "shop_id": settings.shop_id,
        "time_zone": slots.zone,
        "follows_shop_time_zone": not settings.zone_overridden,
        "meals": [{"name": m.name, "start": wall_text(m.start), "end": wall_text(m.end)}
                  for m in slots.meals],
        "days": slots.days,
        "lead_s": slots.lead_s,
        "interval_s": slots.interval_s,
        "capacity": slots.capacity,
        "minutes_per_person_default": settings.minutes_per_person_default,
        "defaults": settings.version == 0,
        "updated_at": iso_or_none(settings.updated_at),
    }
