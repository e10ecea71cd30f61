"""Ops-managed work state: areas (with their escalation periods and deduction) and installers
(the areas they cover, capacity, live location reported by the installer app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.core.clock import Clock
from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import AlreadyExists, AlreadyTaken, FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.money import Money
from chalicelib.dispatch.installers import Area, Installer, Location
from chalicelib.dispatch.model import LedgerEntry
from chalicelib.dispatch.ports import InstallerStore
from chalicelib.dispatch.settings import DispatchSettings
from chalicelib.persistence.paging import Page

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.dispatch.schemas import AreaIn, AreaPatch, InstallerIn, InstallerPatch
    from chalicelib.http.fields import MoneyIn, PointIn

RECENT_MS = 5_000
"""How long a container trusts an area's settings or an installer's areas without reading them
again (as with the catalogue): both change rarely, and a change made through this container is
seen at once."""

Available = Callable[[tuple[str, ...]], None]
"""Called when installers may have become available in these areas (pending requests retry)."""


class Workforce:
    def __init__(self, store: InstallerStore, clock: Clock, settings: DispatchSettings) -> None:
        self.store = store
        self._clock = clock
        self._settings = settings
        self.on_available: Available = lambda areas: None
        self._recent_areas: dict[str, tuple[int, Area]] = {}
        self._recent_coverage: dict[str, tuple[int, tuple[str, ...]]] = {}

    # ── what dispatching reads on every choice (cached briefly) ─────────────────────────────

    def area_settings(self, area_id: str) -> Area | None:
        now = self._clock.now_ms()
        recent = self._recent_areas.get(area_id)
        if recent is not None and recent[0] > now:
            return recent[1]
        area = self.store.area(area_id)
        if area is not None:  # an unknown area is not remembered: it may be created any moment
            self._recent_areas[area_id] = (now + RECENT_MS, area)
        return area

    def areas_of(self, installer_id: str) -> tuple[str, ...]:
        now = self._clock.now_ms()
        recent = self._recent_coverage.get(installer_id)
        if recent is not None and recent[0] > now:
            return recent[1]
        installer = self.store.get(installer_id)
        areas = () if installer is None else installer.areas
        self._recent_coverage[installer_id] = (now + RECENT_MS, areas)
        return areas

    # ── areas ───────────────────────────────────────────────────────────────────────────────

    def create_area(self, caller: Principal, body: AreaIn) -> Area:
        caller.require(Role.OPS)
        s = self._settings
        deduction = s.default_deduction if "deduction" not in body.model_fields_set else _money(body.deduction)
        area = Area(id=body.area_id or new_id("area"), name=body.name,
                    remind_after_s=body.remind_after_s or s.default_remind_after_s,
                    revoke_after_s=body.revoke_after_s or s.default_revoke_after_s,
                    deduction=deduction, created_at=self._clock.now_ms())
        self._check_periods(area)
        try:
            saved = self.store.save_area(area, create=True)
        except AlreadyExists:
            raise AlreadyTaken(f"area {area.id} already exists", area_id=area.id) from None
        self._recent_areas.pop(saved.id, None)
        return saved

    def patch_area(self, caller: Principal, area_id: str, patch: AreaPatch) -> Area:
        caller.require(Role.OPS)
        area = self.area(area_id)
        changes: dict[str, Any] = {}
        for name in ("name", "remind_after_s", "revoke_after_s"):
            if name in patch.model_fields_set:
                value = getattr(patch, name)
                if value is None:
                    raise ValidationFailed("a field cannot be cleared", [FieldError(name, "cannot be null")])
                changes[name] = value
        if "deduction" in patch.model_fields_set:
            changes["deduction"] = _money(patch.deduction)
        self._check_periods(replace(area, **changes))
        # Only the patched fields are written: `area` may be a few seconds old (cached), and
        # writing it whole would undo what another container changed meanwhile.
        saved = self.store.update_area(area_id, changes)
        self._recent_areas.pop(area_id, None)
        if saved is None:
            raise NotFound(f"area {area_id} not found")
        return saved

    def area(self, area_id: str) -> Area:
        area = self.area_settings(area_id)
        if area is None:
            raise NotFound(f"area {area_id} not found")
        return area

    def areas(self, caller: Principal, limit: int, token: str | None) -> Page[Area]:
        caller.require(Role.OPS)
        return self.store.areas(limit, token)

    def _check_periods(self, area: Area) -> None:
        low = self._settings.min_period_s
        errors = [FieldError(name, f"at least {low} seconds") for name in ("remind_after_s", "revoke_after_s")
                  if getattr(area, name) < low]
        if errors:
            raise ValidationFailed("an escalation period is too short", errors)

    # ── installers ──────────────────────────────────────────────────────────────────────────

    def create_installer(self, caller: Principal, body: InstallerIn) -> Installer:
        caller.require(Role.OPS)
        self._check_areas(body.areas)
        installer = Installer(id=body.installer_id, name=body.name, phone=body.phone, areas=tuple(body.areas),
                              created_at=self._clock.now_ms(), photo_url=body.photo_url,
                              max_open_jobs=body.max_open_jobs, active=body.active)
        try:
            saved = self.store.save(installer, previous_areas=None)
        except AlreadyExists:
            raise AlreadyTaken(f"installer {installer.id} already exists", installer_id=installer.id) from None
        self.on_available(saved.areas)
        return saved

    def patch_installer(self, caller: Principal, installer_id: str, patch: InstallerPatch) -> Installer:
        caller.require(Role.OPS)
        self.installer(caller, installer_id)
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        for name in ("name", "phone", "areas", "max_open_jobs", "active"):
            if name in changes and changes[name] is None:
                raise ValidationFailed("a field cannot be cleared", [FieldError(name, "cannot be null")])
        if "areas" in changes:
            self._check_areas(changes["areas"])
            changes["areas"] = tuple(changes["areas"])

        def save() -> Installer:
            # Re-read each time: the coverage rows move from the areas as they are stored now.
            installer = self.installer(caller, installer_id)
            return self.store.save(replace(installer, **changes), previous_areas=installer.areas)

        changed = retry_contended(save, sleep_ms=self._clock.sleep_ms)
        self._recent_coverage.pop(installer_id, None)
        saved = self.store.get(installer_id) or changed
        self.on_available(saved.areas)
        return saved

    def installer(self, caller: Principal, installer_id: str) -> Installer:
        """Ops see every installer; an installer sees themselves."""
        if caller.role is not Role.OPS and not (caller.role is Role.INSTALLER and caller.sub == installer_id):
            raise NotFound(f"installer {installer_id} not found")
        installer = self.store.get(installer_id)
        if installer is None:
            raise NotFound(f"installer {installer_id} not found")
        return installer

    def installers(self, caller: Principal, area_id: str | None, limit: int, token: str | None) -> Page[Installer]:
        caller.require(Role.OPS)
        return self.store.list(area_id, limit, token)

    def locate(self, caller: Principal, body: PointIn) -> Installer:
        caller.require(Role.INSTALLER)
        installer = self.installer(caller, caller.sub)
        location = Location(body.lat, body.lng, self._clock.now_ms())
        self.store.locate(installer.id, location)
        return replace(installer, location=location)

    def ledger(self, caller: Principal, installer_id: str, limit: int, token: str | None) -> Page[LedgerEntry]:
        self.installer(caller, installer_id)
        return self.store.ledger(installer_id, limit, token)

    def _check_areas(self, area_ids: list[str]) -> None:
        errors = [FieldError(f"areas[{n}]", f"no area {a!r}") for n, a in enumerate(area_ids)
                  if self.store.area(a) is None]
        if errors:
            raise ValidationFailed("an installer can only cover existing areas", errors)


def _money(body: MoneyIn | None) -> Money | None:
    return None if body is None else body.to_money()
