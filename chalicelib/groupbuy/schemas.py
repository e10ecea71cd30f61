"""Request bodies of group-buy's orders, bookings, redeeming and queue reports (workflow 04)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.http.fields import Id, Strict, example

SlotId = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}\.[a-z][a-z0-9_-]{0,31}$")]
RedeemCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6,32}$")]


class GroupOrderIn(Strict):
    model_config = example({"deal_id": "deal_demo_noodles", "quantity": 2})

    deal_id: Id
    quantity: Annotated[int, Field(ge=1, le=99)] = 1


class BookingsIn(Strict):
    model_config = example({"slot_ids": ["2026-03-24.lunch", "2026-03-24.dinner"]})

    slot_ids: Annotated[list[SlotId], Field(min_length=1, max_length=14)]
    """One pick or several (lunch or dinner, today or tomorrow): each becomes a booking."""


class RedeemIn(Strict):
    model_config = example({"code": "104729330157"})

    code: RedeemCode
    """As scanned (the QR payload `ontime:voucher:<code>` is read by the console) or typed."""


class QueueReportIn(Strict):
    model_config = example({"waiting": 7})

    waiting: Annotated[int, Field(ge=0, le=10_000)]
    """People waiting at the shop now."""
