"""The payments the provider took for another amount or currency than their order's, as the
management console lists them (each was also pushed to ops as a `payment_mismatch` alert)."""

from __future__ import annotations

from typing import Any

from chalicelib.auth.principal import Role
from chalicelib.core.money import money_of
from chalicelib.core.timefmt import iso
from chalicelib.http.lists import list_body
from chalicelib.http.responses import MoneyView, Page, ResponseBody, Timestamp
from chalicelib.http.routing import Call, Routes
from chalicelib.payments.mismatches import PaymentMismatches, RecordedMismatch

routes = Routes(__name__, PaymentMismatches)


class PaymentMismatchView(ResponseBody):
    """A refused payment: what the provider reported, what the order expected, how often it was told."""

    payment_id: str
    reference: str
    """The order it was for (`GET /ops/purchases/{id}` for a purchase)."""
    event_id: str
    outcome: str
    paid: MoneyView
    expected: MoneyView | None
    first_received_at: Timestamp
    last_received_at: Timestamp
    deliveries: int


def mismatch_view(m: RecordedMismatch) -> dict[str, Any]:
    expected = None if m.expected_amount is None or m.expected_currency is None else money_of(
        m.expected_amount, m.expected_currency)
    return {"payment_id": m.payment_id, "reference": m.reference, "event_id": m.event_id, "outcome": m.outcome,
            "paid": money_of(m.amount, m.currency), "expected": expected,
            "first_received_at": iso(m.first_received_at), "last_received_at": iso(m.last_received_at),
            "deliveries": m.deliveries}


@routes.route("/ops/payment-mismatches", methods=["GET"], roles=(Role.OPS,),
              response=Page[PaymentMismatchView])
def payment_mismatches(call: Call[PaymentMismatches]) -> dict[str, Any]:
    """Payments refused for another amount or currency than their order's: to settle at the provider."""
    return list_body(call.services.page(call.principal, *call.page()), mismatch_view)
