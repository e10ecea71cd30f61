"""What counts as AWS failing a call after its retries (`chalicelib/core/transient.py`), in every
shape it reaches the app: botocore's errors as botocore raises them, PynamoDB's wrapping them."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from pynamodb.exceptions import GetError, PutError, QueryError, TransactWriteError, UpdateError

from chalicelib.core.errors import ConcurrentUpdate
from chalicelib.core.transient import (
    RETRY_AFTER_S,
    ServiceUnavailable,
    TransientFailure,
    retry_after_s,
    transient_failure,
    unavailable,
)
from chalicelib.persistence.writes import lost_condition

URL = "https://dynamodb.us-east-1.amazonaws.com/"


def client_error(code: str, operation: str = "PutItem", **extra: object) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "…"}, **extra}, operation)  # type: ignore[arg-type]


def cancelled(*reasons: str) -> ClientError:
    return client_error("TransactionCanceledException", "TransactWriteItems",
                        CancellationReasons=[{"Code": reason} for reason in reasons])


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                  "RequestLimitExceeded", "TransactionInProgressException",
                                  "LimitExceededException"])
def test_a_throttled_call_is_transient_and_was_not_applied(code: str) -> None:
    assert transient_failure(client_error(code)) == TransientFailure(code, rejected=True)


@pytest.mark.parametrize("code", ["InternalServerError", "ServiceUnavailable"])
def test_a_service_failing_on_its_side_is_transient_and_may_have_applied_the_call(code: str) -> None:
    assert transient_failure(client_error(code)) == TransientFailure(code, rejected=False)


def test_a_call_that_never_connected_was_not_applied_and_one_cut_off_may_have_been() -> None:
    assert transient_failure(ConnectTimeoutError(endpoint_url=URL)) == TransientFailure("ConnectTimeoutError", True)
    assert transient_failure(EndpointConnectionError(endpoint_url=URL)) == TransientFailure(
        "EndpointConnectionError", True)
    assert transient_failure(ReadTimeoutError(endpoint_url=URL)) == TransientFailure("ReadTimeoutError", False)
    assert transient_failure(ConnectionClosedError(endpoint_url=URL)) == TransientFailure(
        "ConnectionClosedError", False)


@pytest.mark.parametrize("wrapper", [PutError, UpdateError, GetError, QueryError, TransactWriteError])
def test_pynamodb_errors_are_read_through_to_their_cause(wrapper: type[Exception]) -> None:
    assert transient_failure(wrapper("failed", client_error("ThrottlingException"))) == TransientFailure(
        "ThrottlingException", rejected=True)
    assert transient_failure(wrapper("failed", ReadTimeoutError(endpoint_url=URL))) == TransientFailure(
        "ReadTimeoutError", rejected=False)


def test_an_error_raised_from_a_transient_one_is_transient() -> None:
    wrapped = RuntimeError("while saving")
    wrapped.__cause__ = PutError("failed", client_error("ProvisionedThroughputExceededException"))
    assert transient_failure(wrapped) == TransientFailure("ProvisionedThroughputExceededException", rejected=True)


def test_a_transaction_cancelled_only_by_throttled_items_is_transient() -> None:
    assert transient_failure(TransactWriteError("failed", cancelled("None", "ThrottlingError"))) == TransientFailure(
        "TransactionCanceledException", rejected=True)


@pytest.mark.parametrize("reasons", [("ConditionalCheckFailed", "ThrottlingError"), ("TransactionConflict",),
                                     ("None", "ValidationError")])
def test_a_transaction_cancelled_for_its_conditions_or_a_conflict_is_not_transient(reasons: tuple[str, ...]) -> None:
    assert transient_failure(TransactWriteError("failed", cancelled(*reasons))) is None


@pytest.mark.parametrize("error", [client_error("ConditionalCheckFailedException"),
                                   client_error("ValidationException"), client_error("AccessDeniedException"),
                                   ValueError("a bug"), ConcurrentUpdate("order o1"), PutError("no cause")])
def test_refusals_bugs_and_contention_are_not_transient(error: Exception) -> None:
    assert transient_failure(error) is None


def test_a_timed_out_write_is_no_lost_condition_and_does_not_break_reading_it() -> None:
    """PynamoDB's own `cause_response_code` raises on a timeout's cause (its `response` is None)."""
    assert lost_condition(PutError("failed", ReadTimeoutError(endpoint_url=URL))) is False


def test_retry_after_is_drawn_in_its_range() -> None:
    draws = iter([0.0, 0.34, 0.67, 0.999])
    assert [retry_after_s(lambda: next(draws)) for _ in range(4)] == [1, 2, 3, 3]
    assert RETRY_AFTER_S == (1, 3)


def test_the_problem_carries_retry_after_and_says_whether_anything_changed() -> None:
    refused = unavailable(TransientFailure("ThrottlingException", rejected=True), retry_after=2)
    assert isinstance(refused, ServiceUnavailable) and refused.status == 503
    assert (refused.retry_after_s, refused.extensions) == (2, {"retry_after_s": 2})
    assert "nothing was changed" in refused.detail
    assert "nothing was changed" not in unavailable(TransientFailure("ReadTimeoutError", rejected=False)).detail
