"""Merchants and products on DynamoDB (moto): create-only merchants, versioned updates, menus."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.catalogue.store import DynamoCatalogueStore
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from tests.builders import a_merchant, a_product


@pytest.fixture
def store(tables: dict[str, str]) -> DynamoCatalogueStore:
    return DynamoCatalogueStore()


def test_a_merchant_reads_back_as_written(store: DynamoCatalogueStore) -> None:
    merchant = a_merchant(business_hours={"mon": [["18:00", "02:00"]]}, answer_window_s=45, paused=True)
    saved = store.save_merchant(merchant, create=True)
    assert store.get_merchant("m1") == saved == replace(merchant, version=1)


def test_creating_a_merchant_that_exists_is_refused(store: DynamoCatalogueStore) -> None:
    store.save_merchant(a_merchant(), create=True)
    with pytest.raises(AlreadyExists):
        store.save_merchant(a_merchant(name="Impostor"), create=True)
    assert store.get_merchant("m1") == replace(a_merchant(), version=1)


def test_an_update_from_a_stale_version_is_a_concurrent_update(store: DynamoCatalogueStore) -> None:
    read = store.save_merchant(a_merchant(), create=True)
    store.save_merchant(replace(read, paused=True), create=False)
    with pytest.raises(ConcurrentUpdate):
        store.save_merchant(replace(read, name="Lost"), create=False)
    current = store.get_merchant("m1")
    assert current is not None and (current.paused, current.name, current.version) == (True, "Noodles", 2)


def test_products_are_fetched_by_id_within_one_merchant(store: DynamoCatalogueStore) -> None:
    store.save_product(a_product(), create=True)
    store.save_product(a_product(id="p2", name="Dumplings"), create=True)
    store.save_product(a_product(merchant_id="m2", id="p3"), create=True)
    found = store.products_by_id("m1", ["p1", "p2", "p3", "p1"])
    assert sorted(found) == ["p1", "p2"] and found["p1"] == a_product()


def test_a_menu_is_listed_page_by_page(store: DynamoCatalogueStore) -> None:
    for n in range(5):
        store.save_product(a_product(id=f"p{n}"), create=True)
    first = store.list_products("m1", 3, None)
    rest = store.list_products("m1", 3, first.next_token)
    assert [p.id for p in first.items + rest.items] == [f"p{n}" for n in range(5)] and rest.next_token is None


def test_creating_a_product_whose_id_is_taken_is_refused_not_overwritten(store: DynamoCatalogueStore) -> None:
    store.save_product(a_product(name="Noodles"), create=True)
    with pytest.raises(AlreadyExists):
        store.save_product(a_product(name="Impostor"), create=True)
    saved = store.get_product("m1", "p1")
    assert saved is not None and saved.name == "Noodles"
