"""Installer dispatch in memory: the installers (with their coverage, areas and ledgers), the
installation requests whose commits write into them, and the completion photos."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, NotFound
from chalicelib.dispatch.installers import Area, Installer, Location
from chalicelib.dispatch.model import ASSIGNED, Installation, LedgerEntry, Status, WorkloadChange
from chalicelib.dispatch.photos import PhotoStore, StoredPhoto
from chalicelib.dispatch.ports import InstallationFilter, InstallationStore, InstallerStore
from chalicelib.persistence.paging import Page
from tests.fakes.entities import InMemoryEntityStore, refuse_unknown
from tests.fakes.paging import Position, page_of, scan_position


class InMemoryInstallerStore(InstallerStore):
    """Installers and the (area, installer) coverage rows written with them; an installer's open
    jobs move only through `add_open_jobs` (what an installation commit's `WorkloadChange` does)."""

    def __init__(self) -> None:
        self._installers: dict[str, Installer] = {}
        self._open_jobs: dict[str, int] = {}
        self._coverage: set[tuple[str, str]] = set()
        self._areas: dict[str, Area] = {}
        self._ledger: dict[tuple[str, str], LedgerEntry] = {}

    # ── installers ──────────────────────────────────────────────────────────────────────────

    def get(self, installer_id: str) -> Installer | None:
        installer = self._installers.get(installer_id)
        return None if installer is None else replace(installer, open_jobs=self._open_jobs.get(installer_id, 0))

    def many(self, installer_ids: list[str]) -> list[Installer]:
        found = (self.get(installer_id) for installer_id in dict.fromkeys(installer_ids))
        return [installer for installer in found if installer is not None]

    def covering(self, area_id: str) -> list[Installer]:
        return self.many(sorted(i for a, i in self._coverage if a == area_id))

    def list(self, area_id: str | None, limit: int, token: str | None) -> Page[Installer]:
        if area_id is None:
            scan = scan_position(self._installers)
            return page_of(self.many(list(self._installers)), limit, token, index="installers",
                           position=lambda i: scan(i.id))
        rows = page_of((i for a, i in self._coverage if a == area_id), limit, token, index="coverage",
                       position=lambda installer_id: (installer_id,))
        return Page(self.many(rows.items), rows.next_token)

    def save(self, installer: Installer, previous_areas: tuple[str, ...] | None) -> Installer:
        stored = self._installers.get(installer.id)
        if previous_areas is None:
            if stored is not None:
                raise AlreadyExists(installer.id)
            self._installers[installer.id] = installer
            self._open_jobs[installer.id] = installer.open_jobs
        else:
            if stored is None or stored.areas != previous_areas:
                raise ConcurrentUpdate(installer.id)  # the Dynamo store's update requires the item, unmoved
            self._installers[installer.id] = replace(
                stored, name=installer.name, phone=installer.phone, areas=installer.areas,
                max_open_jobs=installer.max_open_jobs, active=installer.active, photo_url=installer.photo_url)
        self._coverage |= {(area, installer.id) for area in installer.areas}
        self._coverage -= {(area, installer.id) for area in set(previous_areas or ()) - set(installer.areas)}
        return installer

    def locate(self, installer_id: str, location: Location) -> None:
        stored = self._installers.get(installer_id)
        if stored is None:
            raise NotFound(f"installer {installer_id} not found")
        self._installers[installer_id] = replace(stored, location=location)

    # ── areas ───────────────────────────────────────────────────────────────────────────────

    def area(self, area_id: str) -> Area | None:
        return self._areas.get(area_id)

    def areas(self, limit: int, token: str | None) -> Page[Area]:
        scan = scan_position(self._areas)
        return page_of(self._areas.values(), limit, token, index="areas", position=lambda a: scan(a.id))

    def save_area(self, area: Area, *, create: bool) -> Area:
        if create and area.id in self._areas:
            raise AlreadyExists(area.id)
        self._areas[area.id] = area
        return area

    def update_area(self, area_id: str, changes: Mapping[str, Any]) -> Area | None:
        stored = self._areas.get(area_id)
        if stored is None:
            return None
        self._areas[area_id] = replace(stored, **changes)
        return self._areas[area_id]

    # ── ledger ──────────────────────────────────────────────────────────────────────────────

    def ledger(self, installer_id: str, limit: int, token: str | None) -> Page[LedgerEntry]:
        entries = (e for (i, _), e in self._ledger.items() if i == installer_id)
        return page_of(entries, limit, token, index="ledger", position=lambda e: (e.entry_id,), descending=True)

    # ── what an installation commit writes ──────────────────────────────────────────────────

    def record(self, entry: LedgerEntry) -> None:
        """A deduction, keyed by its entry id: the same entry written twice is one entry."""
        self._ledger[(entry.installer_id, entry.entry_id)] = entry

    def add_open_jobs(self, installer_id: str, delta: int) -> None:
        self._open_jobs[installer_id] = self._open_jobs.get(installer_id, 0) + delta


def _created(request: Installation) -> Position:
    return request.created_at, request.id


class InMemoryInstallationStore(InMemoryEntityStore[Installation], InstallationStore):
    """Installation requests; a commit's `LedgerEntry` and `WorkloadChange` records go into the
    installers' store with it (all or nothing: an unknown record fails the whole write)."""

    def __init__(self, installers: InMemoryInstallerStore, shards: int = 16) -> None:
        super().__init__(shards)
        self.installers = installers

    def apply_writes(self, entity_id: str, writes: tuple[object, ...]) -> None:
        refuse_unknown(self, writes, (LedgerEntry, WorkloadChange))
        for record in writes:
            if isinstance(record, LedgerEntry):
                self.installers.record(record)
            elif isinstance(record, WorkloadChange):
                self.installers.add_open_jobs(record.installer_id, record.delta)

    # ── reads ───────────────────────────────────────────────────────────────────────────────

    def for_installer(self, installer_id: str, open_only: bool, limit: int, token: str | None) -> Page[Installation]:
        return page_of(self._assigned_to(installer_id), limit, token, index="installations.by_installer",
                       position=_created, descending=True, matches=lambda r: not open_only or r.status in ASSIGNED)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Installation]:
        return page_of((r for r in self.entities() if r.customer_id == customer_id), limit, token,
                       index="installations.by_customer", position=_created, descending=True)

    def awaiting_installer(self, area_id: str, limit: int) -> list[Installation]:
        return page_of(self._awaiting(area_id), limit, None, index="installations.awaiting_installer",
                       position=_created).items

    def search(self, wanted: InstallationFilter, limit: int, token: str | None) -> Page[Installation]:
        """The Dynamo store's choice of index for the filter, the rest of the filter after `Limit`."""
        if wanted.installer_id is not None:
            return page_of(self._assigned_to(wanted.installer_id), limit, token, index="installations.by_installer",
                           position=_created, descending=True, matches=lambda r: _wanted(r, wanted, "installer"))
        if wanted.area_id is not None and wanted.status is Status.PENDING:
            return page_of(self._awaiting(wanted.area_id), limit, token, index="installations.awaiting_installer",
                           position=_created, matches=lambda r: _wanted(r, wanted, "area"))
        area_id = wanted.area_id
        if area_id is not None:
            return page_of((r for r in self.entities() if r.area_id == area_id), limit, token,
                           index="installations.by_area", position=_created, descending=True,
                           matches=lambda r: _wanted(r, wanted, "area"))
        scan = scan_position(self._items)
        return page_of(self.entities(), limit, token, index="installations", position=lambda r: scan(r.id),
                       matches=lambda r: _wanted(r, wanted, ""))

    def _assigned_to(self, installer_id: str) -> list[Installation]:
        return [r for r in self.entities() if r.installer_id == installer_id]

    def _awaiting(self, area_id: str) -> list[Installation]:
        return [r for r in self.entities() if r.status is Status.PENDING and r.area_id == area_id]


