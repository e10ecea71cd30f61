"""Workflow 02's rules: `decide(installation, event, now) -> Decision`. Pure: no clock, no AWS.

The server's clock settles every race. Before any event is decided, the deadlines that have
passed are applied in order — the reminder (with its deduction) at `remind_at`, the revocation
at `revoke_at` — whether their alarms have fired yet or not. So a confirm at the reminder's
deadline is a late confirm (reminded, deducted, then confirmed), and a confirm at the
revocation's deadline revokes first and is then refused with `dispatch-revoked`.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, replace
from typing import Any

from chalicelib.core.errors import DomainError, InvalidTransition, NotFound
from chalicelib.dispatch.errors import AlreadyReassigned, DispatchRevoked
from chalicelib.dispatch.model import (
    ASSIGNED,
    AWAITING_CONFIRMATION,
    Alert,
    Assign,
    Assignment,
    Cancel,
    Complete,
    Confirm,
    Deadline,
    Dispatched,
    DispatchEnded,
    FlagReason,
    HistoryEntry,
    Installation,
    InstallationEvent,
    InstallerFreed,
    LedgerEntry,
    NeedsInstaller,
    NoEligibleInstaller,
    Reminded,
    Start,
    Status,
    StatusChanged,
    WorkloadChange,
)
from chalicelib.waitstate.model import Decision
from chalicelib.waitstate.table import StateTable

DISPATCH_TABLE: StateTable[Status] = StateTable(
    initial=Status.PENDING,
    transitions={
        Status.PENDING: {"assign": Status.DISPATCHED, "retry": Status.PENDING, "no_installer": Status.PENDING,
                         "cancel": Status.CANCELLED},
        Status.DISPATCHED: {"confirm": Status.CONFIRMED, "remind": Status.REMINDED, "reassign": Status.DISPATCHED,
                            "cancel": Status.CANCELLED},
        Status.REMINDED: {"confirm": Status.CONFIRMED, "revoke": Status.PENDING, "reassign": Status.DISPATCHED,
                          "cancel": Status.CANCELLED},
        Status.CONFIRMED: {"start": Status.IN_PROGRESS, "cancel": Status.CANCELLED},
        Status.IN_PROGRESS: {"complete": Status.COMPLETED, "cancel": Status.CANCELLED},
        Status.COMPLETED: {},
        Status.CANCELLED: {},
    },
)

DEDUCTION_REASON = "late_confirmation"
_HAPPY_PATH = (Status.PENDING, Status.DISPATCHED, Status.REMINDED, Status.CONFIRMED, Status.IN_PROGRESS,
               Status.COMPLETED)
"""A request's way forward: an installer's repeated tap that this one has already passed is harmless."""


@dataclass(frozen=True)
class _Step:
    """A decision under construction: state so far, and what to react to and write with it."""

    state: Installation
    events: tuple[object, ...] = ()
    writes: tuple[object, ...] = ()

    def then(self, state: Installation, events: tuple[object, ...] = (), writes: tuple[object, ...] = ()) -> _Step:
        return _Step(state, self.events + events, self.writes + writes)

    def decision(self, refusal: DomainError | None = None) -> Decision[Installation]:
        return Decision(self.state, self.events, refusal, self.writes)


def decide(installation: Installation, event: InstallationEvent, now: int) -> Decision[Installation]:
    step = _settle_deadlines(_Step(installation), now)
    current = step.state
    match event:
        case Deadline():
            if current.status is Status.PENDING and current.retry_at is not None and now >= current.retry_at:
                retried = replace(current, retry_at=now + current.retry_ms, updated_at=now)
                return step.then(retried, (NeedsInstaller(retried),)).decision()
            return step.decision()
        case Assign():
            return _assign(step, event, now)
        case NoEligibleInstaller():
            if current.status is not Status.PENDING or current.awaiting_installer_since is not None:
                return step.decision()
            waiting = _moved(current, "no_installer", now, HistoryEntry(now, "no_installer", current.attempt),
                             awaiting_installer_since=now)
            return step.then(waiting, (Alert(waiting, "no_eligible_installer"),)).decision()
        case Confirm(installer_id=installer_id, service_code=code):
            refusal = _not_theirs(current, installer_id, "confirm")
            if refusal is not None:
                return step.decision(refusal)
            if current.status not in AWAITING_CONFIRMATION:
                return _repeat_or_refuse(step, "confirm", Status.CONFIRMED)
            confirmed = _moved(current, "confirm", now, _entry(current, now, "confirmed"),
                               confirmed_at=now, service_code=code)
            return step.then(confirmed, (_changed(confirmed, current, "confirm"),)).decision()
        case Start(installer_id=installer_id):
            refusal = _not_theirs(current, installer_id, "start")
            if refusal is not None:
                return step.decision(refusal)
            if current.status is not Status.CONFIRMED:
                return _repeat_or_refuse(step, "start", Status.IN_PROGRESS)
            started = _moved(current, "start", now, _entry(current, now, "started"), started_at=now)
            return step.then(started, (_changed(started, current, "start"),)).decision()
        case Complete():
            return _complete(step, event, now)
        case Cancel():
            return _cancel(step, event, now)
    raise TypeError(f"unknown installation event {event!r}")


# ── deadlines ───────────────────────────────────────────────────────────────────────────────

def _settle_deadlines(step: _Step, now: int) -> _Step:
    while True:
        current, assignment = step.state, step.state.assignment
        if assignment is None:
            return step
        if current.status is Status.DISPATCHED and now >= assignment.remind_at:
            step = _remind(step, assignment, now)
        elif current.status is Status.REMINDED and now >= assignment.revoke_at:
            step = _revoke(step, assignment, now)
        else:
            return step


def _remind(step: _Step, assignment: Assignment, now: int) -> _Step:
    current = step.state
    entries = [_entry(current, now, "reminded")]
    writes: tuple[object, ...] = ()
    if assignment.deduction is not None:
        amount = assignment.deduction
        entries.append(_entry(current, now, "deducted", f"{amount.amount} {amount.currency}"))
        writes = (LedgerEntry(
            installer_id=assignment.installer_id,
            entry_id=f"{assignment.remind_at:013d}#{current.id}#{assignment.attempt}",
            request_id=current.id, attempt=assignment.attempt, amount=amount, reason=DEDUCTION_REASON,
            at=assignment.remind_at,
        ),)
    reminded = _moved(current, "remind", now, *entries)
    return step.then(reminded, (_changed(reminded, current, "remind"), Reminded(reminded)), writes)


def _revoke(step: _Step, assignment: Assignment, now: int) -> _Step:
    current = step.state
    revoked = _moved(
        current, "revoke", now, _entry(current, now, "revoked"),
        assignment=None, lapsed=(*current.lapsed, assignment.installer_id), revocations=current.revocations + 1,
        retry_at=now + current.retry_ms,
    )
    # No InstallerFreed: an installer who just let a dispatch lapse is not offered the area's
    # waiting requests on the spot (they find them at their next retry, if still eligible).
    return step.then(
        revoked,
        (_changed(revoked, current, "revoke"), DispatchEnded(revoked, assignment, "timeout"),
         Alert(revoked, "dispatch_revoked"), NeedsInstaller(revoked)),
        (WorkloadChange(assignment.installer_id, -1),),
    )


# ── assigning ───────────────────────────────────────────────────────────────────────────────

def _assign(step: _Step, event: Assign, now: int) -> Decision[Installation]:
    current = step.state
    name = "assign" if current.status is Status.PENDING else "reassign"
    if DISPATCH_TABLE.target(current.status, name) is None:
        return step.decision(_invalid(current, name))
    if current.attempt != event.expected_attempt:
        return step.decision(AlreadyReassigned(
            f"the request is at dispatch {current.attempt}, not {event.expected_attempt}: someone assigned it first",
            attempt=current.attempt, current_status=current.status.value, installer_id=current.installer_id))
    if event.installer.id == current.installer_id:
        return step.decision(InvalidTransition("the request is already dispatched to this installer",
                                               installer_id=event.installer.id))
    periods = event.periods
    remind_at = now + periods.remind_after_ms
    attempt = current.attempt + 1
    assignment = Assignment(attempt=attempt, installer=event.installer, dispatched_at=now, remind_at=remind_at,
                            revoke_at=remind_at + periods.revoke_after_ms, deduction=periods.deduction,
                            assigned_by=event.assigned_by)
    detail = None if event.assigned_by == "auto" else f"assigned by {event.assigned_by}"
    dispatched = _moved(current, name, now, HistoryEntry(now, "dispatched", attempt, event.installer.id, detail),
                        attempt=attempt, assignment=assignment, retry_at=None, awaiting_installer_since=None)
    events: tuple[object, ...] = (_changed(dispatched, current, name), Dispatched(dispatched))
    writes: tuple[object, ...] = (WorkloadChange(event.installer.id, +1),)
    if current.assignment is not None and current.status in AWAITING_CONFIRMATION:
        events = (DispatchEnded(dispatched, current.assignment, "reassigned"), *events,
                  InstallerFreed(current.assignment.installer_id))
        writes = (WorkloadChange(current.assignment.installer_id, -1), *writes)
    return step.then(dispatched, events, writes).decision()


# ── finishing ───────────────────────────────────────────────────────────────────────────────

def _complete(step: _Step, event: Complete, now: int) -> Decision[Installation]:
    current = step.state
    refusal = _not_theirs(current, event.installer_id, "complete")
    if refusal is not None:
        return step.decision(refusal)
    if current.status is not Status.IN_PROGRESS:
        return _repeat_or_refuse(step, "complete", Status.COMPLETED)
    flag = _check_code(current.service_code, event.service_code)
    entries = [_entry(current, now, "completed", f"{len(event.photos)} photo(s)")]
    if flag is not None:
        entries.append(_entry(current, now, "flagged", flag.value))
    completed = _moved(current, "complete", now, *entries, completed_at=now, photos=event.photos, flag=flag)
    installer_id = event.installer_id
    events: tuple[object, ...] = (_changed(completed, current, "complete"), InstallerFreed(installer_id))
    if flag is not None:
        events += (Alert(completed, "completion_flagged"),)
    return step.then(completed, events, (WorkloadChange(installer_id, -1),)).decision()


def _check_code(issued: str | None, given: str | None) -> FlagReason | None:
    if not given:
        return FlagReason.CODE_MISSING
    if issued is None or not hmac.compare_digest(issued.encode(), given.encode()):
        return FlagReason.CODE_WRONG
    return None


def _cancel(step: _Step, event: Cancel, now: int) -> Decision[Installation]:
    current = step.state
    if current.status is Status.CANCELLED:
        return step.decision()  # a repeated cancel changes nothing
    if DISPATCH_TABLE.target(current.status, "cancel") is None:
        return step.decision(_invalid(current, "cancel"))
    cancelled = _moved(current, "cancel", now, _entry(current, now, "cancelled", _by(event)),
                       cancelled_at=now, retry_at=None)
    events: tuple[object, ...] = (_changed(cancelled, current, "cancel"),)
    writes: tuple[object, ...] = ()
    if current.assignment is not None and current.status in ASSIGNED:
        events += (DispatchEnded(cancelled, current.assignment, "cancelled"),
                   InstallerFreed(current.assignment.installer_id))
        writes = (WorkloadChange(current.assignment.installer_id, -1),)
    return step.then(cancelled, events, writes).decision()


def _by(event: Cancel) -> str:
    return event.by if not event.reason else f"{event.by}: {event.reason}"


# ── helpers ─────────────────────────────────────────────────────────────────────────────────

def _not_theirs(current: Installation, installer_id: str, action: str) -> DomainError | None:
    """Only the installer of the current dispatch may act; one whose dispatch ended learns why."""
    if current.installer_id == installer_id:
        return None
    if current.was_dispatched_to(installer_id):
        return DispatchRevoked("your dispatch of this request has ended (revoked, reassigned or cancelled)",
                               action=action)
    return NotFound(f"installation {current.id} not found")


def _repeat_or_refuse(step: _Step, action: str, reached: Status) -> Decision[Installation]:
    """A retried tap (the app lost the response) gets the current state; anything else is a 409."""
    current = step.state
    if current.status in _HAPPY_PATH and _HAPPY_PATH.index(current.status) >= _HAPPY_PATH.index(reached):
        return step.decision()
    return step.decision(_invalid(current, action))


def _invalid(current: Installation, action: str) -> InvalidTransition:
    return InvalidTransition(f"cannot {action} an installation that is {current.status.value}",
                             current_status=current.status.value, action=action)


def _entry(current: Installation, now: int, kind: str, detail: str | None = None) -> HistoryEntry:
    return HistoryEntry(now, kind, current.attempt, current.installer_id, detail)


def _changed(after: Installation, before: Installation, cause: str) -> StatusChanged:
    return StatusChanged(after, before.status, cause)


def _moved(current: Installation, name: str, now: int, *entries: HistoryEntry, **changes: Any) -> Installation:
    target = DISPATCH_TABLE.target(current.status, name)
    assert target is not None, (current.status, name)
    return replace(current, status=target, updated_at=now, history=(*current.history, *entries), **changes)
