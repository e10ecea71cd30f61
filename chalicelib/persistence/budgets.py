"""How many package actions a terminal's connection has sent, per fixed window, in DynamoDB.

One item per connection and window (`key = "<connection id>#<window start s>"`). `allow` counts one
action with a conditional `ADD spent :one` that holds while `spent < limit` (exact, one write per
action); `spend` adds what a container admitted on its own (`push/rate_limit.py`, what the stack
uses) and answers the count. Items expire (TTL) soon after their window: nothing ever deletes them.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError

from chalicelib.core.timefmt import to_datetime
from chalicelib.persistence.tables import StageModel
from chalicelib.persistence.writes import lost_condition

KEPT_AFTER_WINDOW_S = 60
"""DynamoDB deletes expired items within days, not at once: an old window's item is ignored anyway
(the next window has a key of its own), so a short TTL only keeps the table small."""


class BudgetModel(StageModel):
    class Meta:
        table_name = "ws_budgets"

    key = UnicodeAttribute(hash_key=True)
    spent = NumberAttribute()
    expires_at = TTLAttribute()


class DynamoRateLimiter:
    """At most `limit` package actions per connection in each `window_s`-second window (windows
    start at multiples of `window_s` since the epoch)."""

    def __init__(self, limit: int, window_s: int) -> None:
        self._limit = limit
        self._window_s = window_s

    def allow(self, connection_id: str, now_ms: int) -> int:
        now_s = now_ms // 1000
        start = now_s - now_s % self._window_s
        end = start + self._window_s
        item = BudgetModel(key=f"{connection_id}#{start}")
        try:
            item.update(actions=[BudgetModel.spent.add(1),
                                 BudgetModel.expires_at.set(to_datetime(end * 1000)
                                                            + timedelta(seconds=KEPT_AFTER_WINDOW_S))],
                        condition=BudgetModel.spent.does_not_exist() | (BudgetModel.spent < self._limit))
        except UpdateError as exc:
            if not lost_condition(exc):
                raise
            return end - now_s
        return 0

    def spend(self, connection_id: str, window_start_s: int, window_end_s: int, actions: int) -> int:
        """Add what a container admitted to the window's count, unconditionally: the count after."""
        item = BudgetModel(key=f"{connection_id}#{window_start_s}")
        item.update(actions=[BudgetModel.spent.add(actions),
                             BudgetModel.expires_at.set(to_datetime(window_end_s * 1000)
                                                        + timedelta(seconds=KEPT_AFTER_WINDOW_S))])
        return int(item.spent)
