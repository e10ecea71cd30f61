"""The payment-provider port: what the platform needs from whoever takes the customer's money.

A provider creates a payment for something a workflow sells (an id and a page to pay on), answers
a query about it, and tells the platform of the outcome by a signed callback (`signing.py`,
received by `callbacks.py`). The sandbox (`devstack/sandbox/provider.py`) implements it for the
local stack; a real provider (Stripe, Alipay…) is another class with the same three things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from chalicelib.core import jsontext
from chalicelib.core.errors import DomainError


class PaymentOutcome(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class PaymentIntent:
    payment_id: str
    pay_url: str


@dataclass(frozen=True)
class ProviderPayment:
    """A payment as the provider reports it (by query or callback)."""

    payment_id: str
    reference: str
    """Our purchase id, given at creation."""
    amount: int
    currency: str
    outcome: PaymentOutcome
    at: int
    """When the outcome happened at the provider (ms)."""


class PaymentProvider(Protocol):
    name: str

    def create_payment(self, reference: str, amount: int, currency: str, description: str) -> PaymentIntent: ...

    def payment(self, payment_id: str) -> ProviderPayment | None:
        """The provider's current view of a payment (None: it does not know the id)."""
        ...


@dataclass(frozen=True)
class PaymentRef:
    """How an order is paid: the provider, its payment id and the page to pay on."""

    provider: str
    payment_id: str
    pay_url: str


@dataclass(frozen=True)
class RefundDue:
    """A payment the platform took but cannot honour: flagged for ops to refund, never dropped."""

    payment_id: str
    amount: int
    currency: str
    reason: str
    flagged_at: int


class PaymentMismatch(DomainError):
    """A callback whose amount or currency is not the order's: never taken as payment."""

    status = 422
    problem = "payment-mismatch"
    title = "Payment does not match the order"


class PaymentUnavailable(DomainError):
    status = 503
    problem = "payment-unavailable"
    title = "Payment unavailable"


class NoPaymentProvider:
    """The provider of a stage that has none configured: checkouts are refused, nothing else breaks."""

    name = "none"

    def create_payment(self, reference: str, amount: int, currency: str, description: str) -> PaymentIntent:
        raise PaymentUnavailable("no payment provider is configured for this stage")

    def payment(self, payment_id: str) -> ProviderPayment | None:
        return None


class MalformedCallback(ValueError):
    """A correctly signed body that is not a payment event we understand."""


def callback_body(payment: ProviderPayment, event_id: str) -> bytes:
    """The JSON body of a callback (what the sandbox sends and `parse_callback` reads)."""
    return json.dumps({
        "event_id": event_id, "type": f"payment.{payment.outcome.value}", "payment_id": payment.payment_id,
        "reference": payment.reference, "amount": payment.amount, "currency": payment.currency, "at": payment.at,
    }, separators=(",", ":")).encode()


def parse_callback(body: bytes) -> tuple[str, ProviderPayment]:
    """(event id, payment) from a callback body; raises MalformedCallback."""
    try:
        data: Any = jsontext.loads(body)
    except jsontext.UnreadableJson as exc:  # signed, yet unreadable: a provider's bug; a 500 would be retried forever
        raise MalformedCallback(f"the body cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise MalformedCallback("the body is not an object")
    kind = data.get("type")
    outcomes = {f"payment.{o.value}": o for o in PaymentOutcome if o is not PaymentOutcome.PENDING}
    if not isinstance(kind, str) or kind not in outcomes:
        raise MalformedCallback(f"unknown event type {kind!r}")
    fields = {name: data.get(name) for name in ("event_id", "payment_id", "reference", "currency")}
    if not all(isinstance(v, str) and v for v in fields.values()):
        raise MalformedCallback("event_id, payment_id, reference and currency must be strings")
    amount, at = data.get("amount"), data.get("at")
    if type(amount) is not int or type(at) is not int:
        raise MalformedCallback("amount and at must be integers")
    payment = ProviderPayment(str(fields["payment_id"]), str(fields["reference"]), amount,
                              str(fields["currency"]), outcomes[kind], at)
    return str(fields["event_id"]), payment
