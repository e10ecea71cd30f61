"""Request bodies of timed orders (workflow 01)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from chalicelib.http.fields import AddressIn, Id, Note, Strict, example
from chalicelib.orders.model import RejectReason


class ItemIn(Strict):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=99)]
    unit_price: Annotated[int, Field(ge=0)] | None = None
    """What the app showed; if it differs from the catalogue the order is refused (price changed)."""


Items = Annotated[list[ItemIn], Field(min_length=1, max_length=50)]


class PlaceOrderIn(Strict):
    model_config = example(
        {"merchant_id": "m_demo", "items": [{"product_id": "p_noodles", "quantity": 2, "unit_price": 2800}],
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


class ActionIn(Strict):
    model_config = example(
        {"action": "accept"},
        {"action": "reject", "reason": "busy"},
        {"action": "return", "note": "We are out of buns: pick another side"})

    action: Literal["accept", "reject", "return", "dispatch", "complete"]
    reason: RejectReason | None = None
    note: Note | None = None

    @field_validator("reason", mode="before")
    @classmethod
    def _reason_text(cls, value: object) -> object:
        return RejectReason(value) if isinstance(value, str) and value in RejectReason.__members__.values() else value

    @model_validator(mode="after")
    def _needs(self) -> ActionIn:
        if self.action == "reject" and self.reason is None:
            raise ValueError("reject needs a reason: busy, out_of_stock, closing or other")
        if self.action == "return" and not self.note:
            raise ValueError("return needs a note telling the customer what to change")
        return self
