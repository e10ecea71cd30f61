"""Installation requests in DynamoDB: mapping, list queries, and the records that commit with them
(a deduction in the installer's ledger, the installer's open-job counter)."""

from __future__ import annotations

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.core.money import Money
from chalicelib.dispatch.model import (
    ASSIGNED,
    Assignment,
    FlagReason,
    HistoryEntry,
    Installation,
    InstallerCard,
    LedgerEntry,
    Status,
    WorkloadChange,
)
from chalicelib.dispatch.ports import InstallationFilter
from chalicelib.dispatch.tables import (
    AssignmentMap,
    DispatchHistoryMap,
    InstallationModel,
    InstallerModel,
    LedgerModel,
)
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import int_or_none
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import AddressMap


class DynamoInstallationStore(PynamoEntityStore[Installation, InstallationModel]):
    model = InstallationModel

    # ── side records ────────────────────────────────────────────────────────────────────────

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        match record:
            case LedgerEntry():
                transaction.save(LedgerModel(
                    installer_id=record.installer_id, entry_id=record.entry_id, request_id=record.request_id,
                    attempt=record.attempt, amount=record.amount.amount, currency=record.amount.currency,
                    reason=record.reason, at=record.at))
            case WorkloadChange():
                # No condition: installers are never deleted (only deactivated), and the entity's
                # version condition is the only one a lost race may fail on.
                transaction.update(InstallerModel(installer_id=record.installer_id),
                                   actions=[InstallerModel.open_jobs.add(record.delta)])
            case _:
                super().add_write(transaction, record)

    # ── mapping ─────────────────────────────────────────────────────────────────────────────

    def to_item(self, entity: Installation) -> InstallationModel:
        return InstallationModel(
            id=entity.id, customer_id=entity.customer_id, area_id=entity.area_id, product=entity.product,
            address=AddressMap.of(entity.address),
            preferred_time=entity.preferred_time, note=entity.note, status=entity.status.value,
            created_at=entity.created_at, updated_at=entity.updated_at, created_by=entity.created_by,
            retry_ms=entity.retry_ms, order_id=entity.order_id, attempt=entity.attempt,
            assignment=None if entity.assignment is None else _assignment_map(entity.assignment),
            lapsed=list(entity.lapsed), retry_at=entity.retry_at,
            awaiting_installer_since=entity.awaiting_installer_since, confirmed_at=entity.confirmed_at,
            started_at=entity.started_at, completed_at=entity.completed_at, cancelled_at=entity.cancelled_at,
            service_code=entity.service_code, photos=list(entity.photos),
            flag=None if entity.flag is None else entity.flag.value, revocations=entity.revocations,
            history=[DispatchHistoryMap(at=h.at, kind=h.kind, attempt=h.attempt, installer_id=h.installer_id,
                                        detail=h.detail) for h in entity.history],
            assigned_installer_id=entity.installer_id,
            pending_area_id=entity.area_id if entity.status is Status.PENDING else None,
        )

    def to_entity(self, item: InstallationModel) -> Installation:
        return Installation(
            id=item.id, customer_id=item.customer_id, area_id=item.area_id, product=item.product,
            address=item.address.to_address(),
            preferred_time=int_or_none(item.preferred_time), note=item.note, status=Status(item.status),
            created_at=int(item.created_at), updated_at=int(item.updated_at), created_by=item.created_by,
            retry_ms=int(item.retry_ms), order_id=item.order_id, attempt=int(item.attempt),
            assignment=None if item.assignment is None else _assignment(item.assignment),
            lapsed=tuple(str(x) for x in item.lapsed or []), retry_at=int_or_none(item.retry_at),
            awaiting_installer_since=int_or_none(item.awaiting_installer_since),
            confirmed_at=int_or_none(item.confirmed_at),
            started_at=int_or_none(item.started_at), completed_at=int_or_none(item.completed_at),
            cancelled_at=int_or_none(item.cancelled_at), service_code=item.service_code,
            photos=tuple(str(x) for x in item.photos or []),
            flag=None if item.flag is None else FlagReason(item.flag), revocations=int(item.revocations or 0),
            history=tuple(HistoryEntry(int(h.at), h.kind, int(h.attempt or 0), h.installer_id, h.detail)
                          for h in item.history or []),
            version=int(item.version or 0),
        )

    # ── reads ───────────────────────────────────────────────────────────────────────────────

    def for_installer(self, installer_id: str, open_only: bool, limit: int, token: str | None) -> Page[Installation]:
        condition = InstallationModel.status.is_in(*[s.value for s in ASSIGNED]) if open_only else None
        return self.page(InstallationModel.by_installer.query(
            installer_id, filter_condition=condition, scan_index_forward=False, limit=limit,
            last_evaluated_key=decode_token(token)))

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Installation]:
        return self.page(InstallationModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))

    def awaiting_installer(self, area_id: str, limit: int) -> list[Installation]:
        """Pending requests of an area, oldest first."""
        return self.page(InstallationModel.awaiting_installer.query(area_id, limit=limit)).items

    def search(self, wanted: InstallationFilter, limit: int, token: str | None) -> Page[Installation]:
        """The management console's list: the most selective index for the filter, the rest as a
        filter expression (so, as with any DynamoDB filter, a page may be short and still have a
        `next_token`). No filter at all is a paginated scan: a console, not a hot path."""
        start = decode_token(token)
        if wanted.installer_id is not None:
            return self.page(InstallationModel.by_installer.query(
                wanted.installer_id, filter_condition=_conditions(wanted, skip="installer"),
                scan_index_forward=False, limit=limit, last_evaluated_key=start))
        if wanted.area_id is not None and wanted.status is Status.PENDING:
            return self.page(InstallationModel.awaiting_installer.query(
                wanted.area_id, filter_condition=_conditions(wanted, skip="area"), limit=limit,
                last_evaluated_key=start))
        if wanted.area_id is not None:
            return self.page(InstallationModel.by_area.query(
                wanted.area_id, filter_condition=_conditions(wanted, skip="area"), scan_index_forward=False,
                limit=limit, last_evaluated_key=start))
        return self.page(InstallationModel.scan(filter_condition=_conditions(wanted, skip=""), limit=limit,
                                                 last_evaluated_key=start))


