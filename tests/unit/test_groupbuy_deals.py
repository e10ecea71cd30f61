"""Deals and shop settings on in-memory fakes: the pure rules of a deal, the settings' defaults and
zone, and what the purchase reads (`DealCatalogue.for_purchase`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import ConcurrentUpdate, FieldError, Forbidden, NotFound, ValidationFailed
from chalicelib.groupbuy.deal import Deal, MerchantShops, Shop, ShopSettings, deal_errors, default_settings
from chalicelib.groupbuy.deals import DealCatalogue
from chalicelib.groupbuy.schemas_deals import DealIn, DealPatch, ShopSettingsIn
from chalicelib.groupbuy.slots import DEFAULT_MEALS, Meal, SlotSettings
from tests.fakes.groupbuy import InMemoryDealStore
from tests.fakes.platform import caller

NOW = 1_795_000_000_000
DAY = 24 * 3600 * 1000
SHOP = Shop("m1", "Noodles", "Asia/Shanghai", "CNY")
OPS, MERCHANT, OTHER = caller("ops"), caller("merchant", merchant_id="m1"), caller("merchant", merchant_id="m2")


def a_deal(**fields: Any) -> Deal:
    return replace(Deal("deal_1", "m1", "Noodles for two", 4900, "CNY", NOW, NOW + DAY), **fields)


class Shops:
    def __init__(self, *shops: Shop) -> None:
        self.shops = {shop.shop_id: shop for shop in shops}

    def shop(self, shop_id: str) -> Shop | None:
        return self.shops.get(shop_id)


@pytest.fixture
def catalogue() -> DealCatalogue:
    return DealCatalogue(InMemoryDealStore(), Shops(SHOP, Shop("m2", "Fish", "Europe/London", "GBP")),
                         FakeClock(NOW))


def deal_in(**fields: Any) -> DealIn:
    return DealIn.model_validate({"title": "Noodles for two", "price": {"amount": 4900, "currency": "CNY"},
                                  "valid_until": "2026-12-31T16:00:00Z", **fields})


def fields_of(error: ValidationFailed) -> list[str]:
    return sorted(e.field for e in error.errors)


# ── a deal's rules (pure) ───────────────────────────────────────────────────────────────────

def test_a_valid_deal_breaks_no_rule() -> None:
    assert deal_errors(a_deal(original_price=6800, vouchers_expire_at=NOW + 2 * DAY), SHOP, NOW, creating=True) == []


@pytest.mark.parametrize(("fields", "broken"), [
    ({"currency": "GBP"}, ["price.currency"]),
    ({"price": 0}, ["price.amount"]),
    ({"original_price": 4899}, ["original_price.amount"]),
    ({"title": ""}, ["title"]),
    ({"title": "x" * 121}, ["title"]),
    ({"max_per_order": 0}, ["max_per_order"]),
    ({"max_per_order": 101}, ["max_per_order"]),
    ({"valid_until": NOW}, ["valid_until"]),
    ({"valid_from": NOW - 2 * DAY, "valid_until": NOW - DAY}, ["valid_until"]),
    ({"vouchers_expire_at": NOW + DAY - 1}, ["vouchers_expire_at"]),
    ({"valid_from": -1, "valid_until": 10**15}, ["valid_from", "valid_until"]),
    ({"currency": "EUR", "price": -5, "title": "", "max_per_order": 0},
     ["max_per_order", "price.amount", "price.currency", "title"]),
])
def test_every_rule_a_deal_breaks_is_named(fields: dict[str, Any], broken: list[str]) -> None:
    assert sorted(e.field for e in deal_errors(a_deal(**fields), SHOP, NOW, creating=True)) == broken


def test_an_ended_deal_may_still_be_changed_but_not_created() -> None:
    ended = a_deal(valid_from=NOW - 2 * DAY, valid_until=NOW - DAY)
    assert deal_errors(ended, SHOP, NOW, creating=False) == []
    assert deal_errors(ended, SHOP, NOW, creating=True) == [FieldError("valid_until", "must be in the future")]


def test_a_deal_is_on_sale_from_valid_from_until_just_before_valid_until_while_active() -> None:
    deal = a_deal()
    assert [deal.on_sale_at(t) for t in (NOW - 1, NOW, NOW + DAY - 1, NOW + DAY)] == [False, True, True, False]
    assert not replace(deal, active=False).on_sale_at(NOW)


def test_vouchers_expire_with_the_sale_unless_the_deal_names_a_later_moment() -> None:
    assert a_deal().voucher_expires_at == NOW + DAY
    assert a_deal(vouchers_expire_at=NOW + 9 * DAY).voucher_expires_at == NOW + 9 * DAY


# ── shops and settings ──────────────────────────────────────────────────────────────────────

def test_a_shop_is_its_merchants_id_name_zone_and_currency() -> None:
    class Merchant:
        id, name, time_zone, currency = "m1", "Noodles", "Asia/Shanghai", "CNY"

    class Menus:
        def merchant_for_order(self, merchant_id: str) -> Merchant | None:
            return Merchant() if merchant_id == "m1" else None

    shops = MerchantShops(Menus())
    assert shops.shop("m1") == SHOP and shops.shop("m2") is None


def test_a_shop_without_settings_has_the_specs_defaults_in_its_zone(catalogue: DealCatalogue) -> None:
    settings = catalogue.shop_settings("m2")
    assert settings == default_settings(Shop("m2", "Fish", "Europe/London", "GBP"))
    assert settings.slots == SlotSettings(zone="Europe/London", meals=DEFAULT_MEALS, days=3, lead_s=1800,
                                          interval_s=3600, capacity=None)
    assert (settings.minutes_per_person_default, settings.version) == (5.0, 0)
    assert settings.estimate.default_minutes_per_person == 5.0
    with pytest.raises(NotFound):
        catalogue.shop_settings("m404")


def test_stored_settings_without_a_zone_follow_the_merchants_zone() -> None:
    store = InMemoryDealStore()
    store.put_settings(ShopSettings("m1", SlotSettings(zone="Asia/Shanghai", days=5)))
    moved = DealCatalogue(store, Shops(replace(SHOP, time_zone="Asia/Tokyo")), FakeClock(NOW)).shop_settings("m1")
    assert (moved.slots.zone, moved.slots.days, moved.zone_overridden) == ("Asia/Tokyo", 5, False)


def test_settings_are_put_over_the_version_read_and_a_stale_write_is_refused() -> None:
    store = InMemoryDealStore()
    first = store.put_settings(ShopSettings("m1", SlotSettings(zone="UTC")))
    assert first.version == 1
    with pytest.raises(ConcurrentUpdate):
        store.put_settings(ShopSettings("m1", SlotSettings(zone="UTC", days=2)))
    assert store.put_settings(replace(first, slots=SlotSettings(zone="UTC", days=2))).version == 2


def test_putting_settings_maps_each_slot_rule_to_its_field(catalogue: DealCatalogue) -> None:
    body = ShopSettingsIn.model_validate({"time_zone": "Mars/Base", "meals": [
        {"name": "lunch", "start": "11:00", "end": "14:00"}, {"name": "late", "start": "13:00", "end": "15:00"}]})
    with pytest.raises(ValidationFailed) as refused:
        catalogue.put_shop_settings(OPS, "m1", body)
    assert fields_of(refused.value) == ["meals", "time_zone"]
    assert catalogue.shop_settings("m1").version == 0


def test_a_shops_merchant_puts_its_settings_and_another_finds_no_such_shop(catalogue: DealCatalogue) -> None:
    body = ShopSettingsIn.model_validate({"meals": [{"name": "dinner", "start": "18:00", "end": "22:00"}],
                                          "capacity": 8})
    saved = catalogue.put_shop_settings(MERCHANT, "m1", body)
    assert saved.slots.meals == (Meal("dinner", time(18), time(22)),) and saved.slots.capacity == 8
    assert catalogue.shop_settings("m1") == saved
    with pytest.raises(NotFound):
        catalogue.put_shop_settings(OTHER, "m1", body)
    with pytest.raises(Forbidden):
        catalogue.put_shop_settings(caller("customer"), "m1", body)


# ── deals through the service ───────────────────────────────────────────────────────────────

def test_a_merchant_naming_another_shop_is_forbidden_and_ops_must_name_one(catalogue: DealCatalogue) -> None:
    assert catalogue.create_deal(MERCHANT, deal_in()).deal.shop_id == "m1"
    with pytest.raises(Forbidden):
        catalogue.create_deal(MERCHANT, deal_in(shop_id="m2"))
    with pytest.raises(ValidationFailed) as unnamed:
        catalogue.create_deal(OPS, deal_in())
    assert fields_of(unnamed.value) == ["shop_id"]


def test_a_patch_applies_to_the_whole_deal_and_keeps_the_others_fields(catalogue: DealCatalogue) -> None:
    created = catalogue.create_deal(OPS, deal_in(shop_id="m1", original_price={"amount": 6800, "currency": "CNY"}))
    patched = catalogue.patch_deal(MERCHANT, created.deal.id, DealPatch.model_validate({"price": {
        "amount": 4500, "currency": "CNY"}}))
    assert (patched.deal.price, patched.deal.original_price, patched.deal.version) == (4500, 6800, 2)
    with pytest.raises(ValidationFailed) as refused:
        catalogue.patch_deal(OPS, created.deal.id, DealPatch.model_validate({"price": {
            "amount": 9900, "currency": "CNY"}}))
    assert fields_of(refused.value) == ["original_price.amount"]
    with pytest.raises(NotFound):
        catalogue.patch_deal(OTHER, created.deal.id, DealPatch.model_validate({"active": False}))


def test_the_purchase_reads_a_deal_on_sale_with_its_shop_and_settings(catalogue: DealCatalogue) -> None:
    on_sale = catalogue.create_deal(OPS, deal_in(shop_id="m1")).deal
    offer = catalogue.for_purchase(on_sale.id)
    assert (offer.deal, offer.shop, offer.settings) == (on_sale, SHOP, default_settings(SHOP))
    later = catalogue.create_deal(OPS, deal_in(shop_id="m1", valid_from="2026-12-01T00:00:00Z")).deal
    with pytest.raises(ValidationFailed) as refused:
        catalogue.for_purchase(later.id)
    assert fields_of(refused.value) == ["deal_id"]
    assert catalogue.offer(later.id).deal == later
    with pytest.raises(NotFound):
        catalogue.for_purchase("deal_404")


def test_a_shops_terms_are_read_once_per_few_seconds_and_at_once_after_a_change_here() -> None:
    store, clock = InMemoryDealStore(), FakeClock(NOW)
    reads: list[str] = []
    get_settings = store.get_settings

    def counted(shop_id: str, merchant_zone: str) -> ShopSettings | None:
        reads.append(shop_id)
        return get_settings(shop_id, merchant_zone)

    store.get_settings = counted  # type: ignore[method-assign, assignment]
    deals = DealCatalogue(store, Shops(SHOP), clock)
    assert deals.shop_terms("m1") == deals.shop_terms("m1") and reads == ["m1"]
    deals.put_shop_settings(OPS, "m1", ShopSettingsIn.model_validate({"lead_s": 60}))
    assert deals.shop_terms("m1").slots.lead_s == 60  # this container's own change: seen at once
    clock.advance(5)
    deals.shop_terms("m1")
    assert len([r for r in reads if r == "m1"]) == 4  # the put's own read, then one per TTL
