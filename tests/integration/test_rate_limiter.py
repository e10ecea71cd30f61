"""The per-connection budget of package actions on DynamoDB (moto): the `RateLimiter` contract
(`tests/contracts/`), and that its items expire soon after their window."""

from __future__ import annotations

import pytest

from chalicelib.persistence.budgets import KEPT_AFTER_WINDOW_S, BudgetModel, DynamoRateLimiter
from chalicelib.push.ports import RateLimiter
from tests.contracts.platform_stores import LIMIT, WINDOW_S, WINDOW_START_MS, RateLimiterContract


class TestRateLimiterOnDynamo(RateLimiterContract):
    @pytest.fixture
    def limiter(self, tables: dict[str, str]) -> RateLimiter:
        return DynamoRateLimiter(LIMIT, WINDOW_S)


def test_a_windows_count_is_one_item_that_expires_after_the_window(tables: dict[str, str]) -> None:
    limiter = DynamoRateLimiter(LIMIT, WINDOW_S)
    limiter.allow("c1", WINDOW_START_MS + 100)
    limiter.allow("c1", WINDOW_START_MS + 4_900)
    [item] = list(BudgetModel.scan())
    assert item.key == f"c1#{WINDOW_START_MS // 1000}" and item.spent == 2
    assert item.expires_at.timestamp() == WINDOW_START_MS // 1000 + WINDOW_S + KEPT_AFTER_WINDOW_S
