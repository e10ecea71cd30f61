"""`CatalogueStore`: create-only merchants with versioned updates, and the merchants' menus
(products created once, then changed field by field)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from tests.builders import a_merchant, a_product
from tests.contracts import every_page


class CatalogueStoreContract:
    @pytest.fixture
    def store(self) -> CatalogueStore:
        raise NotImplementedError("a subclass provides the store under test")

    # ── merchants ───────────────────────────────────────────────────────────────────────────

    def test_a_merchant_reads_back_as_written(self, store: CatalogueStore) -> None:
        merchant = a_merchant(business_hours={"mon": [["18:00", "02:00"]]}, answer_window_s=45, paused=True,
                              verified=False, currency="EUR", created_at=7)
        saved = store.save_merchant(merchant, create=True)
        assert store.get_merchant("m1") == saved == replace(merchant, version=1)
        assert store.get_merchant("m404") is None

    def test_creating_a_merchant_that_exists_is_refused(self, store: CatalogueStore) -> None:
        store.save_merchant(a_merchant(), create=True)
        with pytest.raises(AlreadyExists):
            store.save_merchant(a_merchant(name="Impostor"), create=True)
        assert store.get_merchant("m1") == replace(a_merchant(), version=1)

    def test_each_update_bumps_the_version_and_one_from_a_stale_version_is_a_concurrent_update(
            self, store: CatalogueStore) -> None:
        read = store.save_merchant(a_merchant(), create=True)
        paused = store.save_merchant(replace(read, paused=True), create=False)
        assert paused.version == read.version + 1
        with pytest.raises(ConcurrentUpdate):
            store.save_merchant(replace(read, name="Lost"), create=False)
        current = store.get_merchant("m1")
        assert current is not None and (current.paused, current.name, current.version) == (True, "Noodles", 2)

    def test_the_verified_merchants_are_listed_by_name_page_by_page(self, store: CatalogueStore) -> None:
        for merchant_id, name in (("m3", "Dumplings"), ("m1", "Noodles"), ("m2", "Congee"), ("m4", "Baozi")):
            store.save_merchant(a_merchant(id=merchant_id, name=name), create=True)
        store.save_merchant(a_merchant(id="m5", name="Awaiting checks", verified=False), create=True)
        pages = every_page(lambda token: store.list_merchants(3, token))
        assert [[m.name for m in page.items] for page in pages] == [["Baozi", "Congee", "Dumplings"], ["Noodles"]]
        assert pages[0].items[0] == replace(a_merchant(id="m4", name="Baozi"), version=1)

    def test_a_merchant_leaves_the_list_when_unverified_and_a_rename_moves_it(self, store: CatalogueStore) -> None:
        first = store.save_merchant(a_merchant(id="m1", name="Noodles"), create=True)
        store.save_merchant(a_merchant(id="m2", name="Congee"), create=True)
        store.save_merchant(replace(first, name="Arancini"), create=False)
        assert [m.id for m in store.list_merchants(10, None).items] == ["m1", "m2"]
        renamed = store.get_merchant("m1")
        assert renamed is not None
        store.save_merchant(replace(renamed, verified=False), create=False)
        assert [m.id for m in store.list_merchants(10, None).items] == ["m2"]

    def test_a_merchant_list_token_that_is_not_ours_is_malformed(self, store: CatalogueStore) -> None:
        with pytest.raises(MalformedRequest):
            store.list_merchants(3, "garbage")

    # ── products ────────────────────────────────────────────────────────────────────────────

    def test_products_are_fetched_by_id_within_one_merchant(self, store: CatalogueStore) -> None:
        store.add_product(a_product())
        store.add_product(a_product(id="p2", name="Dumplings"))
        store.add_product(a_product(merchant_id="m2", id="p3"))
        found = store.products_by_id("m1", ["p1", "p2", "p3", "p1"])
        assert sorted(found) == ["p1", "p2"] and found["p1"] == a_product()
        assert store.get_product("m1", "p3") is None and store.get_product("m2", "p3") is not None

    def test_a_menu_is_listed_by_product_id_page_by_page(self, store: CatalogueStore) -> None:
        for n in (3, 0, 4, 1, 2):
            store.add_product(a_product(id=f"p{n}"))
        store.add_product(a_product(merchant_id="m2", id="p9"))
        pages = every_page(lambda token: store.list_products("m1", 3, token))
        assert [[p.id for p in page.items] for page in pages] == [["p0", "p1", "p2"], ["p3", "p4"]]
        assert store.list_products("m404", 3, None).items == []

    def test_creating_a_product_whose_id_is_taken_is_refused_not_overwritten(self, store: CatalogueStore) -> None:
        store.add_product(a_product(name="Noodles"))
        with pytest.raises(AlreadyExists):
            store.add_product(a_product(name="Impostor"))
        saved = store.get_product("m1", "p1")
        assert saved is not None and saved.name == "Noodles"

    def test_updating_a_product_sets_the_given_fields_and_leaves_the_others(self, store: CatalogueStore) -> None:
        store.add_product(a_product())
        changed = a_product(price=3000, stock=0, on_sale=False, max_per_order=3)
        assert store.update_product("m1", "p1", {"price": 3000, "stock": 0, "on_sale": False,
                                                 "max_per_order": 3}) == changed
        assert store.update_product("m1", "p1", {"name": "Spicy"}) == replace(changed, name="Spicy")
        assert store.get_product("m1", "p1") == replace(changed, name="Spicy")

    def test_updating_a_product_that_does_not_exist_creates_nothing(self, store: CatalogueStore) -> None:
        assert store.update_product("m1", "p404", {"price": 1}) is None
        assert store.get_product("m1", "p404") is None

    def test_a_token_that_is_not_ours_is_malformed(self, store: CatalogueStore) -> None:
        with pytest.raises(MalformedRequest):
            store.list_products("m1", 3, "garbage")
