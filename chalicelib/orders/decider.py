"""Workflow 01's rules: `decide(order, event, now) -> Decision`. Pure: no clock, no AWS.

The server's clock settles every race: at or after `answer_deadline` a waiting order is
adjudicated (`new` → `not_connected`, `connected` → `unanswered`) by whichever arrives first,
the alarm or a late action; the late action is then refused with `window-closed`.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core.errors import InvalidTransition, WindowClosed
from chalicelib.core.timefmt import iso
from chalicelib.orders.model import (
    WAITING,
    Answer,
    Cancel,
    Deadline,
    Fetch,
    HistoryEntry,
    MerchantAction,
    Order,
    OrderEvent,
    RejectReason,
    Resubmit,
    Status,
    StatusChanged,
    WindowOpened,
)
from chalicelib.waitstate.model import Decision
from chalicelib.waitstate.table import StateTable

_ANSWERS = {
    "accept": Status.ACCEPTED,
    "reject": Status.REJECTED,
    "return": Status.RETURNED,
    "dispatch": Status.DISPATCHED,
    "cancel": Status.CANCELLED,
}

ORDER_TABLE: StateTable[Status] = StateTable(
    initial=Status.NEW,
    transitions={
        Status.NEW: {"fetch": Status.CONNECTED, **_ANSWERS, "deadline": Status.NOT_CONNECTED},
        Status.CONNECTED: {**_ANSWERS, "deadline": Status.UNANSWERED},
        Status.ACCEPTED: {"dispatch": Status.DISPATCHED},
        Status.DISPATCHED: {"complete": Status.COMPLETED},
        Status.RETURNED: {"resubmit": Status.NEW},
        Status.REJECTED: {},
        Status.COMPLETED: {},
        Status.NOT_CONNECTED: {},
        Status.UNANSWERED: {},
        Status.CANCELLED: {},
    },
)

WINDOW_OUTCOMES = frozenset({
    Status.ACCEPTED, Status.REJECTED, Status.RETURNED, Status.DISPATCHED,
    Status.NOT_CONNECTED, Status.UNANSWERED, Status.CANCELLED,
})
"""How a window can end (spec 01: final outcomes of a window)."""


def event_name(event: OrderEvent) -> str:
    match event:
        case Fetch():
            return "fetch"
        case Answer(action=action):
            return action.value
        case Cancel():
            return "cancel"
        case Resubmit():
            return "resubmit"
        case Deadline():
            return "deadline"
    raise TypeError(f"unknown order event {event!r}")


def decide(order: Order, event: OrderEvent, now: int) -> Decision[Order]:
    name = event_name(event)
    if order.status in WAITING and now >= order.answer_deadline:
        settled = _move(order, "deadline", now)
        refusal = None if isinstance(event, (Deadline, Fetch)) else _window_closed(settled, name)
        return Decision(settled, (StatusChanged(settled, order.status, "deadline"),), refusal)
    if isinstance(event, Deadline):
        return Decision(order)  # not due yet, or already settled: nothing to do
    if isinstance(event, Fetch) and order.status is not Status.NEW:
        return Decision(order)  # only the first fetch proves receipt
    if ORDER_TABLE.target(order.status, name) is None:
        if order.status in (Status.NOT_CONNECTED, Status.UNANSWERED):
            raise _window_closed(order, name)
        raise InvalidTransition(f"cannot {name} an order that is {order.status.value}",
                                current_status=order.status.value, action=name)
    moved = _move(order, name, now, event)
    events: tuple[object, ...] = (StatusChanged(moved, order.status, name),)
    if isinstance(event, Resubmit):
        events += (WindowOpened(moved),)
    return Decision(moved, events)


def _window_closed(order: Order, action: str) -> WindowClosed:
    return WindowClosed(
        f"the answer window closed at {iso(order.answer_deadline)}; the order is {order.status.value}",
        current_status=order.status.value, action=action, answer_deadline=iso(order.answer_deadline),
    )


def _move(order: Order, name: str, now: int, event: OrderEvent | None = None) -> Order:
    target = ORDER_TABLE.target(order.status, name)
    assert target is not None, (order.status, name)
    changes: dict[str, object] = {
        "status": target,
        "updated_at": now,
        "history": (*order.history, HistoryEntry(now, target, name)),
    }
    if name == "fetch":
        changes["connected_at"] = now
    if isinstance(event, Answer):
        if order.status in WAITING:
            changes["answered_at"] = now
        if event.action is MerchantAction.REJECT:
            changes["reason"] = event.reason or RejectReason.OTHER.value
        elif event.action is MerchantAction.RETURN:
            changes["reason"] = event.reason
    if isinstance(event, Resubmit):
        changes.update(
            lines=event.lines, address=event.address, note=event.note, window_ms=event.window_ms,
            window_started_at=now, answer_deadline=now + event.window_ms, round=order.round + 1,
            connected_at=None, answered_at=None, reason=None,
        )
    return replace(order, **changes)  # type: ignore[arg-type]
