"""Reading a provider's callback: exactly the shape `callback_body` writes, anything else refused."""

from __future__ import annotations

import json

import pytest

from chalicelib.payments.port import (
    MalformedCallback,
    PaymentOutcome,
    ProviderPayment,
    callback_body,
    parse_callback,
)

PAYMENT = ProviderPayment("pay_1", "pur_1", 12345, "CNY", PaymentOutcome.SUCCEEDED, 1_795_000_000_000)


def test_a_callback_body_reads_back_as_the_payment_it_describes() -> None:
    assert parse_callback(callback_body(PAYMENT, "evt_1")) == ("evt_1", PAYMENT)


@pytest.mark.parametrize("change", [
    {"type": ["payment.succeeded"]}, {"type": {"x": 1}}, {"type": "payment.pending"}, {"type": "payment.refunded"},
    {"amount": "12345"}, {"amount": 123.45}, {"amount": True}, {"at": None}, {"currency": ""}, {"reference": 7},
    {"event_id": None},
])
def test_any_other_shape_is_malformed(change: dict[str, object]) -> None:
    body = {**json.loads(callback_body(PAYMENT, "evt_1")), **change}
    with pytest.raises(MalformedCallback):
        parse_callback(json.dumps(body).encode())


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b"null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedCallback):
        parse_callback(raw)


@pytest.mark.parametrize("raw", [
    b"[" * 1_000 + b"]" * 1_000, b'{"type":' * 3_000 + b"1" + b"}" * 3_000,  # RecursionError in json.loads
    b'{"type": "payment.succeeded", "reference": "\\ud800"}', '{"type": "payment.succeeded"}'.encode("utf-16"),
])
def test_a_body_nested_too_deep_or_not_utf8_text_is_malformed(raw: bytes) -> None:
    with pytest.raises(MalformedCallback, match="cannot be read"):
        parse_callback(raw)
