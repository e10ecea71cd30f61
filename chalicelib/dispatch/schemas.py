"""Request bodies of installer dispatch (workflow 02), as strict as those of workflow 01."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.dispatch.photos import MAX_PHOTOS, PHOTO_TYPES
from chalicelib.http.fields import AddressIn, Id, Instant, Latitude, Longitude, MoneyIn, Note, Strict, Text, example

Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 \-]{4,19}$")]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://\S+$", max_length=500)]
Seconds = Annotated[int, Field(ge=1, le=86_400)]


class AreaIn(Strict):
    model_config = example(
        {"area_id": "area_pudong", "name": "Pudong", "remind_after_s": 600, "revoke_after_s": 1200,
         "deduction": {"amount": 500, "currency": "CNY"}})

    name: Text
    area_id: Id | None = None
    remind_after_s: Seconds | None = None
    revoke_after_s: Seconds | None = None
    deduction: MoneyIn | None = None
    """Omitted: the platform's default deduction; `null`: no deduction in this area."""


class AreaPatch(Strict):
    model_config = example({"remind_after_s": 900})

    name: Text | None = None
    remind_after_s: Seconds | None = None
    revoke_after_s: Seconds | None = None
    deduction: MoneyIn | None = None
    """Omitted: unchanged; `null`: no deduction from now on."""


class InstallerIn(Strict):
    model_config = example(
        {"installer_id": "i_zhang", "name": "Zhang Wei", "phone": "+86 138 0000 0003", "areas": ["area_demo"]})

    installer_id: Id
    """The installer's user id (`sub` of their token)."""
    name: Text
    phone: Phone
    areas: Annotated[list[Id], Field(min_length=1, max_length=50)]
    photo_url: HttpsUrl | None = None
    max_open_jobs: Annotated[int, Field(ge=1, le=50)] = 5
    active: bool = True


class InstallerPatch(Strict):
    model_config = example({"max_open_jobs": 3})

    name: Text | None = None
    phone: Phone | None = None
    areas: Annotated[list[Id], Field(min_length=1, max_length=50)] | None = None
    photo_url: HttpsUrl | None = None
    max_open_jobs: Annotated[int, Field(ge=1, le=50)] | None = None
    active: bool | None = None


class InstallationAddressIn(AddressIn):
    lat: Latitude  # required here: the installer is chosen by distance
    lng: Longitude


class InstallationIn(Strict):
    model_config = example(
        {"area_id": "area_demo", "product": "Air conditioner", "note": "Third floor, no lift",
         "address": {"line1": "200 Huaihai Road", "city": "Shanghai", "lat": 31.2243, "lng": 121.4692}})

    area_id: Id
    product: Text
    address: InstallationAddressIn
    customer_id: Id | None = None
    """Required when ops create the request; a customer creates requests for themselves only."""
    preferred_time: Instant | None = None
    note: Note | None = None
    order_id: Id | None = None


class AssignIn(Strict):
    model_config = example({"installer_id": "i_demo_2", "attempt": 1})

    installer_id: Id
    attempt: Annotated[int, Field(ge=0)]
    """The dispatch number the manager saw: assigning twice from one view gives one outcome."""


class CancelIn(Strict):
    model_config = example({"reason": "No longer needed"})

    reason: Note | None = None


class DispatchActionIn(Strict):
    model_config = example(
        {"action": "confirm"},
        {"action": "complete", "service_code": "4821", "photos": ["ph_1a2b3c"]})

    action: Literal["confirm", "start", "complete"]
    service_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=12)] | None = None
    photos: Annotated[list[Id], Field(max_length=MAX_PHOTOS)] = []

    @model_validator(mode="after")
    def _complete_needs_photos(self) -> DispatchActionIn:
        if self.action == "complete" and not self.photos:
            raise ValueError("complete needs at least one uploaded photo id in `photos`")
        if self.action != "complete" and (self.photos or self.service_code is not None):
            raise ValueError("only complete takes `service_code` and `photos`")
        return self


class PhotoIn(Strict):
    model_config = example({"content_type": "image/jpeg", "size_bytes": 240000})

    content_type: Literal[tuple(PHOTO_TYPES)]  # type: ignore[valid-type]
    size_bytes: Annotated[int, Field(ge=1)]
