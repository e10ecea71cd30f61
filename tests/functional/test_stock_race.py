"""Concurrent checkouts racing for the last units: the reservations' conditional writes let
exactly as many through as there is stock, and the losers get 422 with nothing created."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth.principal import Principal, Role
from chalicelib.checkout.schemas import PurchaseIn
from chalicelib.core.errors import ValidationFailed
from tests.conftest import World
from tests.functional.market import Market
from tests.moto_patches import isolated_dynamodb_transactions
from tests.race import at_once

BUYERS = 8


@pytest.fixture
def isolated_transactions() -> Iterator[None]:
    """DynamoDB's transactions are isolated; moto's are only with the local stack's patch."""
    with isolated_dynamodb_transactions():
        yield


@pytest.fixture
def market(isolated_transactions: None, world: World, client: Client) -> Market:
    opened = Market(world, client)
    opened.open()
    return opened


def _race(market: Market, quantity: int) -> list[Any]:
    body = PurchaseIn.model_validate({"sections": Market.sections(shoes=0, books=quantity, cards=0)})

    def buy(n: int) -> Any:
        try:
            return market.world.checkout.checkout.create(Principal(f"u{n}", Role.CUSTOMER), body)
        except ValidationFailed as refused:
            return refused

    return at_once(BUYERS, buy)


def test_eight_buyers_racing_for_five_books_get_exactly_five_and_never_oversell(market: Market) -> None:
    outcomes = _race(market, 1)
    winners = [o for o in outcomes if not isinstance(o, ValidationFailed)]
    losers = [o for o in outcomes if isinstance(o, ValidationFailed)]
    assert len(winners) == 5 and len(losers) == 3
    assert market.stock("s_books", "p_novel") == 0
    for refused in losers:
        # Refused by the pre-check (it saw the stock already gone) or by the reservation itself.
        assert [e.field for e in refused.errors] == ["sections[0].items[0].quantity"]
        assert refused.errors[0].message == "out of stock"
    stored = market.snapshot()["purchases"]
    assert len(stored) == 5


def test_a_losing_checkout_creates_no_purchase_and_takes_no_stock(market: Market) -> None:
    outcomes = _race(market, 3)  # only one buyer can have 3 of the 5
    assert sum(not isinstance(o, ValidationFailed) for o in outcomes) == 1
    assert market.stock("s_books", "p_novel") == 2
    assert len(market.snapshot()["purchases"]) == 1
