"""The rule that picks an installer: who is eligible, how distance and workload weigh against
each other (one open job = 5 km), unknown locations, the deterministic tie-break, and the
great-circle distance it relies on."""

from __future__ import annotations

import itertools
import math

import pytest

from chalicelib.core.address import Address
from chalicelib.core.geo import EARTH_RADIUS_KM, distance_km
from chalicelib.dispatch import installers
from chalicelib.dispatch.installers import (
    Area,
    Installer,
    choose,
    eligible,
    score,
)
from chalicelib.dispatch.model import Installation, InstallerCard, Periods
from tests.dispatch_builders import CNY_5, HOME, T0, an_installation, an_installer, dispatched, periods

KM_PER_DEGREE = 2 * math.pi * EARTH_RADIUS_KM / 360


def km_north(km: float) -> tuple[float, float]:
    """A point `km` due north of the request's address (along a meridian, so exactly `km` away)."""
    return HOME[0] + km / KM_PER_DEGREE, HOME[1]


def chosen_id(request: Installation, *candidates: Installer) -> str | None:
    found = choose(request, candidates)
    return None if found is None else found.id


REQUEST = an_installation()


# ── who is eligible ─────────────────────────────────────────────────────────────────────────────

def test_an_active_installer_of_the_area_with_room_is_eligible() -> None:
    assert eligible(REQUEST, an_installer("i1", at=km_north(1)))


@pytest.mark.parametrize(("why", "installer"), [
    ("another area", an_installer("i1", areas=("a2",))),
    ("at capacity", an_installer("i1", open_jobs=5, max_open_jobs=5)),
    ("over capacity", an_installer("i1", open_jobs=7, max_open_jobs=5)),
    ("inactive", an_installer("i1", active=False)),
])
def test_an_installer_who_cannot_take_the_job_is_never_chosen(why: str, installer: Installer) -> None:
    assert not eligible(REQUEST, installer), why
    assert choose(REQUEST, [installer]) is None


def test_an_installer_covering_several_areas_is_eligible_in_each() -> None:
    assert eligible(REQUEST, an_installer("i1", areas=("a0", "a1", "a2")))


def test_one_job_below_capacity_is_still_room() -> None:
    assert eligible(REQUEST, an_installer("i1", open_jobs=4, max_open_jobs=5))


def test_an_installer_who_let_the_request_lapse_is_never_chosen_again_even_if_nearest() -> None:
    request = an_installation(lapsed=("i-near",))
    near, far = an_installer("i-near", at=km_north(0.1)), an_installer("i-far", at=km_north(30))
    assert not eligible(request, near)
    assert chosen_id(request, near, far) == "i-far"
    assert chosen_id(request, near) is None


def test_the_installer_currently_dispatched_is_not_chosen_again() -> None:
    request = dispatched("i1")
    current, other = an_installer("i1", at=km_north(0.1)), an_installer("i2", at=km_north(20))
    assert chosen_id(request, current, other) == "i2"


def test_nobody_to_choose_from_is_no_choice() -> None:
    assert choose(REQUEST, []) is None


# ── distance against workload ───────────────────────────────────────────────────────────────────

def test_at_equal_workload_the_nearest_installer_wins() -> None:
    near, far = an_installer("i-b", at=km_north(2), open_jobs=1), an_installer("i-a", at=km_north(4), open_jobs=1)
    assert chosen_id(REQUEST, far, near) == "i-b"


def test_a_busy_installer_one_km_away_beats_an_idle_one_ten_km_away() -> None:
    busy, idle = an_installer("i-busy", at=km_north(1), open_jobs=1), an_installer("i-idle", at=km_north(10))
    assert score(REQUEST, busy) == pytest.approx(6.0) and score(REQUEST, idle) == pytest.approx(10.0)
    assert chosen_id(REQUEST, idle, busy) == "i-busy"


def test_an_idle_installer_three_km_away_beats_a_busy_one_one_km_away() -> None:
    busy, idle = an_installer("i-busy", at=km_north(1), open_jobs=1), an_installer("i-idle", at=km_north(3))
    assert chosen_id(REQUEST, busy, idle) == "i-idle"


@pytest.mark.parametrize(("jobs", "km_of_idle", "winner"), [(1, 5.9, "i-idle"), (1, 6.1, "i-busy"),
                                                            (2, 10.9, "i-idle"), (2, 11.1, "i-busy")])
