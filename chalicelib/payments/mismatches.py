"""Payments refused for another amount or currency than their order's, kept for ops.

A mismatch changes nothing on the order (the payment window refuses it), so the order cannot be
where it is remembered: the alert that tells ops is a push, gone on a reload. Every workflow that
sells reaches its mismatches through the one callback route (`callbacks.py`), so the platform keeps
them there, one record per provider payment — a provider's retry of the same payment counts a
delivery, never a second record — for the console to list until someone settles it at the provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.clock import Clock
from chalicelib.payments.port import PaymentMismatch, ProviderPayment
from chalicelib.persistence.paging import Page


@dataclass(frozen=True)
class RecordedMismatch:
    payment_id: str
    reference: str
    """The order the payment was for (`pur_…`, `gbo_…`)."""
    event_id: str
    """The provider's last event about it."""
    outcome: str
    amount: int
    currency: str
    expected_amount: int | None
    expected_currency: str | None
    first_received_at: int
    last_received_at: int
    deliveries: int = 1


class MismatchLog(Protocol):
    def record(self, mismatch: RecordedMismatch) -> RecordedMismatch:
        """Keep it (a known payment id: one more delivery, the first moment kept); the record after."""
        ...

    def page(self, limit: int, token: str | None) -> Page[RecordedMismatch]: ...


class PaymentMismatches:
    """What the callback records and the ops console lists."""

    def __init__(self, log: MismatchLog, clock: Clock) -> None:
        self._log = log
        self._clock = clock

    def record(self, event_id: str, payment: ProviderPayment, refusal: PaymentMismatch) -> RecordedMismatch:
        expected = refusal.extensions.get("expected") or {}
        now = self._clock.now_ms()
        return self._log.record(RecordedMismatch(
            payment.payment_id, payment.reference, event_id, payment.outcome.value, payment.amount, payment.currency,
            expected.get("amount"), expected.get("currency"), now, now))

    def page(self, caller: Principal, limit: int, token: str | None) -> Page[RecordedMismatch]:
        caller.require(Role.OPS)
        return self._log.page(limit, token)
