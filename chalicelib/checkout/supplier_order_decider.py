"""A supplier order's rules after payment: ship a physical parcel with a method, move it, deliver
it. Pure: `decide(order, event, now) -> Decision`; who may act is checked by the service.

Every position recomputes the parcel's distance to the shipping address and its ETA from the
method's speed (`tracking.py`). A delivered parcel takes no more positions; virtual goods were
fulfilled at payment and are never shipped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.checkout.errors import ParcelDelivered
from chalicelib.checkout.model import Parcel, Position, SubStatus, SupplierOrder, Tracking
from chalicelib.checkout.tracking import Method, estimate
from chalicelib.core.errors import InvalidTransition, NotFound
from chalicelib.waitstate.model import Decision
from chalicelib.waitstate.table import StateTable

PARCEL_TABLE: StateTable[SubStatus] = StateTable(
    initial=SubStatus.PENDING_PAYMENT,
    transitions={
        SubStatus.PENDING_PAYMENT: {"pay": SubStatus.PAID, "pay_virtual": SubStatus.FULFILLED,
                                    "cancel": SubStatus.CANCELLED},
        SubStatus.PAID: {"ship": SubStatus.SHIPPED},
        SubStatus.SHIPPED: {"locate": SubStatus.SHIPPED, "deliver": SubStatus.DELIVERED},
        SubStatus.DELIVERED: {},
        SubStatus.FULFILLED: {},
        SubStatus.CANCELLED: {},
    },
)


@dataclass(frozen=True)
class Ship:
    parcel_id: str
    method: Method
    carrier_id: str | None = None
    position: tuple[float, float] | None = None


@dataclass(frozen=True)
class Locate:
    parcel_id: str
    lat: float
    lng: float
    carrier_id: str | None = None
    """Set when a carrier reports: it must be the parcel's carrier."""


@dataclass(frozen=True)
class Deliver:
    parcel_id: str
    carrier_id: str | None = None


ParcelEvent = Ship | Locate | Deliver


@dataclass(frozen=True)
class ParcelChanged:
    order: SupplierOrder
    parcel_id: str
    cause: str


def decide(order: SupplierOrder, event: ParcelEvent, now: int) -> Decision[SupplierOrder]:
    parcel = order.parcel(event.parcel_id)
    reporter = None if isinstance(event, Ship) else event.carrier_id  # on Ship it names the carrier to be
    if parcel is None or (reporter is not None and (
            parcel.tracking is None or parcel.tracking.carrier_id != reporter)):
        return Decision(order, refusal=NotFound(f"parcel {event.parcel_id} not found"))
    match event:
        case Ship():
            if not parcel.physical:
                return _refuse(order, "virtual goods are fulfilled at payment, not shipped", parcel)
            if parcel.status is not SubStatus.PAID:
                if parcel.tracking is not None and parcel.tracking.method is event.method:
                    return Decision(order)  # a repeated tap
                return _refuse(order, "the parcel has already been shipped", parcel)
            tracking = Tracking(event.method, shipped_at=now, carrier_id=event.carrier_id)
            if event.position is not None:
                tracking = _located(order, tracking, event.position, now)
            return _changed(order, replace(parcel, tracking=tracking), "ship", now)
        case Locate():
            if parcel.status is SubStatus.DELIVERED:
                return Decision(order, refusal=ParcelDelivered(f"parcel {parcel.id} was delivered",
                                                               current_status=parcel.status.value))
            if parcel.status is not SubStatus.SHIPPED or parcel.tracking is None:
                return _refuse(order, "only a shipped parcel has a position", parcel)
            tracking = _located(order, parcel.tracking, (event.lat, event.lng), now)
            return _changed(order, replace(parcel, tracking=tracking), "locate", now)
        case Deliver():
            if parcel.status is SubStatus.DELIVERED:
                return Decision(order)
            if parcel.status is not SubStatus.SHIPPED or parcel.tracking is None:
                return _refuse(order, "only a shipped parcel can be delivered", parcel)
            arrived = replace(parcel.tracking, distance_km=0.0, eta=now)
            return _changed(order, replace(parcel, delivered_at=now, tracking=arrived), "deliver", now)


def _located(order: SupplierOrder, tracking: Tracking, where: tuple[float, float], now: int) -> Tracking:
    position = Position(where[0], where[1], now)
    address = order.address
    if address is None or address.lat is None or address.lng is None:
        return replace(tracking, position=position)
    guess = estimate(tracking.method, where, (address.lat, address.lng), now)
    return replace(tracking, position=position, distance_km=guess.distance_km, eta=guess.eta_ms)


def _changed(order: SupplierOrder, parcel: Parcel, move: str, now: int) -> Decision[SupplierOrder]:
    """`parcel` after `move`, which the table must allow from the parcel's current status."""
    target = PARCEL_TABLE.target(parcel.status, move)
    if target is None:
        raise ValueError(f"{move} is not a move from {parcel.status}")  # a rule bug, never a caller's
    parcel = replace(parcel, status=target)
    parcels = tuple(parcel if p.id == parcel.id else p for p in order.parcels)
    moved = replace(order, parcels=parcels, updated_at=now)
    return Decision(moved, (ParcelChanged(moved, parcel.id, move),))


def _refuse(order: SupplierOrder, detail: str, parcel: Parcel) -> Decision[SupplierOrder]:
    return Decision(order, refusal=InvalidTransition(detail, current_status=parcel.status.value))
