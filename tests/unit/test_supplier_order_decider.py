"""After payment: a physical parcel is shipped with a method, moves (distance and ETA follow),
and is delivered; virtual goods are never shipped; a delivered parcel takes no positions."""

from __future__ import annotations

from chalicelib.checkout.errors import ParcelDelivered
from chalicelib.checkout.model import SubStatus
from chalicelib.checkout.supplier_order_decider import (
    PARCEL_TABLE,
    Deliver,
    Locate,
    ParcelChanged,
    Ship,
    decide,
)
from chalicelib.checkout.tracking import Method, estimate
from chalicelib.core.errors import InvalidTransition, NotFound
from tests.builders import T0
from tests.checkout_builders import HOME, paid, shipped

NOW = T0 + 60_000
DEPOT = (31.3024, 121.4737)  # 8 km north of HOME


def _orders() -> tuple:  # type: ignore[type-arg]
    return paid()[1]


def test_the_parcel_table_is_sound_with_delivered_fulfilled_and_cancelled_final() -> None:
    assert PARCEL_TABLE.problems() == []
    assert PARCEL_TABLE.final == {SubStatus.DELIVERED, SubStatus.FULFILLED, SubStatus.CANCELLED}


def test_shipping_with_a_position_computes_distance_and_eta_from_the_methods_speed() -> None:
    books = _orders()[1]
    decision = decide(books, Ship("pur_1-2-1", Method.COURIER, "c1", DEPOT), NOW)
    parcel = decision.state.parcels[0]
    expected = estimate(Method.COURIER, DEPOT, (HOME.lat or 0, HOME.lng or 0), NOW)
    assert parcel.status is SubStatus.SHIPPED
    assert parcel.tracking is not None and parcel.tracking.distance_km == expected.distance_km == 8.0
    assert parcel.tracking.eta == expected.eta_ms
    assert [type(e) for e in decision.events] == [ParcelChanged]


def test_a_position_update_moves_distance_and_eta_closer() -> None:
    books = shipped(_orders()[1], "pur_1-2-1", at=DEPOT)
    before = books.parcels[0].tracking
    closer = decide(books, Locate("pur_1-2-1", 31.2394, 121.4737), NOW + 600_000).state.parcels[0].tracking
    assert before is not None and closer is not None and before.distance_km is not None
    assert closer.distance_km == 1.0 < before.distance_km
    assert closer.position is not None and closer.position.at == NOW + 600_000


def test_positions_for_a_parcel_not_yet_shipped_or_already_delivered_are_refused() -> None:
    books = _orders()[1]
    assert isinstance(decide(books, Locate("pur_1-2-1", 31.0, 121.0), NOW).refusal, InvalidTransition)
    moving = shipped(books, "pur_1-2-1")
    delivered = decide(moving, Deliver("pur_1-2-1"), NOW).state
    refusal = decide(delivered, Locate("pur_1-2-1", 31.0, 121.0), NOW + 1).refusal
    assert isinstance(refusal, ParcelDelivered)


def test_a_carrier_may_only_move_the_parcel_it_carries() -> None:
    books = shipped(_orders()[1], "pur_1-2-1", carrier_id="c1")
    assert decide(books, Locate("pur_1-2-1", 31.0, 121.0, carrier_id="c1"), NOW).refusal is None
    assert isinstance(decide(books, Locate("pur_1-2-1", 31.0, 121.0, carrier_id="c2"), NOW).refusal, NotFound)


def test_virtual_goods_cannot_be_shipped() -> None:
    shoes = _orders()[0]
    virtual = next(p for p in shoes.parcels if not p.physical)
    assert isinstance(decide(shoes, Ship(virtual.id, Method.COURIER), NOW).refusal, InvalidTransition)


def test_shipping_twice_with_the_same_method_is_a_repeat_and_with_another_is_refused() -> None:
    books = shipped(_orders()[1], "pur_1-2-1")
    assert decide(books, Ship("pur_1-2-1", Method.COURIER), NOW).state == books
    assert isinstance(decide(books, Ship("pur_1-2-1", Method.FREIGHT), NOW).refusal, InvalidTransition)


def test_delivery_completes_the_order_and_repeating_it_changes_nothing() -> None:
    books = shipped(_orders()[1], "pur_1-2-1")
    delivered = decide(books, Deliver("pur_1-2-1"), NOW).state
    assert delivered.parcels[0].status is SubStatus.DELIVERED and delivered.status == "completed"
    assert delivered.parcels[0].tracking is not None and delivered.parcels[0].tracking.distance_km == 0.0
    assert decide(delivered, Deliver("pur_1-2-1"), NOW + 1).state == delivered


def test_an_unknown_parcel_is_not_found() -> None:
    assert isinstance(decide(_orders()[1], Deliver("pur_1-2-9"), NOW).refusal, NotFound)
