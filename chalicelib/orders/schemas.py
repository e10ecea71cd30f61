"""Request bodies of timed orders (workflow 01)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator

from chalicelib.http.fields import AddressIn, Id, MoneyIn, Note, Strict, example
from chalicelib.orders.model import RejectReason


class ItemIn(Strict):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=99)]
    unit_price: MoneyIn | None = None
    """What the app showed; if it differs from the catalogue the order is refused (price changed)."""


Items = Annotated[list[ItemIn], Field(min_length=1, max_length=50)]


class PlaceOrderIn(Strict):
    model_config = example(
        {"merchant_id": "m_demo",
         "items": [{"product_id": "p_noodles", "quantity": 2, "unit_price": {"amount": 2800, "currency": "CNY"}}],
         "delivery_address": {"line1": "1 Century Avenue", "city": "Shanghai"}, "note": "No coriander"})

    merchant_id: Id
    items: Items
    delivery_address: AddressIn
    note: Note | None = None


class ResubmitIn(Strict):
    model_config = example(
        {"items": [{"product_id": "p_noodles", "quantity": 1}],
         "delivery_address": {"line1": "1 Century Avenue", "city": "Shanghai"}})

    items: Items
    delivery_address: AddressIn
    note: Note | None = None


REJECT_REASONS = tuple(r.value for r in RejectReason)


class ActionIn(Strict):
    """`reason` is the merchant's, and only a reject's or a return's: one of `REJECT_REASONS` for a
    reject, and for a return the words telling the customer what to change."""

    model_config = example(
        {"action": "accept"},
        {"action": "reject", "reason": "busy"},
        {"action": "return", "reason": "We are out of buns: pick another side"})

    action: Literal["accept", "reject", "return", "dispatch", "complete"]
    reason: Annotated[Note | None, Field(validate_default=True)] = None

    @field_validator("reason")
    @classmethod
    def _fits_the_action(cls, reason: str | None, info: ValidationInfo) -> str | None:
        action = info.data.get("action")  # absent when the action itself is not valid
        if action == "reject" and reason not in REJECT_REASONS:
            raise ValueError(f"reject needs a reason: {', '.join(REJECT_REASONS)}")
        if action == "return" and not reason:
            raise ValueError("return needs a reason telling the customer what to change")
        if action not in (None, "reject", "return") and reason is not None:
            raise ValueError(f"{action} takes no reason")
        return reason
