"""Installers' work state and the rule that picks one for a request. Pure: no I/O.

The rule (documented in `docs/decisions.md`): among the installers who are active, cover the
request's area, have room for another job (`open_jobs < max_open_jobs`) and have not let this
request lapse before, take the lowest

    score = distance to the address in km + JOB_WEIGHT_KM × open jobs

so one open job weighs as much as 5 km of travel; an installer whose location is unknown counts
as UNKNOWN_DISTANCE_KM away. Ties go to fewer open jobs, then to the smaller id (deterministic).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chalicelib.core.geo import distance_km
from chalicelib.core.money import Money
from chalicelib.dispatch.model import Installation, InstallerCard, Periods

JOB_WEIGHT_KM = 5.0
UNKNOWN_DISTANCE_KM = 50.0


@dataclass(frozen=True)
class Location:
    lat: float
    lng: float
    at: int


@dataclass(frozen=True)
class Installer:
    id: str
    name: str
    phone: str
    areas: tuple[str, ...]
    created_at: int
    photo_url: str | None = None
    open_jobs: int = 0
    max_open_jobs: int = 5
    active: bool = True
    location: Location | None = None

    @property
    def card(self) -> InstallerCard:
        return InstallerCard(self.id, self.name, self.phone, self.photo_url)

    @property
    def has_room(self) -> bool:
        return self.active and self.open_jobs < self.max_open_jobs


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    remind_after_s: int
    revoke_after_s: int
    deduction: Money | None
    created_at: int

    @property
    def periods(self) -> Periods:
        return Periods(self.remind_after_s * 1000, self.revoke_after_s * 1000, self.deduction)


def eligible(request: Installation, installer: Installer) -> bool:
    return (installer.has_room and request.area_id in installer.areas
            and installer.id not in request.lapsed and installer.id != request.installer_id)


def score(request: Installation, installer: Installer) -> float:
    return _distance(request, installer) + JOB_WEIGHT_KM * installer.open_jobs


def choose(request: Installation, candidates: Iterable[Installer]) -> Installer | None:
    ranked = sorted((i for i in candidates if eligible(request, i)),
                    key=lambda i: (score(request, i), i.open_jobs, i.id))
    return ranked[0] if ranked else None


def _distance(request: Installation, installer: Installer) -> float:
    address, here = request.address, installer.location
    if here is None or address.lat is None or address.lng is None:
        return UNKNOWN_DISTANCE_KM
    return distance_km(address.lat, address.lng, here.lat, here.lng)
