"""The rules of an order that waits for its payment inside a window, whatever the workflow sells.
Pure: no clock, no AWS.

* **Paid in time** — the provider's signed moment of payment (`at`) before the deadline — pays,
  even when the callback arrives after the deadline, unless the window was settled first.
* **The window elapses** → the workflow's cancellation (`elapse`), before anything else is decided:
  an event that finds the deadline passed settles it first, then is decided against the result.
* **A payment after cancellation** is kept as a refund to make (`flag_refund`), never dropped.
* **Another amount or currency** is refused (`PaymentMismatch`) and changes nothing.
* **A failed payment** leaves the window open and is told once (`decline`).

Duplicated and out-of-order callbacks change nothing once the order is final. What paying,
cancelling, flagging and declining *do* (a fan-out, vouchers, stock back) is the workflow's: it
gives them as a `PaymentRules`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from chalicelib.payments.port import PaymentMismatch, RefundDue
from chalicelib.waitstate.model import Decision, WaitingEntity

WINDOW_ELAPSED = "payment_window_elapsed"
PAID_AFTER_CANCELLATION = "paid_after_cancellation"


@dataclass(frozen=True)
class PaymentWindowElapsed:
    """The order's alarm."""

    wake_at: int


@dataclass(frozen=True)
class PaymentSucceeded:
    payment_id: str
    amount: int
    currency: str
    at: int
    """When the provider took the money (ms)."""


@dataclass(frozen=True)
class PaymentFailed:
    payment_id: str
    at: int


E = TypeVar("E", bound=WaitingEntity)
P = TypeVar("P", bound=PaymentSucceeded, contravariant=True)


class PaymentRules(Protocol[E, P]):
    """The workflow's side of an order waiting for its payment."""

    def awaiting(self, order: E) -> bool: ...

    def paid(self, order: E) -> bool: ...

    def deadline(self, order: E) -> int: ...

    def price(self, order: E) -> tuple[int, str]:
        """(amount, currency) the payment must be."""
        ...

    def refund(self, order: E) -> RefundDue | None: ...

    def declined_at(self, order: E, at: int) -> bool:
        """Whether a failure at `at` was already told."""
        ...

    def elapse(self, order: E, now: int) -> Decision[E]: ...

    def pay(self, order: E, payment: P, now: int) -> Decision[E]: ...

    def flag_refund(self, order: E, refund: RefundDue, now: int) -> Decision[E]: ...

    def decline(self, order: E, failure: PaymentFailed, now: int) -> Decision[E]: ...


@dataclass(frozen=True)
class PaymentWindow(Generic[E, P]):
    rules: PaymentRules[E, P]

    def decide(self, order: E, event: object, now: int, otherwise: Callable[[E], Decision[E]]) -> Decision[E]:
        """Decide a payment event (or, for any other event, `otherwise`), the elapsed window first."""
        rules = self.rules
        in_time = isinstance(event, PaymentSucceeded) and rules.awaiting(order) and event.at < rules.deadline(order)
        if rules.awaiting(order) and now >= rules.deadline(order) and not in_time:
            settled = rules.elapse(order, now)
            if isinstance(event, PaymentWindowElapsed):
                return settled
            after = self.decide(settled.state, event, now, otherwise)
            return Decision(after.state, settled.events + after.events, after.refusal, settled.writes + after.writes)
        match event:
            case PaymentWindowElapsed():
                return Decision(order)
            case PaymentSucceeded():
                return self._paid(order, event, now)  # type: ignore[arg-type]  # the workflow's own kind
            case PaymentFailed():
                if not rules.awaiting(order) or rules.declined_at(order, event.at):
                    return Decision(order)  # after the outcome, or a duplicate: nothing to say
                return rules.decline(order, event, now)
        return otherwise(order)

    def _paid(self, order: E, payment: P, now: int) -> Decision[E]:
        rules = self.rules
        amount, currency = rules.price(order)
        if payment.amount != amount or payment.currency != currency:
            return Decision(order, refusal=PaymentMismatch(
                f"the payment is {payment.amount} {payment.currency}, the order {amount} {currency}",
                expected={"amount": amount, "currency": currency}))
        if rules.paid(order):
            return Decision(order)  # a provider retry
        if not rules.awaiting(order):
            if rules.refund(order) is not None:
                return Decision(order)
            return rules.flag_refund(order, RefundDue(payment.payment_id, payment.amount, payment.currency,
                                                      PAID_AFTER_CANCELLATION, now), now)
        return rules.pay(order, payment, now)
