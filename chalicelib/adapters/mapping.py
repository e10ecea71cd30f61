"""Pieces of the item ↔ domain mapping that several stores share."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.models import AddressMap
from chalicelib.orders.model import Address


def int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def address_item(a: Address) -> AddressMap:
    return AddressMap(line1=a.line1, city=a.city, line2=a.line2, postcode=a.postcode, lat=a.lat, lng=a.lng)


def address_of(item: AddressMap) -> Address:
    return Address(line1=item.line1, city=item.city, line2=item.line2, postcode=item.postcode,
                   lat=float_or_none(item.lat), lng=float_or_none(item.lng))