def _wanted(request: Installation, wanted: InstallationFilter, skip: str) -> bool:
    """The console's filter, but for the part the index already selects (`skip`)."""
    return ((wanted.status is None or request.status is wanted.status)
            and (wanted.area_id is None or skip == "area" or request.area_id == wanted.area_id)
            and (wanted.installer_id is None or skip == "installer" or request.installer_id == wanted.installer_id)
            and (wanted.flagged is None or (request.flag is not None) is wanted.flagged)
            and (wanted.revoked is None or (request.revocations > 0) is wanted.revoked))


class InMemoryPhotoStore(PhotoStore):
    """Photos in a dict. `presign_upload` hands out a POST like S3's; `put` is what the installer
    app's upload to it leaves behind (the presigned POST itself is S3's business)."""

    def __init__(self, bucket: str = "ontime-photos") -> None:
        self.bucket = bucket
        self.objects: dict[str, StoredPhoto] = {}

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_s: int) -> dict[str, Any]:
        return {"url": f"https://{self.bucket}.s3.amazonaws.com/",
                "fields": {"key": key, "Content-Type": content_type, "policy": f"max {max_bytes} for {expires_s} s"}}

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self.objects[key] = StoredPhoto(key, len(body), content_type)

    def uploaded(self, prefix: str) -> dict[str, StoredPhoto]:
        keys = sorted(k for k in self.objects if k.startswith(prefix))[:100]
        return {key.removeprefix(prefix).rsplit(".", 1)[0]: self.objects[key] for key in keys}
