"""Workflow 02's entities and the events its decider understands. No I/O here.

An installation request is the wait-state entity. It carries at most one alarm, whose meaning
depends on the status: the reminder (`dispatched`), the revocation (`reminded`), or the next
attempt to find an installer (`pending`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.core.address import Address
from chalicelib.core.money import Money
from chalicelib.push.party import Party, customer


class Status(StrEnum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    REMINDED = "reminded"
    CONFIRMED = "confirmed"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


AWAITING_CONFIRMATION = frozenset({Status.DISPATCHED, Status.REMINDED})
ASSIGNED = frozenset({Status.DISPATCHED, Status.REMINDED, Status.CONFIRMED, Status.IN_PROGRESS})
"""While assigned, the request counts towards its installer's open jobs."""


class FlagReason(StrEnum):
    CODE_MISSING = "service_code_missing"
    CODE_WRONG = "service_code_wrong"


@dataclass(frozen=True)
class Periods:
    """The two escalation windows and the deduction of an area, copied onto each dispatch so a
    later change of the area's settings never moves a running window."""

    remind_after_ms: int
    revoke_after_ms: int
    deduction: Money | None


@dataclass(frozen=True)
class InstallerCard:
    """What the customer is shown once the installer confirms."""

    id: str
    name: str
    phone: str
    photo_url: str | None = None


@dataclass(frozen=True)
class Assignment:
    """The current dispatch: who, since when, and its two deadlines."""

    attempt: int
    installer: InstallerCard
    dispatched_at: int
    remind_at: int
    revoke_at: int
    deduction: Money | None
    assigned_by: str  # "auto", or the ops user who assigned by hand

    @property
    def installer_id(self) -> str:
        return self.installer.id


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a request's history: `dispatched`, `reminded`, `deducted`, `revoked`, …"""

    at: int
    kind: str
    attempt: int = 0
    installer_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class Installation:
    id: str
    customer_id: str
    area_id: str
    product: str
    address: Address
    preferred_time: int | None
    note: str | None
    status: Status
    created_at: int
    updated_at: int
    created_by: str
    retry_ms: int
    """How long a request waits for an installer before the next attempt to find one."""
    order_id: str | None = None
    attempt: int = 0
    assignment: Assignment | None = None
    lapsed: tuple[str, ...] = ()
    """Installers who let this request lapse: never chosen again automatically."""
    retry_at: int | None = None
    awaiting_installer_since: int | None = None
    confirmed_at: int | None = None
    started_at: int | None = None
    completed_at: int | None = None
    cancelled_at: int | None = None
    service_code: str | None = None
    photos: tuple[str, ...] = ()
    flag: FlagReason | None = None
    revocations: int = 0
    history: tuple[HistoryEntry, ...] = field(default=())
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        if self.status is Status.PENDING:
            return self.retry_at
        if self.assignment is not None and self.status is Status.DISPATCHED:
            return self.assignment.remind_at
        if self.assignment is not None and self.status is Status.REMINDED:
            return self.assignment.revoke_at
        return None

    @property
    def confirm_deadline(self) -> int | None:
        """The absolute moment the current dispatch is revoked if still unconfirmed."""
        if self.assignment is not None and self.status in AWAITING_CONFIRMATION:
            return self.assignment.revoke_at
        return None

    @property
    def installer_id(self) -> str | None:
        return None if self.assignment is None else self.assignment.installer_id

    @property
    def flagged(self) -> bool:
        return self.flag is not None

    def was_dispatched_to(self, installer_id: str) -> bool:
        return any(h.kind == "dispatched" and h.installer_id == installer_id for h in self.history)

    @property
    def parties(self) -> tuple[Party, ...]:
        """Its customer, and every installer it was ever dispatched to (one whose dispatch ended
        still sees that it ended)."""
        installers = {h.installer_id for h in self.history if h.kind == "dispatched" and h.installer_id}
        return (customer(self.customer_id), *(installer_party(i) for i in sorted(installers)))


def installer_party(installer_id: str) -> Party:
    return Party("installer", installer_id)


# ── events the decider understands ──────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Assign:
    """Dispatch to `installer`, if the request is still at `expected_attempt` (whoever assigns —
    the server or a manager — names the dispatch it replaces, so two assigners get one outcome)."""

    installer: InstallerCard
    expected_attempt: int
    periods: Periods
    assigned_by: str = "auto"


@dataclass(frozen=True)
class NoEligibleInstaller:
    """The server looked for an installer and found none."""


@dataclass(frozen=True)
class Confirm:
    installer_id: str
    service_code: str
    """Drawn by the caller (the decider stays deterministic); kept only if this confirm wins."""


@dataclass(frozen=True)
class Start:
    installer_id: str


@dataclass(frozen=True)
class Complete:
    installer_id: str
    service_code: str | None
    photos: tuple[str, ...]


@dataclass(frozen=True)
class Cancel:
    by: str
    reason: str | None = None


@dataclass(frozen=True)
class Deadline:
    """The alarm for `wake_at` fired."""

    wake_at: int


InstallationEvent = Assign | NoEligibleInstaller | Confirm | Start | Complete | Cancel | Deadline


# ── what the decider reports (reacted to after the commit) ──────────────────────────────────

@dataclass(frozen=True)
class StatusChanged:
    installation: Installation
    previous: Status
    cause: str


@dataclass(frozen=True)
class Dispatched:
    installation: Installation


@dataclass(frozen=True)
class Reminded:
    installation: Installation


@dataclass(frozen=True)
class DispatchEnded:
    """An installer's dispatch was taken back: `timeout` (revoked), `reassigned` or `cancelled`."""

    installation: Installation
    assignment: Assignment
    reason: str


@dataclass(frozen=True)
class NeedsInstaller:
    """The request is pending again: look for an installer now (the retry alarm is the safety net)."""

    installation: Installation


@dataclass(frozen=True)
class Alert:
    """Something managers must look at: `dispatch_revoked`, `no_eligible_installer`, `completion_flagged`."""

    installation: Installation
    kind: str


@dataclass(frozen=True)
class InstallerFreed:
    """An installer has one job fewer: pending requests in their areas may now find them."""

    installer_id: str


# ── records written in the same transaction as the request ─────────────────────────────────

@dataclass(frozen=True)
class LedgerEntry:
    installer_id: str
    entry_id: str
    """Deterministic per dispatch: writing it twice is writing it once."""
    request_id: str
    attempt: int
    amount: Money
    reason: str
    at: int


@dataclass(frozen=True)
class WorkloadChange:
    installer_id: str
    delta: int
