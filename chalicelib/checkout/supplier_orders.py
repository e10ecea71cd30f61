"""After the fan-out: suppliers see and ship their own orders, carriers report positions, and the
customer reads one panel per paid record — each change pushed to whoever shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.checkout import supplier_order_decider
from chalicelib.checkout.model import SupplierOrder, order_id_of, supplier_party
from chalicelib.checkout.ports import SupplierOrderStore
from chalicelib.checkout.supplier_order_decider import Deliver, Locate, ParcelChanged, ParcelEvent, Ship
from chalicelib.checkout.views import record_view, supplier_order_view
from chalicelib.core.errors import FieldError, MalformedRequest, NotFound
from chalicelib.core.observability import MetricsSink, log
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.terminal import PendingList
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.checkout.schemas import ShipIn
    from chalicelib.http.fields import PointIn

SUPPLIER_ORDER_KIND = "supplier_order"
OPEN_STATUSES = ("paid", "in_progress")


class SupplierOrderService:
    def __init__(self, engine: WaitStateEngine, store: SupplierOrderStore, notifier: Notifier,
                 metrics: MetricsSink) -> None:
        self._engine = engine
        self.store = store
        self._notifier = notifier
        self._metrics = metrics

    # ── suppliers ───────────────────────────────────────────────────────────────────────────

    def for_supplier(self, caller: Principal, supplier_id: str | None, status: str | None, limit: int,
                     token: str | None) -> Page[SupplierOrder]:
        caller.require(Role.SUPPLIER, Role.OPS)
        if caller.role is Role.SUPPLIER:
            supplier_id = caller.supplier_id
        if supplier_id is None:
            raise MalformedRequest("ops name the supplier", [FieldError("supplier_id", "required for ops")])
        return self.store.for_supplier(supplier_id, status, limit, token)

    def get(self, caller: Principal, order_id: str) -> SupplierOrder:
        current = self.store.get(order_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"order {order_id} not found")
        return current

    def ship(self, caller: Principal, parcel_id: str, body: ShipIn) -> SupplierOrder:
        caller.require(Role.SUPPLIER, Role.OPS)
        position = None if body.position is None else (body.position.lat, body.position.lng)
        return self._apply(caller, Ship(parcel_id, body.method, body.carrier_id, position))

    def locate(self, caller: Principal, parcel_id: str, body: PointIn) -> SupplierOrder:
        caller.require(Role.SUPPLIER, Role.CARRIER, Role.OPS)
        return self._apply(caller, Locate(parcel_id, body.lat, body.lng, _carrier(caller)))

    def deliver(self, caller: Principal, parcel_id: str) -> SupplierOrder:
        caller.require(Role.SUPPLIER, Role.CARRIER, Role.OPS)
        return self._apply(caller, Deliver(parcel_id, _carrier(caller)))

    def pending_work(self, of: Party, now: int) -> PendingList:
        """A supplier console's open orders (its `list_pending` after a reconnect)."""
        opened = [o for status in OPEN_STATUSES for o in self.store.for_supplier(of.id, status, 100, None).items]
        return PendingList("supplier_orders.listed", [
            supplier_order_view(o, now) for o in sorted(opened, key=lambda o: o.created_at, reverse=True)])

    # ── customers ───────────────────────────────────────────────────────────────────────────

    def records(self, caller: Principal, limit: int, token: str | None) -> Page[SupplierOrder]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    # ── the engine's side ───────────────────────────────────────────────────────────────────

    def react(self, order: SupplierOrder, events: tuple[object, ...], now: int) -> None:
        for event in events:
            if isinstance(event, ParcelChanged):
                extra = {"sub_order_id": event.parcel_id, "cause": event.cause}
                self._notifier.push(party.customer(order.customer_id), "record.updated",
                                    {**record_view(order, now), **extra}, now)
                self._notifier.push(supplier_party(order.supplier_id), "supplier_order.updated",
                                    {**supplier_order_view(order, now), **extra}, now)
                log("parcel.changed", order_id=order.id, parcel_id=event.parcel_id, cause=event.cause)
                if event.cause in ("ship", "deliver"):
                    self._metrics.metric("ParcelOutcome", 1, "Count", {"outcome": event.cause}, order_id=order.id)

    def _apply(self, caller: Principal, event: ParcelEvent) -> SupplierOrder:
        result: SupplierOrder = self._engine.apply(SUPPLIER_ORDER_KIND, order_id_of(event.parcel_id), event,
                                                   lambda o: may_see(caller, o.parties))
        return result


def _carrier(caller: Principal) -> str | None:
    return caller.sub if caller.role is Role.CARRIER else None


def _no_alarm(wake_at: int) -> object:
    raise RuntimeError(f"supplier orders never set an alarm (got one for {wake_at})")


def supplier_order_workflow(service: SupplierOrderService) -> Workflow[SupplierOrder]:
    return Workflow(kind=SUPPLIER_ORDER_KIND, store=service.store, decide=supplier_order_decider.decide,
                    alarm_event=_no_alarm, react=service.react)
