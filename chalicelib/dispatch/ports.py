"""What installer dispatch needs stored (DynamoDB: `installation_store.py`, `installer_store.py`;
in memory: the tests' fakes) and the console's filter of installation requests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.dispatch.installers import Area, Installer, Location
from chalicelib.dispatch.model import Installation, LedgerEntry, Status
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import EntityStore


@dataclass(frozen=True)
class InstallationFilter:
    """What the management console filters by; every field is optional."""

    status: Status | None = None
    area_id: str | None = None
    installer_id: str | None = None
    flagged: bool | None = None
    revoked: bool | None = None


class InstallationStore(EntityStore[Installation], Protocol):
    """Installation requests. Its commits also write the decider's records: a `LedgerEntry`
    into the installer's ledger and a `WorkloadChange` to the installer's open jobs."""

    def get(self, request_id: str) -> Installation | None: ...

    def for_installer(self, installer_id: str, open_only: bool, limit: int, token: str | None) -> Page[Installation]:
        """The requests (last) dispatched to an installer, newest first; only assigned ones if `open_only`."""
        ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Installation]: ...

    def awaiting_installer(self, area_id: str, limit: int) -> list[Installation]:
        """Pending requests of an area, oldest first."""
        ...

    def search(self, wanted: InstallationFilter, limit: int, token: str | None) -> Page[Installation]:
        """The console's list (a page may be short and still have a `next_token`)."""
        ...


class InstallerStore(Protocol):
    """Installers, the areas they cover, and their ledgers."""

    def get(self, installer_id: str) -> Installer | None: ...

    def many(self, installer_ids: list[str]) -> list[Installer]: ...

    def covering(self, area_id: str) -> list[Installer]:
        """Every installer who covers an area."""
        ...

    def list(self, area_id: str | None, limit: int, token: str | None) -> Page[Installer]: ...

    def save(self, installer: Installer, previous_areas: tuple[str, ...] | None) -> Installer:
        """Create (`previous_areas` None: `AlreadyExists` if taken) or update an installer with the
        areas it covers, never its open-job counter (only dispatch transitions move that). An update
        is a `ConcurrentUpdate` if the stored areas are no longer `previous_areas`."""
        ...

    def locate(self, installer_id: str, location: Location) -> None: ...

    def area(self, area_id: str) -> Area | None: ...

    def areas(self, limit: int, token: str | None) -> Page[Area]: ...

    def save_area(self, area: Area, *, create: bool) -> Area:
        """Create-only (`AlreadyExists`), or overwrite."""
        ...

    def update_area(self, area_id: str, changes: Mapping[str, Any]) -> Area | None:
        """Set these of `name`, `remind_after_s`, `revoke_after_s`, `deduction` (None: none) and no
        other field, in one write; the area as it then is, or None if there is no such area."""
        ...

    def ledger(self, installer_id: str, limit: int, token: str | None) -> Page[LedgerEntry]:
        """An installer's deductions, newest first."""
        ...
