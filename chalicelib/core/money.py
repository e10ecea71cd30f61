"""Money: integer minor units with their currency, and splitting an amount exactly over parts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.core.errors import FieldError


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str

    def as_map(self) -> dict[str, Any]:
        """`{"amount": 1250, "currency": "CNY"}`: how money looks on the wire (api-conventions.md)."""
        return {"amount": self.amount, "currency": self.currency}


def money_map(money: Money | None) -> dict[str, Any] | None:
    return None if money is None else money.as_map()


def money_of(amount: int, currency: str) -> dict[str, Any]:
    """An amount in minor units of `currency`, as it looks on the wire."""
    return Money(amount, currency).as_map()


def currency_errors(expected: str, whose: str, **given: Money | None) -> list[FieldError]:
    """The given amounts (by field name) not in `expected`, the currency of `whose` (`the merchant's`):
    an amount is only ever taken in the currency it will be charged in."""
    return [FieldError(f"{name}.currency", f"must be {expected}, {whose} currency")
            for name, money in given.items() if money is not None and money.currency != expected]


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split over the parts in proportion to `weights`, summing exactly to `total`.

    The rule (largest remainder): each part gets the floor of its exact share; the units left
    over go one each to the parts with the largest fractional remainders, ties to the earlier
    part. All-zero weights split equally (the same way). Every part gets at most the ceiling of
    its exact share, so with `total <= sum(weights)` no part gets more than its own weight.
    """
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("amounts and weights are never negative")
    if not weights:
        if total:
            raise ValueError("nothing to allocate to")
        return []
    if not any(weights):
        weights = [1] * len(weights)
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(shares)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[index] += 1
    return shares
