"""A booking's queue-update schedule and its no-show, decided without a clock or AWS."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import InvalidTransition, WindowClosed
from chalicelib.groupbuy.booking import (
    Booking,
    BookingStatus,
    CancelBooking,
    QueueUpdateDue,
    Rebook,
    SlotMissed,
    SlotReleased,
    SlotTaken,
    UpdateDue,
    VoucherUsed,
    next_moment,
)
from chalicelib.groupbuy.booking_decider import BOOKING_TABLE, decide, new_booking

MIN = 60_000
SLOT_START = 1_000 * MIN  # a 17:00 dinner, say
SLOT_END = SLOT_START + 240 * MIN  # 21:00
LEAD, INTERVAL = 30 * MIN, 60 * MIN


def booked(now: int, *, start: int = SLOT_START, end: int = SLOT_END, lead: int = LEAD,
           interval: int = INTERVAL) -> Booking:
    return new_booking(booking_id="b1", voucher_id="v1", customer_id="c1", shop_id="s1", slot_id="2026-03-24.dinner",
                       slot_start=start, slot_end=end, lead_ms=lead, interval_ms=interval, now=now)


def fire(booking: Booking, late_ms: int = 0) -> tuple[Booking, tuple[object, ...]]:
    assert booking.wake_at is not None
    decision = decide(booking, UpdateDue(booking.wake_at), booking.wake_at + late_ms)
    return decision.state, decision.events


def on_time_until_over(booking: Booking) -> tuple[Booking, list[int]]:
    """Fire every alarm at its moment until the booking stops; the moments pushed."""
    moments: list[int] = []
    for _ in range((booking.slot_end - booking.first_update_at) // booking.interval_ms + 3):
        if booking.wake_at is None:
            return booking, moments
        booking, events = fire(booking)
        moments += [e.moment for e in events if isinstance(e, QueueUpdateDue)]
    raise AssertionError("the alarm never ends")


def test_the_state_table_is_sane() -> None:
    assert BOOKING_TABLE.problems() == []


def test_the_first_update_is_at_the_lead_before_the_slot_then_every_interval_until_it_ends() -> None:
    booking, moments = on_time_until_over(booked(now=0))
    # 16:30, 17:30, 18:30, 19:30, 20:30: the spec's "a 17:00 slot gets its first update at 16:30"
    assert moments == [SLOT_START - LEAD + k * INTERVAL for k in range(5)]
    assert booking.status is BookingStatus.MISSED


def test_the_alarm_stands_at_the_slots_end_once_no_update_is_left() -> None:
    booking = booked(now=0)
    for _ in range(5):
        booking, _ = fire(booking)
    assert booking.next_update_at is None and booking.wake_at == SLOT_END


def test_a_booking_made_inside_its_update_period_gets_an_update_at_once_then_the_grid() -> None:
    now = SLOT_START + 10 * MIN  # 17:10, the slot is on
    booking = booked(now=now)
    assert booking.wake_at == now
    booking, events = fire(booking)
    assert [e.moment for e in events if isinstance(e, QueueUpdateDue)] == [now]
    assert booking.wake_at == SLOT_START - LEAD + INTERVAL  # 17:30


def test_a_slot_that_has_ended_cannot_be_booked() -> None:
    with pytest.raises(WindowClosed):
        booked(now=SLOT_END)


def test_a_late_alarm_skips_the_moments_it_missed_instead_of_sending_them_in_a_burst() -> None:
    booking = booked(now=0)
    booking, events = fire(booking, late_ms=2 * INTERVAL + MIN)  # 18:31 instead of 16:30
    assert [e.moment for e in events if isinstance(e, QueueUpdateDue)] == [SLOT_START - LEAD]
    assert booking.wake_at == SLOT_START - LEAD + 3 * INTERVAL  # 19:30, not 17:30


def test_an_alarm_after_the_slots_end_makes_a_no_show_without_a_last_update() -> None:
    booking = booked(now=0)
    missed, events = fire(booking, late_ms=SLOT_END - booking.first_update_at)
    assert missed.status is BookingStatus.MISSED and missed.wake_at is None
    assert not [e for e in events if isinstance(e, QueueUpdateDue)]
    assert [e for e in events if isinstance(e, SlotMissed)] == [SlotMissed(missed)]


def test_a_duplicated_trigger_changes_nothing() -> None:
    booking = booked(now=0)
    moment = booking.wake_at
    assert moment is not None
    after, _ = fire(booking)
    again = decide(after, UpdateDue(moment), moment + 5)
    assert again.state == after and again.events == ()


def test_an_early_trigger_changes_nothing() -> None:
    booking = booked(now=0)
    assert decide(booking, UpdateDue(booking.first_update_at), booking.first_update_at - 1).state == booking


def test_cancelling_stops_the_updates_and_twice_is_harmless() -> None:
    cancelled = decide(booked(now=0), CancelBooking(), 10).state
    assert cancelled.status is BookingStatus.CANCELLED and cancelled.wake_at is None
    assert decide(cancelled, CancelBooking(), 11).state == cancelled
    assert decide(cancelled, UpdateDue(SLOT_START - LEAD), SLOT_START).events == ()


def test_a_used_voucher_stops_the_updates_and_leaves_a_missed_booking_alone() -> None:
    used = decide(booked(now=0), VoucherUsed(), SLOT_START).state
    assert used.status is BookingStatus.USED and used.wake_at is None
    missed, _ = fire(booked(now=0), late_ms=SLOT_END)
    assert decide(missed, VoucherUsed(), SLOT_END + 1).state == missed


def test_cancelling_after_the_slot_ended_settles_the_no_show_first_then_is_refused() -> None:
    decision = decide(booked(now=0), CancelBooking(), SLOT_END)
    assert decision.state.status is BookingStatus.MISSED
    assert [e for e in decision.events if isinstance(e, SlotMissed)]
    assert isinstance(decision.refusal, WindowClosed)


def test_a_used_booking_cannot_be_cancelled() -> None:
    used = decide(booked(now=0), VoucherUsed(), SLOT_START).state
    with pytest.raises(InvalidTransition):
        decide(used, CancelBooking(), SLOT_START + 1)


def test_the_next_moment_is_on_the_grid_strictly_after_and_before_the_end() -> None:
    assert next_moment(100, 10, 150, after=0) == 100
    assert next_moment(100, 10, 150, after=100) == 110
    assert next_moment(100, 10, 150, after=105) == 110
    assert next_moment(100, 10, 150, after=140) is None
    assert next_moment(200, 10, 150, after=0) is None


# ── properties: any interleaving of alarms (late, duplicated), cancels and redemption ────────


@dataclass(frozen=True)
class Step:
    kind: str  # "alarm", "duplicate", "cancel", "used"
    late_ms: int


steps = st.lists(st.builds(Step, st.sampled_from(["alarm", "alarm", "alarm", "duplicate", "cancel", "used"]),
                           st.integers(0, 90 * MIN)), max_size=20)


@settings(max_examples=300, deadline=None)
@given(booked_at=st.integers(0, SLOT_END - 1), lead=st.integers(0, 300 * MIN), interval=st.integers(MIN, 120 * MIN),
       plan=steps)
def test_no_moment_twice_none_after_it_stopped_and_one_no_show_per_missed_slot(
        booked_at: int, lead: int, interval: int, plan: list[Step]) -> None:
    booking = booked(now=booked_at, lead=lead, interval=interval)
    now = booked_at
    sent: list[int] = []
    no_shows = 0
    fired: list[int] = []
    taken = 0
    while (armed := booking.wake_at) is not None:  # the plan, then alarms on time until it is over
        step = plan[taken] if taken < len(plan) else Step("alarm", 0)
        taken += 1
        assert taken <= len(plan) + (SLOT_END - (SLOT_START - lead)) // interval + 3, "the alarm never ends"
        if step.kind in ("alarm", "duplicate"):
            wake_at = armed if step.kind == "alarm" or not fired else fired[-1]
            now = max(now, wake_at + step.late_ms)
            if step.kind == "alarm":
                fired.append(wake_at)
            decision = decide(booking, UpdateDue(wake_at), now)
        else:
            now += step.late_ms
            decision = decide(booking, CancelBooking() if step.kind == "cancel" else VoucherUsed(), now)
        stopped_before = booking.status is not BookingStatus.BOOKED
        for event in decision.events:
            if isinstance(event, QueueUpdateDue):
                assert not stopped_before, "an update after the booking stopped"
                assert event.moment < booking.slot_end and event.moment <= now
                sent.append(event.moment)
            if isinstance(event, SlotMissed):
                no_shows += 1
        booking = decision.state
    assert sent == sorted(set(sent)), "a moment pushed twice or out of order"
    assert booking.status is not BookingStatus.BOOKED
    assert no_shows == (1 if booking.status is BookingStatus.MISSED else 0)
    if booking.status is BookingStatus.MISSED:
        assert booking.history[-1].cause == "slot_end"


@settings(max_examples=200, deadline=None)
@given(booked_at=st.integers(0, SLOT_END - 1), lead=st.integers(0, 300 * MIN), interval=st.integers(MIN, 120 * MIN))
def test_alarms_on_time_push_exactly_the_grid_moments_left_after_booking(booked_at: int, lead: int,
                                                                       interval: int) -> None:
    booking, sent = on_time_until_over(booked(now=booked_at, lead=lead, interval=interval))
    first = SLOT_START - lead
    grid = [m for m in range(first, SLOT_END, interval) if m > booked_at]
    expected = ([booked_at] if booked_at >= first else []) + grid
    assert sent == expected
    assert booking.status is BookingStatus.MISSED


# ── picking a cancelled slot again, and the places a slot with a capacity counts ────────────


def test_a_cancelled_booking_picked_again_is_booked_anew_and_never_repeats_a_pushed_moment() -> None:
    first = booked(SLOT_START - LEAD - 1)
    updated, events = fire(first)
    pushed = {e.moment for e in events if isinstance(e, QueueUpdateDue)}
    cancelled = decide(updated, CancelBooking(), SLOT_START - LEAD + 1000).state
    again = decide(cancelled, Rebook(), SLOT_START - LEAD + 2000)
    assert again.state.status is BookingStatus.BOOKED
    assert again.state.next_update_at is not None and again.state.next_update_at not in pushed


def test_a_slot_with_a_capacity_takes_a_place_on_rebook_and_gives_it_back_on_cancel() -> None:
    counted = replace(booked(SLOT_START - 2 * LEAD), capacity=4)
    cancelled = decide(counted, CancelBooking(), SLOT_START - 2 * LEAD + 1)
    assert cancelled.writes == (SlotReleased("s1", "2026-03-24.dinner"),)
    rebooked = decide(cancelled.state, Rebook(), SLOT_START - 2 * LEAD + 2)
    assert rebooked.writes == (SlotTaken("s1", "2026-03-24.dinner", 4),)
    assert decide(booked(SLOT_START - 2 * LEAD), CancelBooking(), SLOT_START - 2 * LEAD + 1).writes == ()


def test_a_slot_that_ended_cannot_be_picked_again() -> None:
    cancelled = decide(booked(SLOT_START - 2 * LEAD), CancelBooking(), SLOT_START).state
    with pytest.raises(WindowClosed):
        decide(cancelled, Rebook(), SLOT_END)
