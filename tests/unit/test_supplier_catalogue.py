"""The supplier catalogue on fakes: ops manage suppliers; a supplier manages its own products and
no one else's; everyone else sees active suppliers and what is on sale; stock is set at creation
and moves only by restocks that never take it below zero. (Those named as in
tests/functional/test_supplier_catalogue.py were moved here: they only drove these rules over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.checkout.supplier_catalogue import Listed
from chalicelib.checkout.supplier_schemas import ProductIn, SupplierIn, SupplierPatch
from chalicelib.core.errors import AlreadyTaken, Forbidden, NotFound, ValidationFailed
from tests.builders import cny
from tests.fakes.platform import FakeWorld, caller
from tests.unit.arrange import CUSTOMER, OPS, body

BOOKS, TOYS = "s_books", "s_toys"
SHIRT = {"name": "Reading shirt", "price": cny(9900), "stock": 5, "kind": "physical", "category": "apparel",
         "attributes": {"size": ["S", "M", "L"], "colour": ["red", "blue"]}}
BOOKS_CLERK = caller("supplier", "sup-user-1", supplier_id=BOOKS)
TOYS_CLERK = caller("supplier", "sup-user-2", supplier_id=TOYS)


@pytest.fixture
def market(world: FakeWorld) -> FakeWorld:
    for supplier_id in (BOOKS, TOYS):
        world.checkout.suppliers.create_supplier(OPS, body(SupplierIn, supplier_id=supplier_id,
                                                           name=supplier_id.title(), currency="CNY",
                                                           shipping_fee=cny(800)))
    return world


def put(world: FakeWorld, product_id: str, by: Any = BOOKS_CLERK, supplier_id: str = BOOKS, **changes: Any) -> Listed:
    return world.checkout.suppliers.put_product(by, supplier_id, product_id, body(ProductIn, {**SHIRT, **changes}))


def stock(world: FakeWorld, product_id: str) -> int:
    product = world.stores.suppliers.get_product(BOOKS, product_id)
    assert product is not None
    return product.stock


# ── suppliers ───────────────────────────────────────────────────────────────────────────────

def test_ops_create_and_patch_suppliers_and_nobody_else_may(market: FakeWorld) -> None:
    suppliers = market.checkout.suppliers
    assert suppliers.create_supplier(OPS, body(SupplierIn, name="No id given", currency="CNY")).id.startswith("sup_")
    with pytest.raises(AlreadyTaken):
        suppliers.create_supplier(OPS, body(SupplierIn, supplier_id=BOOKS, name="Other", currency="CNY"))
    patched = suppliers.patch_supplier(OPS, BOOKS, body(SupplierPatch, shipping_fee=cny(1200), active=False))
    assert (patched.shipping_fee, patched.active, patched.name) == (1200, False, "S_Books")
    for who in (BOOKS_CLERK, CUSTOMER):
        with pytest.raises(Forbidden):
            suppliers.create_supplier(who, body(SupplierIn, name="Sneaky", currency="CNY"))
        with pytest.raises(Forbidden):
            suppliers.patch_supplier(who, BOOKS, body(SupplierPatch, name="Renamed"))


def test_ops_list_every_supplier_and_everyone_else_the_active_ones(market: FakeWorld) -> None:
    suppliers = market.checkout.suppliers
    suppliers.patch_supplier(OPS, BOOKS, body(SupplierPatch, active=False))
    everyone = {s.id for s in suppliers.suppliers_page(OPS, 10, None).items}
    assert BOOKS in everyone
    for who in (BOOKS_CLERK, CUSTOMER):
        assert {s.id for s in suppliers.suppliers_page(who, 10, None).items} == everyone - {BOOKS}


def test_patching_a_supplier_field_to_null_is_refused_naming_the_field(market: FakeWorld) -> None:
    with pytest.raises(ValidationFailed) as refused:
        market.checkout.suppliers.patch_supplier(OPS, BOOKS, body(SupplierPatch, name=None, currency=None))
    assert sorted(e.field for e in refused.value.errors) == ["currency", "name"]
    with pytest.raises(NotFound):
        market.checkout.suppliers.patch_supplier(OPS, "s_nobody", body(SupplierPatch, name="x"))
    assert market.checkout.suppliers.supplier(OPS, BOOKS).name == "S_Books"


def test_an_inactive_supplier_is_hidden_from_everyone_but_ops_and_itself(market: FakeWorld) -> None:
    market.checkout.suppliers.patch_supplier(OPS, BOOKS, body(SupplierPatch, active=False))
    for who in (OPS, BOOKS_CLERK):
        assert market.checkout.suppliers.supplier(who, BOOKS).active is False
    for who in (CUSTOMER, TOYS_CLERK):
        with pytest.raises(NotFound):
            market.checkout.suppliers.supplier(who, BOOKS)


# ── products: who sees what ─────────────────────────────────────────────────────────────────

def test_a_put_creates_a_product_with_its_stock_once_and_then_updates_everything_but_its_stock(
        market: FakeWorld) -> None:
    created = put(market, "shirt")
    assert created.created is True and created.product.stock == 5
    assert created.product.attributes[0].values == ("S", "M", "L")
    market.checkout.suppliers.restock(BOOKS_CLERK, BOOKS, "shirt", 3)
    updated = put(market, "shirt", price=cny(8900), stock=0, attributes={"size": ["M"]})
    assert updated.created is False and updated.product.price == 8900 and updated.product.stock == 8
    assert stock(market, "shirt") == 8


def test_a_supplier_writes_only_its_own_products(market: FakeWorld) -> None:
    put(market, "shirt")
    for product_id in ("shirt", "no-such-product"):
        with pytest.raises(NotFound):
            put(market, product_id, TOYS_CLERK, price=cny(1))
        with pytest.raises(NotFound):
            market.checkout.suppliers.restock(TOYS_CLERK, BOOKS, product_id, 100)
    with pytest.raises(Forbidden):
        put(market, "shirt", CUSTOMER)
    with pytest.raises(Forbidden):
        market.checkout.suppliers.restock(CUSTOMER, BOOKS, "shirt", 1)
    assert stock(market, "shirt") == 5 and market.stores.suppliers.get_product(BOOKS, "no-such-product") is None


def test_products_of_a_supplier_that_does_not_exist_are_not_found(market: FakeWorld) -> None:
    nobody = caller("supplier", "sup-user-9", supplier_id="s_nobody")
    for who in (nobody, OPS):
        with pytest.raises(NotFound):
            put(market, "shirt", who, "s_nobody")
    with pytest.raises(NotFound):
        market.checkout.suppliers.products_page(CUSTOMER, "s_nobody", 10, None)


def test_shoppers_see_only_on_sale_products_of_active_suppliers_and_managers_see_everything(
        market: FakeWorld) -> None:
    catalogue = market.checkout.suppliers
    put(market, "shirt", OPS)
    put(market, "hidden", OPS, on_sale=False)
    for shopper in (CUSTOMER, TOYS_CLERK):
        assert [p.product_id for p in catalogue.products_page(shopper, BOOKS, 10, None).products.items] == ["shirt"]
        with pytest.raises(NotFound):
            catalogue.product(shopper, BOOKS, "hidden")
    for manager in (OPS, BOOKS_CLERK):
        shelf = catalogue.products_page(manager, BOOKS, 10, None)
        assert [p.product_id for p in shelf.products.items] == ["hidden", "shirt"]
        assert catalogue.product(manager, BOOKS, "hidden").product.on_sale is False
    catalogue.patch_supplier(OPS, BOOKS, body(SupplierPatch, active=False))
    with pytest.raises(NotFound):
        catalogue.products_page(CUSTOMER, BOOKS, 10, None)
    with pytest.raises(NotFound):
        catalogue.product(CUSTOMER, BOOKS, "shirt")
    assert len(catalogue.products_page(BOOKS_CLERK, BOOKS, 10, None).products.items) == 2


# ── stock ───────────────────────────────────────────────────────────────────────────────────

def test_a_restock_adds_units_and_one_below_zero_is_refused_leaving_stock_unchanged(market: FakeWorld) -> None:
    put(market, "shirt")
    restock = market.checkout.suppliers.restock
    assert restock(BOOKS_CLERK, BOOKS, "shirt", 10).product.stock == 15
    assert restock(BOOKS_CLERK, BOOKS, "shirt", -15).product.stock == 0
    with pytest.raises(ValidationFailed) as refused:
        restock(BOOKS_CLERK, BOOKS, "shirt", -1)
    assert [e.field for e in refused.value.errors] == ["delta"]
    assert stock(market, "shirt") == 0
    with pytest.raises(NotFound):
        restock(BOOKS_CLERK, BOOKS, "nothing", 5)


def test_the_checkout_reads_every_product_and_supplier_asked_for_on_sale_or_not(market: FakeWorld) -> None:
    put(market, "shirt")
    put(market, "hidden", on_sale=False)
    catalogue = market.checkout.suppliers
    assert set(catalogue.products([(BOOKS, "shirt"), (BOOKS, "hidden"), (TOYS, "shirt")])) == {
        (BOOKS, "shirt"), (BOOKS, "hidden")}
    catalogue.patch_supplier(OPS, TOYS, body(SupplierPatch, active=False))
    assert set(catalogue.suppliers([BOOKS, TOYS, "s_nobody"])) == {BOOKS, TOYS}
