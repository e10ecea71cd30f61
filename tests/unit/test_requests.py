"""Reading requests: size, emptiness, JSON, objects, schemas (every bad field named), and paging."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.app import Request

from chalicelib.catalogue.schemas import MerchantIn, ProductIn
from chalicelib.core.errors import MalformedRequest, PayloadTooLarge
from chalicelib.http.requests import DEFAULT_LIMIT, MAX_LIMIT, json_body, page_params, parse
from chalicelib.orders.schemas import ActionIn, PlaceOrderIn


def request(body: str | bytes | None = None, query: dict[str, str] | None = None) -> Request:
    return Request({
        "multiValueQueryStringParameters": None if query is None else {k: [v] for k, v in query.items()},
        "headers": {"content-type": "application/json"}, "pathParameters": None, "body": body,
        "requestContext": {"httpMethod": "POST", "resourcePath": "/orders"}, "stageVariables": None,
    })


def fields_of(error: MalformedRequest) -> list[str]:
    return [e.field for e in error.errors]


# ── the body ─────────────────────────────────────────────────────────────────────────────────

def test_a_json_body_is_parsed() -> None:
    assert json_body(request('{"a": [1, 2]}'), 1024) == {"a": [1, 2]}


def test_a_body_over_the_limit_is_too_large_before_it_is_parsed() -> None:
    with pytest.raises(PayloadTooLarge):
        json_body(request('"' + "x" * 2000 + '"'), 1024)
    assert json_body(request('"' + "x" * 1022 + '"'), 1024) == "x" * 1022


@pytest.mark.parametrize("body", [None, "", "   \n"])
def test_an_empty_body_is_malformed(body: str | None) -> None:
    with pytest.raises(MalformedRequest) as refused:
        json_body(request(body), 1024)
    assert fields_of(refused.value) == ["body"]


@pytest.mark.parametrize("body", ["{", "{'a': 1}", "nul", "[1,]", '{"a": NaN', b"\xff\xfe{}", b'{"a": "\xe9"}'])
def test_a_body_that_is_not_json_is_malformed(body: str | bytes) -> None:
    with pytest.raises(MalformedRequest) as refused:
        json_body(request(body), 1024)
    assert fields_of(refused.value) == ["body"]


@pytest.mark.parametrize("body", [
    "[" * 1_000 + "]" * 1_000, '{"a":' * 3_000 + "1" + "}" * 3_000,  # RecursionError in json.loads: a 500
    '{"a": "\\ud800"}', '{"a": 1}'.encode("utf-16"), b'{"a": "\xed\xa0\x80"}', '{"a": NaN}',
])
def test_a_body_nested_too_deep_or_not_utf8_text_is_malformed_and_says_why(body: str | bytes) -> None:
    with pytest.raises(MalformedRequest) as refused:
        json_body(request(body), 64 * 1024)
    (error,) = refused.value.errors
    assert error.field == "body" and error.message in refused.value.detail


@pytest.mark.parametrize("data", [[], [1], "text", 3, None, True])
def test_a_body_that_is_not_an_object_is_malformed(data: Any) -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(ActionIn, data)
    assert fields_of(refused.value) == ["body"]


def test_every_offending_field_is_named_with_its_path() -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(PlaceOrderIn, {
            "merchant_id": 7,
            "items": [{"product_id": "p1", "quantity": "2"}, {"product_id": "p2", "quantity": 0, "extra": 1}],
            "delivery_address": {"line1": ""},
            "surprise": True,
        })
    assert sorted(fields_of(refused.value)) == sorted([
        "merchant_id", "items[0].quantity", "items[1].quantity", "items[1].extra",
        "delivery_address.line1", "delivery_address.city", "surprise",
    ])


def test_numbers_are_not_strings_and_strings_are_not_numbers() -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(PlaceOrderIn, {"merchant_id": "m1", "items": [{"product_id": 1, "quantity": 1.5}],
                             "delivery_address": {"line1": "x", "city": "y", "lat": "north"}})
    assert sorted(fields_of(refused.value)) == ["delivery_address.lat", "items[0].product_id", "items[0].quantity"]


def test_a_reject_needs_a_reason_code_and_a_return_a_reason_in_words_each_named_reason() -> None:
    for body in ({"action": "reject"}, {"action": "return"}, {"action": "return", "reason": "  "}):
        with pytest.raises(MalformedRequest) as refused:
            parse(ActionIn, body)
        assert fields_of(refused.value) == ["reason"]
    assert parse(ActionIn, {"action": "reject", "reason": "busy"}).reason == "busy"
    assert parse(ActionIn, {"action": "return", "reason": "no beef today"}).reason == "no beef today"


def test_the_merchants_words_are_its_reason_and_note_is_no_longer_an_action_field() -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(ActionIn, {"action": "return", "note": "no beef today"})
    assert sorted(fields_of(refused.value)) == ["note", "reason"]


def test_an_action_that_takes_no_reason_refuses_one() -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(ActionIn, {"action": "accept", "reason": "busy"})
    assert fields_of(refused.value) == ["reason"]


def test_unknown_actions_and_reasons_are_malformed() -> None:
    for body in ({"action": "cancel"}, {"action": "reject", "reason": "tired"}, {"action": "ACCEPT"}):
        with pytest.raises(MalformedRequest):
            parse(ActionIn, body)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "America", "X" * 300, "Asia/"])
def test_an_unknown_time_zone_is_a_field_error_not_a_crash(zone: str) -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(MerchantIn, {"name": "Noodles", "time_zone": zone})
    assert fields_of(refused.value) == ["time_zone"]


@pytest.mark.parametrize("hours", [{"funday": [["09:00", "17:00"]]}, {"mon": [["9:00", "17:00"]]},
                                   {"mon": [["09:00", "25:00"]]}, {"mon": [["09:00", "09:00"]]},
                                   {"mon": [["09:00"]]}, {"mon": "09:00-17:00"}])
def test_malformed_business_hours_are_a_field_error(hours: Any) -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(MerchantIn, {"name": "Noodles", "time_zone": "UTC", "business_hours": hours})
    assert all(field.startswith("business_hours") for field in fields_of(refused.value))


# ── paging ───────────────────────────────────────────────────────────────────────────────────

def test_paging_defaults_to_the_first_page_of_twenty() -> None:
    assert page_params(request()) == (DEFAULT_LIMIT, None)


def test_paging_reads_limit_and_token() -> None:
    assert page_params(request(query={"limit": str(MAX_LIMIT), "next_token": "abc"})) == (MAX_LIMIT, "abc")


@pytest.mark.parametrize("limit", ["0", str(MAX_LIMIT + 1), "-1", "ten", "", "1.5", " 5", "\u00b2"])
def test_a_limit_outside_1_to_100_is_malformed(limit: str) -> None:
    with pytest.raises(MalformedRequest) as refused:
        page_params(request(query={"limit": limit}))
    assert fields_of(refused.value) == ["limit"]


def test_a_bare_number_where_money_goes_is_refused_saying_what_money_looks_like() -> None:
    with pytest.raises(MalformedRequest) as refused:
        parse(ProductIn, {"name": "Tea", "price": 700, "stock": 5})
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("price", 'money is {"amount": <integer minor units>, "currency": "<ISO 4217>"}')]
