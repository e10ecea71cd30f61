"""Request bodies of the catalogue: merchants (name, zone, business hours, answer window) and products."""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from chalicelib.catalogue.model import WEEKDAYS
from chalicelib.http.fields import Currency, Id, MoneyIn, Strict, Text, example

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
Hours = dict[str, list[Annotated[list[str], Field(min_length=2, max_length=2)]]]
Stock = Annotated[int, Field(ge=0, le=1_000_000)]
PerOrder = Annotated[int, Field(ge=1, le=99)]


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
    model_config = example(
        {"merchant_id": "m_noodle_bar", "name": "Noodle bar", "time_zone": "Asia/Shanghai", "answer_window_s": 120,
         "business_hours": {"mon": [["10:00", "14:00"], ["17:00", "22:00"]]}})

    name: Text
    time_zone: str
    business_hours: Hours | None = None
    answer_window_s: int | None = None
    currency: Currency = "CNY"
    verified: bool = True
    paused: bool = False
    merchant_id: Id | None = None

    _zone = field_validator("time_zone")(lambda cls, v: _check_zone(v))
    _hours = field_validator("business_hours")(lambda cls, v: _check_hours(v))


class MerchantPatch(Strict):
    model_config = example({"paused": True})

    name: Text | None = None
    time_zone: str | None = None
    business_hours: Hours | None = None
    answer_window_s: int | None = None
    paused: bool | None = None
    verified: bool | None = None

    _zone = field_validator("time_zone")(lambda cls, v: _check_zone(v))
    _hours = field_validator("business_hours")(lambda cls, v: _check_hours(v))


class ProductIn(Strict):
    model_config = example({"product_id": "p_wontons", "name": "Wonton soup",
                            "price": {"amount": 1800, "currency": "CNY"}, "stock": 200})

    name: Text
    price: MoneyIn
    """In the merchant's currency."""
    stock: Stock
    on_sale: bool = True
    max_per_order: PerOrder = 20
    product_id: Id | None = None


class ProductPatch(Strict):
    model_config = example({"price": {"amount": 2600, "currency": "CNY"}, "stock": 450})

    name: Text | None = None
    price: MoneyIn | None = None
    stock: Stock | None = None
    on_sale: bool | None = None
    max_per_order: PerOrder | None = None
