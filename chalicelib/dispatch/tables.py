"""Installer dispatch in DynamoDB (persistence shape only): installation requests (the waiting
entity), installers, the areas they cover, and their ledgers of deductions."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import AddressMap, DueIndex, StageModel, WaitingEntityModel

INSTALLATION_KIND = "installation"
"""The wait-state engine's name for the entities of this table (in alarm messages and the sweep)."""


class AssignmentMap(MapAttribute[str, Any]):
    attempt = NumberAttribute()
    installer_id = UnicodeAttribute()
    installer_name = UnicodeAttribute()
    installer_phone = UnicodeAttribute()
    installer_photo_url = UnicodeAttribute(null=True)
    dispatched_at = NumberAttribute()
    remind_at = NumberAttribute()
    revoke_at = NumberAttribute()
    deduction_amount = NumberAttribute(null=True)
    deduction_currency = UnicodeAttribute(null=True)
    assigned_by = UnicodeAttribute()


class DispatchHistoryMap(MapAttribute[str, Any]):
    at = NumberAttribute()
    kind = UnicodeAttribute()
    attempt = NumberAttribute(default=0)
    installer_id = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)


class InstallerJobsIndex(GlobalSecondaryIndex["InstallationModel"]):
    """Sparse: the requests currently (or last) assigned to an installer, newest first."""

    class Meta:
        index_name = "by_installer"
        projection = AllProjection()

    assigned_installer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class AreaInstallationsIndex(GlobalSecondaryIndex["InstallationModel"]):
    class Meta:
        index_name = "by_area"
        projection = AllProjection()

    area_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerInstallationsIndex(GlobalSecondaryIndex["InstallationModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class AwaitingInstallerIndex(GlobalSecondaryIndex["InstallationModel"]):
    """Sparse: requests of an area that wait for an installer, oldest first (retried when one frees up)."""

    class Meta:
        index_name = "awaiting_installer"
        projection = AllProjection()

    pending_area_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class InstallationModel(WaitingEntityModel):
    class Meta:
        table_name = "installations"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    area_id = UnicodeAttribute()
    product = UnicodeAttribute()
    address = AddressMap()
    preferred_time = NumberAttribute(null=True)
    note = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    created_by = UnicodeAttribute()
    retry_ms = NumberAttribute()
    order_id = UnicodeAttribute(null=True)
    attempt = NumberAttribute(default=0)
    assignment = AssignmentMap(null=True)
    lapsed = ListAttribute(default=list)  # type: ignore[var-annotated]
    retry_at = NumberAttribute(null=True)
    awaiting_installer_since = NumberAttribute(null=True)
    confirmed_at = NumberAttribute(null=True)
    started_at = NumberAttribute(null=True)
    completed_at = NumberAttribute(null=True)
    cancelled_at = NumberAttribute(null=True)
    service_code = UnicodeAttribute(null=True)
    photos = ListAttribute(default=list)  # type: ignore[var-annotated]
    flag = UnicodeAttribute(null=True)
    revocations = NumberAttribute(default=0)
    history = ListAttribute(of=DispatchHistoryMap, default=list)
    assigned_installer_id = UnicodeAttribute(null=True)
    pending_area_id = UnicodeAttribute(null=True)

    due = DueIndex()
    by_installer = InstallerJobsIndex()
    by_area = AreaInstallationsIndex()
    by_customer = CustomerInstallationsIndex()
    awaiting_installer = AwaitingInstallerIndex()


class InstallerModel(StageModel):
    class Meta:
        table_name = "installers"

    installer_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    photo_url = UnicodeAttribute(null=True)
    areas = ListAttribute(default=list)  # type: ignore[var-annotated]
    open_jobs = NumberAttribute(default=0)
    max_open_jobs = NumberAttribute(default=5)
    active = BooleanAttribute(default=True)
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)
    located_at = NumberAttribute(null=True)
    created_at = NumberAttribute()


class CoverageModel(StageModel):
    """Which installers cover an area: one item per (area, installer), so choosing is one query."""

    class Meta:
        table_name = "coverage"

    area_id = UnicodeAttribute(hash_key=True)
    installer_id = UnicodeAttribute(range_key=True)


class AreaModel(StageModel):
    class Meta:
        table_name = "areas"

    area_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    remind_after_s = NumberAttribute()
    revoke_after_s = NumberAttribute()
    deduction_amount = NumberAttribute(null=True)
    deduction_currency = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class LedgerModel(StageModel):
    """An installer's deductions; the range key is deterministic per dispatch (written once)."""

    class Meta:
        table_name = "ledger"

    installer_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    request_id = UnicodeAttribute()
    attempt = NumberAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    at = NumberAttribute()
