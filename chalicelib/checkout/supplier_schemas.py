"""Request bodies of the supplier catalogue and saved addresses (workflow 03), as strict as the rest."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from chalicelib.http.fields import AddressIn, Currency, Id, MoneyIn, Strict, Text, example

AttributeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,29}$")]
"""What the checkout accepts as an attribute name (`size`, `colour`): the two must stay equal."""
AttributeValue = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Category = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_\-]{1,40}$")]
Attributes = Annotated[
    dict[AttributeName, Annotated[list[AttributeValue], Field(min_length=1, max_length=30)]], Field(max_length=10)]


class ShippingFeeIn(MoneyIn):
    amount: Annotated[int, Field(ge=0, le=10_000_000)]


class SupplierIn(Strict):
    model_config = example({"supplier_id": "s_tea_house", "name": "Tea house", "currency": "CNY",
                            "shipping_fee": {"amount": 800, "currency": "CNY"}})

    supplier_id: Id | None = None
    name: Text
    currency: Currency
    """What the supplier sells in: its shipping fee and every price of its products."""
    shipping_fee: ShippingFeeIn | None = None
    """Charged once per supplier group with physical goods, in `currency` (omitted: none)."""
    active: bool = True


class SupplierPatch(Strict):
    model_config = example({"shipping_fee": {"amount": 500, "currency": "CNY"}})

    name: Text | None = None
    currency: Currency | None = None
    shipping_fee: ShippingFeeIn | None = None
    """In the supplier's currency (the one this patch sets, if it sets one)."""
    active: bool | None = None


class ProductIn(Strict):
    """The whole product (`PUT`). `stock` counts only when the product is created; afterwards stock
    moves by `restock` deltas alone (see `SupplierCatalogue`), so resending the body is harmless."""

    model_config = example(
        {"name": "Three-Body Problem", "price": {"amount": 4500, "currency": "CNY"}, "stock": 100, "kind": "physical",
         "category": "books"},
        {"name": "Runner", "price": {"amount": 39900, "currency": "CNY"}, "kind": "physical", "category": "shoes",
         "attributes": {"size": ["40", "41", "42"]}})

    name: Text
    price: MoneyIn
    """In the supplier's currency."""
    stock: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    kind: Literal["physical", "virtual"]
    category: Category
    attributes: Attributes = Field(default_factory=dict)
    on_sale: bool = True

    @field_validator("attributes")
    @classmethod
    def _distinct_values(cls, attributes: dict[str, list[str]]) -> dict[str, list[str]]:
        repeated = [name for name, values in attributes.items() if len(set(values)) != len(values)]
        if repeated:
            raise ValueError(f"values repeat within {', '.join(repeated)}")
        return attributes


class RestockIn(Strict):
    model_config = example({"delta": 20})

    delta: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
    """Units to add (positive) or take out (negative); stock never goes below zero."""

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, delta: int) -> int:
        if delta == 0:
            raise ValueError("a restock moves at least one unit")
        return delta


class SavedAddressIn(Strict):
    model_config = example(
        {"label": "Home", "address": {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737},
         "default": True})

    label: Text
    address: AddressIn
    """`lat`/`lng` are optional here; the checkout asks for them when physical goods ship to it."""
    default: bool = False
