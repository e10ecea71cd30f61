"""The building blocks of every request body (pydantic, strict: `"2"` is not a quantity).

Each package's `schemas.py` composes its bodies from these, so an id, a text, a point or an amount
of money is checked the same way on every route.

Strict means JSON's own types, as documented: a number is a JSON number (`5`, not `"5"`; never
`true`, which lax pydantic reads as 1), a text a JSON string, a flag `true` or `false`. Every
body model derives from `Strict`; the types below are strict on their own as well, so they stay
strict in any model. A time is the one thing JSON has no type for: it is an ISO 8601 string
(`Instant`), never a number of seconds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.core.address import Address
from chalicelib.core.ids import ID_PATTERN
from chalicelib.core.money import Money

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
"""An id (`core/ids.py`: what we issue, and what a client may choose)."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
COORDINATE_DECIMALS = 7
"""About a centimetre. Also keeps every coordinate storable: DynamoDB refuses numbers of magnitude
below 1e-130, which a float such as 2.6e-201 is (the contract tests sent one: a 500)."""
_Coordinate = AfterValidator(lambda degrees: round(degrees, COORDINATE_DECIMALS) + 0.0)
Latitude = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-90, le=90), _Coordinate]
"""Degrees north, a JSON number (an integer is fine: `31` is 31.0)."""
Longitude = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-180, le=180), _Coordinate]
"""Degrees east, a JSON number."""


def _iso_8601(value: object) -> object:
    # Lax pydantic would also take 1700000000 or "1700000000" as a time; strict takes no string.
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 string with a time zone, e.g. 2026-11-23T09:00:00Z")
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 string with a time zone, e.g. 2026-11-23T09:00:00Z") from None


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_8601)]
"""A moment, as an ISO 8601 string with its offset (`2026-11-23T09:00:00Z`, `…+08:00`)."""


def example(*bodies: dict[str, Any]) -> ConfigDict:
    """A request model's examples, as its `model_config` (merged with `Strict`'s): the API document
    shows them, and the tests send them, so each must be a valid body."""
    return ConfigDict(json_schema_extra={"examples": list(bodies)})


class Strict(BaseModel):
    """Every request body: strict, no undeclared member, and its validator built when a request first
    needs it (`defer_build`), not when its module is imported."""

    model_config = ConfigDict(strict=True, extra="forbid", defer_build=True)


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
    model_config = example({"lat": 31.2304, "lng": 121.4737})

    lat: Latitude
    lng: Longitude
