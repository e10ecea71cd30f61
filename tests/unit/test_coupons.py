"""Coupons on fakes: ops make discount codes and switch them off; a checkout naming one gets the
amount off its goods, spread over the sub-orders; a code that does not apply is one more reason the
checkout is refused, and nothing is created. (Those named as in tests/functional/test_coupons.py
were moved here: they only drove these rules over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.checkout.schemas import CouponIn
from chalicelib.core.errors import AlreadyTaken, Forbidden, NotFound, ValidationFailed
from tests.builders import cny
from tests.fakes.platform import FakeWorld, caller
from tests.functional.market import Market
from tests.unit.arrange import CUSTOMER, OPS, a_purchase, body, open_market


@pytest.fixture
def market(world: FakeWorld) -> FakeWorld:
    open_market(world)
    for code, fields in (("SAVE10", {"amount_off": cny(1000)}),
                         ("BIG", {"amount_off": cny(500), "min_subtotal": cny(100_000)}),
                         ("DOLLARS", {"amount_off": {"amount": 100, "currency": "USD"}})):
        world.checkout.coupons.create(OPS, body(CouponIn, code=code, **fields))
    return world


def refused(world: FakeWorld, sections: list[dict[str, Any]] | None = None, **fields: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as refusal:
        world.checkout.checkout.create(CUSTOMER, a_purchase(sections, **fields))
    return sorted((e.field, e.message) for e in refusal.value.errors)


def test_a_coupon_takes_its_amount_off_the_goods_spread_over_every_sub_order_and_never_off_shipping(
        market: FakeWorld) -> None:
    bought = market.checkout.checkout.create(CUSTOMER, a_purchase(Market.sections(shoes=1, books=1, cards=1),
                                                                  coupon="SAVE10"))
    subs = [s for g in bought.groups for s in g.group.sub_orders]
    assert (bought.coupon, bought.discount) == ("SAVE10", 1000)
    assert [s.discount for s in subs] == [278, 167, 555]  # by goods subtotal 5000 / 3000 / 10000
    assert bought.total == 18000 + 1500 - 1000 == sum(s.total for s in subs)
    assert all(s.shipping + s.subtotal - s.discount == s.total for s in subs)


def test_a_coupon_that_does_not_apply_is_refused_with_its_reason_and_nothing_is_created(market: FakeWorld) -> None:
    stock = market.stores.suppliers.products([("s_shoes", "p_run")])
    for code, reason in (("NOPE", "no such coupon"), ("BIG", "this coupon needs goods worth at least 100000 CNY"),
                         ("DOLLARS", "this coupon is for USD orders")):
        assert refused(market, coupon=code) == [("coupon", reason)]
    assert list(market.stores.purchases.entities()) == [] and market.alarms.sent == []
    assert market.stores.suppliers.products([("s_shoes", "p_run")]) == stock


def test_an_unknown_coupon_is_reported_with_the_carts_own_reasons(market: FakeWorld) -> None:
    sections = Market.sections(shoes=1, books=0, cards=0)
    sections[0]["items"][0]["unit_price"] = cny(1)
    assert [field for field, _ in refused(market, sections, coupon="NOPE")] == [
        "coupon", "sections[0].items[0].unit_price"]


def test_a_switched_off_coupon_no_longer_applies_and_switched_on_again_it_does(market: FakeWorld) -> None:
    assert market.checkout.coupons.set_active(OPS, "SAVE10", False).active is False
    assert refused(market, coupon="SAVE10") == [("coupon", "this coupon is no longer valid")]
    market.checkout.coupons.set_active(OPS, "SAVE10", True)
    assert market.checkout.checkout.create(CUSTOMER, a_purchase(coupon="SAVE10")).discount == 1000


def test_only_ops_manage_coupons_a_code_is_taken_once_and_an_unknown_one_is_not_found(market: FakeWorld) -> None:
    coupons = market.checkout.coupons
    for who in (CUSTOMER, caller("supplier", "clerk", supplier_id="s_shoes")):
        with pytest.raises(Forbidden):
            coupons.create(who, body(CouponIn, code="MINE", amount_off=cny(1)))
        with pytest.raises(Forbidden):
            coupons.page(who, 10, None)
    with pytest.raises(AlreadyTaken):
        coupons.create(OPS, body(CouponIn, code="SAVE10", amount_off=cny(1)))
    kept = market.stores.coupons.get("SAVE10")
    assert kept is not None and kept.amount_off == 1000
    with pytest.raises(NotFound):
        coupons.set_active(OPS, "NOPE", True)
    assert sorted(c.code for c in coupons.page(OPS, 10, None).items) == ["BIG", "DOLLARS", "SAVE10"]


def test_a_coupon_has_one_currency_so_a_minimum_in_another_is_refused(market: FakeWorld) -> None:
    mixed = body(CouponIn, code="MIXED", amount_off=cny(100), min_subtotal={"amount": 1000, "currency": "USD"})
    with pytest.raises(ValidationFailed) as refusal:
        market.checkout.coupons.create(OPS, mixed)
    assert [(e.field, e.message) for e in refusal.value.errors] == [
        ("min_subtotal.currency", "must be CNY, the coupon's (amount_off) currency")]
    assert market.stores.coupons.get("MIXED") is None
