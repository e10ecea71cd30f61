"""The sandbox provider keeps payments in memory and yields the signed callbacks a real provider would send:
one event per (payment, outcome), the same again on a retry, signed at the moment it is sent."""

from __future__ import annotations

import json
import threading

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.payments.port import PaymentOutcome, ProviderPayment, parse_callback
from chalicelib.payments.signing import SIGNATURE_HEADER, BadSignature, verify
from devstack.sandbox.provider import (
    NoCallbackYet,
    SandboxProvider,
    SignedCallback,
    UnknownPayment,
    deliver,
)

SECRET = b"sandbox-test-secret"
BASE = "http://127.0.0.1:8000"
CALLBACK = "http://127.0.0.1:8000/payments/callback"
T0 = 1_795_000_000_000


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def provider(clock: FakeClock) -> SandboxProvider:
    return SandboxProvider(SECRET, BASE, CALLBACK, clock)


def now_s(clock: FakeClock) -> int:
    return clock.now_ms() // 1000


def event(callback: SignedCallback) -> tuple[str, ProviderPayment]:
    return parse_callback(callback.body)


def test_creating_a_payment_gives_a_pending_payment_and_its_pay_page(provider: SandboxProvider) -> None:
    intent = provider.create_payment("pur_1", 12345, "CNY", "2 items from ontime demo kitchen")

    assert intent.payment_id.startswith("pay_")
    assert intent.pay_url == f"{BASE}/sandbox/pay/{intent.payment_id}"
    assert provider.payment(intent.payment_id) == ProviderPayment(
        intent.payment_id, "pur_1", 12345, "CNY", PaymentOutcome.PENDING, T0)
    assert provider.description(intent.payment_id) == "2 items from ontime demo kitchen"
    assert provider.name == "sandbox"


def test_each_payment_gets_its_own_id(provider: SandboxProvider) -> None:
    ids = {provider.create_payment("pur_1", 100, "CNY", "").payment_id for _ in range(50)}
    assert len(ids) == 50


def test_paying_marks_the_payment_succeeded_and_yields_a_signed_callback_with_its_amount(
        provider: SandboxProvider, clock: FakeClock) -> None:
    payment_id = provider.create_payment("pur_1", 12345, "CNY", "noodles").payment_id
    clock.advance(30)

    callback = provider.pay(payment_id)

    assert callback.url == CALLBACK
    assert callback.headers["Content-Type"] == "application/json"
    assert verify(SECRET, callback.body, callback.headers[SIGNATURE_HEADER], now_s(clock)) == now_s(clock)
    event_id, paid = event(callback)
    assert event_id == f"evt_{payment_id}_succeeded"
    assert paid == ProviderPayment(payment_id, "pur_1", 12345, "CNY", PaymentOutcome.SUCCEEDED, T0 + 30_000)
    assert provider.payment(payment_id) == paid
    assert provider.last_event_id(payment_id) == event_id


def test_the_callback_is_refused_with_another_secret(provider: SandboxProvider, clock: FakeClock) -> None:
    callback = provider.pay(provider.create_payment("pur_1", 100, "CNY", "").payment_id)

    with pytest.raises(BadSignature, match="does not match"):
        verify(b"not-the-sandbox-secret", callback.body, callback.headers[SIGNATURE_HEADER], now_s(clock))


def test_paying_twice_sends_the_same_event_again_and_the_payment_stays_succeeded(
        provider: SandboxProvider, clock: FakeClock) -> None:
    payment_id = provider.create_payment("pur_1", 100, "CNY", "").payment_id
    first = provider.pay(payment_id)
    clock.advance(60)

    again = provider.pay(payment_id)
    declined_after = provider.pay(payment_id, PaymentOutcome.FAILED)

    assert again.body == first.body == declined_after.body
    assert event(again)[0] == event(first)[0] == f"evt_{payment_id}_succeeded"
    assert provider.payment(payment_id) == event(first)[1]
    assert verify(SECRET, again.body, again.headers[SIGNATURE_HEADER], now_s(clock)) == now_s(clock)


