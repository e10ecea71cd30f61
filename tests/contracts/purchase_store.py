"""`PurchaseStore` and the `SupplierOrderStore` a payment writes into: a purchase and its stock
reservations commit together or not at all, a short product is named, the fan-out's supplier
orders and the stock releases commit with the state, and every field survives the round trip."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from chalicelib.checkout import purchase_decider, supplier_order_decider
from chalicelib.checkout.model import Purchase, PurchaseStatus, StockHold, SupplierOrder
from chalicelib.checkout.ports import OutOfStock, PurchaseStore, SupplierOrderStore, SupplierStore
from chalicelib.checkout.split import CartLine
from chalicelib.checkout.tracking import Method
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, MalformedRequest
from chalicelib.payments.window import PaymentWindowElapsed
from tests.builders import T0
from tests.checkout_builders import BOOKS, GIFT_CARDS, SHOES, WINDOW_MS, a_line, a_product, a_purchase, payment_of
from tests.contracts import all_items

SHARDS = 16
STOCK = (("s_shoes", "p_run", 5, SHOES), ("s_shoes", "p_card", 5, GIFT_CARDS), ("s_books", "p_novel", 1, BOOKS))


@dataclass(frozen=True)
class CheckoutStores:
    purchases: PurchaseStore
    orders: SupplierOrderStore
    suppliers: SupplierStore


def reserved(store: PurchaseStore, bought: Purchase | None = None) -> Purchase:
    bought = bought or a_purchase()
    return store.insert(bought, T0, purchase_decider.reservations(bought))


def paid(store: PurchaseStore, bought: Purchase | None = None) -> tuple[Purchase, list[SupplierOrder]]:
    """A purchase reserved, then paid: its supplier orders as the decision made them."""
    current = reserved(store, bought)
    decision = purchase_decider.decide(current, payment_of(current), T0 + 1000)
    after = store.commit(decision.state, current.version, None, decision.writes)
    return after, [w.order for w in decision.writes if isinstance(w, purchase_decider.NewSupplierOrder)]


class _CheckoutStoresFixtures:
    @pytest.fixture
    def stores(self) -> CheckoutStores:
        raise NotImplementedError("a subclass provides the stores under test")

    @pytest.fixture
    def suppliers(self, stores: CheckoutStores) -> SupplierStore:
        for supplier_id, product_id, stock, product_type in STOCK:
            stores.suppliers.put_product(a_product(supplier_id, product_id, price=1, stock=stock,
                                                   product_type=product_type), create=True)
        return stores.suppliers

    @pytest.fixture
    def store(self, stores: CheckoutStores, suppliers: SupplierStore) -> PurchaseStore:
        return stores.purchases

    @pytest.fixture
    def orders(self, stores: CheckoutStores) -> SupplierOrderStore:
        return stores.orders


def stock_of(suppliers: SupplierStore, *keys: tuple[str, str]) -> tuple[int, ...]:
    found = suppliers.products(keys)
    return tuple(found[key].stock for key in keys)


RUN, CARD, NOVEL = ("s_shoes", "p_run"), ("s_shoes", "p_card"), ("s_books", "p_novel")


def _one_shoe() -> list[CartLine]:
    return [a_line("s_shoes", "p_run", 5000, 1)]


class PurchaseStoreContract(_CheckoutStoresFixtures):
    def test_a_purchase_round_trips_with_its_split(self, store: PurchaseStore) -> None:
        bought = a_purchase()
        assert reserved(store, bought) == replace(bought, version=1)
        assert store.get(bought.id) == replace(bought, version=1)
        assert store.get("pur_missing") is None

    def test_the_reservations_take_stock_with_the_purchase(self, store: PurchaseStore,
                                                           suppliers: SupplierStore) -> None:
        reserved(store)
        assert stock_of(suppliers, RUN, CARD, NOVEL) == (3, 4, 0)

    def test_a_short_product_cancels_the_whole_write_and_is_named(self, store: PurchaseStore,
                                                                  suppliers: SupplierStore) -> None:
        reserved(store, a_purchase(purchase_id="pur_first"))
        with pytest.raises(OutOfStock) as short:
            reserved(store, a_purchase(purchase_id="pur_second"))
        assert short.value.holds == [StockHold("s_books", "p_novel", 1)]
        assert store.get("pur_second") is None
        assert stock_of(suppliers, RUN, CARD) == (3, 4), "nothing half-taken"

    def test_a_product_that_does_not_exist_is_short(self, store: PurchaseStore) -> None:
        with pytest.raises(OutOfStock) as short:
            store.insert(a_purchase(), T0, (purchase_decider.StockReservation(StockHold("s_toys", "p_ghost", 1)),))
        assert short.value.holds == [StockHold("s_toys", "p_ghost", 1)]
        assert store.get("pur_1") is None

    def test_the_same_purchase_twice_is_already_there_not_out_of_stock(self, store: PurchaseStore,
                                                                       suppliers: SupplierStore) -> None:
        reserved(store)
        with pytest.raises(AlreadyExists):
            reserved(store)
        assert stock_of(suppliers, RUN, CARD, NOVEL) == (3, 4, 0)

    def test_payment_writes_the_supplier_orders_with_the_state_and_a_stale_version_writes_none(
            self, store: PurchaseStore, orders: SupplierOrderStore) -> None:
        bought = reserved(store)
        decision = purchase_decider.decide(bought, payment_of(bought), T0 + 1000)
        with pytest.raises(ConcurrentUpdate):
            store.commit(decision.state, bought.version + 1, None, decision.writes)
        assert orders.get("pur_1-1") is None
        store.commit(decision.state, bought.version, None, decision.writes)
        made = orders.many(["pur_1-1", "pur_1-2"])
        assert [o.supplier_id for o in made] == ["s_shoes", "s_books"]
        assert made == [replace(w.order, version=1) for w in decision.writes
                        if isinstance(w, purchase_decider.NewSupplierOrder)]
        loaded = store.get(bought.id)
        assert loaded is not None and loaded.status is PurchaseStatus.PAID

    def test_cancellation_releases_the_stock_in_the_same_write(self, store: PurchaseStore,
                                                               suppliers: SupplierStore) -> None:
        bought = reserved(store)
        decision = purchase_decider.decide(bought, PaymentWindowElapsed(T0 + WINDOW_MS),
                                           T0 + WINDOW_MS)
        store.commit(decision.state, bought.version, None, decision.writes)
        assert stock_of(suppliers, RUN, CARD, NOVEL) == (5, 5, 1)

    def test_a_record_the_store_does_not_know_fails_the_whole_write(self, store: PurchaseStore,
                                                                    suppliers: SupplierStore) -> None:
        with pytest.raises(TypeError):
            store.insert(a_purchase(), T0, (*purchase_decider.reservations(a_purchase()), object()))
        assert store.get("pur_1") is None
        assert stock_of(suppliers, RUN, CARD, NOVEL) == (5, 5, 1)

    def test_a_customers_purchases_are_listed_newest_first(self, store: PurchaseStore) -> None:
        for n in range(3):
            store.insert(replace(a_purchase(purchase_id=f"pur_{n}"), created_at=T0 + n), T0)
        store.insert(replace(a_purchase(purchase_id="pur_theirs"), customer_id="u2"), T0)
        assert [p.id for p in all_items(lambda token: store.for_customer("u1", 2, token))] == [
            "pur_2", "pur_1", "pur_0"]

    def test_refunds_due_are_the_purchases_paid_after_their_cancellation(self, store: PurchaseStore) -> None:
        for n in range(4):
            bought = reserved(store, a_purchase(purchase_id=f"pur_{n}", lines=_one_shoe()))
            if n % 2:
                lapsed = purchase_decider.decide(bought, PaymentWindowElapsed(bought.payment_deadline),
                                                 bought.payment_deadline)
                bought = store.commit(lapsed.state, bought.version, None, lapsed.writes)
                late = purchase_decider.decide(bought, payment_of(bought, at=bought.payment_deadline + 1),
                                               bought.payment_deadline + 2)
                store.commit(late.state, bought.version, None, late.writes)
        due = all_items(lambda token: store.refunds_due(1, token))
        assert sorted(p.id for p in due) == ["pur_1", "pur_3"] and all(p.refund is not None for p in due)

    def test_a_token_that_is_not_ours_is_malformed(self, store: PurchaseStore) -> None:
        with pytest.raises(MalformedRequest):
            store.for_customer("u1", 2, "garbage")


class SupplierOrderStoreContract(_CheckoutStoresFixtures):
    def test_a_shipped_parcel_with_its_tracking_round_trips(self, store: PurchaseStore,
                                                            orders: SupplierOrderStore) -> None:
        paid(store)
        books = orders.get("pur_1-2")
        assert books is not None
        ship = supplier_order_decider.Ship("pur_1-2-1", Method.FREIGHT, "c1", (31.3, 121.4))
        moved = supplier_order_decider.decide(books, ship, T0 + 5000)
        after = orders.commit(moved.state, books.version, None)
        assert after == replace(moved.state, version=books.version + 1)
        again = orders.get("pur_1-2")
        assert again == after and again.parcels == moved.state.parcels and again.status == "in_progress"

    def test_a_commit_from_a_stale_version_is_a_concurrent_update(self, store: PurchaseStore,
                                                                  orders: SupplierOrderStore) -> None:
        paid(store)
        books = orders.get("pur_1-2")
        assert books is not None
        ship = supplier_order_decider.decide(books, supplier_order_decider.Ship("pur_1-2-1", Method.COURIER, None,
                                                                                None), T0 + 5000)
        orders.commit(ship.state, books.version, None)
        with pytest.raises(ConcurrentUpdate):
            orders.commit(ship.state, books.version, None)

    def test_many_returns_those_that_exist_in_the_order_asked(self, store: PurchaseStore,
                                                              orders: SupplierOrderStore) -> None:
        paid(store)
        assert [o.id for o in orders.many(["pur_1-2", "pur_9-1", "pur_1-1"])] == ["pur_1-2", "pur_1-1"]

    def test_supplier_and_customer_lists_read_their_indexes(self, store: PurchaseStore,
                                                            orders: SupplierOrderStore) -> None:
        paid(store)
        assert [o.id for o in orders.for_supplier("s_books", None, 10, None).items] == ["pur_1-2"]
        assert [o.id for o in orders.for_supplier("s_books", "paid", 10, None).items] == ["pur_1-2"]
        assert [o.id for o in orders.for_supplier("s_books", "completed", 10, None).items] == []
        assert sorted(o.id for o in orders.for_customer("u1", 10, None).items) == ["pur_1-1", "pur_1-2"]
        assert orders.for_customer("u2", 10, None).items == []
        assert [p.id for p in store.for_customer("u1", 10, None).items] == ["pur_1"]

    def test_a_suppliers_orders_page_newest_first(self, store: PurchaseStore, orders: SupplierOrderStore) -> None:
        for n in range(3):
            paid(store, replace(a_purchase(purchase_id=f"pur_{n}", lines=_one_shoe()), created_at=T0 + n))
        shoes = all_items(lambda token: orders.for_supplier("s_shoes", None, 2, token))
        assert [o.purchase_id for o in shoes] == ["pur_2", "pur_1", "pur_0"]

    def test_supplier_orders_never_wait_on_an_alarm(self, store: PurchaseStore, orders: SupplierOrderStore) -> None:
        paid(store)
        assert all(orders.due(shard, T0 * 2) == [] for shard in range(SHARDS))
