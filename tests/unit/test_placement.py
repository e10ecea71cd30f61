"""Is an order genuine? `price_lines` collects every reason at once and prices from the catalogue."""

from __future__ import annotations

from chalicelib.catalogue.model import Product
from chalicelib.core.errors import FieldError
from chalicelib.core.money import Money
from chalicelib.orders.model import OrderLine
from chalicelib.orders.placement import RequestedItem, price_lines
from tests.builders import T0, a_merchant, a_product

NOODLES = a_product()
DUMPLINGS = a_product(id="p2", name="Dumplings", price=1500, stock=3, max_per_order=5)
CATALOGUE = {p.id: p for p in (NOODLES, DUMPLINGS)}


def fields(errors: list[FieldError]) -> list[str]:
    return [e.field for e in errors]


def test_a_genuine_order_is_priced_from_the_catalogue() -> None:
    lines, errors = price_lines(a_merchant(), CATALOGUE, [RequestedItem("p1", 2), RequestedItem("p2", 3)], T0)
    assert errors == []
    assert lines == (OrderLine("p1", "Beef noodles", 2800, 2), OrderLine("p2", "Dumplings", 1500, 3))


def test_the_price_the_app_showed_is_checked_but_never_used() -> None:
    shown = Money(2800, "CNY")
    lines, errors = price_lines(a_merchant(), CATALOGUE, [RequestedItem("p1", 1, expected_unit_price=shown)], T0)
    assert errors == [] and lines[0].unit_price == NOODLES.price
    _, errors = price_lines(a_merchant(), CATALOGUE, [RequestedItem("p1", 1, Money(100, "CNY"))], T0)
    assert errors == [FieldError("items[0].unit_price", "price changed to 2800 CNY")]


def test_a_price_the_app_showed_in_another_currency_than_the_merchants_is_refused() -> None:
    _, errors = price_lines(a_merchant(), CATALOGUE, [RequestedItem("p1", 1, Money(2800, "USD"))], T0)
    assert errors == [FieldError("items[0].unit_price.currency", "must be CNY, the merchant's currency")]


def test_an_unknown_merchant_is_the_only_reason_given() -> None:
    lines, errors = price_lines(None, {}, [RequestedItem("p1", 1)], T0)
    assert (lines, fields(errors)) == ((), ["merchant_id"])


def test_every_reason_is_collected_at_once() -> None:
    closed_unverified = a_merchant(verified=False, business_hours={})
    catalogue = {**CATALOGUE, "p3": a_product(id="p3", on_sale=False), "p4": a_product(id="p4", stock=0)}
    items = [
        RequestedItem("nope", 1),  # unknown product
        RequestedItem("p3", 1),  # off sale
        RequestedItem("p4", 1),  # out of stock
        RequestedItem("p2", 6),  # more than max_per_order
        RequestedItem("p1", 1, expected_unit_price=Money(1, "CNY")),  # price changed
        RequestedItem("p1", 1),  # listed twice
    ]
    _, errors = price_lines(closed_unverified, catalogue, items, T0)
    assert fields(errors) == [
        "merchant_id", "merchant_id",
        "items[0].product_id", "items[1].product_id", "items[2].quantity", "items[3].quantity",
        "items[4].unit_price", "items[5].product_id",
    ]
    messages = " | ".join(e.message for e in errors)
    for reason in ("not verified", "closed", "does not exist", "not on sale", "only 0 in stock", "at most 5",
                   "price changed", "more than once"):
        assert reason in messages


def test_a_paused_store_is_refused_even_within_its_hours() -> None:
    _, errors = price_lines(a_merchant(paused=True), CATALOGUE, [RequestedItem("p1", 1)], T0)
    assert errors == [FieldError("merchant_id", "store is paused")]


def test_a_quantity_above_the_stock_is_refused() -> None:
    _, errors = price_lines(a_merchant(), CATALOGUE, [RequestedItem("p2", 4)], T0)
    assert errors == [FieldError("items[0].quantity", "only 3 in stock")]


def test_a_quantity_equal_to_the_stock_and_the_limit_is_fine() -> None:
    exact = {"p5": Product("m1", "p5", "Tea", 500, stock=5, max_per_order=5)}
    _, errors = price_lines(a_merchant(), exact, [RequestedItem("p5", 5)], T0)
    assert errors == []


def test_the_error_field_of_the_merchant_can_be_renamed() -> None:
    _, errors = price_lines(None, {}, [], T0, merchant_field="order.merchant_id")
    assert fields(errors) == ["order.merchant_id"]
