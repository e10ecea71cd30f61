"""Split orders' own refusals (each maps to its problem type through `DomainError`)."""

from __future__ import annotations

from chalicelib.core.errors import DomainError, InvalidTransition


class PaymentMismatch(DomainError):
    """A callback whose amount or currency is not the purchase's: never taken as payment."""

    status = 422
    problem = "payment-mismatch"
    title = "Payment does not match the order"


class ParcelDelivered(InvalidTransition):
    problem = "parcel-delivered"
    title = "Parcel already delivered"
