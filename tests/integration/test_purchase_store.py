"""The DynamoDB purchase store (moto, no Chalice): a purchase and its stock reservations commit
together or not at all, a short product is named, the fan-out's supplier orders and the stock
releases commit with the state, and every field survives the round trip."""

from __future__ import annotations

import pytest

from chalicelib.checkout import purchase_decider, supplier_order_decider
from chalicelib.checkout.model import PurchaseStatus, StockHold
from chalicelib.checkout.ports import OutOfStock
from chalicelib.checkout.purchase_store import DynamoPurchaseStore
from chalicelib.checkout.supplier_order_store import DynamoSupplierOrderStore
from chalicelib.checkout.tables import SupplierProductModel
from chalicelib.checkout.tracking import Method
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from tests.builders import T0
from tests.checkout_builders import WINDOW_MS, a_purchase, payment_of

SHARDS = 16


@pytest.fixture
def orders(tables: dict[str, str]) -> DynamoSupplierOrderStore:
    return DynamoSupplierOrderStore(SHARDS)


@pytest.fixture
def store(orders: DynamoSupplierOrderStore) -> DynamoPurchaseStore:
    stocks = (("s_shoes", "p_run", 5), ("s_shoes", "p_card", 5), ("s_books", "p_novel", 1))
    for supplier_id, product_id, stock in stocks:
        SupplierProductModel(supplier_id, product_id, name=product_id, price=1, stock=stock, kind="physical",
                             category="x", created_at=T0).save()
    return DynamoPurchaseStore(SHARDS)


def _stock(supplier_id: str, product_id: str) -> int:
    return int(SupplierProductModel.get(supplier_id, product_id, consistent_read=True).stock)


def test_a_purchase_round_trips_with_its_split(store: DynamoPurchaseStore) -> None:
    bought = a_purchase()
    store.insert(bought, T0, purchase_decider.reservations(bought))
    loaded = store.get(bought.id)
    assert loaded is not None and loaded == bought.__class__(**{**bought.__dict__, "version": 1})


def test_the_reservations_take_stock_with_the_purchase(store: DynamoPurchaseStore) -> None:
    bought = a_purchase()
    store.insert(bought, T0, purchase_decider.reservations(bought))
    assert (_stock("s_shoes", "p_run"), _stock("s_shoes", "p_card"), _stock("s_books", "p_novel")) == (3, 4, 0)


def test_a_short_product_cancels_the_whole_transaction_and_is_named(store: DynamoPurchaseStore) -> None:
    first = a_purchase(purchase_id="pur_first")
    store.insert(first, T0, purchase_decider.reservations(first))
    second = a_purchase(purchase_id="pur_second")
    with pytest.raises(OutOfStock) as short:
        store.insert(second, T0, purchase_decider.reservations(second))
    assert short.value.holds == [StockHold("s_books", "p_novel", 1)]
    assert store.get("pur_second") is None
    assert (_stock("s_shoes", "p_run"), _stock("s_shoes", "p_card")) == (3, 4), "nothing half-taken"


def test_the_same_purchase_twice_is_already_there_not_out_of_stock(store: DynamoPurchaseStore) -> None:
    bought = a_purchase()
    store.insert(bought, T0)
    with pytest.raises(AlreadyExists):
        store.insert(bought, T0)


def test_payment_writes_the_supplier_orders_with_the_state_and_a_stale_version_writes_none(
        store: DynamoPurchaseStore, orders: DynamoSupplierOrderStore) -> None:
    bought = store.insert(a_purchase(), T0, purchase_decider.reservations(a_purchase()))
    decision = purchase_decider.decide(bought, payment_of(bought), T0 + 1000)
    with pytest.raises(ConcurrentUpdate):
        store.commit(decision.state, bought.version + 1, None, decision.writes)
    assert orders.get("pur_1-1") is None
    store.commit(decision.state, bought.version, None, decision.writes)
    made = orders.many(["pur_1-1", "pur_1-2"])
    assert [o.supplier_id for o in made] == ["s_shoes", "s_books"]
    assert made == [w.order.__class__(**{**w.order.__dict__, "version": 1}) for w in decision.writes
                    if isinstance(w, purchase_decider.NewSupplierOrder)]
    loaded = store.get(bought.id)
    assert loaded is not None and loaded.status is PurchaseStatus.PAID


def test_cancellation_releases_the_stock_in_the_same_write(store: DynamoPurchaseStore) -> None:
    bought = store.insert(a_purchase(), T0, purchase_decider.reservations(a_purchase()))
    decision = purchase_decider.decide(bought, purchase_decider.PaymentWindowElapsed(T0 + WINDOW_MS), T0 + WINDOW_MS)
    store.commit(decision.state, bought.version, None, decision.writes)
    assert (_stock("s_shoes", "p_run"), _stock("s_shoes", "p_card"), _stock("s_books", "p_novel")) == (5, 5, 1)


def test_a_shipped_parcel_with_its_tracking_round_trips(store: DynamoPurchaseStore,
                                                        orders: DynamoSupplierOrderStore) -> None:
    bought = store.insert(a_purchase(), T0, purchase_decider.reservations(a_purchase()))
    decision = purchase_decider.decide(bought, payment_of(bought), T0 + 1000)
    store.commit(decision.state, bought.version, None, decision.writes)
    books = orders.get("pur_1-2")
    assert books is not None
    ship = supplier_order_decider.Ship("pur_1-2-1", Method.FREIGHT, "c1", (31.3, 121.4))
    moved = supplier_order_decider.decide(books, ship, T0 + 5000)
    orders.commit(moved.state, books.version, None)
    again = orders.get("pur_1-2")
    assert again is not None and again.parcels == moved.state.parcels and again.status == "in_progress"


def test_supplier_and_customer_lists_read_their_indexes(store: DynamoPurchaseStore,
                                                        orders: DynamoSupplierOrderStore) -> None:
    bought = store.insert(a_purchase(), T0, purchase_decider.reservations(a_purchase()))
    decision = purchase_decider.decide(bought, payment_of(bought), T0 + 1000)
    store.commit(decision.state, bought.version, None, decision.writes)
    assert [o.id for o in orders.for_supplier("s_books", None, 10, None).items] == ["pur_1-2"]
    assert [o.id for o in orders.for_supplier("s_books", "completed", 10, None).items] == []
    assert sorted(o.id for o in orders.for_customer("u1", 10, None).items) == ["pur_1-1", "pur_1-2"]
    assert [p.id for p in store.for_customer("u1", 10, None).items] == ["pur_1"]
    assert orders.due(0, T0 * 2) == []
