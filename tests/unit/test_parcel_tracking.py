"""Distance from a parcel to its address and the arrival estimate from the method's speed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.checkout.tracking import SPEED_KMH, Method, estimate

T0 = 1_795_000_020_000  # a whole minute
HOME = (31.2304, 121.4737)
KM_NORTH = (31.2304 + 30.5 / 111.195, 121.4737)  # 30.5 km due north


def test_the_estimate_is_the_distance_at_the_methods_speed_rounded_up_to_the_minute() -> None:
    courier = estimate(Method.COURIER, KM_NORTH, HOME, T0)  # 30.5 km at 40 km/h: 45.75 min
    assert courier.distance_km == 30.5
    assert courier.eta_ms == T0 + 46 * 60_000
    same_day = estimate(Method.SAME_DAY, KM_NORTH, HOME, T0)  # 25 km/h: 73.2 min
    assert same_day.eta_ms == T0 + 74 * 60_000


def test_a_parcel_at_the_door_is_due_now() -> None:
    at_door = estimate(Method.FREIGHT, HOME, HOME, T0)
    assert (at_door.distance_km, at_door.eta_ms) == (0.0, T0)


@given(method=st.sampled_from(list(Method)), near=st.floats(0, 1), far=st.floats(1, 5))
def test_further_away_is_never_sooner(method: Method, near: float, far: float) -> None:
    closer = estimate(method, (HOME[0] + near, HOME[1]), HOME, T0)
    further = estimate(method, (HOME[0] + far, HOME[1]), HOME, T0)
    assert closer.eta_ms <= further.eta_ms and closer.distance_km <= further.distance_km
    assert further.eta_ms >= T0


def test_every_method_has_a_speed() -> None:
    assert set(SPEED_KMH) == set(Method) and all(speed > 0 for speed in SPEED_KMH.values())
