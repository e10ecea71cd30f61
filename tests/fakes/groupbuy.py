"""Group-buy's stores in memory: `DealStore` as `chalicelib/groupbuy/deal_store.py` keeps it."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.groupbuy.ports import DealStore
from chalicelib.persistence.paging import Page
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


