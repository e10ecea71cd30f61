"""Workflow 05's calls: a customer rings a merchant's terminals, the first to answer takes the
call, the two terminals signal through us (`relay.py`), the customer's typing reaches the
merchant's order form; and the reactions after each committed transition (who is told what)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.calls import call_decider
from chalicelib.calls.call import (
    DETAIL_FIELDS,
    Answer,
    Call,
    CallAlarm,
    CallEvent,
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
from chalicelib.calls.call_decider import (
    Answered,
    CallChanged,
    CheckPresence,
    DetailsChanged,
    DetailsRequested,
    Rejoined,
    Ringing,
)
from chalicelib.calls.errors import MerchantOffline
from chalicelib.calls.ice import IceServers, ice_servers
from chalicelib.calls.ports import CallParties, CallSettingsStore, CallStore, Merchants
from chalicelib.calls.ring_deadlines import RingDeadlines
from chalicelib.calls.settings import MAX_RING_S, CallSettings
from chalicelib.calls.tables import CALL_KIND
from chalicelib.calls.terminals import CallTerminals
from chalicelib.calls.views import call_view
from chalicelib.core.clock import Clock
from chalicelib.core.errors import FieldError, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.core.timefmt import iso_or_none
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry
from chalicelib.push.terminal import PendingList
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:
    from chalicelib.calls.call_orders import CallOrderService

LIVE_LISTED = 20
"""At most this many live calls in a reconnected terminal's list (a console rings a few at once)."""


