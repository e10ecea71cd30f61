"""A postal address with an optional point on the map: where an order, an installation or a parcel goes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Address:
    line1: str
    city: str
    line2: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lng: float | None = None

    def as_map(self) -> dict[str, Any]:
        """The address as a plain map, without the parts it does not have (wire and storage)."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_map(cls, data: dict[str, Any]) -> Address:
        lat, lng = data.get("lat"), data.get("lng")
        return cls(line1=str(data["line1"]), city=str(data["city"]), line2=data.get("line2"),
                   postcode=data.get("postcode"), lat=None if lat is None else float(lat),
                   lng=None if lng is None else float(lng))
