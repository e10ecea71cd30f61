"""How installation requests look on the wire, per audience: the customer (installer details and
the service code once confirmed), the installer (their dispatch, never the code), and managers
(everything, including the full history, but not the code)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.core.money import money_map
from chalicelib.core.timefmt import iso, iso_or_none
from chalicelib.dispatch.installers import Area, Installer
from chalicelib.dispatch.model import (
    AWAITING_CONFIRMATION,
    Assignment,
    Installation,
    InstallerCard,
    LedgerEntry,
    Status,
)
from chalicelib.http.lists import list_body
from chalicelib.persistence.paging import Page

CONFIRMED_ONWARDS = frozenset({Status.CONFIRMED, Status.IN_PROGRESS, Status.COMPLETED})


def _card(card: InstallerCard) -> dict[str, Any]:
    return {"installer_id": card.id, "name": card.name, "phone": card.phone, "photo_url": card.photo_url}


def _common(inst: Installation, now: int) -> dict[str, Any]:
    return {
        "installation_id": inst.id,
        "status": inst.status.value,
        "product": inst.product,
        "address": inst.address.as_map(),
        "preferred_time": iso_or_none(inst.preferred_time),
        "note": inst.note,
        "order_id": inst.order_id,
        "created_at": iso(inst.created_at),
        "updated_at": iso(inst.updated_at),
        "confirmed_at": iso_or_none(inst.confirmed_at),
        "started_at": iso_or_none(inst.started_at),
        "completed_at": iso_or_none(inst.completed_at),
        "cancelled_at": iso_or_none(inst.cancelled_at),
        "server_time": iso(now),
    }


def customer_view(inst: Installation, now: int) -> dict[str, Any]:
    shown = inst.status in CONFIRMED_ONWARDS and inst.assignment is not None
    return {
        **_common(inst, now),
        "installer": _card(inst.assignment.installer) if shown and inst.assignment else None,
        "service_code": inst.service_code if shown else None,
    }


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "attempt": a.attempt,
        "installer": _card(a.installer),
        "dispatched_at": iso(a.dispatched_at),
        "remind_at": iso(a.remind_at),
        "confirm_deadline": iso(a.revoke_at),
        "deduction": money_map(a.deduction),
        "assigned_by": a.assigned_by,
    }


def ops_view(inst: Installation, now: int) -> dict[str, Any]:
    return {
        **_common(inst, now),
        "customer_id": inst.customer_id,
        "area_id": inst.area_id,
        "created_by": inst.created_by,
        "attempt": inst.attempt,
        "assignment": None if inst.assignment is None else _assignment(inst.assignment),
        "confirm_deadline": iso_or_none(inst.confirm_deadline),
        "awaiting_installer_since": iso_or_none(inst.awaiting_installer_since),
        "next_attempt_at": iso_or_none(inst.retry_at),
        "lapsed_installers": list(inst.lapsed),
        "revocations": inst.revocations,
        "flagged": inst.flagged,
        "flag_reason": None if inst.flag is None else inst.flag.value,
        "photos": list(inst.photos),
        "service_code_issued": inst.service_code is not None,
        "history": [
            {"at": iso(h.at), "kind": h.kind, "attempt": h.attempt, "installer_id": h.installer_id, "detail": h.detail}
            for h in inst.history
        ],
    }


def dispatch_view(inst: Installation, installer_id: str, now: int) -> dict[str, Any]:
    """The installer app's view. An installer whose dispatch ended sees only that it ended."""
    a = inst.assignment
    if a is None or a.installer_id != installer_id:
        return {"installation_id": inst.id, "status": "revoked", "server_time": iso(now)}
    return {
        **_common(inst, now),
        "attempt": a.attempt,
        "dispatched_at": iso(a.dispatched_at),
        "remind_at": iso(a.remind_at),
        "confirm_deadline": iso_or_none(inst.confirm_deadline),
        "deduction": money_map(a.deduction),
        "ring": inst.status is Status.REMINDED,
        "awaiting_confirmation": inst.status in AWAITING_CONFIRMATION,
        "photos": list(inst.photos),
    }


def page_view(page: Page[Installation], now: int, render: Callable[[Installation, int], dict[str, Any]]
              ) -> dict[str, Any]:
    return list_body(page, lambda installation: render(installation, now), now)


def installer_view(installer: Installer) -> dict[str, Any]:
    here = installer.location
    return {
        "installer_id": installer.id,
        "name": installer.name,
        "phone": installer.phone,
        "photo_url": installer.photo_url,
        "areas": list(installer.areas),
        "open_jobs": installer.open_jobs,
        "max_open_jobs": installer.max_open_jobs,
        "active": installer.active,
        "location": None if here is None else {"lat": here.lat, "lng": here.lng, "at": iso(here.at)},
        "created_at": iso(installer.created_at),
    }


def area_view(area: Area) -> dict[str, Any]:
    return {
        "area_id": area.id,
        "name": area.name,
        "remind_after_s": area.remind_after_s,
        "revoke_after_s": area.revoke_after_s,
        "deduction": money_map(area.deduction),
        "created_at": iso(area.created_at),
    }


def ledger_view(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "installer_id": entry.installer_id,
        "installation_id": entry.request_id,
        "attempt": entry.attempt,
        "amount": entry.amount.as_map(),
        "reason": entry.reason,
        "at": iso(entry.at),
    }
