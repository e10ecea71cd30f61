"""Split orders' own refusals (each maps to its problem type through `DomainError`)."""

from __future__ import annotations

from chalicelib.core.errors import InvalidTransition


class ParcelDelivered(InvalidTransition):
    problem = "parcel-delivered"
    title = "Parcel already delivered"