def test_each_open_job_weighs_five_km(jobs: int, km_of_idle: float, winner: str) -> None:
    busy = an_installer("i-busy", at=km_north(1), open_jobs=jobs)
    idle = an_installer("i-idle", at=km_north(km_of_idle))
    assert chosen_id(REQUEST, busy, idle) == winner


def test_an_installer_whose_location_is_unknown_counts_fifty_km_away() -> None:
    unknown = an_installer("i-unknown")
    assert score(REQUEST, unknown) == 50.0
    assert chosen_id(REQUEST, unknown, an_installer("i-49", at=km_north(49))) == "i-49"
    assert chosen_id(REQUEST, unknown, an_installer("i-51", at=km_north(51))) == "i-unknown"


def test_an_address_without_coordinates_counts_every_installer_fifty_km_away() -> None:
    request = an_installation(address=Address(line1="somewhere", city="Shanghai"))
    near = an_installer("i-near", at=km_north(0.5), open_jobs=1)
    assert score(request, near) == 55.0
    assert chosen_id(request, near, an_installer("i-z")) == "i-z", "then the workload decides"


# ── ties ────────────────────────────────────────────────────────────────────────────────────────

def test_equal_scores_go_to_the_smaller_id() -> None:
    same_spot = km_north(3)
    candidates = [an_installer(i, at=same_spot, open_jobs=1) for i in ("i-c", "i-a", "i-b")]
    assert chosen_id(REQUEST, *candidates) == "i-a"


def test_equal_scores_go_first_to_fewer_open_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installers, "JOB_WEIGHT_KM", 0.0)  # jobs no longer count in the score: all tie
    request = an_installation(address=Address(line1="somewhere", city="Shanghai"))
    candidates = [an_installer("i-a", open_jobs=2), an_installer("i-c", open_jobs=1), an_installer("i-b", open_jobs=1)]
    assert chosen_id(request, *candidates) == "i-b"


def test_the_choice_does_not_depend_on_the_order_of_the_candidates() -> None:
    # scores: i-1 6, i-2 and i-3 5.5 (same spot), i-4 50 (unknown), i-5 15.2
    candidates = [an_installer("i-1", at=km_north(1), open_jobs=1), an_installer("i-3", at=km_north(5.5)),
                  an_installer("i-2", at=km_north(5.5)), an_installer("i-4"),
                  an_installer("i-5", at=km_north(0.2), open_jobs=3)]
    assert {chosen_id(REQUEST, *order) for order in itertools.permutations(candidates)} == {"i-2"}


# ── distance ────────────────────────────────────────────────────────────────────────────────────

def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert distance_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)
    assert distance_km(45, 10, 46, 10) == pytest.approx(111.195, abs=0.001)


def test_one_degree_of_longitude_shrinks_with_the_cosine_of_the_latitude() -> None:
    assert distance_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.001)
    assert distance_km(60, 0, 60, 1) == pytest.approx(111.195 * 0.5, rel=1e-3)


def test_distance_is_zero_to_itself_symmetric_and_half_the_circumference_to_the_antipode() -> None:
    assert distance_km(*HOME, *HOME) == 0.0
    beijing = (39.9042, 116.4074)
    assert distance_km(*HOME, *beijing) == distance_km(*beijing, *HOME)
    assert distance_km(*HOME, *beijing) == pytest.approx(1067, abs=5)
    assert distance_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_the_helper_places_installers_at_the_distance_asked() -> None:
    assert distance_km(*HOME, *km_north(10)) == pytest.approx(10.0, abs=1e-9)


# ── what an installer and an area hand to a dispatch ────────────────────────────────────────────

def test_an_areas_periods_are_in_milliseconds() -> None:
    area = Area("a1", "Pudong", remind_after_s=600, revoke_after_s=1200, deduction=CNY_5, created_at=T0)
    assert area.periods == Periods(600_000, 1_200_000, CNY_5) == periods()


def test_an_installers_card_is_what_the_customer_sees() -> None:
    installer = an_installer("i1", photo_url="https://photos/i1.jpg")
    assert installer.card == InstallerCard("i1", "Installer i1", "+86 138 0000 0000", "https://photos/i1.jpg")
