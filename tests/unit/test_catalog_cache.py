"""Orders read the catalogue through a few-seconds cache; writes through the same container show at once."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.catalogue.cache import CatalogueCache
from chalicelib.catalogue.model import Merchant, Product
from chalicelib.core.clock import FakeClock
from tests.builders import a_merchant, a_product


class CountingStore:
    """Stands in for DynamoCatalogueStore's two reads, counting them."""

    def __init__(self) -> None:
        self.merchants: dict[str, Merchant] = {"m1": a_merchant()}
        self.products: dict[tuple[str, str], Product] = {("m1", "p1"): a_product()}
        self.reads = 0

    def get_merchant(self, merchant_id: str) -> Merchant | None:
        self.reads += 1
        return self.merchants.get(merchant_id)

    def products_by_id(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]:
        self.reads += 1
        return {pid: self.products[(merchant_id, pid)] for pid in product_ids if (merchant_id, pid) in self.products}


def _cache(store: CountingStore, clock: FakeClock) -> CatalogueCache:
    cache_store: Any = store
    return CatalogueCache(cache_store, clock, ttl_ms=5_000)


def test_repeated_orders_read_the_merchant_and_menu_once_per_ttl() -> None:
    store, clock = CountingStore(), FakeClock()
    cache = _cache(store, clock)
    for _ in range(10):
        assert cache.merchant("m1") == a_merchant()
        assert cache.products("m1", ["p1"]) == {"p1": a_product()}
    assert store.reads == 2


def test_a_change_made_elsewhere_shows_once_the_ttl_has_passed() -> None:
    store, clock = CountingStore(), FakeClock()
    cache = _cache(store, clock)
    cache.products("m1", ["p1"])
    store.products[("m1", "p1")] = replace(a_product(), price=3000)
    clock.advance(4.9)
    assert cache.products("m1", ["p1"])["p1"].price == 2800
    clock.advance(0.2)
    assert cache.products("m1", ["p1"])["p1"].price == 3000


def test_forgetting_a_merchant_drops_its_profile_and_products_but_not_others() -> None:
    store, clock = CountingStore(), FakeClock()
    store.merchants["m2"] = a_merchant(id="m2")
    cache = _cache(store, clock)
    cache.merchant("m1"), cache.merchant("m2"), cache.products("m1", ["p1"])
    store.merchants["m1"] = a_merchant(paused=True)
    cache.forget("m1")
    reads = store.reads
    assert cache.merchant("m1") == a_merchant(paused=True)
    cache.merchant("m2")
    cache.products("m1", ["p1"])
    assert store.reads == reads + 2  # m1 and its menu again; m2 still cached


def test_absence_is_remembered_too_and_only_missing_products_are_fetched() -> None:
    store, clock = CountingStore(), FakeClock()
    cache = _cache(store, clock)
    assert cache.merchant("nope") is None and cache.merchant("nope") is None
    assert cache.products("m1", ["p1", "ghost"]) == {"p1": a_product()}
    store.products[("m1", "p2")] = a_product(id="p2")
    reads = store.reads
    assert sorted(cache.products("m1", ["p1", "ghost", "p2"])) == ["p1", "p2"]
    assert store.reads == reads + 1  # one batch for p2 alone
