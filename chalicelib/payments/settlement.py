"""Applying a provider's verified payment outcome to one of a workflow's orders, at most once.

Every workflow that sells (split orders' purchases, group-buy orders) settles the same way: find
the order its reference names, check the payment is the one the order was created with, let the
workflow's decider apply the outcome through the engine's conditional write, and tell the provider
whether this delivery changed anything. What the outcome does (fan-out, vouchers, a refund to
flag) is the workflow's decider's; how a callback or a reconcile reaches it is this module's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from chalicelib.core.ids import is_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.payments.port import PaymentMismatch, PaymentOutcome, PaymentProvider, PaymentRef, ProviderPayment
from chalicelib.waitstate.engine import Change


class Payable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def payment(self) -> PaymentRef | None:
        """None while the order cannot be paid yet (a call order's draft): no payment is about it."""
        ...


P = TypeVar("P", bound=Payable)


@dataclass(frozen=True)
class Settlement(Generic[P]):
    noun: str
    """What the workflow calls its order, in answers and logs (`purchase`)."""
    load: Callable[[str], P | None]
    apply: Callable[[P, ProviderPayment], Change]
    """Decide the outcome against the order (the engine's `change`): raises the decider's refusal."""
    answer: Callable[[P], dict[str, Any]]
    """What the provider is told about the order after the callback (its status…)."""
    awaiting_payment: Callable[[P], bool]
    metrics: MetricsSink
    alert: Callable[[P], None]
    """Tell ops about a payment that is not the order's amount or currency (`payment_mismatch`)."""

    def settle(self, event_id: str, payment: ProviderPayment) -> dict[str, Any]:
        """A provider's (verified) callback for one of our orders, applied at most once."""
        current = self.load(payment.reference) if is_id(payment.reference) else None
        if current is None or current.payment is None or current.payment.payment_id != payment.payment_id:
            reason = f"unknown_{self.noun}" if current is None else "unknown_payment"
            log("payment.callback_ignored", logging.WARNING, reason=reason, event_id=event_id,
                payment_id=payment.payment_id, reference=payment.reference)
            return {"status": "ignored", "reason": reason}
        change = self._applied(current, payment)
        after: P = change.entity
        answer = self.answer(after)
        if not change.committed:
            # A provider retry, or news of an outcome already settled: nothing to do, say so. Of
            # concurrent deliveries of one event, only the one whose conditional write committed
            # the transition gets here with `committed`; the others re-read and find it done.
            reason = "duplicate" if self.awaiting_payment(after) else "already_final"
            log("payment.callback_ignored", event_id=event_id, reason=reason, reference=after.id,
                outcome=payment.outcome.value)
            return {"status": "ignored", "reason": reason, **answer}
        log("payment.callback_applied", event_id=event_id, reference=after.id, outcome=payment.outcome.value,
            **answer)
        return {"status": "processed", **answer}

    def reconcile(self, provider: PaymentProvider, current: P) -> P | None:
        """Ask the provider instead of waiting for its callback (the app, back from the pay page):
        the order after its outcome, or None while the provider has none for it yet."""
        if current.payment is None:
            return None
        payment = provider.payment(current.payment.payment_id)
        if payment is None or payment.outcome is PaymentOutcome.PENDING or payment.reference != current.id:
            return None
        reconciled: P = self._applied(current, payment).entity
        return reconciled

    def _applied(self, current: P, payment: ProviderPayment) -> Change:
        """`apply`; a refused amount or currency is logged, counted (its alarm) and told to ops first."""
        try:
            return self.apply(current, payment)
        except PaymentMismatch:
            log("payment.mismatch", logging.ERROR, reference=current.id, payment_id=payment.payment_id,
                amount=payment.amount, currency=payment.currency)
            self.metrics.metric("PaymentMismatch", 1, "Count", {}, reference=current.id)
            self.alert(current)
            raise
