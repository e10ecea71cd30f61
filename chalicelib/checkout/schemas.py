"""Request bodies of split orders (workflow 03): the cart, the checkout, shipping and positions."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from chalicelib.checkout.cart import SubmittedItem, SubmittedSection
from chalicelib.checkout.supplier_schemas import AttributeName, AttributeValue
from chalicelib.checkout.tracking import Method
from chalicelib.http.fields import AddressIn, Id, MoneyIn, PointIn, PositiveMoneyIn, Strict, example

Quantity = Annotated[int, Field(ge=1, le=99)]


class CartItemIn(Strict):
    supplier_id: Id
    product_id: Id
    quantity: Quantity = 1


class CartIn(Strict):
    model_config = example({"items": [{"supplier_id": "s_demo_books", "product_id": "p_novel", "quantity": 1},
                                      {"supplier_id": "s_demo_cards", "product_id": "p_gift_100"}]})

    items: Annotated[list[CartItemIn], Field(min_length=1, max_length=50)]


class CheckoutItemIn(Strict):
    product_id: Id
    quantity: Quantity
    unit_price: MoneyIn | None = None
    """What the app showed; if the catalogue's price differs, the checkout is refused."""
    attributes: Annotated[dict[AttributeName, AttributeValue], Field(max_length=10)] = Field(default_factory=dict)

    def submitted(self) -> SubmittedItem:
        shown = None if self.unit_price is None else self.unit_price.to_money()
        return SubmittedItem(self.product_id, self.quantity, shown, tuple(self.attributes.items()))


class SectionIn(Strict):
    supplier_id: Id
    items: Annotated[list[CheckoutItemIn], Field(min_length=1, max_length=50)]
    address: AddressIn | None = None
    """Needed (with lat/lng) when the section holds physical goods; ignored otherwise."""

    def submitted(self) -> SubmittedSection:
        return SubmittedSection(self.supplier_id, tuple(i.submitted() for i in self.items),
                                None if self.address is None else self.address.to_address())


CouponCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_\-]{2,31}$")]


class CouponIn(Strict):
    model_config = example({"code": "WELCOME10", "amount_off": {"amount": 1000, "currency": "CNY"},
                            "min_subtotal": {"amount": 5000, "currency": "CNY"}})

    code: CouponCode
    amount_off: PositiveMoneyIn
    """Taken off a checkout's goods in this currency (and only in it)."""
    min_subtotal: MoneyIn | None = None
    """The goods a checkout needs for the coupon to apply, in the coupon's currency (omitted: none)."""
    active: bool = True


class CouponPatch(Strict):
    model_config = example({"active": False})

    active: bool


class PurchaseIn(Strict):
    model_config = example({"sections": [
        {"supplier_id": "s_demo_books",
         "items": [{"product_id": "p_novel", "quantity": 1, "unit_price": {"amount": 4500, "currency": "CNY"}}],
         "address": {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}},
        {"supplier_id": "s_demo_cards", "items": [{"product_id": "p_gift_100", "quantity": 1}]},
    ]})

    sections: Annotated[list[SectionIn], Field(min_length=1, max_length=20)]
    coupon: CouponCode | None = None

    @field_validator("sections")
    @classmethod
    def _not_too_many_items(cls, sections: list[SectionIn]) -> list[SectionIn]:
        # One transaction holds the purchase and one reservation per product (DynamoDB: ≤ 100 items).
        if sum(len(s.items) for s in sections) > 50:
            raise ValueError("at most 50 items in one checkout")
        return sections


class ShipIn(Strict):
    model_config = example({"method": "courier", "carrier_id": "carrier_1"})

    method: Method
    carrier_id: Id | None = None
    """The carrier who will report positions (a `carrier` token with this `sub`)."""
    position: PointIn | None = None

    @field_validator("method", mode="before")
    @classmethod
    def _method_text(cls, value: object) -> object:
        return Method(value) if isinstance(value, str) and value in Method.__members__.values() else value