def test_redelivering_sends_the_last_event_again_signed_at_the_current_time(
        provider: SandboxProvider, clock: FakeClock) -> None:
    payment_id = provider.create_payment("pur_1", 4200, "EUR", "").payment_id
    first = provider.pay(payment_id)
    clock.advance(3600)  # long past the signature tolerance of the first delivery

    retry = provider.redeliver(payment_id)

    assert retry.body == first.body
    assert retry.headers[SIGNATURE_HEADER] != first.headers[SIGNATURE_HEADER]
    assert verify(SECRET, retry.body, retry.headers[SIGNATURE_HEADER], now_s(clock)) == now_s(clock)
    with pytest.raises(BadSignature, match="too old"):
        verify(SECRET, first.body, first.headers[SIGNATURE_HEADER], now_s(clock))
    with pytest.raises(BadSignature, match="does not match"):
        verify(b"another-secret", retry.body, retry.headers[SIGNATURE_HEADER], now_s(clock))


def test_a_declined_payment_can_be_paid_later_as_a_new_event(provider: SandboxProvider, clock: FakeClock) -> None:
    payment_id = provider.create_payment("pur_1", 999, "CNY", "").payment_id

    declined = provider.pay(payment_id, PaymentOutcome.FAILED)
    declined_again = provider.pay(payment_id, PaymentOutcome.FAILED)
    clock.advance(10)
    paid = provider.pay(payment_id)

    failed_id, failed = event(declined)
    assert failed_id == f"evt_{payment_id}_failed"
    assert (failed.outcome, failed.amount, failed.currency, failed.reference) == (
        PaymentOutcome.FAILED, 999, "CNY", "pur_1")
    assert declined_again.body == declined.body
    paid_id, succeeded = event(paid)
    assert paid_id == f"evt_{payment_id}_succeeded"
    assert (succeeded.outcome, succeeded.at) == (PaymentOutcome.SUCCEEDED, T0 + 10_000)
    assert event(provider.redeliver(payment_id))[0] == paid_id


def test_a_pending_payment_has_nothing_to_redeliver(provider: SandboxProvider) -> None:
    payment_id = provider.create_payment("pur_1", 100, "CNY", "").payment_id

    with pytest.raises(NoCallbackYet):
        provider.redeliver(payment_id)


def test_a_payment_is_paid_with_succeeded_or_failed_only(provider: SandboxProvider) -> None:
    payment_id = provider.create_payment("pur_1", 100, "CNY", "").payment_id

    with pytest.raises(ValueError, match="succeeded or failed"):
        provider.pay(payment_id, PaymentOutcome.PENDING)
    payment = provider.payment(payment_id)
    assert payment is not None
    assert payment.outcome is PaymentOutcome.PENDING


def test_an_unknown_payment_id_is_reported_clearly(provider: SandboxProvider) -> None:
    assert provider.payment("pay_nope") is None
    with pytest.raises(UnknownPayment, match="pay_nope"):
        provider.pay("pay_nope")
    with pytest.raises(UnknownPayment, match="pay_nope"):
        provider.redeliver("pay_nope")
    with pytest.raises(KeyError):
        provider.description("pay_nope")


def test_the_sandbox_refuses_to_run_without_a_secret(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="secret"):
        SandboxProvider(b"", BASE, CALLBACK, clock)


def test_payments_and_declines_of_one_payment_at_once_end_succeeded_with_one_event(
        provider: SandboxProvider) -> None:
    payment_id = provider.create_payment("pur_1", 100, "CNY", "").payment_id
    outcomes = [PaymentOutcome.SUCCEEDED, PaymentOutcome.FAILED] * 4
    bodies: dict[PaymentOutcome, list[bytes]] = {outcome: [] for outcome in outcomes}
    start = threading.Barrier(len(outcomes))

    def pay(outcome: PaymentOutcome) -> None:
        start.wait()
        bodies[outcome].append(provider.pay(payment_id, outcome).body)

    threads = [threading.Thread(target=pay, args=(outcome,)) for outcome in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(bodies[PaymentOutcome.SUCCEEDED])) == 1
    assert json.loads(bodies[PaymentOutcome.SUCCEEDED][0])["event_id"] == f"evt_{payment_id}_succeeded"
    payment = provider.payment(payment_id)
    assert payment is not None
    assert payment.outcome is PaymentOutcome.SUCCEEDED
    assert provider.redeliver(payment_id).body == bodies[PaymentOutcome.SUCCEEDED][0]


def test_deliver_refuses_a_callback_url_that_is_not_http(provider: SandboxProvider) -> None:
    callback = SignedCallback("file:///etc/passwd", b"{}", {})

    with pytest.raises(ValueError, match="http"):
        deliver(callback)
