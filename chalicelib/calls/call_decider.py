"""A call's rules: `decide(call, event, now) -> Decision`. Pure: no clock, no AWS.

    ringing ──answer──▶ connected ──hang up / both terminals gone──▶ ended
       │
       ├─ ring deadline ──▶ missed      ├─ decline ──▶ declined      └─ cancel ──▶ cancelled

* **The ring deadline comes first**: an answer that finds it passed settles the call `missed`,
  then is refused (409), as a late answer must be; of two answers, the first write wins and the
  second finds the call connected (409).
* **Presence**: while connected, the alarm asks the service to look whether either terminal is
  still connected (`CheckPresence`); two checks in a row that find neither end the call. A
  terminal that rejoins clears the first finding.
* **Details** merge field by field (`details.py`), only while connected.
* Repeating a final step (a second hang-up, a cancel after cancelling) changes nothing and is not
  an error: terminals retry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.calls.call import (
    Answer,
    Call,
    CallAlarm,
    CallEvent,
    CallHistory,
    CallStatus,
    Cancel,
    Decline,
    DetailValue,
    HangUp,
    PresenceChecked,
    Rejoin,
    RequestDetails,
    Side,
    UpdateDetails,
)
from chalicelib.calls.details import merge
from chalicelib.calls.errors import CallNotConnected, CallNotRinging
from chalicelib.waitstate.model import Decision

RING_ELAPSED = "ring_deadline_elapsed"
PARTIES_GONE = "both_terminals_gone"


@dataclass(frozen=True)
class CallChanged:
    call: Call
    previous: CallStatus
    cause: str


@dataclass(frozen=True)
class Answered:
    call: Call


@dataclass(frozen=True)
class Rejoined:
    call: Call
    side: Side


@dataclass(frozen=True)
class DetailsRequested:
    call: Call


@dataclass(frozen=True)
class DetailsChanged:
    call: Call
    changed: dict[str, DetailValue]
    submitted: bool


@dataclass(frozen=True)
class CheckPresence:
    call: Call


def decide(call: Call, event: CallEvent, now: int) -> Decision[Call]:
    if call.status is CallStatus.RINGING and now >= call.ring_deadline:
        missed = _final(call, CallStatus.MISSED, RING_ELAPSED, now)
        if isinstance(event, CallAlarm):
            return missed
        after = decide(missed.state, event, now)
        return Decision(after.state, missed.events + after.events, after.refusal)
    match event:
        case CallAlarm():
            return _presence_due(call, event, now)
        case Answer():
            return _answer(call, event, now)
        case Decline():
            return _from_ringing(call, CallStatus.DECLINED, "declined_by_merchant", now,
                                 "only a ringing call is declined")
        case Cancel():
            return _from_ringing(call, CallStatus.CANCELLED, "cancelled_by_customer", now,
                                 "only a ringing call is cancelled: hang up a connected one")
        case HangUp(side=side):
            if call.status is CallStatus.ENDED:
                return Decision(call)
            if call.status is not CallStatus.CONNECTED:
                return _not_connected(call, "only a connected call is hung up")
            return _final(call, CallStatus.ENDED, f"hung_up_by_{side.value}", now)
        case Rejoin():
            return _rejoin(call, event, now)
        case RequestDetails():
            if call.status is not CallStatus.CONNECTED:
                return _not_connected(call, "details are asked for during a connected call")
            asked = replace(call, details_requested_at=now, updated_at=now)
            return Decision(asked, (DetailsRequested(asked),))
        case UpdateDetails():
            return _details(call, event, now)
        case PresenceChecked(anyone_connected=anyone):
            return _presence(call, anyone, now)
    raise TypeError(f"unknown call event {event!r}")


def _answer(call: Call, answer: Answer, now: int) -> Decision[Call]:
    if call.status is not CallStatus.RINGING:
        return Decision(call, refusal=CallNotRinging(f"the call is {call.status.value}: it can no longer be answered",
                                                     current_status=call.status.value))
    connected = replace(
        call, status=CallStatus.CONNECTED, merchant_connection=answer.connection_id, answered_by=answer.by,
        answered_at=now, updated_at=now, next_presence_check=now + call.presence_check_ms,
        history=(*call.history, CallHistory(now, CallStatus.CONNECTED.value, "answered")))
    return Decision(connected, (CallChanged(connected, call.status, "answered"), Answered(connected)))


def _from_ringing(call: Call, to: CallStatus, cause: str, now: int, refusal: str) -> Decision[Call]:
    if call.status is to:
        return Decision(call)
    if call.status is not CallStatus.RINGING:
        return Decision(call, refusal=CallNotRinging(f"{refusal}; the call is {call.status.value}",
                                                     current_status=call.status.value))
    return _final(call, to, cause, now)


def _rejoin(call: Call, rejoin: Rejoin, now: int) -> Decision[Call]:
    if call.status is not CallStatus.CONNECTED:
        return _not_connected(call, "only a connected call is rejoined")
    if call.connection_of(rejoin.side) == rejoin.connection_id and call.absent_since is None:
        return Decision(call)
    moved = (replace(call, customer_connection=rejoin.connection_id) if rejoin.side is Side.CUSTOMER
             else replace(call, merchant_connection=rejoin.connection_id))
    rejoined = replace(moved, absent_since=None, updated_at=now,
                       history=(*call.history, CallHistory(now, call.status.value, f"rejoined_by_{rejoin.side.value}")))
    return Decision(rejoined, (Rejoined(rejoined, rejoin.side),))


def _details(call: Call, update: UpdateDetails, now: int) -> Decision[Call]:
    if call.status is not CallStatus.CONNECTED:
        return _not_connected(call, "details are typed during a connected call")
    merged, changed = merge(call.details, update.fields)
    if not changed and not update.submit:
        return Decision(call)  # late, reordered or repeated: newer text is already there
    typed = replace(call, details=merged, updated_at=now,
                    details_submitted_at=now if update.submit else call.details_submitted_at)
    return Decision(typed, (DetailsChanged(typed, changed, update.submit),))


def _presence_due(call: Call, alarm: CallAlarm, now: int) -> Decision[Call]:
    if call.status is not CallStatus.CONNECTED or alarm.wake_at != call.next_presence_check:
        return Decision(call)
    due = replace(call, next_presence_check=now + call.presence_check_ms, updated_at=now)
    return Decision(due, (CheckPresence(due),))


def _presence(call: Call, anyone_connected: bool, now: int) -> Decision[Call]:
    if call.status is not CallStatus.CONNECTED:
        return Decision(call)
    if anyone_connected:
        return Decision(call) if call.absent_since is None else Decision(replace(call, absent_since=None,
                                                                                  updated_at=now))
    if call.absent_since is None:
        return Decision(replace(call, absent_since=now, updated_at=now))
    return _final(call, CallStatus.ENDED, PARTIES_GONE, now)


def _final(call: Call, to: CallStatus, cause: str, now: int) -> Decision[Call]:
    ended = replace(call, status=to, ended_at=now, end_cause=cause, updated_at=now, next_presence_check=None,
                    history=(*call.history, CallHistory(now, to.value, cause)))
    return Decision(ended, (CallChanged(ended, call.status, cause),))


def _not_connected(call: Call, why: str) -> Decision[Call]:
    return Decision(call, refusal=CallNotConnected(f"{why}; the call is {call.status.value}",
                                                   current_status=call.status.value))


@dataclass(frozen=True)
class Ringing:
    """A new call (the engine's `start`): every terminal of the merchant rings."""

    call: Call
