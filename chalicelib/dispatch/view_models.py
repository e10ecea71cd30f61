"""The models of the bodies `views.py` renders (installation requests per audience, installers,
areas, the ledger), for the routes that answer them, the messages that carry them and the API
documents."""

from __future__ import annotations

from typing import Literal

from chalicelib.http.responses import AddressView, MoneyView, ResponseBody, Timestamp


class InstallerCardView(ResponseBody):
    installer_id: str
    name: str
    phone: str
    photo_url: str | None


class InstallationCommon(ResponseBody):
    installation_id: str
    status: str
    product: str
    address: AddressView
    preferred_time: Timestamp | None
    note: str | None
    order_id: str | None
    created_at: Timestamp
    updated_at: Timestamp
    confirmed_at: Timestamp | None
    started_at: Timestamp | None
    completed_at: Timestamp | None
    cancelled_at: Timestamp | None
    server_time: Timestamp


class CustomerInstallationView(InstallationCommon):
    """The customer's: the installer and the service code once the installer confirmed."""

    installer: InstallerCardView | None
    service_code: str | None


class AssignmentView(ResponseBody):
    attempt: int
    installer: InstallerCardView
    dispatched_at: Timestamp
    remind_at: Timestamp
    confirm_deadline: Timestamp
    deduction: MoneyView | None
    assigned_by: str


class DispatchHistoryView(ResponseBody):
    at: Timestamp
    kind: str
    attempt: int
    installer_id: str | None
    detail: str | None


class OpsInstallationView(InstallationCommon):
    """The managers': everything, with the full history, but never the service code."""

    customer_id: str
    area_id: str
    created_by: str
    attempt: int
    assignment: AssignmentView | None
    confirm_deadline: Timestamp | None
    awaiting_installer_since: Timestamp | None
    next_attempt_at: Timestamp | None
    lapsed_installers: list[str]
    revocations: int
    flagged: bool
    flag_reason: str | None
    photos: list[str]
    service_code_issued: bool
    history: list[DispatchHistoryView]


class DispatchView(InstallationCommon):
    """The installer's, while the dispatch is theirs."""

    attempt: int
    dispatched_at: Timestamp
    remind_at: Timestamp
    confirm_deadline: Timestamp | None
    deduction: MoneyView | None
    ring: bool
    """The reminder rings until the installer confirms."""
    awaiting_confirmation: bool
    photos: list[str]


class RevokedDispatchView(ResponseBody):
    """An installer whose dispatch ended sees only that it ended."""

    installation_id: str
    status: Literal["revoked"]
    server_time: Timestamp


AnyDispatchView = DispatchView | RevokedDispatchView
InstallationView = CustomerInstallationView | OpsInstallationView | DispatchView | RevokedDispatchView
"""`GET /installations/{id}` answers in the caller's own view."""


class LocationView(ResponseBody):
    lat: float
    lng: float
    at: Timestamp


class InstallerView(ResponseBody):
    installer_id: str
    name: str
    phone: str
    photo_url: str | None
    areas: list[str]
    open_jobs: int
    max_open_jobs: int
    active: bool
    location: LocationView | None
    created_at: Timestamp


class AreaView(ResponseBody):
    area_id: str
    name: str
    remind_after_s: int
    revoke_after_s: int
    deduction: MoneyView | None
    created_at: Timestamp


class LedgerEntryView(ResponseBody):
    entry_id: str
    installer_id: str
    installation_id: str
    attempt: int
    amount: MoneyView
    reason: str
    at: Timestamp


class PresignedPost(ResponseBody):
    url: str
    fields: dict[str, str]


class PhotoUploadView(ResponseBody):
    """Where to POST one photo (multipart, the `fields` first, then the file), before `upload_deadline`."""

    photo_id: str
    upload: PresignedPost
    max_bytes: int
    upload_deadline: Timestamp
    server_time: Timestamp
