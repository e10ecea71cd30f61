"""Request bodies of the public API (pydantic, strict: `"2"` is not a quantity)."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from chalicelib.catalog.model import WEEKDAYS
from chalicelib.orders.model import Address, RejectReason

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"
"""Every id a client may choose or that we issue (`ord_<hex>`); paths are checked against it too."""
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
_ID = re.compile(ID_PATTERN)


def is_id(value: str) -> bool:
    """Whether a path or query value could be an id (if not, it names nothing: no lookup needed)."""
    return _ID.fullmatch(value) is not None
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class AddressIn(Strict):
    line1: Text
    city: Text
    line2: Text | None = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90, strict=False)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180, strict=False)] | None = None

    def to_address(self) -> Address:
        return Address(line1=self.line1, city=self.city, line2=self.line2, postcode=self.postcode,
                       lat=self.lat, lng=self.lng)


class ItemIn(Strict):
    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=99)]
    unit_price: Annotated[int, Field(ge=0)] | None = None
    """What the app showed; if it differs from the catalogue the order is refused (price changed)."""


class PlaceOrderIn(Strict):
    merchant_id: Id
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=50)]
    delivery_address: AddressIn
    note: Note | None = None


class ResubmitIn(Strict):
    items: Annotated[list[ItemIn], Field(min_length=1, max_length=50)]
    delivery_address: AddressIn
    note: Note | None = None


class ActionIn(Strict):
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


Hours = dict[str, list[Annotated[list[str], Field(min_length=2, max_length=2)]]]


def _check_hours(hours: Hours | None) -> Hours | None:
    if hours is None:
        return None
    for day, spans in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
        for opens, closes in spans:
            if not _HHMM.match(opens) or not _HHMM.match(closes):
                raise ValueError(f"{day}: times are HH:MM (00:00–24:00)")
            if opens == closes:
                raise ValueError(f"{day}: an opening interval cannot be empty")
    return hours


def _check_zone(zone: str | None) -> str | None:
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "America" is a directory; long names: ENAMETOOLONG
        raise ValueError(f"unknown time zone {zone!r}") from None
    return zone


class MerchantIn(Strict):
    name: Text
    time_zone: str
    business_hours: Hours | None = None
    answer_window_s: int | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    verified: bool = True
    paused: bool = False
    merchant_id: Id | None = None

    _zone = field_validator("time_zone")(lambda cls, v: _check_zone(v))
    _hours = field_validator("business_hours")(lambda cls, v: _check_hours(v))


class MerchantPatch(Strict):
    name: Text | None = None
    time_zone: str | None = None
    business_hours: Hours | None = None
    answer_window_s: int | None = None
    paused: bool | None = None
    verified: bool | None = None

    _zone = field_validator("time_zone")(lambda cls, v: _check_zone(v))
    _hours = field_validator("business_hours")(lambda cls, v: _check_hours(v))


class ProductIn(Strict):
    name: Text
    price: Annotated[int, Field(ge=0, le=100_000_000)]
    stock: Annotated[int, Field(ge=0, le=1_000_000)]
    on_sale: bool = True
    max_per_order: Annotated[int, Field(ge=1, le=99)] = 20
    product_id: Id | None = None


class ProductPatch(Strict):
    name: Text | None = None
    price: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    stock: Annotated[int, Field(ge=0, le=1_000_000)] | None = None
    on_sale: bool | None = None
    max_per_order: Annotated[int, Field(ge=1, le=99)] | None = None


class DevTokenIn(Strict):
    role: Literal["customer", "merchant", "installer", "supplier", "carrier", "ops"]
    sub: Id
    merchant_id: Id | None = None
    supplier_id: Id | None = None
