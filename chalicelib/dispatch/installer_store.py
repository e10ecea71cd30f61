"""Installers, the areas they cover, and their ledgers in DynamoDB."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.core.money import Money
from chalicelib.dispatch.installers import Area, Installer, Location
from chalicelib.dispatch.model import LedgerEntry
from chalicelib.dispatch.tables import AreaModel, CoverageModel, InstallerModel, LedgerModel
from chalicelib.persistence.entity_store import connection_of, get_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import contended, lost_condition, raise_if_contended, save_new


class DynamoInstallerStore:
    # ── installers ──────────────────────────────────────────────────────────────────────────

    def get(self, installer_id: str) -> Installer | None:
        item = get_or_none(InstallerModel, installer_id, consistent=True)
        return None if item is None else _installer(item)

    def many(self, installer_ids: list[str]) -> list[Installer]:
        return [_installer(item) for item in InstallerModel.batch_get(list(dict.fromkeys(installer_ids)))]

    def covering(self, area_id: str) -> list[Installer]:
        """Every installer who covers an area (one query, one batch read)."""
        ids = [row.installer_id for row in CoverageModel.query(area_id)]
        return self.many(ids) if ids else []

    def list(self, area_id: str | None, limit: int, token: str | None) -> Page[Installer]:
        if area_id is None:
            return run_page(InstallerModel.scan(limit=limit, last_evaluated_key=decode_token(token)), _installer)
        page = run_page(CoverageModel.query(area_id, limit=limit, last_evaluated_key=decode_token(token)),
                        lambda row: row.installer_id)
        by_id = {i.id: i for i in self.many(page.items)} if page.items else {}
        return Page([by_id[i] for i in page.items if i in by_id], page.next_token)

    def save(self, installer: Installer, previous_areas: tuple[str, ...] | None) -> Installer:
        """Create (`previous_areas` None) or update an installer with its coverage rows, in one
        transaction. The open-job counter is never written here: only dispatch transitions move it.
        An update requires the stored areas to still be `previous_areas`, which the coverage rows
        are moved from: two concurrent moves would otherwise leave rows for areas it no longer has."""
        item = _installer_item(installer)
        try:
            with TransactWrite(connection=connection_of(InstallerModel)) as transaction:
                if previous_areas is None:
                    transaction.save(item, condition=InstallerModel.installer_id.does_not_exist())
                else:
                    transaction.update(item, actions=_profile_actions(installer),
                                       condition=InstallerModel.installer_id.exists() & (
                                           InstallerModel.areas == list(previous_areas)))
                for area in set(installer.areas) - set(previous_areas or ()):
                    transaction.save(CoverageModel(area_id=area, installer_id=installer.id))
                for area in set(previous_areas or ()) - set(installer.areas):
                    transaction.delete(CoverageModel(area_id=area, installer_id=installer.id))
        except TransactWriteError as exc:
            if previous_areas is None and lost_condition(exc):
                raise AlreadyExists(installer.id) from exc
            if lost_condition(exc) or contended(exc):  # moved meanwhile, or a dispatch held the item
                raise ConcurrentUpdate(installer.id) from exc
            raise
        return installer

    def locate(self, installer_id: str, location: Location) -> None:
        """A dispatch's transaction moving the open-job counter holds the same item now and then:
        such a report wrote nothing and is sent again."""

        def attempt() -> None:
            try:
                InstallerModel(installer_id=installer_id).update(
                    actions=[InstallerModel.lat.set(location.lat), InstallerModel.lng.set(location.lng),
                             InstallerModel.located_at.set(location.at)],
                    condition=InstallerModel.installer_id.exists())
            except UpdateError as exc:
                raise_if_contended(exc, f"installer {installer_id}")
                raise

        retry_contended(attempt)

    # ── areas ───────────────────────────────────────────────────────────────────────────────

    def area(self, area_id: str) -> Area | None:
        item = get_or_none(AreaModel, area_id)
        return None if item is None else _area(item)

    def areas(self, limit: int, token: str | None) -> Page[Area]:
        return run_page(AreaModel.scan(limit=limit, last_evaluated_key=decode_token(token)), _area)

    def save_area(self, area: Area, *, create: bool) -> Area:
        d = area.deduction
        item = AreaModel(area_id=area.id, name=area.name, remind_after_s=area.remind_after_s,
                         revoke_after_s=area.revoke_after_s, deduction_amount=None if d is None else d.amount,
                         deduction_currency=None if d is None else d.currency, created_at=area.created_at)
        if create:
            save_new(item, area.id)
        else:
            item.save()
        return area

    def update_area(self, area_id: str, changes: Mapping[str, Any]) -> Area | None:
        m = AreaModel
        actions: list[Any] = []
        for name, value in changes.items():
            if name == "deduction":
                actions += [m.deduction_amount.remove(), m.deduction_currency.remove()] if value is None else [
                    m.deduction_amount.set(value.amount), m.deduction_currency.set(value.currency)]
            elif name in ("name", "remind_after_s", "revoke_after_s"):
                actions.append(getattr(m, name).set(value))
            else:
                raise ValueError(f"not an area field: {name}")
        if not actions:
            return self.area(area_id)
        item = m(area_id=area_id)
        try:
            item.update(actions=actions, condition=m.area_id.exists())
        except UpdateError as exc:
            if lost_condition(exc):
                return None
            raise
        return _area(item)

    # ── ledger ──────────────────────────────────────────────────────────────────────────────

    def ledger(self, installer_id: str, limit: int, token: str | None) -> Page[LedgerEntry]:
        return run_page(LedgerModel.query(installer_id, scan_index_forward=False, limit=limit,
                                          last_evaluated_key=decode_token(token)), _ledger_entry)


def _installer_item(installer: Installer) -> InstallerModel:
    here = installer.location
    return InstallerModel(
        installer_id=installer.id, name=installer.name, phone=installer.phone, photo_url=installer.photo_url,
        areas=list(installer.areas), open_jobs=installer.open_jobs, max_open_jobs=installer.max_open_jobs,
        active=installer.active, lat=None if here is None else here.lat, lng=None if here is None else here.lng,
        located_at=None if here is None else here.at, created_at=installer.created_at,
    )


def _profile_actions(installer: Installer) -> list[Any]:
    m = InstallerModel
    actions: list[Any] = [m.name.set(installer.name), m.phone.set(installer.phone), m.areas.set(list(installer.areas)),
                          m.max_open_jobs.set(installer.max_open_jobs), m.active.set(installer.active)]
    actions.append(m.photo_url.set(installer.photo_url) if installer.photo_url else m.photo_url.remove())
    return actions


def _installer(item: InstallerModel) -> Installer:
    located = None
    if item.lat is not None and item.lng is not None and item.located_at is not None:
        located = Location(float(item.lat), float(item.lng), int(item.located_at))
    return Installer(
        id=item.installer_id, name=item.name, phone=item.phone, areas=tuple(str(a) for a in item.areas or []),
        created_at=int(item.created_at), photo_url=item.photo_url, open_jobs=int(item.open_jobs or 0),
        max_open_jobs=int(item.max_open_jobs), active=bool(item.active), location=located,
    )


def _area(item: AreaModel) -> Area:
    deduction = None if item.deduction_amount is None else Money(int(item.deduction_amount),
                                                                 str(item.deduction_currency))
    return Area(id=item.area_id, name=item.name, remind_after_s=int(item.remind_after_s),
                revoke_after_s=int(item.revoke_after_s), deduction=deduction, created_at=int(item.created_at))


def _ledger_entry(item: LedgerModel) -> LedgerEntry:
    return LedgerEntry(installer_id=item.installer_id, entry_id=item.entry_id, request_id=item.request_id,
                       attempt=int(item.attempt), amount=Money(int(item.amount), item.currency), reason=item.reason,
                       at=int(item.at))
