"""Deals and the shops' group-buy settings in DynamoDB.

A deal is written whole, conditioned on its version (PynamoDB's `VersionAttribute`: the put holds
only if the stored version is the one read, and bumps it); the service re-applies a patch to the
winner's version. An active deal carries `on_sale_partition`, which puts it in the sparse `on_sale`
index that customers browse (`tables.py` says why one partition is enough here).
"""

from __future__ import annotations

from datetime import time

from pynamodb.expressions.condition import Condition

from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.groupbuy.slots import Meal, SlotSettings, wall_text
from chalicelib.groupbuy.tables import ON_SALE, DealModel, MealMap, ShopSettingsModel
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.mapping import int_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import save_new, save_versioned


class DynamoDealStore:
    # ── deals ───────────────────────────────────────────────────────────────────────────────

    def create(self, deal: Deal) -> Deal:
        item = _deal_item(deal)
        save_new(item, deal.id)
        return _deal(item)

    def get(self, deal_id: str) -> Deal | None:
        item = get_or_none(DealModel, deal_id, consistent=True)
        return None if item is None else _deal(item)

    def save(self, deal: Deal) -> Deal:
        item = _deal_item(deal)
        item.version = deal.version  # save() requires the stored version to be this one, then bumps it
        save_versioned(item, deal.id)
        return _deal(item)

    def of_shop(self, shop_id: str, limit: int, token: str | None, *, on_sale_at: int | None = None) -> Page[Deal]:
        """DynamoDB filters after it counts `Limit`; PynamoDB reads on until the page is full."""
        m = DealModel
        selling = None if on_sale_at is None else ((m.active == True) & _selling(on_sale_at))  # noqa: E712
        return run_page(m.by_shop.query(shop_id, scan_index_forward=False, filter_condition=selling, limit=limit,
                                        last_evaluated_key=decode_token(token)), _deal)

    def on_sale(self, now_ms: int, limit: int, token: str | None) -> Page[Deal]:
        return run_page(DealModel.on_sale.query(ON_SALE, scan_index_forward=False, filter_condition=_selling(now_ms),
                                                limit=limit, last_evaluated_key=decode_token(token)), _deal)

    # ── settings ────────────────────────────────────────────────────────────────────────────

    def get_settings(self, shop_id: str, merchant_zone: str) -> ShopSettings | None:
        item = get_or_none(ShopSettingsModel, shop_id, consistent=True)
        return None if item is None else _settings(item, merchant_zone)

    def put_settings(self, settings: ShopSettings) -> ShopSettings:
        slots = settings.slots
        item = ShopSettingsModel(
            shop_id=settings.shop_id, zone=slots.zone if settings.zone_overridden else None,
            meals=[_meal_map(m) for m in slots.meals],
            days=slots.days, lead_s=slots.lead_s, interval_s=slots.interval_s, capacity=slots.capacity,
            minutes_per_person_default=settings.minutes_per_person_default, updated_at=settings.updated_at or 0)
        if settings.version:  # else none stored: save() requires the version not to exist yet (create-only)
            item.version = settings.version
        save_versioned(item, settings.shop_id)
        return _settings(item, slots.zone)


def _selling(now_ms: int) -> Condition:
    selling: Condition = (DealModel.valid_from <= now_ms) & (DealModel.valid_until > now_ms)
    return selling


# ── mapping ─────────────────────────────────────────────────────────────────────────────────

def _deal_item(deal: Deal) -> DealModel:
    return DealModel(
        id=deal.id, shop_id=deal.shop_id, title=deal.title, description=deal.description, price=deal.price,
        currency=deal.currency, original_price=deal.original_price, valid_from=deal.valid_from,
        valid_until=deal.valid_until, vouchers_expire_at=deal.vouchers_expire_at, max_per_order=deal.max_per_order,
        active=deal.active, on_sale_partition=ON_SALE if deal.active else None, created_at=deal.created_at,
        updated_at=deal.updated_at)


def _deal(item: DealModel) -> Deal:
    return Deal(
        id=item.id, shop_id=item.shop_id, title=item.title, description=item.description, price=int(item.price),
        currency=item.currency, original_price=int_or_none(item.original_price), valid_from=int(item.valid_from),
        valid_until=int(item.valid_until), vouchers_expire_at=int_or_none(item.vouchers_expire_at),
        max_per_order=int(item.max_per_order), active=bool(item.active), created_at=int(item.created_at),
        updated_at=int(item.updated_at), version=int(item.version or 0))


def _meal_map(meal: Meal) -> MealMap:
    return MealMap(name=meal.name, start=wall_text(meal.start), end=wall_text(meal.end))  # type: ignore[no-untyped-call]


def _settings(item: ShopSettingsModel, merchant_zone: str) -> ShopSettings:
    meals = tuple(Meal(m.name, time.fromisoformat(m.start), time.fromisoformat(m.end)) for m in item.meals)
    slots = SlotSettings(zone=item.zone or merchant_zone, meals=meals, days=int(item.days),
                         lead_s=int(item.lead_s), interval_s=int(item.interval_s),
                         capacity=int_or_none(item.capacity))
    return ShopSettings(item.shop_id, slots, float(item.minutes_per_person_default),
                        zone_overridden=item.zone is not None, updated_at=int(item.updated_at),
                        version=int(item.version or 0))
