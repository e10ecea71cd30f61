"""`SupplierStore`, `AddressStore`, `CouponStore`: suppliers whose products' stock moves only by
guarded adds, batch reads that return exactly what exists, a customer's addresses whose default
moves as a whole, and coupons created once then only switched on or off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.checkout.model import AttributeOption, Coupon, Product, SavedAddress, Supplier
from chalicelib.checkout.ports import AddressStore, CouponStore, SupplierStore
from chalicelib.checkout.split import Kind, ProductType
from chalicelib.core.address import Address
from chalicelib.core.errors import AlreadyExists, MalformedRequest, NotFound, ValidationFailed
from tests.builders import T0
from tests.contracts import all_items, every_page

SHIRT = Product(supplier_id="s_books", product_id="shirt", name="Shirt", price=9900, stock=3,
                product_type=ProductType(Kind.PHYSICAL, "apparel"),
                attributes=(AttributeOption("size", ("S", "M")),), on_sale=True, created_at=T0)
BOOKS = Supplier("s_books", "Books", "CNY", 800, True, T0)


class SupplierStoreContract:
    @pytest.fixture
    def empty(self) -> SupplierStore:
        raise NotImplementedError("a subclass provides the store under test")

    @pytest.fixture
    def store(self, empty: SupplierStore) -> SupplierStore:
        assert empty.create(BOOKS) == BOOKS
        empty.put_product(SHIRT, create=True)
        return empty

    # ── suppliers ───────────────────────────────────────────────────────────────────────────

    def test_a_supplier_reads_back_as_written_and_is_created_once(self, store: SupplierStore) -> None:
        assert store.get("s_books") == BOOKS and store.get("s_toys") is None
        with pytest.raises(AlreadyExists):
            store.create(replace(BOOKS, name="Impostor"))
        assert store.get("s_books") == BOOKS

    def test_an_update_sets_only_the_fields_named(self, store: SupplierStore) -> None:
        updated = store.update("s_books", {"shipping_fee": 1200, "active": False})
        assert updated == replace(BOOKS, shipping_fee=1200, active=False) == store.get("s_books")
        assert store.update("s_books", {}) == updated
        assert store.update("s_toys", {"name": "Toys"}) is None and store.get("s_toys") is None
        with pytest.raises(ValueError, match="not supplier fields"):
            store.update("s_books", {"created_at": 0})

    def test_suppliers_are_listed_page_by_page_and_read_by_id(self, store: SupplierStore) -> None:
        for supplier_id in ("s_toys", "s_music", "s_cards"):
            store.create(replace(BOOKS, id=supplier_id))
        listed = all_items(lambda token: store.list(2, token))
        assert sorted(s.id for s in listed) == ["s_books", "s_cards", "s_music", "s_toys"]
        assert set(store.suppliers(["s_books", "s_ghost", "s_toys", "s_books"])) == {"s_books", "s_toys"}
        assert store.suppliers([]) == {}

    def test_only_the_active_suppliers_are_listed_in_full_pages(self, store: SupplierStore) -> None:
        for n in range(6):
            store.create(replace(BOOKS, id=f"s_{n}", active=n % 2 == 0))  # s_0 s_2 s_4 active
        pages = every_page(lambda token: store.list(2, token, active_only=True))
        assert all(len(page.items) == 2 for page in pages[:-1])
        assert sorted(s.id for page in pages for s in page.items) == ["s_0", "s_2", "s_4", "s_books"]
        assert len(all_items(lambda token: store.list(2, token))) == 7

    # ── products ────────────────────────────────────────────────────────────────────────────

    def test_a_negative_restock_applies_only_while_enough_units_are_in_stock(self, store: SupplierStore) -> None:
        assert store.restock("s_books", "shirt", -2).stock == 1
        with pytest.raises(ValidationFailed) as refused:
            store.restock("s_books", "shirt", -2)
        assert [e.field for e in refused.value.errors] == ["delta"]
        product = store.get_product("s_books", "shirt")
        assert product is not None and product.stock == 1
        assert store.restock("s_books", "shirt", -1).stock == 0
        assert store.restock("s_books", "shirt", 4) == replace(SHIRT, stock=4)

    def test_a_restock_of_a_missing_product_creates_nothing(self, store: SupplierStore) -> None:
        for delta in (5, -5):
            with pytest.raises(NotFound):
                store.restock("s_books", "ghost", delta)
        assert store.get_product("s_books", "ghost") is None

    def test_products_returns_exactly_the_keys_that_exist(self, store: SupplierStore) -> None:
        card = replace(SHIRT, product_id="card", stock=0, product_type=ProductType(Kind.VIRTUAL, "gift_card"),
                       attributes=())
        store.put_product(card, create=True)
        wanted = [("s_books", "shirt"), ("s_books", "card"), ("s_books", "ghost"), ("s_toys", "shirt"),
                  ("s_books", "shirt")]
        found = store.products(wanted)
        assert set(found) == {("s_books", "shirt"), ("s_books", "card")}
        assert found[("s_books", "shirt")] == SHIRT and found[("s_books", "card")] == card
        assert store.products([]) == {}

    def test_updating_a_product_changes_all_but_its_stock_and_creating_twice_is_refused(
            self, store: SupplierStore) -> None:
        store.restock("s_books", "shirt", 7)
        changed = replace(SHIRT, name="Shirt v2", price=100, stock=0, on_sale=False,
                          product_type=ProductType(Kind.VIRTUAL, "voucher"), attributes=())
        updated = store.put_product(changed, create=False)
        assert updated == replace(changed, stock=10) == store.get_product("s_books", "shirt")
        with pytest.raises(AlreadyExists):
            store.put_product(SHIRT, create=True)
        with pytest.raises(NotFound):
            store.put_product(replace(SHIRT, product_id="ghost"), create=False)
        assert store.get_product("s_books", "ghost") is None

    def test_a_suppliers_products_are_listed_by_id_or_only_those_on_sale(self, store: SupplierStore) -> None:
        for n in range(7):
            store.put_product(replace(SHIRT, product_id=f"p{n}", on_sale=n % 2 == 0), create=True)  # p0 p2 p4 p6
        store.put_product(replace(SHIRT, supplier_id="s_toys", product_id="p9"), create=True)
        pages = every_page(lambda token: store.products_of("s_books", 3, token))
        assert [[p.product_id for p in page.items] for page in pages] == [
            ["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6", "shirt"]]
        on_sale = every_page(lambda token: store.products_of("s_books", 2, token, on_sale_only=True))
        assert [[p.product_id for p in page.items] for page in on_sale] == [["p0", "p2"], ["p4", "p6"], ["shirt"]]

    def test_a_token_that_is_not_ours_is_malformed(self, store: SupplierStore) -> None:
        for read in (lambda: store.list(2, "garbage"), lambda: store.products_of("s_books", 2, "garbage")):
            with pytest.raises(MalformedRequest):
                read()


PLACE = Address(line1="8 Garden Road", city="Shanghai")
OFFICE = Address(line1="1 Century Avenue", city="Shanghai", line2="Floor 9", postcode="200120", lat=31.23,
                 lng=121.5)


def saved(customer_id: str, address_id: str, is_default: bool = False, n: int = 0) -> SavedAddress:
    return SavedAddress(customer_id, address_id, f"Place {address_id}", PLACE, is_default, T0 + n)


class AddressStoreContract:
    @pytest.fixture
    def store(self) -> AddressStore:
        raise NotImplementedError("a subclass provides the store under test")

    def test_an_address_reads_back_as_written_and_its_id_is_taken_once(self, store: AddressStore) -> None:
        home = SavedAddress("alice", "a1", "Home", OFFICE, True, T0)
        assert store.add(home) == home
        assert store.get("alice", "a1") == home and store.get("bob", "a1") is None
        with pytest.raises(AlreadyExists):
            store.add(replace(home, label="Again"))
        assert store.add(replace(home, customer_id="bob")).customer_id == "bob"

    def test_a_customers_addresses_are_listed_by_id_and_nobody_elses(self, store: AddressStore) -> None:
        for address_id in ("a3", "a1", "a2"):
            store.add(saved("alice", address_id))
        store.add(saved("bob", "a0"))
        assert [a.address_id for a in store.list("alice")] == ["a1", "a2", "a3"]
        assert store.list("carol") == []

    def test_setting_the_default_address_clears_every_other_at_once(self, store: AddressStore) -> None:
        for n, address_id in enumerate(("a1", "a2", "a3")):
            store.add(saved("alice", address_id, address_id != "a2", n))
        store.add(saved("bob", "b1", True))
        made = store.set_default("alice", "a2")
        assert made == saved("alice", "a2", True, 1)
        assert {a.address_id: a.is_default for a in store.list("alice")} == {"a1": False, "a2": True, "a3": False}
        assert store.set_default("alice", "ghost") is None
        assert store.set_default("bob", "a2") is None
        assert [a.is_default for a in store.list("bob")] == [True]

    def test_a_replace_changes_the_label_and_address_but_never_the_default(self, store: AddressStore) -> None:
        store.add(saved("alice", "a1", True))
        replaced = store.put(SavedAddress("alice", "a1", "Office", OFFICE, False, T0 + 99))
        assert replaced == SavedAddress("alice", "a1", "Office", OFFICE, True, T0) == store.get("alice", "a1")
        assert store.put(saved("alice", "ghost")) is None and store.get("alice", "ghost") is None

    def test_deleting_says_whether_there_was_an_address(self, store: AddressStore) -> None:
        store.add(saved("alice", "a1"))
        assert store.delete("alice", "a1") is True
        assert store.delete("alice", "a1") is False and store.delete("bob", "a1") is False
        assert store.list("alice") == []


SAVE10 = Coupon("SAVE10", 1000, "CNY", 5000, True, T0)


class CouponStoreContract:
    @pytest.fixture
    def store(self) -> CouponStore:
        raise NotImplementedError("a subclass provides the store under test")

    def test_a_coupon_reads_back_as_written_and_its_code_is_taken_once(self, store: CouponStore) -> None:
        assert store.create(SAVE10) == SAVE10
        assert store.get("SAVE10") == SAVE10 and store.get("NOPE") is None
        with pytest.raises(AlreadyExists):
            store.create(replace(SAVE10, amount_off=1))
        assert store.get("SAVE10") == SAVE10

    def test_a_coupon_is_switched_off_and_on(self, store: CouponStore) -> None:
        store.create(SAVE10)
        assert store.set_active("SAVE10", False) == replace(SAVE10, active=False) == store.get("SAVE10")
        assert store.set_active("SAVE10", True) == SAVE10
        assert store.set_active("NOPE", True) is None and store.get("NOPE") is None

    def test_coupons_are_listed_page_by_page(self, store: CouponStore) -> None:
        for code in ("B", "A", "C"):
            store.create(replace(SAVE10, code=code))
        assert sorted(c.code for c in all_items(lambda token: store.list(2, token))) == ["A", "B", "C"]
        with pytest.raises(MalformedRequest):
            store.list(2, "garbage")
