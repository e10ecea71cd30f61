"""The sandbox payment provider: the port (`chalicelib/payments/port.py`) in memory, for the local stack.

Creating a payment gives an id and a pay page (`devstack/sandbox/pages.py` serves it);
"paying" there marks the outcome and yields the signed callback a real provider would send. The
provider never does HTTP itself: `deliver` POSTs a callback, so tests can hand the same callback
to Chalice's test client instead.

Like real providers, a callback is an event with an id: the same (payment, outcome) is always the
same event, so a retry (`redeliver`, or paying a succeeded payment again) sends the same event id
and body again, signed at the current time. A succeeded payment stays succeeded; a failed one may
be paid again later (a new event: `payment.succeeded`).
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, replace

from chalicelib.core.clock import Clock
from chalicelib.core.ids import new_id
from chalicelib.payments.port import PaymentIntent, PaymentOutcome, ProviderPayment, callback_body
from chalicelib.payments.signing import SIGNATURE_HEADER, sign


class UnknownPayment(KeyError):
    """The sandbox has no payment with this id."""

    def __init__(self, payment_id: str) -> None:
        super().__init__(payment_id)
        self.payment_id = payment_id

    def __str__(self) -> str:
        return f"no sandbox payment {self.payment_id!r}"


class NoCallbackYet(LookupError):
    """The payment is still pending: there is no event to redeliver."""

    def __init__(self, payment_id: str) -> None:
        super().__init__(payment_id)
        self.payment_id = payment_id

    def __str__(self) -> str:
        return f"sandbox payment {self.payment_id!r} is pending: no callback was sent yet"


@dataclass(frozen=True)
class SignedCallback:
    """One delivery of a callback: where to POST it, the exact body, and its headers (signature included)."""

    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class _Entry:
    payment: ProviderPayment
    description: str
    event: tuple[str, bytes] | None = None
    """The last event sent (id, body): what a retry sends again."""


def event_id(payment_id: str, outcome: PaymentOutcome) -> str:
    """The id of the event telling `outcome` of `payment_id` (the same every time)."""
    return f"evt_{payment_id}_{outcome.value}"


class SandboxProvider:
    """The `PaymentProvider` port in memory, thread-safe (the local stack serves from several threads)."""

    name = "sandbox"

    def __init__(self, secret: bytes, base_url: str, callback_url: str, clock: Clock) -> None:
        if not secret:
            raise ValueError("the sandbox needs a secret to sign its callbacks")
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self.callback_url = callback_url
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}

    def create_payment(self, reference: str, amount: int, currency: str, description: str) -> PaymentIntent:
        if type(amount) is not int or amount < 0:
            raise ValueError(f"an amount is a whole number of minor units, not {amount!r}")
        payment_id = new_id("pay")
        payment = ProviderPayment(payment_id, reference, amount, currency, PaymentOutcome.PENDING,
                                  self._clock.now_ms())
        with self._lock:
            self._entries[payment_id] = _Entry(payment, description)
        return PaymentIntent(payment_id, self.pay_url(payment_id))

    def payment(self, payment_id: str) -> ProviderPayment | None:
        with self._lock:
            entry = self._entries.get(payment_id)
            return entry.payment if entry else None

    def description(self, payment_id: str) -> str:
        """What the payment was created for (shown on the pay page)."""
        with self._lock:
            return self._entry(payment_id).description

    def last_event_id(self, payment_id: str) -> str | None:
        with self._lock:
            event = self._entry(payment_id).event
            return event[0] if event else None

    def pay_url(self, payment_id: str) -> str:
        return f"{self._base_url}/sandbox/pay/{payment_id}"

    def pay(self, payment_id: str, outcome: PaymentOutcome = PaymentOutcome.SUCCEEDED,
            amount: int | None = None) -> SignedCallback:
        """The customer pays (or declines): the outcome is recorded and the callback to deliver returned.

        A succeeded payment stays succeeded and paying it again (either way) sends its event again;
        declining a declined payment sends its event again too; a failed payment may succeed later.
        `amount`: the provider took another amount than it was created with (what a real provider
        does on a partial capture or a misconfigured price), for trying the platform's refusal.
        """
        outcome = PaymentOutcome(outcome)
        if outcome is PaymentOutcome.PENDING:
            raise ValueError("a payment is paid with succeeded or failed")
        if amount is not None and (type(amount) is not int or amount < 0):
            raise ValueError(f"an amount is a whole number of minor units, not {amount!r}")
        with self._lock:
            entry = self._entry(payment_id)
            current = entry.payment.outcome
            if entry.event is None or (current is not PaymentOutcome.SUCCEEDED and current is not outcome):
                taken = entry.payment.amount if amount is None else amount
                entry.payment = replace(entry.payment, outcome=outcome, amount=taken, at=self._clock.now_ms())
                event = event_id(payment_id, outcome)
                entry.event = (event, callback_body(entry.payment, event))
            body = entry.event[1]
        return self._signed(body)

    def redeliver(self, payment_id: str) -> SignedCallback:
        """The last event again (same id and body), signed at the current time: a provider's retry."""
        with self._lock:
            event = self._entry(payment_id).event
        if event is None:
            raise NoCallbackYet(payment_id)
        return self._signed(event[1])

    def _entry(self, payment_id: str) -> _Entry:
        entry = self._entries.get(payment_id)
        if entry is None:
            raise UnknownPayment(payment_id)
        return entry

    def _signed(self, body: bytes) -> SignedCallback:
        signature = sign(self._secret, body, self._clock.now_ms() // 1000)
        return SignedCallback(self.callback_url, body,
                              {"Content-Type": "application/json", SIGNATURE_HEADER: signature})


@dataclass(frozen=True)
class CallbackAnswer:
    """What the receiver answered a callback: its status, and when to try again if it said so."""

    status: int
    retry_after: str | None = None


def deliver(callback: SignedCallback, timeout_s: float = 10) -> CallbackAnswer:
    """POST the callback; what the receiver answered (error statuses too, not raised).

    A receiver that cannot be reached raises `urllib.error.URLError` (an `OSError`).
    """
    if not callback.url.startswith(("http://", "https://")):
        raise ValueError(f"a callback URL is http(s), not {callback.url!r}")
    request = urllib.request.Request(callback.url, data=callback.body, headers=callback.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
            return CallbackAnswer(int(response.status), response.headers.get("Retry-After"))
    except urllib.error.HTTPError as exc:
        with exc:
            return CallbackAnswer(int(exc.code), exc.headers.get("Retry-After"))


__all__ = ["CallbackAnswer", "NoCallbackYet", "SandboxProvider", "SignedCallback", "UnknownPayment", "deliver",
           "event_id"]
