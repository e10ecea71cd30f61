"""A booking: one voucher's pick of one slot, and the waiting entity of its queue updates.

Its single alarm walks through the booking's update moments — the grid `slot start − lead + k ·
interval` for k = 0, 1, … while before the slot's end — and then stands at the slot's end, where
an unused voucher's booking becomes a no-show. The decider (`booking_decider.py`) only ever sets the
next moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    USED = "used"
    """The voucher was redeemed: no more updates."""
    MISSED = "missed"
    """The slot ended with the voucher unused: the customer is offered slots again."""


@dataclass(frozen=True)
class BookingHistoryEntry:
    at: int
    status: BookingStatus
    cause: str


@dataclass(frozen=True)
class Booking:
    id: str
    voucher_id: str
    customer_id: str
    shop_id: str
    slot_id: str
    slot_start: int
    slot_end: int
    lead_ms: int
    interval_ms: int
    status: BookingStatus
    created_at: int
    next_update_at: int | None
    """The next queue-update moment; None once the slot's end is all that is left (or it is over)."""
    last_update_at: int | None = None
    """The moment (not the send time) of the last queue update pushed."""
    capacity: int | None = None
    """The slot's capacity when it was booked (None: unlimited, no place is counted)."""
    history: tuple[BookingHistoryEntry, ...] = field(default=())
    version: int = 0

    @property
    def first_update_at(self) -> int:
        return self.slot_start - self.lead_ms

    @property
    def wake_at(self) -> int | None:
        if self.status is not BookingStatus.BOOKED:
            return None
        return self.next_update_at if self.next_update_at is not None else self.slot_end


def next_moment(first: int, interval_ms: int, slot_end: int, after: int) -> int | None:
    """The first grid moment (`first + k · interval`, k ≥ 0) strictly after `after` and before the
    slot's end; None when there is none left. Moments a late alarm skipped are not caught up: one
    update now says more than several in a row."""
    if after < first:
        return first if first < slot_end else None
    k = (after - first) // interval_ms + 1
    moment = first + k * interval_ms
    return moment if moment < slot_end else None


# ── events in ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class UpdateDue:
    """The alarm: `wake_at` is the moment it was set for (a queue update, or the slot's end)."""

    wake_at: int


@dataclass(frozen=True)
class CancelBooking:
    pass


@dataclass(frozen=True)
class VoucherUsed:
    pass


@dataclass(frozen=True)
class Rebook:
    """The voucher picks again a slot whose booking it had cancelled: the same booking, booked anew."""


BookingEvent = UpdateDue | CancelBooking | VoucherUsed | Rebook


# ── records written with a booking's transitions ────────────────────────────────────────────


@dataclass(frozen=True)
class SlotTaken:
    """One more place of the slot taken, only if one is left (a conditional add)."""

    shop_id: str
    slot_id: str
    capacity: int


@dataclass(frozen=True)
class SlotReleased:
    shop_id: str
    slot_id: str


def places(booking: Booking, taken: bool) -> tuple[object, ...]:
    """The slot-count write that goes with booking (`taken`) or cancelling, if the slot is counted."""
    if booking.capacity is None:
        return ()
    if taken:
        return (SlotTaken(booking.shop_id, booking.slot_id, booking.capacity),)
    return (SlotReleased(booking.shop_id, booking.slot_id),)


# ── events out (reacted to after the commit) ────────────────────────────────────────────────


@dataclass(frozen=True)
class QueueUpdateDue:
    """Push the shop's current queue to the customer, for the moment `moment`."""

    booking: Booking
    moment: int


@dataclass(frozen=True)
class SlotMissed:
    """The slot ended with the voucher unused: offer the customer slots again (reason `no_show`)."""

    booking: Booking


@dataclass(frozen=True)
class BookingChanged:
    booking: Booking
    previous: BookingStatus
    cause: str
