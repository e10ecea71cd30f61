"""Coupons through the app: ops make and switch off discount codes; a checkout naming one answers
with the amount off its goods spread over the sub-orders, paid and recorded as such. (Why a code
does not apply, and that nothing is created then, is unit-tested on fakes: tests/unit/test_coupons.py.)"""

from __future__ import annotations

import pytest
from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.market import Market


@pytest.fixture
def market(world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    for code, fields in (("SAVE10", {"amount_off": cny(1000)}),
                         ("BIG", {"amount_off": cny(500), "min_subtotal": cny(100_000)}),
                         ("DOLLARS", {"amount_off": {"amount": 100, "currency": "USD"}})):
        made = opened.ops.post("/coupons", {"code": code, **fields})
        assert made.status == 201, made.body
    return opened


def test_a_coupon_takes_its_amount_off_the_goods_spread_over_every_sub_order(market: Market) -> None:
    reply = market.customer.post("/purchases", {"sections": Market.sections(shoes=1, books=1, cards=1),
                                                "coupon": "SAVE10"})
    assert reply.status == 201, reply.body
    purchase = reply.body
    subs = [s for g in purchase["groups"] for s in g["sub_orders"]]
    assert purchase["coupon"] == "SAVE10" and purchase["discount"] == cny(1000)
    assert [s["discount"] for s in subs] == [cny(278), cny(167), cny(555)]  # by goods subtotal 5000 / 3000 / 10000
    assert purchase["total"] == cny(18000 + 1500 - 1000)
    assert purchase["total"]["amount"] == sum(s["total"]["amount"] for s in subs)
    assert all(s["shipping"]["amount"] + s["subtotal"]["amount"] - s["discount"]["amount"] == s["total"]["amount"]
               for s in subs)
    assert market.pay(purchase).status == 200
    totals = sorted(r["total"]["amount"] for r in market.records())
    assert totals == sorted(g["total"]["amount"] for g in purchase["groups"])


def test_a_switched_off_coupon_no_longer_applies(market: Market) -> None:
    assert market.ops.patch("/coupons/SAVE10", {"active": False}).body["active"] is False
    reply = market.customer.post("/purchases", {"sections": Market.sections(), "coupon": "SAVE10"})
    assert reply.status == 422 and reply.error_fields == ["coupon"]


def test_only_ops_manage_coupons_and_bad_ones_are_refused(market: Market) -> None:
    assert market.customer.post("/coupons", {"code": "MINE", "amount_off": cny(1)}).status == 403
    assert market.supplier("s_shoes").get("/coupons").status == 403
    again = market.ops.post("/coupons", {"code": "SAVE10", "amount_off": cny(1)})
    assert again.status == 409 and again.is_problem
    bad = market.ops.post("/coupons", {"code": "lower", "amount_off": {"amount": 0, "currency": "cny"},
                                       "min_subtotal": {"amount": -1, "currency": "CNY"}})
    assert bad.status == 400 and bad.error_fields == ["amount_off.amount", "amount_off.currency", "code",
                                                      "min_subtotal.amount"]
    assert market.ops.patch("/coupons/NOPE", {"active": True}).status == 404
    assert sorted(c["code"] for c in market.ops.get("/coupons").body["items"]) == ["BIG", "DOLLARS", "SAVE10"]
