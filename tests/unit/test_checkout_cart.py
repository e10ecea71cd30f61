"""Checking a checkout against the catalogue finds every reason at once; the edit form shows one
section per supplier with address fields only where physical goods are."""

from __future__ import annotations

from chalicelib.checkout.cart import SubmittedItem, SubmittedSection, check, edit_form, wanted_keys
from chalicelib.checkout.model import SavedAddress
from chalicelib.core.address import Address
from chalicelib.core.money import Money
from tests.builders import T0
from tests.checkout_builders import GIFT_CARDS, HOME, a_product, a_supplier

SUPPLIERS = {"s_shoes": a_supplier("s_shoes"), "s_cards": a_supplier("s_cards")}
RUN = a_product("s_shoes", "p_run", price=5000, stock=3)
CARD = a_product("s_cards", "p_card", price=2000, stock=100, product_type=GIFT_CARDS, sizes=())
PRODUCTS = {RUN.key: RUN, CARD.key: CARD}


def _shoes(quantity: int = 1, **item: object) -> SubmittedSection:
    fields: dict[str, object] = {"unit_price": Money(5000, "CNY"), "attributes": (("size", "41"),), **item}
    return SubmittedSection("s_shoes", (SubmittedItem("p_run", quantity, **fields),), HOME)  # type: ignore[arg-type]


def _cards() -> SubmittedSection:
    return SubmittedSection("s_cards", (SubmittedItem("p_card", 2, Money(2000, "CNY")),))


def test_a_valid_cart_becomes_priced_lines_with_the_chosen_attributes() -> None:
    checked, errors = check([_shoes(2), _cards()], PRODUCTS, SUPPLIERS)
    assert errors == [] and checked is not None
    assert [(line.product_id, line.unit_price, line.quantity, line.attributes) for line in checked.lines] == [
        ("p_run", 5000, 2, (("size", "41"),)), ("p_card", 2000, 2, ())]
    assert checked.currency == "CNY" and checked.addresses == {"s_shoes": HOME}


def test_every_reason_is_reported_with_its_field() -> None:
    shoes = SubmittedSection("s_shoes", (
        SubmittedItem("p_run", 5, Money(4900, "CNY"), (("size", "39"), ("colour", "red"))),
        SubmittedItem("p_gone", 1),
    ))
    _, errors = check([shoes, SubmittedSection("s_nobody", (SubmittedItem("p_x", 1),))], PRODUCTS, SUPPLIERS)
    assert sorted((e.field, e.message) for e in errors) == sorted([
        ("sections[0].items[0].unit_price", "the price changed: now 5000 CNY"),
        ("sections[0].items[0].attributes.size", "choose one of 40, 41, 42"),
        ("sections[0].items[0].attributes.colour", "not an attribute of this product"),
        ("sections[0].items[1].product_id", "no such product on sale from this supplier"),
        ("sections[0].address", "required: this section holds physical goods"),
        ("sections[0].items[0].quantity", "only 3 left"),
        ("sections[1].supplier_id", "no such supplier (or it is not selling now)"),
    ])


def test_stock_is_checked_against_the_sum_of_lines_of_one_product() -> None:
    twice = SubmittedSection("s_shoes", (SubmittedItem("p_run", 2, Money(5000, "CNY"), (("size", "40"),)),
                                         SubmittedItem("p_run", 2, Money(5000, "CNY"), (("size", "41"),))), HOME)
    _, errors = check([twice], PRODUCTS, SUPPLIERS)
    assert [(e.field, e.message) for e in errors] == [("sections[0].items[0].quantity", "only 3 left")]


def test_a_physical_section_needs_the_addresss_point_on_the_map_and_a_virtual_one_no_address() -> None:
    unplaced = SubmittedSection("s_shoes", _shoes().items, Address("1 Bund Road", "Shanghai"))
    _, errors = check([unplaced, _cards()], PRODUCTS, SUPPLIERS)
    assert [e.field for e in errors] == ["sections[0].address"]


def test_a_required_attribute_left_out_is_reported() -> None:
    _, errors = check([_shoes(attributes=())], PRODUCTS, SUPPLIERS)
    assert [(e.field, e.message) for e in errors] == [("sections[0].items[0].attributes.size",
                                                       "required: one of 40, 41, 42")]


def test_mixed_currencies_and_a_supplier_twice_are_refused() -> None:
    suppliers = {**SUPPLIERS, "s_cards": a_supplier("s_cards", currency="USD")}
    dollar_cards = SubmittedSection("s_cards", (SubmittedItem("p_card", 2, Money(2000, "USD")),))
    _, errors = check([_shoes(), dollar_cards, _shoes()], PRODUCTS, suppliers)
    assert {e.field for e in errors} == {"sections", "sections[2].supplier_id"}


def test_a_price_the_app_showed_in_another_currency_than_the_suppliers_is_refused() -> None:
    dollar_cards = SubmittedSection("s_cards", (SubmittedItem("p_card", 2, Money(2000, "USD")),))
    _, errors = check([dollar_cards], PRODUCTS, SUPPLIERS)
    assert [(e.field, e.message) for e in errors] == [
        ("sections[0].items[0].unit_price.currency", "must be CNY, the supplier's currency")]


def test_off_sale_products_and_inactive_suppliers_are_not_sold() -> None:
    off = {**PRODUCTS, RUN.key: a_product("s_shoes", "p_run", on_sale=False)}
    assert [e.field for e in check([_shoes()], off, SUPPLIERS)[1]] == ["sections[0].items[0].product_id"]
    closed = {**SUPPLIERS, "s_shoes": a_supplier("s_shoes", active=False)}
    assert [e.field for e in check([_shoes()], PRODUCTS, closed)[1]] == ["sections[0].supplier_id"]


def test_wanted_keys_are_unique_and_in_cart_order() -> None:
    assert wanted_keys([_shoes(), _cards(), _shoes()]) == [("s_shoes", "p_run"), ("s_cards", "p_card")]


def test_the_form_has_one_section_per_supplier_and_address_fields_only_for_physical_goods() -> None:
    default = SavedAddress("u1", "a1", "Home", HOME, True, T0)
    form, errors = edit_form([("s_shoes", "p_run", 1), ("s_cards", "p_card", 2), ("s_shoes", "p_run", 1)],
                             PRODUCTS, SUPPLIERS, default)
    assert errors == []
    sections = form["sections"]
    assert [s["supplier_id"] for s in sections] == ["s_shoes", "s_cards"]
    assert sections[0]["needs_address"] is True and sections[1]["needs_address"] is False
    assert sections[0]["address"]["value"]["line1"] == "1 Bund Road"
    assert sections[0]["address"]["from_saved_address"] == "a1"
    assert sections[1]["address"] is None
    assert sections[0]["items"][0]["attributes"] == [{"name": "size", "options": ["40", "41", "42"], "value": None}]
    assert form["create"]["href"] == "/purchases"


def test_the_form_without_a_saved_address_leaves_the_fields_empty_and_reports_unknown_products() -> None:
    form, errors = edit_form([("s_shoes", "p_run", 1), ("s_shoes", "p_nope", 1)], PRODUCTS, SUPPLIERS, None)
    assert form["sections"][0]["address"]["value"] is None
    assert [e.field for e in errors] == ["items[1].product_id"]
