"""Fuzzing request bodies: whatever JSON arrives, the answer is a 2xx or a 4xx problem, never a 5xx."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.functional.api import Reply
from tests.functional.shop import ADDRESS, Shop

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
"""Each example is an HTTP round trip through moto (≈ 15 ms); the state they leave behind (orders
placed so far) is harmless to the property, hence the function-scoped `shop`."""

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=30), st.sampled_from(["p1", "p2", "m1", "", "accept", "busy", "24:00"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)

money = st.fixed_dictionaries({}, optional={
    "amount": st.one_of(st.integers(-1, 10_000), json_values),
    "currency": st.one_of(st.sampled_from(["CNY", "USD", "cny", ""]), json_values)})
"""Money as the API takes it, or nearly (a bare integer is in `json_values`)."""
item = st.fixed_dictionaries({"product_id": st.one_of(st.sampled_from(["p1", "p2", "p3", "p4", "nope"]), json_values),
                              "quantity": st.one_of(st.integers(-2, 120), json_values)},
                             optional={"unit_price": st.one_of(money, json_values), "extra": json_values})
address = st.one_of(st.just(ADDRESS), st.dictionaries(
    st.sampled_from(["line1", "city", "line2", "postcode", "lat", "lng", "x"]), json_values, max_size=5))
order_like = st.fixed_dictionaries(
    {},
    optional={"merchant_id": st.one_of(st.just("m1"), json_values), "items": st.one_of(st.lists(item, max_size=4),
                                                                                        json_values),
              "delivery_address": address, "note": st.one_of(st.text(max_size=40), json_values),
              "surprise": json_values})


def answered_sanely(reply: Reply) -> None:
    assert reply.status < 500, reply.body
    if reply.status >= 400:
        assert reply.is_problem, reply.body


@settings(FUZZ, max_examples=120)
@given(body=st.one_of(order_like, json_values))
def test_no_order_body_makes_the_server_fail(shop: Shop, body: Any) -> None:
    answered_sanely(shop.place(body))


@FUZZ
@given(raw=st.one_of(st.binary(max_size=64), st.text(max_size=64).map(str.encode)))
def test_no_raw_bytes_make_the_server_fail(shop: Shop, raw: bytes) -> None:
    answered_sanely(shop.customer.post("/orders", raw=raw))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({}, optional={
    "action": st.one_of(st.sampled_from(["accept", "reject", "return", "dispatch", "complete", "cancel"]),
                        json_values),
    "reason": st.one_of(st.sampled_from(["busy", "out_of_stock", "closing", "other", "tired"]), json_values),
    "note": json_values}), json_values))
def test_no_action_body_makes_the_server_fail(shop: Shop, body: Any) -> None:
    order_id = shop.placed()["order_id"]
    answered_sanely(shop.act(order_id, "accept") if body is None else
                    shop.merchant.post(f"/merchant/orders/{order_id}/actions", raw=json.dumps(body)))


@FUZZ
@given(body=st.dictionaries(st.sampled_from(["name", "time_zone", "business_hours", "answer_window_s", "paused",
                                             "verified", "x"]), json_values, max_size=4))
def test_no_merchant_patch_makes_the_server_fail(shop: Shop, body: dict[str, Any]) -> None:
    answered_sanely(shop.ops.patch("/merchants/m1", body))
