"""A booking's rules: `decide(booking, event, now) -> Decision`. Pure: no clock, no AWS.

The alarm carries the booking through its queue-update moments and then to the slot's end:

* at a moment before the slot's end, a booked booking pushes one queue update and moves its alarm
  to the next grid moment after *now* (a late alarm skips the moments it missed rather than
  sending them in a burst), or to the slot's end when none is left;
* at or after the slot's end, a booked booking becomes `missed` (its voucher was not used during
  the slot) and the customer is offered slots again, once;
* a cancelled booking or a used voucher stops it; the alarm then finds nothing to do.

A duplicated or late trigger is fenced by the engine (its `wake_at` is no longer the booking's),
and one that gets through anyway changes nothing: every update is tied to a moment strictly after
the last one, so no moment is pushed twice.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core.errors import InvalidTransition, WindowClosed
from chalicelib.core.timefmt import iso
from chalicelib.groupbuy.booking import (
    Booking,
    BookingChanged,
    BookingEvent,
    BookingHistoryEntry,
    BookingStatus,
    CancelBooking,
    QueueUpdateDue,
    Rebook,
    SlotMissed,
    UpdateDue,
    VoucherUsed,
    next_moment,
    places,
)
from chalicelib.waitstate.model import Decision
from chalicelib.waitstate.table import StateTable

BOOKING_TABLE: StateTable[BookingStatus] = StateTable(
    initial=BookingStatus.BOOKED,
    transitions={
        BookingStatus.BOOKED: {"cancel": BookingStatus.CANCELLED, "used": BookingStatus.USED,
                               "slot_end": BookingStatus.MISSED},
        BookingStatus.CANCELLED: {"rebook": BookingStatus.BOOKED},
        BookingStatus.USED: {},
        BookingStatus.MISSED: {},
    },
)


def new_booking(*, booking_id: str, voucher_id: str, customer_id: str, shop_id: str, slot_id: str,
                slot_start: int, slot_end: int, lead_ms: int, interval_ms: int, now: int,
                capacity: int | None = None) -> Booking:
    """A booking made at `now`. Booked inside its update period, its first update is due at once
    (the customer wants to know the queue now), then the grid goes on. A slot that has ended
    cannot be booked."""
    if now >= slot_end:
        raise WindowClosed(f"the slot {slot_id} ended at {iso(slot_end)}", slot_id=slot_id, slot_end=iso(slot_end))
    first = slot_start - lead_ms
    return Booking(
        id=booking_id, voucher_id=voucher_id, customer_id=customer_id, shop_id=shop_id, slot_id=slot_id,
        slot_start=slot_start, slot_end=slot_end, lead_ms=lead_ms, interval_ms=interval_ms,
        status=BookingStatus.BOOKED, created_at=now, next_update_at=_first_update(first, now), capacity=capacity,
        history=(BookingHistoryEntry(now, BookingStatus.BOOKED, "booked"),),
    )


def _first_update(first: int, now: int) -> int:
    return first if now < first else now


def decide(booking: Booking, event: BookingEvent, now: int) -> Decision[Booking]:
    if booking.status is BookingStatus.BOOKED and now >= booking.slot_end:
        missed = _move(booking, "slot_end", now)
        events: tuple[object, ...] = (BookingChanged(missed, booking.status, "slot_end"), SlotMissed(missed))
        refusal = _slot_over(missed, "cancel") if isinstance(event, CancelBooking) else None
        return Decision(missed, events, refusal)
    match event:
        case UpdateDue():
            return _update(booking, now)
        case CancelBooking():
            if booking.status is BookingStatus.CANCELLED:
                return Decision(booking)  # cancelling twice is harmless
            if booking.status is not BookingStatus.BOOKED:
                raise InvalidTransition(f"the booking is {booking.status.value}", current_status=booking.status.value,
                                        action="cancel")
            cancelled = _move(booking, "cancel", now)
            return Decision(cancelled, (BookingChanged(cancelled, booking.status, "cancel"),),
                            writes=places(booking, taken=False))
        case Rebook():
            if booking.status is BookingStatus.BOOKED:
                return Decision(booking)  # picked twice: one booking
            if booking.status is not BookingStatus.CANCELLED:
                raise InvalidTransition(f"the booking is {booking.status.value}", current_status=booking.status.value,
                                        action="rebook")
            if now >= booking.slot_end:
                raise _slot_over(booking, "rebook")
            # The first update is due at once inside the update period, as for a new booking; its
            # moment is now, after any update pushed before the cancel, so none is pushed twice.
            rebooked = replace(_move(booking, "rebook", now),
                               next_update_at=_first_update(booking.first_update_at, now))
            return Decision(rebooked, (BookingChanged(rebooked, booking.status, "rebook"),),
                            writes=places(booking, taken=True))
        case VoucherUsed():
            if booking.status is not BookingStatus.BOOKED:
                return Decision(booking)  # a missed or cancelled booking stays as it is
            used = _move(booking, "used", now)
            return Decision(used, (BookingChanged(used, booking.status, "used"),))
    raise TypeError(f"unknown booking event {event!r}")


def _update(booking: Booking, now: int) -> Decision[Booking]:
    moment = booking.next_update_at
    if booking.status is not BookingStatus.BOOKED or moment is None or now < moment:
        return Decision(booking)  # over, only the slot's end left (not reached), or not due yet
    following = next_moment(booking.first_update_at, booking.interval_ms, booking.slot_end, max(moment, now))
    updated = replace(booking, next_update_at=following, last_update_at=moment)
    return Decision(updated, (QueueUpdateDue(updated, moment),))


def _move(booking: Booking, name: str, now: int) -> Booking:
    target = BOOKING_TABLE.target(booking.status, name)
    assert target is not None, (booking.status, name)
    return replace(booking, status=target, next_update_at=None,
                   history=(*booking.history, BookingHistoryEntry(now, target, name)))


def _slot_over(booking: Booking, action: str) -> WindowClosed:
    return WindowClosed(f"the slot ended at {iso(booking.slot_end)}; the booking is {booking.status.value}",
                        current_status=booking.status.value, action=action, slot_end=iso(booking.slot_end))
