"""The building blocks of every request body (pydantic, strict: `"2"` is not a quantity).

Each package's `schemas.py` composes its bodies from these, so an id, a text, a point or an amount
of money is checked the same way on every route.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from chalicelib.core.address import Address
from chalicelib.core.money import Money

ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
"""Every id a client may choose or that we issue (`ord_<hex>`); paths are checked against it too."""
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
_ID = re.compile(ID_PATTERN)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Latitude = Annotated[float, Field(ge=-90, le=90, strict=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, strict=False)]


def is_id(value: str) -> bool:
    """Whether a path or query value could be an id (if not, it names nothing: no lookup needed)."""
    return _ID.fullmatch(value) is not None


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


MAX_AMOUNT = 100_000_000
"""The largest amount of money any field takes, in minor units (1,000,000.00 of a 2-decimal currency)."""


class MoneyIn(Strict):
    """Money as every request gives it: `{"amount": 1250, "currency": "CNY"}`, an integer number of
    minor units and an ISO 4217 code. A bare number is refused: its currency would be a guess."""

    amount: Annotated[int, Field(ge=0, le=MAX_AMOUNT)]
    currency: Currency

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: object) -> object:
        if not isinstance(value, dict | BaseModel):  # a bare number: say what money looks like here
            raise PydanticCustomError("money", 'money is {"amount": <integer minor units>, "currency": "<ISO 4217>"}')
        return value

    def to_money(self) -> Money:
        return Money(self.amount, self.currency)


class PositiveMoneyIn(MoneyIn):
    """Money that must be more than nothing (a coupon's value)."""

    amount: Annotated[int, Field(ge=1, le=MAX_AMOUNT)]


class AddressIn(Strict):
    line1: Text
    city: Text
    line2: Text | None = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None

    def to_address(self) -> Address:
        return Address(line1=self.line1, city=self.city, line2=self.line2, postcode=self.postcode,
                       lat=self.lat, lng=self.lng)


class PointIn(Strict):
    lat: Latitude
    lng: Longitude
