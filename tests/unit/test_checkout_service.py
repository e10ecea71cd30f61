"""Split orders on fakes, through `CheckoutService`'s public methods: the edit form, one purchase
split by supplier and type with its stock reserved, paid once through the provider's payment
(fanned out to one supplier order each), cancelled by its window or its customer with the stock
back. (Those named as in tests/functional/test_checkout_bad_input.py were moved here: they only
drove these rules over HTTP.)"""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.checkout.model import Purchase, PurchaseStatus
from chalicelib.checkout.schemas import CartIn
from chalicelib.core.errors import InvalidTransition, NotFound, ValidationFailed
from chalicelib.payments.port import PaymentOutcome
from chalicelib.push import party
from tests.builders import cny
from tests.fakes.platform import FakeWorld, caller
from tests.functional.market import HOME, Market
from tests.unit.arrange import CUSTOMER, OPS, a_purchase, body, open_market

RUN, NOVEL, GIFT = ("s_shoes", "p_run"), ("s_books", "p_novel"), ("s_cards", "p_gift")


@pytest.fixture
def market(world: FakeWorld) -> FakeWorld:
    open_market(world)
    for supplier_id in ("s_shoes", "s_books", "s_cards"):
        world.stores.connections.register(f"ws-{supplier_id}", party.Party("supplier", supplier_id), "clerk",
                                          world.clock.now_ms())
    world.stores.connections.register("ws-u1", party.customer("u1"), "u1", world.clock.now_ms())
    return world


def bought(world: FakeWorld, shoes: int = 1, books: int = 1, cards: int = 1) -> Purchase:
    return world.checkout.checkout.create(CUSTOMER, a_purchase(Market.sections(shoes, books, cards)))


def pay(world: FakeWorld, purchase: Purchase, outcome: PaymentOutcome = PaymentOutcome.SUCCEEDED) -> dict[str, object]:
    """The customer pays on the provider's page; its (verified) callback is settled."""
    payment_id = purchase.payment.payment_id
    world.sandbox.pay(payment_id, outcome)
    payment = world.sandbox.payment(payment_id)
    event = world.sandbox.last_event_id(payment_id)
    assert payment is not None and event is not None
    return world.checkout.checkout.settle(event, payment)


def stock(world: FakeWorld, *keys: tuple[str, str]) -> tuple[int, ...]:
    found = world.stores.suppliers.products(keys)
    return tuple(found[key].stock for key in keys)


# ── the form and creating ───────────────────────────────────────────────────────────────────

def test_the_form_has_a_section_per_supplier_with_the_default_address_only_where_goods_ship(market: FakeWorld) -> None:
    form = market.checkout.checkout.form(CUSTOMER, body(CartIn, items=[
        {"supplier_id": "s_shoes", "product_id": "p_run", "quantity": 1},
        {"supplier_id": "s_cards", "product_id": "p_gift", "quantity": 2}]))
    shoes, cards = form["sections"]
    assert (shoes["supplier_name"], shoes["needs_address"], shoes["address"]["value"]["line1"]) == (
        "Shoe House", True, HOME["line1"])
    assert (cards["needs_address"], cards["address"]) == (False, None)


def test_creating_splits_by_supplier_prices_on_the_server_reserves_stock_and_starts_the_payment_window(
        market: FakeWorld) -> None:
    purchase = bought(market, shoes=2)
    assert purchase.status is PurchaseStatus.PENDING_PAYMENT and purchase.version == 1
    assert [(g.supplier_id, g.group.total) for g in purchase.groups] == [
        ("s_shoes", 2 * 5000 + 1000), ("s_books", 3000 + 500), ("s_cards", 10000)]
    assert purchase.groups[2].address is None and purchase.total == 11000 + 3500 + 10000
    assert stock(market, RUN, NOVEL, GIFT) == (8, 4, 49)
    assert [(m.entity_id, m.wake_at) for m in market.alarms.take()] == [(purchase.id, purchase.payment_deadline)]
    assert market.sandbox.payment(purchase.payment.payment_id) is not None
    assert ("PurchaseCreated", 1, {}) in market.metrics.emitted


def test_invalid_carts_are_422_with_every_reason_and_nothing_half_created(market: FakeWorld) -> None:
    sections = Market.sections()
    sections[0]["items"][0].update(quantity=11, unit_price=cny(4999), attributes={"size": "39"})
    del sections[1]["address"]
    with pytest.raises(ValidationFailed) as refused:
        market.checkout.checkout.create(CUSTOMER, a_purchase(sections))
    assert sorted(e.field for e in refused.value.errors) == [
        "sections[0].items[0].attributes.size", "sections[0].items[0].quantity", "sections[0].items[0].unit_price",
        "sections[1].address"]
    assert list(market.stores.purchases.entities()) == [] and stock(market, RUN, NOVEL, GIFT) == (10, 5, 50)


def test_a_checkout_that_loses_the_last_units_after_its_check_names_the_product_and_takes_nothing(
        market: FakeWorld) -> None:
    purchases = market.stores.purchases
    reserve = purchases.apply_writes

    def another_buyer_first(entity_id: str, writes: tuple[object, ...]) -> None:
        market.stores.suppliers.restock("s_books", "p_novel", -5)  # sold out between the read and the write
        reserve(entity_id, writes)

    purchases.apply_writes = another_buyer_first  # type: ignore[method-assign]
    with pytest.raises(ValidationFailed) as refused:
        bought(market)
    assert [(e.field, e.message) for e in refused.value.errors] == [("sections[1].items[0].quantity", "out of stock")]
    assert list(purchases.entities()) == [] and stock(market, RUN, GIFT) == (10, 50)


