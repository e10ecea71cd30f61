"""The Step Functions peer that `bench.versus_stepfunctions` measures the wait-state engine
against is a correct answer window: on moto with state machines executing, an unanswered order
times out into `unanswered`, an answered one ends `accepted`, a late answer is refused, and an
order settled another way is left alone.

moto's Step Functions times tasks out on the real clock (no clock to move), so the windows that
must elapse are 1 s, the smallest a Task's timeout can be; the rest are long and answered at once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cfnlint.api import lint_all  # type: ignore[import-untyped]
from moto import mock_aws

from bench import stepfunctions
from bench.stepfunctions.peer import Ask, Execution, PeerApi, clients, deploy, read_execution

ELAPSING_WINDOW_S = 1
HISTORY_ROUNDING_MS = 5
LONG_WINDOW_S = 60
WAIT_S = 10.0


@dataclass
class Peer:
    api: PeerApi
    aws: dict[str, Any]

    def ask_for(self, order_id: str) -> Ask:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            for ask in self.api.receive(wait_s=0):
                if ask.order_id == order_id:
                    return ask
            time.sleep(0.02)
        raise AssertionError(f"no ask for {order_id} reached the merchant")

    def ended(self, execution_arn: str) -> Execution:
        deadline = time.monotonic() + WAIT_S
        while self.aws["stepfunctions"].describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
            assert time.monotonic() < deadline, "the execution did not end"
            time.sleep(0.02)
        return read_execution(self.aws["stepfunctions"], execution_arn)

    def status(self, order_id: str) -> str:
        item = self.aws["dynamodb"].get_item(TableName=self.api.deployed.table, Key={"order_id": {"S": order_id}})
        return str(item["Item"]["status"]["S"])


@pytest.fixture(scope="module")
def peer_clients() -> dict[str, Any]:
    """Made once: moto intercepts clients made before its mock starts, and making one costs ≈ 0.2 s.
    (Not named `aws`: that name asks for the shared account, which must not be running here.)"""
    return clients(None)


@pytest.fixture
def peer(peer_clients: dict[str, Any]) -> Iterator[Peer]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield Peer(PeerApi(peer_clients, deploy(peer_clients)), peer_clients)


def test_an_unanswered_window_times_out_into_unanswered(peer: Peer) -> None:
    deadline_ms, execution_arn = peer.api.place("o_silent", "m_1", ELAPSING_WINDOW_S)
    ask = peer.ask_for("o_silent")

    execution = peer.ended(execution_arn)

    assert peer.status("o_silent") == "unanswered"
    assert (execution.status, execution.outcome_state) == ("SUCCEEDED", stepfunctions.TIMEOUT_STATE)
    assert execution.timed_out_ms is not None
    # Not early: the history's times are whole milliseconds read apart from moto's timer, so the
    # recorded span may come out a millisecond or two under the timeout it waited.
    assert execution.timed_out_ms >= execution.wait_started_ms + ELAPSING_WINDOW_S * 1000 - HISTORY_ROUNDING_MS
    assert execution.outcome_written_ms is not None
    assert execution.outcome_written_ms >= deadline_ms - 50  # the timer starts a little after the order's write
    assert execution.transitions == 2  # AskMerchant, MarkUnanswered
    assert execution.task_calls == {"SQS.SendMessage": 1, "DynamoDB.UpdateItem": 1}
    assert peer.api.answer(ask.task_token) is False  # too late: the API's 409
    assert peer.status("o_silent") == "unanswered"


def test_an_answer_within_the_window_ends_accepted(peer: Peer) -> None:
    _, execution_arn = peer.api.place("o_answered", "m_1", LONG_WINDOW_S)
    ask = peer.ask_for("o_answered")

    assert ask.merchant_id == "m_1"
    assert peer.api.answer(ask.task_token, "accepted") is True
    execution = peer.ended(execution_arn)

    assert peer.status("o_answered") == "accepted"
    assert (execution.status, execution.outcome_state) == ("SUCCEEDED", "RecordAnswer")
    assert execution.timed_out_ms is None
    assert execution.transitions == 2  # AskMerchant, RecordAnswer


def test_an_order_settled_another_way_is_left_as_it_is(peer: Peer) -> None:
    _, execution_arn = peer.api.place("o_cancelled", "m_1", ELAPSING_WINDOW_S)
    peer.aws["dynamodb"].update_item(
        TableName=peer.api.deployed.table, Key={"order_id": {"S": "o_cancelled"}},
        UpdateExpression="SET #s = :c", ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":c": {"S": "cancelled"}})

    execution = peer.ended(execution_arn)

    assert peer.status("o_cancelled") == "cancelled"
    assert execution.status == "SUCCEEDED"
    assert execution.transitions == 3  # AskMerchant, MarkUnanswered (condition fails), AlreadySettled


def test_a_place_retried_with_the_same_order_starts_no_second_window(peer: Peer) -> None:
    _, first = peer.api.place("o_once", "m_1", LONG_WINDOW_S)
    ask = peer.ask_for("o_once")

    with pytest.raises(peer.aws["dynamodb"].exceptions.ConditionalCheckFailedException):
        peer.api.place("o_once", "m_1", LONG_WINDOW_S)

    assert peer.api.answer(ask.task_token) is True
    assert peer.ended(first).status == "SUCCEEDED"
    listed = peer.aws["stepfunctions"].list_executions(stateMachineArn=peer.api.deployed.machine_arn)
    assert len(listed["executions"]) == 1


def test_the_definition_passes_cfn_lints_state_machine_checks() -> None:
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"AnswerWindow": {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"StateMachineType": "STANDARD", "RoleArn": "arn:aws:iam::123456789012:role/answer-window",
                       "Definition": stepfunctions.asl(),
                       "DefinitionSubstitutions": {"OrdersTableName": "peer-orders",
                                                   "MerchantQueueUrl": "https://sqs.us-east-1.amazonaws.com/"
                                                                       "123456789012/peer-merchant-asks"}}}}}

    findings = [str(match) for match in lint_all(json.dumps(template)) if match.rule.id[0] in "EW"]

    assert findings == []
