"""A provider's signed callbacks: verified, parsed, and handed to the workflow that issued the
payment's reference (its `Payee`), which applies each at most once (providers retry).

A payment's reference is the id of what it pays for (`pur_…` for a split order); the part before
the first `_` names the payee, so a new workflow that takes payments registers its prefix.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Protocol

from chalicelib.core.clock import Clock
from chalicelib.core.errors import DomainError, FieldError, MalformedRequest
from chalicelib.core.observability import log
from chalicelib.payments.mismatches import PaymentMismatches
from chalicelib.payments.port import MalformedCallback, PaymentMismatch, ProviderPayment, parse_callback
from chalicelib.payments.signing import BadSignature, verify


class InvalidSignature(DomainError):
    status = 401
    problem = "invalid-signature"
    title = "Invalid signature"


class Payee(Protocol):
    """A workflow that takes payments: settles the outcome of a payment for one of its references."""

    def settle(self, event_id: str, payment: ProviderPayment) -> dict[str, Any]:
        """The answer to the provider (`{"status": "processed" | "ignored", …}`); at most once per outcome."""
        ...


def payee_prefix(reference: str) -> str:
    return reference.partition("_")[0]


class PaymentCallbacks:
    def __init__(self, secrets: tuple[bytes, ...], clock: Clock, payees: Mapping[str, Payee],
                 mismatches: PaymentMismatches) -> None:
        self._secrets = secrets
        self._clock = clock
        self._payees = payees
        self._mismatches = mismatches

    def receive(self, body: bytes, signature: str | None) -> dict[str, Any]:
        if not self._signed(body, signature, self._clock.now_ms() // 1000):
            log("payment.callback_refused", logging.WARNING, reason="signature")
            raise InvalidSignature("the callback's Payment-Signature does not verify")
        try:
            event_id, payment = parse_callback(body)
        except MalformedCallback as exc:
            raise MalformedRequest(str(exc), [FieldError("body", str(exc))]) from exc
        payee = self._payees.get(payee_prefix(payment.reference))
        if payee is None:
            log("payment.callback_ignored", logging.WARNING, reason="unknown_reference", event_id=event_id,
                payment_id=payment.payment_id, reference=payment.reference)
            return {"status": "ignored", "reason": "unknown_reference"}
        try:
            return payee.settle(event_id, payment)
        except PaymentMismatch as refused:
            # Kept before the refusal is answered: the provider may never call again about it.
            self._mismatches.record(event_id, payment, refused)
            raise

    def _signed(self, body: bytes, signature: str | None, now_s: int) -> bool:
        for secret in self._secrets:
            try:
                verify(secret, body, signature, now_s)
            except BadSignature:
                continue
            return True
        return False