class CallService:
    def __init__(self, engine: WaitStateEngine, store: CallStore, ring_settings: CallSettingsStore,
                 merchants: Merchants, connections: ConnectionRegistry, notifier: Notifier, clock: Clock,
                 metrics: MetricsSink, settings: CallSettings, terminals: CallTerminals) -> None:
        self._engine = engine
        self.store = store
        self._ring_deadlines = RingDeadlines(ring_settings, clock)
        self._merchants = merchants
        self._connections = connections
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self._settings = settings
        self.terminals = terminals
        """Which terminals each call connects, as the relay remembers them: forgotten at each change."""
        self.orders: CallOrderService | None = None
        """The order desk, for the orders a call view shows (set by the wiring: they need each other)."""

    # ── the customer ────────────────────────────────────────────────────────────────────────

    def place(self, caller: Principal, merchant_id: str, connection_id: str) -> Call:
        caller.require(Role.CUSTOMER)
        if self._merchants.merchant_for_order(merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} not found")
        self._require_own_connection(caller, connection_id)
        if not self._connections.terminals_of(party.merchant(merchant_id)):
            raise MerchantOffline(f"merchant {merchant_id} has no terminal connected: nothing would ring",
                                  merchant_id=merchant_id)
        now = self._clock.now_ms()
        ring_s = self._ring_deadlines.ring_s(merchant_id)
        ringing = Call(id=new_id("cal"), customer_id=caller.sub, merchant_id=merchant_id, status=CallStatus.RINGING,
                       customer_connection=connection_id, ring_deadline=now + ring_s * 1000,
                       presence_check_ms=self._settings.presence_check_s * 1000, created_at=now, updated_at=now)
        placed: Call = self._engine.start(CALL_KIND, ringing, events=(Ringing(ringing),))
        log("call.placed", call_id=placed.id, merchant_id=merchant_id, ring_s=ring_s)
        self._metrics.metric("CallPlaced", 1, "Count", {}, call_id=placed.id)
        return placed

    def cancel(self, caller: Principal, call_id: str) -> Call:
        caller.require(Role.CUSTOMER)
        return self._apply(caller, call_id, Cancel(caller.sub))

    def type_details(self, caller: Principal, call_id: str, fields: dict[str, DetailValue], *,
                     submit: bool) -> Call:
        caller.require(Role.CUSTOMER)
        return self._apply(caller, call_id, UpdateDetails(fields, submit))

    # ── the merchant ────────────────────────────────────────────────────────────────────────

    def answer(self, caller: Principal, call_id: str, connection_id: str) -> Call:
        caller.require(Role.MERCHANT)
        self._require_own_connection(caller, connection_id)
        return self._apply(caller, call_id, Answer(connection_id, caller.sub))

    def decline(self, caller: Principal, call_id: str) -> Call:
        caller.require(Role.MERCHANT)
        return self._apply(caller, call_id, Decline(caller.sub))

    def request_details(self, caller: Principal, call_id: str) -> Call:
        caller.require(Role.MERCHANT)
        return self._apply(caller, call_id, RequestDetails())

    def ring_s(self, caller: Principal) -> int:
        caller.require(Role.MERCHANT)
        return self._ring_deadlines.ring_s(str(caller.merchant_id))

    def set_ring_s(self, caller: Principal, ring_s: int) -> int:
        caller.require(Role.MERCHANT)
        if not self._settings.min_ring_s <= ring_s <= MAX_RING_S:
            raise ValidationFailed("the ring deadline is out of bounds", [
                FieldError("ring_s", f"must be {self._settings.min_ring_s} … {MAX_RING_S} seconds")])
        self._ring_deadlines.set(str(caller.merchant_id), ring_s)
        return ring_s

    # ── either party ────────────────────────────────────────────────────────────────────────

    def hang_up(self, caller: Principal, call_id: str, side: Side) -> Call:
        caller.require(_ROLE_OF[side])
        return self._apply(caller, call_id, HangUp(side))

    def rejoin(self, caller: Principal, call_id: str, side: Side, connection_id: str) -> Call:
        """A terminal that reconnected (a new connection id) takes its party's place in the call
        again. On the merchant's side only the user who answered may: a colleague's console cannot
        take over a call."""
        caller.require(_ROLE_OF[side])
        self._require_own_connection(caller, connection_id)
        current = self._visible(caller, call_id)
        if caller.role is Role.MERCHANT and current.answered_by not in (None, caller.sub):
            raise NotFound(f"call {call_id} not found")
        return self._apply(caller, call_id, Rejoin(side, connection_id))

    def get(self, caller: Principal, call_id: str) -> Call:
        current = self._visible(caller, call_id)
        settled: Call = self._engine.settled(CALL_KIND, current, lambda c: may_see(caller, c.parties))
        return settled

    def view(self, caller: Principal, call: Call, now: int) -> dict[str, Any]:
        """The call as this caller sees it: a party with its ICE settings, and the call's orders."""
        you = "ops" if caller.role is Role.OPS else _side_of(caller).value
        ice = self.ice_for(caller.party, now) if you != "ops" and call.live else None
        return call_view(call, now, you, ice, self._orders_of(call, sent_only=you == "customer", now=now))

    def ice_for(self, who: Party, now: int) -> IceServers:
        return ice_servers(self._settings.ice, who.key, now)

    def call_for_order(self, caller: Principal, call_id: str) -> CallParties:
        call = self.get(caller, call_id)
        return CallParties(call.id, call.merchant_id, call.customer_id, call.status.value, call.detail_text())

    def pending_work(self, who: Party, now: int) -> PendingList:
        """A (re)connected terminal's live calls, with ICE settings and orders: enough to resume."""
        live = (self.store.live_for_merchant(who.id, LIVE_LISTED) if who.role == "merchant"
                else self.store.live_for_customer(who.id, LIVE_LISTED))
        you = "merchant" if who.role == "merchant" else "customer"
        ice = self.ice_for(who, now)
        items = [call_view(call, now, you, ice, self._orders_of(call, sent_only=you == "customer", now=now))
                 for call in live]
        return PendingList("calls.listed", items)

    # ── internals ───────────────────────────────────────────────────────────────────────────

    def _apply(self, caller: Principal, call_id: str, event: CallEvent) -> Call:
        changed: Call = self._engine.apply(CALL_KIND, call_id, event, lambda c: may_see(caller, c.parties))
        return changed

    def _visible(self, caller: Principal, call_id: str) -> Call:
        current = self.store.get(call_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"call {call_id} not found")
        return current

    def _require_own_connection(self, caller: Principal, connection_id: str) -> None:
        owner = self._connections.owner_of(connection_id)
        if owner is None or owner.party != caller.party or owner.user_id != caller.sub:
            raise ValidationFailed("the connection is not one of your terminals", [
                FieldError("connection_id", "must be the id your terminal's `hello` returned, while it is connected")])

    def _orders_of(self, call: Call, *, sent_only: bool, now: int) -> list[dict[str, Any]]:
        if self.orders is None or call.answered_at is None:
            return []  # orders are drafted only in a connected call
        from chalicelib.calls.order_views import order_view

        return [order_view(order, now) for order in self.orders.of_call(call.id, sent_only=sent_only)]

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react(self, call: Call, events: tuple[object, ...], now: int) -> None:
        self.terminals.forget(call.id)  # before anyone is told: the next signal sees this change
        customer, merchant = party.customer(call.customer_id), party.merchant(call.merchant_id)
        for event in events:
            match event:
                case Ringing(call=c):
                    self._notifier.push(merchant, "call.ringing", call_view(c, now, "merchant", None, []), now)
                case Answered(call=c):
                    self._notifier.push(customer, "call.connected",
                                        call_view(c, now, "customer", self.ice_for(customer, now), []), now)
                    self._notifier.push(merchant, "call.answered_elsewhere",
                                        {"call_id": c.id, "answered_at": iso_or_none(c.answered_at)}, now,
                                        skip=c.merchant_connection)
                case CallChanged(call=c, previous=previous, cause=cause) if c.status is not CallStatus.CONNECTED:
                    for who, you in ((customer, "customer"), (merchant, "merchant")):
                        self._notifier.push(who, "call.status_changed", {
                            **call_view(c, now, you, None, []), "previous_status": previous.value, "cause": cause},
                            now)
                    self._metrics.metric("CallOutcome", 1, "Count", {"outcome": c.status.value}, call_id=c.id)
                    log("call.transition", call_id=c.id, previous=previous.value, status=c.status.value, cause=cause)
                case CallChanged(call=c):
                    self._metrics.metric("CallOutcome", 1, "Count", {"outcome": c.status.value}, call_id=c.id)
                    log("call.transition", call_id=c.id, previous=event.previous.value, status=c.status.value)
                case Rejoined(call=c, side=side):
                    peer = c.connection_of(side.other)
                    if peer is not None:
                        self._notifier.reply(peer, "call.rejoined", {"call_id": c.id, "side": side.value}, now)
                case DetailsRequested(call=c):
                    self._notifier.reply(c.customer_connection, "details.requested",
                                         {"call_id": c.id, "fields": list(DETAIL_FIELDS)}, now)
                case DetailsChanged(call=c, changed=changed, submitted=submitted):
                    self._tell_merchant_details(c, changed, submitted, now)
                case CheckPresence(call=c):
                    self._check_presence(c)

    def _tell_merchant_details(self, call: Call, changed: dict[str, DetailValue], submitted: bool, now: int) -> None:
        to = call.merchant_connection
        if to is None:
            return
        if changed:
            self._notifier.reply(to, "details.updated", {"call_id": call.id, "fields": {
                name: {"value": value.value, "version": value.version} for name, value in changed.items()}}, now)
        if submitted:
            self._notifier.reply(to, "details.submitted", {"call_id": call.id, "details": call_view(
                call, now, "merchant", None, [])["details"]}, now)

    def _check_presence(self, call: Call) -> None:
        terminals = [c for c in (call.customer_connection, call.merchant_connection) if c is not None]
        anyone = any(self._connections.owner_of(c) is not None for c in terminals)
        if not anyone or call.absent_since is not None:
            self._engine.apply(CALL_KIND, call.id, PresenceChecked(anyone))
        if not anyone:
            log("call.terminals_absent", call_id=call.id, absent_since=call.absent_since)


_ROLE_OF = {Side.CUSTOMER: Role.CUSTOMER, Side.MERCHANT: Role.MERCHANT}


def _side_of(caller: Principal) -> Side:
    return Side.MERCHANT if caller.role is Role.MERCHANT else Side.CUSTOMER


def call_workflow(service: CallService) -> Workflow[Call]:
    return Workflow(kind=CALL_KIND, store=service.store, decide=call_decider.decide, alarm_event=CallAlarm,
                    react=service.react)

