"""`DealStore`: deals created once then replaced whole over the version read, listed newest first
(a shop's, or every shop's on sale), and the shops' settings, versioned the same way."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

import pytest

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.groupbuy.ports import DealStore
from chalicelib.groupbuy.slots import Meal, SlotSettings
from tests.contracts import all_items, every_page

NOW = 1_795_000_000_000
DAY = 24 * 3600 * 1000


def a_deal(deal_id: str = "deal_1", shop_id: str = "m1", created_at: int = NOW, **fields: Any) -> Deal:
    deal = Deal(deal_id, shop_id, "Noodles for two", 4900, "CNY", NOW, NOW + DAY, created_at=created_at,
                updated_at=created_at)
    return replace(deal, **fields)


class DealStoreContract:
    @pytest.fixture
    def store(self) -> DealStore:
        raise NotImplementedError("a subclass provides the store under test")

    def test_a_deal_reads_back_as_written_with_version_one(self, store: DealStore) -> None:
        deal = a_deal(description="Two bowls", original_price=6800, vouchers_expire_at=NOW + 9 * DAY,
                      max_per_order=4, active=False)
        assert store.create(deal) == replace(deal, version=1) == store.get("deal_1")
        assert store.get("deal_404") is None

    def test_creating_a_deal_whose_id_is_taken_is_refused_not_overwritten(self, store: DealStore) -> None:
        store.create(a_deal())
        with pytest.raises(AlreadyExists):
            store.create(a_deal(title="Impostor"))
        found = store.get("deal_1")
        assert found is not None and found.title == "Noodles for two"

    def test_a_save_over_the_version_read_bumps_it_and_a_stale_one_is_refused(self, store: DealStore) -> None:
        read = store.create(a_deal())
        saved = store.save(replace(read, price=4500, description=None))
        assert saved.version == 2 and store.get("deal_1") == saved
        with pytest.raises(ConcurrentUpdate):
            store.save(replace(read, title="Lost"))
        with pytest.raises(ConcurrentUpdate):
            store.save(a_deal("deal_gone", version=1))
        assert store.get("deal_1") == saved and store.get("deal_gone") is None

    def test_deals_on_sale_are_every_shops_active_ones_in_their_window_newest_first(self, store: DealStore) -> None:
        for n in range(5):
            store.create(a_deal(f"deal_{n}", shop_id=f"m{n % 2}", created_at=NOW - 100 + n))
        store.create(a_deal("deal_off", created_at=NOW - 10, active=False))
        store.create(a_deal("deal_later", created_at=NOW - 9, valid_from=NOW + 1))
        store.create(a_deal("deal_ended", created_at=NOW - 8, valid_from=NOW - DAY, valid_until=NOW))
        pages = every_page(lambda token: store.on_sale(NOW, 2, token))
        assert [d.id for page in pages for d in page.items] == ["deal_4", "deal_3", "deal_2", "deal_1", "deal_0"]
        assert all(len(page.items) <= 2 for page in pages)
        assert [d.id for d in all_items(lambda token: store.on_sale(NOW + 1, 10, token))][:1] == ["deal_later"]

    def test_deactivating_a_deal_takes_it_off_sale_and_activating_puts_it_back(self, store: DealStore) -> None:
        read = store.create(a_deal())
        off = store.save(replace(read, active=False))
        assert store.on_sale(NOW, 10, None).items == []
        store.save(replace(off, active=True))
        assert [d.id for d in store.on_sale(NOW, 10, None).items] == ["deal_1"]

    def test_a_shops_deals_are_listed_newest_first_all_or_on_sale_only(self, store: DealStore) -> None:
        store.create(a_deal("deal_a", created_at=NOW - 3))
        store.create(a_deal("deal_b", created_at=NOW - 2, active=False))
        store.create(a_deal("deal_c", created_at=NOW - 1))
        store.create(a_deal("deal_x", shop_id="m2", created_at=NOW))
        assert [d.id for d in all_items(lambda token: store.of_shop("m1", 2, token))] == ["deal_c", "deal_b", "deal_a"]
        assert [d.id for d in all_items(lambda token: store.of_shop("m1", 1, token, on_sale_at=NOW))] == [
            "deal_c", "deal_a"]
        assert store.of_shop("m404", 5, None).items == []

    def test_a_token_that_is_not_a_position_of_the_list_is_refused(self, store: DealStore) -> None:
        with pytest.raises(MalformedRequest):
            store.on_sale(NOW, 5, "not-a-token")

    # ── settings ────────────────────────────────────────────────────────────────────────────

    def test_settings_read_back_in_their_own_zone_or_the_merchants(self, store: DealStore) -> None:
        slots = SlotSettings(zone="Europe/London", meals=(Meal("brunch", time(10), time(12, 30)),), days=5,
                             lead_s=2700, interval_s=1200, capacity=12)
        own = store.put_settings(ShopSettings("m1", slots, 3.5, zone_overridden=True, updated_at=NOW))
        assert own == ShopSettings("m1", slots, 3.5, zone_overridden=True, updated_at=NOW, version=1)
        assert store.get_settings("m1", "Asia/Shanghai") == own
        store.put_settings(ShopSettings("m2", SlotSettings(zone="Asia/Shanghai"), updated_at=NOW))
        followed = store.get_settings("m2", "Asia/Tokyo")
        assert followed is not None and followed.slots.zone == "Asia/Tokyo" and not followed.zone_overridden
        assert store.get_settings("m404", "UTC") is None

    def test_settings_are_replaced_over_the_version_read_only(self, store: DealStore) -> None:
        first = store.put_settings(ShopSettings("m1", SlotSettings(zone="UTC"), updated_at=NOW))
        with pytest.raises(ConcurrentUpdate):
            store.put_settings(ShopSettings("m1", SlotSettings(zone="UTC", days=2), updated_at=NOW))
        second = store.put_settings(replace(first, slots=SlotSettings(zone="UTC", days=2)))
        assert second.version == 2 and store.get_settings("m1", "UTC") == second
        with pytest.raises(ConcurrentUpdate):
            store.put_settings(first)
