"""A provider that delivers the same callback many times at once (its retries overlapping): the
payment takes effect once, and exactly one delivery is answered `processed` — the one whose
conditional write committed the transition; every other one is `ignored` with the reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.payments.callbacks import PaymentCallbacks
from chalicelib.payments.port import PaymentOutcome
from chalicelib.payments.signing import SIGNATURE_HEADER
from tests import race
from tests.conftest import World
from tests.functional.market import Market
from tests.moto_patches import isolated_dynamodb_transactions

DELIVERIES = 20


@pytest.fixture
def market(world: World, client: Client) -> Iterator[Market]:
    with isolated_dynamodb_transactions():  # DynamoDB's transactions are isolated; moto's only patched
        opened = Market(world, client)
        opened.open()
        yield opened


def at_once(times: int, deliver: Callable[[], dict[str, Any]]) -> list[dict[str, Any]]:
    """`deliver()` on `times` threads released together: every answer is the callback's own."""
    answers = race.at_once(times, lambda _: deliver())
    assert all(isinstance(a, dict) for a in answers), answers
    return answers


def test_twenty_identical_success_callbacks_at_once_pay_once_and_one_alone_is_processed(market: Market) -> None:
    purchase = market.bought()
    assert market.connect("ws-s_books", market.supplier("s_books")) == 200
    callback = market.sandbox.pay(purchase["payment"]["payment_id"], PaymentOutcome.SUCCEEDED)
    callbacks = market.world.container.services_of(PaymentCallbacks)

    answers = at_once(DELIVERIES, lambda: callbacks.receive(callback.body, callback.headers[SIGNATURE_HEADER]))

    assert [a["status"] for a in answers].count("processed") == 1
    ignored = [a for a in answers if a["status"] == "ignored"]
    assert len(ignored) == DELIVERIES - 1 and {a["reason"] for a in ignored} == {"already_final"}
    assert {a["purchase_status"] for a in answers} == {"paid"}
    assert market.stored(purchase["purchase_id"]).status.value == "paid"
    assert len(market.records()) == 3
    assert len(market.pushed("ws-s_books", "supplier_order.created")) == 1


def test_twenty_identical_decline_callbacks_at_once_record_one_failure_and_one_alone_is_processed(
        market: Market) -> None:
    purchase = market.bought()
    assert market.connect("ws-u1", market.customer) == 200
    callback = market.sandbox.pay(purchase["payment"]["payment_id"], PaymentOutcome.FAILED)
    callbacks = market.world.container.services_of(PaymentCallbacks)

    answers = at_once(DELIVERIES, lambda: callbacks.receive(callback.body, callback.headers[SIGNATURE_HEADER]))

    assert [a["status"] for a in answers].count("processed") == 1
    assert {a["reason"] for a in answers if a["status"] == "ignored"} == {"duplicate"}
    stored = market.stored(purchase["purchase_id"])
    assert stored.status.value == "pending_payment"
    assert [h.cause for h in stored.history].count("payment_failed") == 1
    assert len(market.pushed("ws-u1", "purchase.payment_failed")) == 1
