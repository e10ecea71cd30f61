"""Fuzzing split orders: whatever JSON a customer app or a (correctly signing) provider sends, the
answer is a 2xx or a 4xx problem, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import World
from tests.functional.market import HOME, Market
from tests.functional.test_fuzz_bodies import FUZZ, answered_sanely, json_values


@pytest.fixture
def market(world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    return opened


item = st.fixed_dictionaries(
    {"product_id": st.one_of(st.sampled_from(["p_run", "p_novel", "p_gift", "nope"]), json_values),
     "quantity": st.one_of(st.integers(-2, 120), json_values)},
    optional={"unit_price": st.one_of(st.fixed_dictionaries({"amount": st.sampled_from([5000, 3000, 10000, -1]),
                                                             "currency": st.sampled_from(["CNY", "USD"])}),
                                      json_values),
              "attributes": st.one_of(st.fixed_dictionaries({}, optional={"size": st.sampled_from(["41", "39"])}),
                                      json_values)})
section = st.fixed_dictionaries(
    {"supplier_id": st.one_of(st.sampled_from(["s_shoes", "s_books", "s_cards", "s_nope"]), json_values),
     "items": st.one_of(st.lists(item, max_size=3), json_values)},
    optional={"address": st.one_of(st.just(HOME), json_values)})
checkout_like = st.fixed_dictionaries({}, optional={
    "sections": st.one_of(st.lists(section, max_size=3), json_values),
    "coupon": st.one_of(st.sampled_from(["SAVE10", "NOPE"]), json_values), "surprise": json_values})
callback_like = st.fixed_dictionaries({}, optional={
    "type": st.one_of(st.sampled_from(["payment.succeeded", "payment.failed"]), json_values),
    "event_id": st.one_of(st.just("evt_1"), json_values), "payment_id": st.one_of(st.just("pay_x"), json_values),
    "reference": st.one_of(st.sampled_from(["pur_x", "../../x", ""]), json_values),
    "amount": st.one_of(st.integers(-5, 10**12), json_values), "currency": st.one_of(st.just("CNY"), json_values),
    "at": st.one_of(st.integers(0, 2**53), json_values)})


@FUZZ
@given(body=checkout_like)
def test_any_checkout_body_gets_a_created_order_or_a_problem(market: Market, body: dict[str, Any]) -> None:
    answered_sanely(market.customer.post("/purchases", body))


@FUZZ
@given(body=st.one_of(callback_like, json_values))
def test_any_signed_callback_body_gets_an_answer_or_a_problem(market: Market, body: Any) -> None:
    answered_sanely(market.forged(json.dumps(body).encode(), secret=market.secret))
