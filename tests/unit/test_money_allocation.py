"""Splitting money over parts: exact sums, proportional shares, the largest-remainder rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.money import allocate

weights = st.lists(st.integers(0, 1_000_000), min_size=1, max_size=12)


@given(total=st.integers(0, 10_000_000), weights=weights)
def test_the_shares_add_up_to_the_total_and_stay_within_one_unit_of_the_exact_share(
        total: int, weights: list[int]) -> None:
    shares = allocate(total, weights)
    assert sum(shares) == total and len(shares) == len(weights)
    basis = weights if any(weights) else [1] * len(weights)
    for share, weight in zip(shares, basis, strict=True):
        exact = total * weight / sum(basis)
        assert math.floor(exact) <= share <= math.ceil(exact)


@given(weights=weights, data=st.data())
def test_no_part_gets_more_than_its_weight_when_the_total_does_not_exceed_the_weights(
        weights: list[int], data: st.DataObject) -> None:
    total = data.draw(st.integers(0, sum(weights)))
    assert all(share <= weight for share, weight in zip(allocate(total, weights), weights, strict=True))


def test_leftover_units_go_to_the_largest_remainders_then_to_the_earlier_part() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10, [1, 2]) == [3, 7]  # 3.33 / 6.67: the unit goes to the larger remainder
    assert allocate(5, [0, 0]) == [3, 2]  # no weights: equal, earlier first


def test_negative_amounts_and_parts_without_weights_are_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        allocate(-1, [1])
    with pytest.raises(ValueError, match="nothing to allocate to"):
        allocate(1, [])
    assert allocate(0, []) == []
