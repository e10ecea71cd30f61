"""Unit tests of the services run on `fake_container()`: every store an in-memory fake (whose
contracts `tests/unit/test_fake_stores.py` checks), no moto, no HTTP."""

from __future__ import annotations

import pytest

from tests.fakes.platform import FakeWorld, fake_container


@pytest.fixture
def world() -> FakeWorld:
    """The app's container on fakes (the functional tier's `world` is the same container on moto)."""
    return fake_container()
