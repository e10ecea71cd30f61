"""Functional fixtures: the app on moto with merchant `m1` open and its menu in place."""

from __future__ import annotations

import pytest
from chalice.test import Client

from tests.conftest import World
from tests.functional.crew import Crew
from tests.functional.shop import Shop


@pytest.fixture
def shop(world: World, client: Client) -> Shop:
    opened = Shop(world, client)
    opened.open()
    return opened


@pytest.fixture
def crew(world: World, client: Client) -> Crew:
    """Area `north` with the spec's default periods; no installers yet."""
    ready = Crew(world, client)
    ready.area()
    return ready
