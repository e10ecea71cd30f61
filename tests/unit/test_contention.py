"""The one retry of a write that lost to another writer: bounded attempts, jittered exponential
backoff, and a `ConcurrentUpdate` that the HTTP edge answers with a 409 telling the caller to
retry; and which refusals of DynamoDB are contention. Waits go to a fake sleeper: nothing here
sleeps, and nothing calls AWS."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError
from pynamodb.exceptions import CancellationReason, PutError, TransactWriteError, VerboseClientError

from chalicelib.core.contention import DEFAULT_BACKOFF, Backoff, retry_contended
from chalicelib.core.errors import ConcurrentUpdate, DomainError, NotFound
from chalicelib.http.problems import from_domain_error
from chalicelib.orders.store import DynamoOrderStore
from chalicelib.persistence.writes import contended, lost_condition
from tests.builders import an_order


class Sleeper:
    def __init__(self) -> None:
        self.waits: list[int] = []

    def __call__(self, ms: int) -> None:
        self.waits.append(ms)


def losing(times: int, then: str = "won") -> Callable[[], str]:
    """An attempt that loses to another writer `times` times, then succeeds."""
    calls = [0]

    def attempt() -> str:
        calls[0] += 1
        if calls[0] <= times:
            raise ConcurrentUpdate("supplier sup_1")
        return then

    return attempt


def test_a_write_that_loses_a_few_times_is_tried_again_until_it_wins() -> None:
    sleeper = Sleeper()
    assert retry_contended(losing(3), sleep_ms=sleeper, draw=lambda: 0.5) == "won"
    assert len(sleeper.waits) == 3


def test_the_waits_are_jittered_within_a_window_that_doubles_up_to_a_cap() -> None:
    backoff = Backoff(attempts=10, base_ms=4, cap_ms=100)
    assert [backoff.delay_ms(retry, 0.999) for retry in range(7)] == [3, 7, 15, 31, 63, 99, 99]
    assert {backoff.delay_ms(retry, 0.0) for retry in range(7)} == {0}
    sleeper = Sleeper()
    draws = iter([0.25, 0.5, 0.75])
    retry_contended(losing(3), backoff=backoff, sleep_ms=sleeper, draw=lambda: next(draws))
    assert sleeper.waits == [1, 4, 12]


def test_a_write_that_keeps_losing_gives_up_after_the_last_attempt_with_a_concurrent_update() -> None:
    sleeper = Sleeper()
    attempts = losing(100)
    with pytest.raises(ConcurrentUpdate) as gave_up:
        retry_contended(attempts, backoff=Backoff(attempts=5), sleep_ms=sleeper, draw=lambda: 1.0)
    assert len(sleeper.waits) == 4  # no wait after the last attempt
    assert gave_up.value.what == "supplier sup_1"


def test_other_errors_are_never_retried() -> None:
    sleeper = Sleeper()
    calls = []

    def missing() -> None:
        calls.append(1)
        raise NotFound("supplier sup_1 not found")

    with pytest.raises(NotFound):
        retry_contended(missing, sleep_ms=sleeper)
    assert calls == [1] and sleeper.waits == []


def test_the_default_backoff_waits_at_most_half_a_second_in_all() -> None:
    worst = sum(DEFAULT_BACKOFF.delay_ms(retry, 0.999999) for retry in range(DEFAULT_BACKOFF.attempts - 1))
    assert worst <= 500 and DEFAULT_BACKOFF.attempts >= 5


def test_a_concurrent_update_that_reaches_the_caller_is_a_409_problem_saying_retry() -> None:
    error = ConcurrentUpdate("supplier sup_1")
    assert isinstance(error, DomainError)
    response = from_domain_error(error, "/suppliers/sup_1")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert '"type":"/problems/concurrent-update"' in response.body
    assert "retry" in error.detail and "supplier sup_1" in error.detail


# ── what counts as contention at DynamoDB ───────────────────────────────────────────────────

def _refused(code: str) -> PutError:
    return PutError("refused", cause=ClientError({"Error": {"Code": code, "Message": "…"}}, "PutItem"))


def _cancelled(*reasons: str | None) -> TransactWriteError:
    cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "…"}},
                               "TransactWriteItems", cancellation_reasons=[
                                   None if code is None else CancellationReason(code=code) for code in reasons])
    return TransactWriteError("cancelled", cause=cause)


def test_a_write_refused_because_a_transaction_held_its_item_is_contention_not_a_lost_condition() -> None:
    assert contended(_refused("TransactionConflictException"))
    assert contended(_cancelled(None, "TransactionConflict"))
    assert not lost_condition(_cancelled(None, "TransactionConflict"))
    assert not contended(_refused("ConditionalCheckFailedException"))
    assert not contended(_cancelled("ConditionalCheckFailed", None))
    assert not contended(_refused("ProvisionedThroughputExceededException"))


def test_an_entity_commit_that_a_transaction_in_flight_refused_is_a_concurrent_update(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store = DynamoOrderStore(16)
    conflicts = [_cancelled(None, "TransactionConflict"), _refused("TransactionConflictException")]

    def held(item: object, writes: tuple[object, ...], token: str) -> None:
        raise conflicts.pop(0)

    monkeypatch.setattr(store, "_write", held)
    for _ in range(2):
        with pytest.raises(ConcurrentUpdate) as lost:
            store.commit(an_order(), 1, None)
        assert lost.value.what == "ord_1"
