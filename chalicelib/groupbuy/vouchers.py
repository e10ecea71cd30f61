"""Workflow 04's vouchers and their bookings: the slot list (pushed after payment and after a
no-show, fetched any time), picking slots (each pick a booking on the engine, capacity kept by
conditional counts), cancelling, the queue the shop reports and the updates pushed from it, and
redeeming at the shop, which stops the voucher's bookings and asks the buyer for the video."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.core.clock import Clock
from chalicelib.core.errors import AlreadyExists, DomainError, InvalidTransition, NotFound
from chalicelib.core.observability import MetricsSink, log
from chalicelib.core.timefmt import iso
from chalicelib.groupbuy import booking_decider, voucher_decider
from chalicelib.groupbuy.booking import (
    Booking,
    BookingChanged,
    BookingStatus,
    CancelBooking,
    QueueUpdateDue,
    Rebook,
    SlotMissed,
    UpdateDue,
    VoucherUsed,
    places,
)
from chalicelib.groupbuy.errors import SlotFull
from chalicelib.groupbuy.ports import BookingStore, Deals, QueueStore, ShopTerms, SlotFullError, VoucherStore
from chalicelib.groupbuy.queue_estimate import estimate
from chalicelib.groupbuy.slots import Slot, offered_slots
from chalicelib.groupbuy.tables import BOOKING_KIND, VOUCHER_KIND
from chalicelib.groupbuy.views import booking_view, queue_view, slot_view, voucher_view
from chalicelib.groupbuy.voucher import ExpiryDue, Redeem, Voucher, VoucherChanged, VoucherStatus
from chalicelib.groupbuy.voucher_decider import EXPIRED_UNUSED
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:
    from chalicelib.groupbuy.videos import VideoService

MAX_ACTIVE_BOOKINGS = 6
"""A voucher may hold several picks (lunch or dinner, this day or the next), not every slot."""


def booking_id(voucher_id: str, slot_id: str) -> str:
    """One booking per voucher and slot: picking it twice finds the same booking."""
    return "bkg_" + hashlib.blake2s(f"{voucher_id}/{slot_id}".encode(), digest_size=12).hexdigest()


class VoucherService:
    def __init__(self, engine: WaitStateEngine, vouchers: VoucherStore, bookings: BookingStore, queues: QueueStore,
                 deals: Deals, notifier: Notifier, clock: Clock, metrics: MetricsSink) -> None:
        self._engine = engine
        self.store = vouchers
        self.bookings = bookings
        self._queues = queues
        self._deals = deals
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self.videos: VideoService | None = None
        """Set by the wiring (the two need each other: a redeem asks for a video)."""

    # ── the buyer ───────────────────────────────────────────────────────────────────────────

    def mine(self, caller: Principal, limit: int, token: str | None) -> Page[Voucher]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    def get(self, caller: Principal, voucher_id: str) -> Voucher:
        current = self._visible(caller, voucher_id)
        settled: Voucher = self._engine.settled(VOUCHER_KIND, current, lambda v: may_see(caller, v.parties))
        return settled

    def bookings_of(self, voucher: Voucher) -> list[Booking]:
        return self.bookings.for_voucher(voucher.id)

    def slots(self, caller: Principal, voucher_id: str) -> dict[str, Any]:
        voucher = self.get(caller, voucher_id)
        return self._slot_list(voucher, "requested", self._clock.now_ms())

    def book(self, caller: Principal, voucher_id: str, slot_ids: list[str]) -> dict[str, Any]:
        """Each slot picked becomes a booking; slots that cannot be booked are listed with why."""
        caller.require(Role.CUSTOMER)
        voucher = self.get(caller, voucher_id)
        if voucher.status is not VoucherStatus.ACTIVE:
            raise InvalidTransition(f"the voucher is {voucher.status.value}", current_status=voucher.status.value)
        now = self._clock.now_ms()
        shop = self._deals.shop_terms(voucher.shop_id)
        open_slots = self._open_slots(voucher, shop, now)
        current = {b.slot_id: b for b in self.bookings_of(voucher)}
        offered = {s.slot_id: s for s in self._bookable(voucher, shop, open_slots, held(current.values()))}
        full = {s.slot_id for s in open_slots} - offered.keys()
        active = sum(1 for b in current.values() if b.status is BookingStatus.BOOKED)
        booked: list[Booking] = []
        refused: list[dict[str, str]] = []
        for slot_id in dict.fromkeys(slot_ids):
            slot = offered.get(slot_id)
            if slot is None:
                refused.append({"slot_id": slot_id, "reason": "full" if slot_id in full else "not_offered"})
                continue
            already = current.get(slot_id)
            if (already is None or already.status is not BookingStatus.BOOKED) and active >= MAX_ACTIVE_BOOKINGS:
                refused.append({"slot_id": slot_id, "reason": "too_many_bookings"})
                continue
            try:
                made = self._book_one(voucher, shop, slot, now)
            except (SlotFull, SlotFullError):
                refused.append({"slot_id": slot_id, "reason": "full"})
                continue
            except DomainError as exc:
                refused.append({"slot_id": slot_id, "reason": exc.problem})
                continue
            active += 0 if already is not None and already.status is BookingStatus.BOOKED else 1
            booked.append(made)
        if not booked:
            raise SlotFull("none of the slots picked can be booked", refused=refused)
        return {"voucher_id": voucher.id, "bookings": [booking_view(b, now) for b in booked], "refused": refused}

    def _book_one(self, voucher: Voucher, shop: ShopTerms, slot: Slot, now: int) -> Booking:
        settings = shop.slots
        fresh = booking_decider.new_booking(
            booking_id=booking_id(voucher.id, slot.slot_id), voucher_id=voucher.id, customer_id=voucher.customer_id,
            shop_id=voucher.shop_id, slot_id=slot.slot_id, slot_start=slot.start_ms, slot_end=slot.end_ms,
            lead_ms=settings.lead_s * 1000, interval_ms=settings.interval_s * 1000, now=now,
            capacity=settings.capacity)
        try:
            made: Booking = self._engine.start(BOOKING_KIND, fresh, writes=places(fresh, taken=True))
        except AlreadyExists:
            made = self._engine.apply(BOOKING_KIND, fresh.id, Rebook())  # picked again (after a cancel)
        except SlotFullError:
            raise SlotFull(f"the slot {slot.slot_id} is full", slot_id=slot.slot_id) from None
        return made

    def cancel_booking(self, caller: Principal, voucher_id: str, booking: str) -> Booking:
        caller.require(Role.CUSTOMER, Role.OPS)
        voucher = self._visible(caller, voucher_id)
        found = self.bookings.get(booking)
        if found is None or found.voucher_id != voucher.id:
            raise NotFound(f"booking {booking} not found")
        cancelled: Booking = self._engine.apply(BOOKING_KIND, booking, CancelBooking())
        return cancelled

    def _visible(self, caller: Principal, voucher_id: str) -> Voucher:
        current = self.store.get(voucher_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"voucher {voucher_id} not found")
        return current

    # ── the slot list ───────────────────────────────────────────────────────────────────────

    def _open_slots(self, voucher: Voucher, shop: ShopTerms, now: int) -> list[Slot]:
        """The shop's slots not ended yet that start before the voucher expires, full or not."""
        return [s for s in offered_slots(shop.slots, now) if s.start_ms < voucher.expires_at]

    def _bookable(self, voucher: Voucher, shop: ShopTerms, candidates: list[Slot], mine: Mapping[str, str],
                  counts: Mapping[str, int] | None = None) -> list[Slot]:
        """The open slots with a place left, or the voucher's own booking of it (`mine`: slot → booking)."""
        capacity = shop.slots.capacity
        if capacity is None:
            return candidates
        taken = self._counts(voucher, shop, candidates) if counts is None else counts
        return [s for s in candidates if taken.get(s.slot_id, 0) < capacity or s.slot_id in mine]

    def _counts(self, voucher: Voucher, shop: ShopTerms, slots: list[Slot]) -> Mapping[str, int]:
        if shop.slots.capacity is None:
            return {}
        return self.bookings.booked_counts(voucher.shop_id, [s.slot_id for s in slots])

    def _slot_list(self, voucher: Voucher, reason: str, now: int, bookings: list[Booking] | None = None
                   ) -> dict[str, Any]:
        """`bookings`: the voucher's, when the caller knows them (a voucher just issued has none)."""
        shop = self._deals.shop_terms(voucher.shop_id)
        capacity = shop.slots.capacity
        mine = held(self.bookings_of(voucher) if bookings is None else bookings)
        open_slots = self._open_slots(voucher, shop, now) if voucher.status is VoucherStatus.ACTIVE else []
        counts = self._counts(voucher, shop, open_slots)
        slots = self._bookable(voucher, shop, open_slots, mine, counts)
        return {
            "voucher_id": voucher.id, "deal_id": voucher.deal_id, "shop_id": voucher.shop_id, "shop_name": shop.name,
            "time_zone": shop.slots.zone, "reason": reason, "expires_at": iso(voucher.expires_at),
            "slots": [slot_view(s, None if capacity is None else max(0, capacity - counts.get(s.slot_id, 0)),
                                mine.get(s.slot_id)) for s in slots],
            "server_time": iso(now),
        }

    def offer_slots(self, voucher: Voucher, reason: str, now: int, bookings: list[Booking] | None = None) -> None:
        """Push the voucher's bookable slots to its buyer (`paid`, `no_show`)."""
        self._notifier.push(party.customer(voucher.customer_id), "slots.offered",
                            self._slot_list(voucher, reason, now, bookings), now)

    # ── the shop ────────────────────────────────────────────────────────────────────────────

    def report_queue(self, caller: Principal, shop_id: str, waiting: int) -> dict[str, Any]:
        caller.require(Role.MERCHANT)
        if not caller.acts_for_merchant(shop_id):
            raise NotFound(f"shop {shop_id} not found")
        now = self._clock.now_ms()
        queue = self._queues.report(shop_id, waiting, now)
        shop = self._deals.shop_terms(shop_id)
        log("queue.reported", shop_id=shop_id, waiting=waiting)
        return queue_view(queue, estimate(queue.waiting, queue.served_at, now, shop.estimate), now)

    def queue(self, shop_id: str) -> dict[str, Any]:
        now = self._clock.now_ms()
        queue = self._queues.get(shop_id)
        rules = self._deals.shop_terms(shop_id).estimate
        return queue_view(queue, estimate(queue.waiting, queue.served_at, now, rules), now)

    def redeem(self, caller: Principal, code: str) -> Voucher:
        """The shop scans or types a voucher's code: a wrong or another shop's code is not found."""
        caller.require(Role.MERCHANT)
        shop_id = str(caller.merchant_id)
        found = self.store.by_code(code) if code.isdigit() and len(code) <= 32 else None
        if found is None or found.shop_id != shop_id:
            raise NotFound("no voucher of this shop has that code")
        used: Voucher = self._engine.apply(VOUCHER_KIND, found.id, Redeem(shop_id, f"merchant:{caller.sub}"))
        return used

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react_voucher(self, voucher: Voucher, events: tuple[object, ...], now: int) -> None:
        buyer = party.customer(voucher.customer_id)
        for event in events:
            match event:
                case VoucherChanged(voucher=v, previous=previous, cause=cause):
                    log("voucher.transition", voucher_id=v.id, previous=previous.value, status=v.status.value,
                        cause=cause)
                    self._metrics.metric("VoucherOutcome", 1, "Count", {"outcome": cause}, voucher_id=v.id)
                    self._stop_bookings(v, VoucherUsed() if v.status is VoucherStatus.USED else CancelBooking())
                    if v.status is VoucherStatus.USED:
                        self._queues.served(v.shop_id, now)
                        self._notifier.push(buyer, "voucher.redeemed", voucher_view(v, None, now), now)
                        if self.videos is not None:
                            self.videos.request_after_redeem(v, now)
                    elif cause == EXPIRED_UNUSED:
                        self._notifier.push(buyer, "voucher.expired", voucher_view(v, None, now), now)
                        self._metrics.metric("RefundDue", 1, "Count", {"workflow": "groupbuy"}, voucher_id=v.id)
                        self._notifier.push(party.OPS, "alert.raised",
                                            {"kind": "refund_due", "voucher": voucher_view(v, None, now,
                                                                                           for_buyer=False)}, now)

    def _stop_bookings(self, voucher: Voucher, event: VoucherUsed | CancelBooking) -> None:
        for booking in self.bookings_of(voucher):
            if booking.status is not BookingStatus.BOOKED:
                continue
            try:
                self._engine.apply(BOOKING_KIND, booking.id, event)
            except DomainError as exc:  # its slot had just ended: it is missed, nothing to stop
                log("booking.not_stopped", booking_id=booking.id, reason=exc.problem)

    def react_booking(self, booking: Booking, events: tuple[object, ...], now: int) -> None:
        buyer = party.customer(booking.customer_id)
        for event in events:
            match event:
                case QueueUpdateDue(booking=b, moment=moment):
                    queue = self._queues.get(b.shop_id)
                    shop = self._deals.shop_terms(b.shop_id)
                    self._notifier.push(buyer, "queue.updated", {
                        **queue_view(queue, estimate(queue.waiting, queue.served_at, now, shop.estimate), now),
                        "booking": booking_view(b, now), "moment": iso(moment)}, now)
                    self._metrics.metric("QueueUpdatePushed", 1, "Count", {}, booking_id=b.id)
                case SlotMissed(booking=b):
                    voucher = self.store.get(b.voucher_id)
                    if voucher is not None and voucher.status is VoucherStatus.ACTIVE and now < voucher.expires_at:
                        self.offer_slots(voucher, "no_show", now)
                    log("booking.missed", booking_id=b.id, voucher_id=b.voucher_id)
                case BookingChanged(booking=b, previous=previous, cause=cause):
                    self._notifier.push(buyer, "booking.changed",
                                        {**booking_view(b, now), "previous_status": previous.value, "cause": cause},
                                        now)


def held(bookings: Iterable[Booking]) -> dict[str, str]:
    """Slot → booking id of the bookings still booked."""
    return {b.slot_id: b.id for b in bookings if b.status is BookingStatus.BOOKED}


def local_date(ms: int, shop: ShopTerms) -> str:
    return datetime.fromtimestamp(ms / 1000, shop.slots.tz).date().isoformat()


def voucher_workflow(service: VoucherService) -> Workflow[Voucher]:
    return Workflow(kind=VOUCHER_KIND, store=service.store, decide=voucher_decider.decide, alarm_event=ExpiryDue,
                    react=service.react_voucher)


def booking_workflow(service: VoucherService) -> Workflow[Booking]:
    return Workflow(kind=BOOKING_KIND, store=service.bookings, decide=booking_decider.decide, alarm_event=UpdateDue,
                    react=service.react_booking)