# ── paying ──────────────────────────────────────────────────────────────────────────────────

def test_payment_fans_out_one_order_per_supplier_each_told_of_its_own(market: FakeWorld) -> None:
    purchase = bought(market)
    assert pay(market, purchase)["status"] == "processed"
    paid = market.checkout.checkout.get(CUSTOMER, purchase.id)
    records = market.checkout.checkout.records_of(paid)
    assert paid.status is PurchaseStatus.PAID and records is not None
    assert [o.supplier_id for o in records] == ["s_shoes", "s_books", "s_cards"]
    for supplier_id in ("s_shoes", "s_books", "s_cards"):
        (created,) = market.push.to(f"ws-{supplier_id}", "supplier_order.created")
        assert created["data"]["supplier_id"] == supplier_id
        listed = market.checkout.supplier_orders.for_supplier(caller("supplier", "c", supplier_id=supplier_id),
                                                              None, None, 10, None).items
        assert [o.supplier_id for o in listed] == [supplier_id]
    assert len(market.push.to("ws-u1", "record.created")) == 3
    (gift,) = records[2].parcels
    assert gift.status.value == "fulfilled" and gift.fulfilment is not None and len(gift.fulfilment.code) == 16


def test_a_duplicated_payment_pays_once_and_fans_out_once(market: FakeWorld) -> None:
    purchase = bought(market)
    pay(market, purchase)
    again = pay(market, purchase)
    assert (again["status"], again["reason"]) == ("ignored", "already_final")
    assert len(list(market.stores.supplier_orders.entities())) == 3
    assert len(market.push.to("ws-s_books", "supplier_order.created")) == 1


def test_a_declined_payment_keeps_the_purchase_payable_and_a_later_success_pays_it(market: FakeWorld) -> None:
    purchase = bought(market)
    pay(market, purchase, PaymentOutcome.FAILED)
    assert market.checkout.checkout.get(CUSTOMER, purchase.id).status is PurchaseStatus.PENDING_PAYMENT
    assert len(market.push.to("ws-u1", "purchase.payment_failed")) == 1
    pay(market, purchase)
    assert market.checkout.checkout.get(CUSTOMER, purchase.id).status is PurchaseStatus.PAID


def test_the_app_asking_the_provider_settles_a_payment_whose_callback_was_lost(market: FakeWorld) -> None:
    purchase = bought(market)
    assert market.checkout.checkout.reconcile(CUSTOMER, purchase.id).status is PurchaseStatus.PENDING_PAYMENT
    market.sandbox.pay(purchase.payment.payment_id)  # paid, but the callback never arrives
    assert market.checkout.checkout.reconcile(CUSTOMER, purchase.id).status is PurchaseStatus.PAID


def test_a_callback_for_an_unknown_purchase_or_payment_is_ignored(market: FakeWorld) -> None:
    purchase = bought(market)
    market.sandbox.pay(purchase.payment.payment_id)
    payment = market.sandbox.payment(purchase.payment.payment_id)
    assert payment is not None
    for stranger, reason in ((replace(payment, reference="pur_nope"), "unknown_purchase"),
                             (replace(payment, payment_id="pay_other"), "unknown_payment")):
        assert market.checkout.checkout.settle("evt_x", stranger) == {"status": "ignored", "reason": reason}
    assert market.checkout.checkout.get(CUSTOMER, purchase.id).status is PurchaseStatus.PENDING_PAYMENT


# ── cancelling ──────────────────────────────────────────────────────────────────────────────

def test_an_unpaid_purchase_is_cancelled_by_its_window_and_its_stock_is_back(market: FakeWorld) -> None:
    purchase = bought(market, shoes=3)
    market.clock.set(purchase.payment_deadline)
    market.fire_queued()
    assert market.checkout.checkout.get(CUSTOMER, purchase.id).status is PurchaseStatus.CANCELLED
    assert stock(market, RUN, NOVEL, GIFT) == (10, 5, 50)


def test_a_customer_or_ops_cancel_before_payment_gives_the_stock_back(market: FakeWorld) -> None:
    for who in (CUSTOMER, OPS):
        purchase = bought(market, shoes=3)
        assert market.checkout.checkout.cancel(who, purchase.id).status is PurchaseStatus.CANCELLED
        assert stock(market, RUN) == (10,)


def test_cancelling_a_paid_purchase_is_409(market: FakeWorld) -> None:
    purchase = bought(market, books=0, cards=0)
    pay(market, purchase)
    with pytest.raises(InvalidTransition):
        market.checkout.checkout.cancel(CUSTOMER, purchase.id)
    assert market.checkout.checkout.get(CUSTOMER, purchase.id).status is PurchaseStatus.PAID


def test_someone_elses_purchase_is_not_found_and_unchanged(market: FakeWorld) -> None:
    purchase = bought(market)
    stranger = caller("customer", "u2")
    checkout = market.checkout.checkout
    for action in (checkout.get, checkout.cancel, checkout.reconcile):
        with pytest.raises(NotFound):
            action(stranger, purchase.id)
    assert market.checkout.checkout.purchases(stranger, 10, None).items == []
    assert market.stores.purchases.get(purchase.id) == purchase

