"""The DynamoDB supplier and address stores (moto, no Chalice): stock moves only by conditional adds,
batch reads return exactly what exists, and the default address moves in one transaction."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.checkout.address_store import DynamoAddressStore
from chalicelib.checkout.model import AttributeOption, Product, SavedAddress, Supplier
from chalicelib.checkout.split import Kind, ProductType
from chalicelib.checkout.supplier_store import DynamoSupplierStore
from chalicelib.core.address import Address
from chalicelib.core.errors import AlreadyExists, NotFound, ValidationFailed
from tests.builders import T0

SHIRT = Product(supplier_id="s_books", product_id="shirt", name="Shirt", price=9900, stock=3,
                product_type=ProductType(Kind.PHYSICAL, "apparel"),
                attributes=(AttributeOption("size", ("S", "M")),), on_sale=True, created_at=T0)


@pytest.fixture
def store(tables: dict[str, str]) -> DynamoSupplierStore:
    suppliers = DynamoSupplierStore()
    suppliers.create(Supplier("s_books", "Books", "CNY", 800, True, T0))
    suppliers.put_product(SHIRT, create=True)
    return suppliers


def test_a_negative_restock_applies_only_while_enough_units_are_in_stock(store: DynamoSupplierStore) -> None:
    assert store.restock("s_books", "shirt", -2).stock == 1
    with pytest.raises(ValidationFailed) as refused:
        store.restock("s_books", "shirt", -2)
    assert [e.field for e in refused.value.errors] == ["delta"]
    product = store.get_product("s_books", "shirt")
    assert product is not None and product.stock == 1
    assert store.restock("s_books", "shirt", -1).stock == 0
    assert store.restock("s_books", "shirt", 4).stock == 4


def test_a_restock_of_a_missing_product_creates_nothing(store: DynamoSupplierStore) -> None:
    for delta in (5, -5):
        with pytest.raises(NotFound):
            store.restock("s_books", "ghost", delta)
    assert store.get_product("s_books", "ghost") is None


def test_products_returns_exactly_the_keys_that_exist(store: DynamoSupplierStore) -> None:
    store.put_product(replace(SHIRT, product_id="card", stock=0, product_type=ProductType(Kind.VIRTUAL, "gift_card"),
                              attributes=()), create=True)
    wanted = [("s_books", "shirt"), ("s_books", "card"), ("s_books", "ghost"), ("s_toys", "shirt"),
              ("s_books", "shirt")]
    found = store.products(wanted)
    assert set(found) == {("s_books", "shirt"), ("s_books", "card")}
    assert found[("s_books", "shirt")] == SHIRT
    assert found[("s_books", "card")].product_type == ProductType(Kind.VIRTUAL, "gift_card")
    assert store.products([]) == {}
    assert set(store.suppliers(["s_books", "s_toys"])) == {"s_books"}


def test_updating_a_product_changes_all_but_its_stock_and_creating_twice_is_refused(store: DynamoSupplierStore) -> None:
    store.restock("s_books", "shirt", 7)
    changed = replace(SHIRT, name="Shirt v2", price=100, stock=0, on_sale=False)
    updated = store.put_product(changed, create=False)
    assert (updated.name, updated.price, updated.on_sale, updated.stock) == ("Shirt v2", 100, False, 10)
    with pytest.raises(AlreadyExists):
        store.put_product(SHIRT, create=True)
    with pytest.raises(NotFound):
        store.put_product(replace(SHIRT, product_id="ghost"), create=False)
    assert store.get_product("s_books", "ghost") is None


def test_setting_the_default_address_clears_every_other_in_one_transaction(tables: dict[str, str]) -> None:
    addresses = DynamoAddressStore()
    place = Address(line1="8 Garden Road", city="Shanghai")
    for n, address_id in enumerate(("a1", "a2", "a3")):
        addresses.add(SavedAddress("alice", address_id, f"Place {n}", place, address_id != "a2", T0 + n))
    made = addresses.set_default("alice", "a2")
    assert made is not None and made.is_default
    assert {a.address_id: a.is_default for a in addresses.list("alice")} == {"a1": False, "a2": True, "a3": False}
    assert addresses.set_default("alice", "ghost") is None
    assert addresses.set_default("bob", "a2") is None
    assert addresses.get("alice", "ghost") is None