def _conditions(wanted: InstallationFilter, skip: str) -> Condition | None:
    m = InstallationModel
    parts: list[Condition] = []
    if wanted.status is not None:
        parts.append(m.status == wanted.status.value)
    if wanted.area_id is not None and skip != "area":
        parts.append(m.area_id == wanted.area_id)
    if wanted.installer_id is not None and skip != "installer":
        parts.append(m.assigned_installer_id == wanted.installer_id)
    if wanted.flagged is not None:
        parts.append(m.flag.exists() if wanted.flagged else m.flag.does_not_exist())
    if wanted.revoked is not None:
        parts.append(m.revocations > 0 if wanted.revoked else m.revocations == 0)
    condition: Condition | None = None
    for part in parts:
        condition = part if condition is None else condition & part
    return condition


def _assignment_map(a: Assignment) -> AssignmentMap:
    d = a.deduction
    return AssignmentMap(
        attempt=a.attempt, installer_id=a.installer.id, installer_name=a.installer.name,
        installer_phone=a.installer.phone, installer_photo_url=a.installer.photo_url, dispatched_at=a.dispatched_at,
        remind_at=a.remind_at, revoke_at=a.revoke_at, deduction_amount=None if d is None else d.amount,
        deduction_currency=None if d is None else d.currency, assigned_by=a.assigned_by,
    )


def _assignment(m: AssignmentMap) -> Assignment:
    deduction = None if m.deduction_amount is None else Money(int(m.deduction_amount), str(m.deduction_currency))
    return Assignment(
        attempt=int(m.attempt),
        installer=InstallerCard(m.installer_id, m.installer_name, m.installer_phone, m.installer_photo_url),
        dispatched_at=int(m.dispatched_at), remind_at=int(m.remind_at), revoke_at=int(m.revoke_at),
        deduction=deduction, assigned_by=m.assigned_by,
    )

