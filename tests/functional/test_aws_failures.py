"""AWS failing a call after the client's own retries (`chalicelib/core/transient.py`): every route
answers a 503 problem with `Retry-After`, never a 500; a refused write changed nothing, and the
same request sent again succeeds once. The failures are injected on the app's DynamoDB client
before moto sees the call (`tests/aws_faults.py`), every attempt botocore makes of it."""

from __future__ import annotations

from typing import Any

from chalicelib import aws
from chalicelib.core.transient import RETRY_AFTER_S
from chalicelib.idempotency import IN_PROGRESS_TIMEOUT_MS
from tests.aws_faults import WRITES, failing_dynamodb, first_write_outside, operation_of, timed_out
from tests.conftest import World
from tests.functional.api import Reply
from tests.functional.shop import Shop
from tests.functional.test_idempotent_creates import stored


def _unavailable(reply: Reply) -> int:
    """The reply's `Retry-After`, once it is checked to be the 503 problem."""
    assert reply.status == 503 and reply.is_problem, reply.body
    assert reply.body["type"] == "/problems/service-unavailable"
    retry_after = int(reply.headers["Retry-After"])
    assert reply.body["retry_after_s"] == retry_after
    return retry_after


def _orders(world: World) -> list[dict[str, Any]]:
    return stored(world)["orders"]


def test_a_throttled_write_answers_503_with_retry_after_and_changes_nothing(world: World, shop: Shop) -> None:
    before = stored(world)
    with failing_dynamodb(first_write_outside("idempotency")) as failing:
        reply = shop.place()
    assert RETRY_AFTER_S[0] <= _unavailable(reply) <= RETRY_AFTER_S[1]
    assert len(failing.attempts) == aws.MAX_ATTEMPTS, "botocore retried the call itself first"
    assert stored(world) == before


def test_the_same_order_sent_again_after_a_throttled_write_is_placed_once(world: World, shop: Shop) -> None:
    key = {"Idempotency-Key": "k-throttled"}
    with failing_dynamodb(first_write_outside("idempotency")):
        _unavailable(shop.place(headers=key))
    placed = shop.place(headers=key)
    again = shop.place(headers=key)
    assert placed.status == 201, placed.body
    assert (again.status, again.body["order_id"]) == (201, placed.body["order_id"])
    assert [order["id"]["S"] for order in _orders(world)] == [placed.body["order_id"]]


def test_a_timed_out_write_keeps_its_key_until_a_retry_may_take_it_over(world: World, shop: Shop) -> None:
    """A read timeout may have been applied: the key stays claimed until it is stale, and
    `Retry-After` says when; a retry before that is told the request is in progress."""
    key = {"Idempotency-Key": "k-timed-out"}
    with failing_dynamodb(first_write_outside("idempotency"), timed_out):
        reply = shop.place(headers=key)
    retry_after = _unavailable(reply)
    assert retry_after * 1000 > IN_PROGRESS_TIMEOUT_MS
    early = shop.place(headers=key)
    assert early.status == 409 and early.body["type"] == "/problems/request-in-progress"
    assert 1 <= int(early.headers["Retry-After"]) <= retry_after  # when the claim goes stale
    world.clock.advance(retry_after)
    placed = shop.place(headers=key)
    assert placed.status == 201, placed.body
    assert [order["id"]["S"] for order in _orders(world)] == [placed.body["order_id"]]


def test_a_timed_out_read_answers_503_not_500(shop: Shop) -> None:
    order = shop.placed()
    with failing_dynamodb(lambda request: operation_of(request) not in WRITES, timed_out):
        reply = shop.customer.get(f"/orders/{order['order_id']}")
    _unavailable(reply)


def test_a_throttled_transition_answers_503_and_the_retry_applies_it_once(world: World, shop: Shop) -> None:
    order = shop.placed()
    with failing_dynamodb(lambda request: operation_of(request) in WRITES):
        _unavailable(shop.act(order["order_id"], "accept"))
    assert shop.customer.get(f"/orders/{order['order_id']}").body["status"] == order["status"]
    accepted = shop.act(order["order_id"], "accept")
    assert accepted.status == 200 and accepted.body["status"] == "accepted", accepted.body
    assert shop.act(order["order_id"], "accept").status == 409


def test_an_alarm_whose_write_is_throttled_is_sent_again_within_seconds_and_fires_once(world: World,
                                                                                       shop: Shop) -> None:
    """Not left to SQS's visibility timeout (a minute): sent again after a second, fenced as ever."""
    first, second = shop.placed()["order_id"], shop.placed()["order_id"]
    batch = shop.queued()
    shop.to_deadline(first)
    with failing_dynamodb(lambda request: operation_of(request) in WRITES and first.encode() in bytes(request.body)):
        assert shop.deliver(batch) == []  # nothing for SQS to deliver again after its visibility timeout
    assert (shop.status(first), shop.status(second)) == ("new", "not_connected")
    again = [(m, delay_s) for m, delay_s in world.alarms.sent if m.entity_id == first]
    assert [(m.redelivery, delay_s) for m, delay_s in again] == [(1, 1)]
    assert shop.deliver(shop.queued()) == []
    assert shop.status(first) == "not_connected"
    assert shop.deliver([again[0][0]]) == [] and shop.status(first) == "not_connected"  # a late copy: stale


def test_a_create_whose_answer_could_not_be_recorded_still_answers_it(world: World, shop: Shop) -> None:
    """The entity is created: a 503 would have the caller create it again once the claim is stale."""
    def completing(request: Any) -> bool:
        return operation_of(request) == "PutItem" and b'"completed"' in bytes(request.body)

    key = {"Idempotency-Key": "k-unrecorded"}
    with failing_dynamodb(completing) as failing:
        placed = shop.place(headers=key)
    assert placed.status == 201 and failing.attempts == ["PutItem"] * aws.MAX_ATTEMPTS, placed.body
    assert [order["id"]["S"] for order in _orders(world)] == [placed.body["order_id"]]


def test_a_websocket_connect_whose_registration_is_throttled_is_refused_with_503(shop: Shop) -> None:
    with failing_dynamodb(lambda request: operation_of(request) in WRITES):
        assert shop.connect("console", shop.merchant) == 503
    assert shop.connect("console", shop.merchant) == 200
