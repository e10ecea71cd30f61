"""What `bench.versus_stepfunctions` counts as each side's orchestration of the answer window, and
how it reads an execution's history: the rules that make the comparison fair, on made-up counts."""

from __future__ import annotations

from typing import Any

import pytest

from bench.order_load import LoadShape, Placement, StepResult
from bench.stack import StackStats
from bench.stepfunctions.load import PeerPlacement, PeerRun, PeerShape
from bench.stepfunctions.peer import Execution, summarise
from bench.versus_stepfunctions import our_orchestration, peer_cost, plans_for


@pytest.mark.parametrize(("accepted", "accepts"), [(0.0, 0), (0.25, 5), (0.5, 10), (1.0, 20)])
def test_the_accepted_fraction_is_spread_evenly_over_each_cycle(accepted: float, accepts: int) -> None:
    plans = plans_for(accepted)

    assert plans.count("accept") == accepts
    assert set(plans) <= {"accept", "fetch"}
    if accepted == 0.5:
        assert plans[:4] == ("fetch", "accept", "fetch", "accept")


def _stats(calls: dict[str, int], by_handler: dict[str, dict[str, int]], invocations: dict[str, int],
           invocation_ms: dict[str, int]) -> StackStats:
    return StackStats(calls, 0, 0, 0, invocations, {}, {}, by_handler, invocation_ms)


def test_our_orchestration_is_the_alarms_part_not_the_outcome_or_its_pushes() -> None:
    before = _stats({}, {}, {}, {})
    after = _stats(
        {"SQS.SendMessage": 10, "DynamoDB.PutItem": 45, "DynamoDB.GetItem": 40, "ApiGatewayManagementApi."
         "PostToConnection": 50},
        {"rest": {"SQS.SendMessage": 10, "DynamoDB.PutItem": 40, "DynamoDB.GetItem": 28},
         "fire_alarms": {"DynamoDB.GetItem": 12, "DynamoDB.PutItem": 5, "DynamoDB.Query": 3,
                         "ApiGatewayManagementApi.PostToConnection": 10}},
        {"rest": 25, "fire_alarms": 7}, {"rest": 500, "fire_alarms": 1750})
    placements = [Placement(i, "fetch", 0, 0, 0.0, order_id=f"o_{i}") for i in range(10)]
    step = StepResult(LoadShape(rate=1, duration_s=10), placements, [], [], {}, before, after, 25)

    requests, usage = our_orchestration(step)

    assert requests == {"SQS.SendMessage": 1.0, "fire_alarms: DynamoDB.GetItem": 1.2,
                        "Lambda fire_alarms": 0.7, "Lambda sweep_alarms": 0.0}
    assert usage.dynamodb_wru == 2  # the `due` index entry in and out; the outcome's PutItem is not counted
    assert usage.dynamodb_rru == pytest.approx(1.2)  # the fence reads; the pushes' connection queries are not
    assert usage.sqs_requests == pytest.approx((10 + 2 * 7) / 10)  # each send, a receive and a delete per batch
    assert usage.lambda_invocations == pytest.approx(0.7)
    assert usage.lambda_gb_seconds == pytest.approx(1750 / 10 / 1000 * 0.5)  # measured time, 512 MB
    assert usage.rest_requests == usage.ws_messages == 0


def _history(*states: str, timed_out: bool = False) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"type": "ExecutionStarted", "timestamp": "2026-12-01T10:00:00.000+00:00"}]
    for i, state in enumerate(states):
        at = f"2026-12-01T10:00:0{i * 4}.{'100' if i else '010'}+00:00"
        events.append({"type": "TaskStateEntered", "timestamp": at, "stateEnteredEventDetails": {"name": state}})
        resource = ("sqs", "sendMessage.waitForTaskToken") if i == 0 else ("dynamodb", "updateItem")
        events.append({"type": "TaskScheduled", "timestamp": at, "taskScheduledEventDetails": {
            "resourceType": resource[0], "resource": resource[1], "timeoutInSeconds": 4 if i == 0 else None}})
        events.append({"type": "TaskStarted", "timestamp": at})
        ended = "TaskTimedOut" if i == 0 and timed_out else "TaskSucceeded"
        events.append({"type": ended, "timestamp": f"2026-12-01T10:00:0{i * 4}.{'060' if i == 0 else '120'}+00:00"})
    events.append({"type": "ExecutionSucceeded", "timestamp": "2026-12-01T10:00:04.130+00:00"})
    return events


def test_an_execution_history_gives_its_transitions_task_calls_and_timing() -> None:
    execution = summarise("SUCCEEDED", _history("AskMerchant", "MarkUnanswered", timed_out=True))

    assert execution.transitions == 2
    assert execution.task_calls == {"SQS.SendMessage": 1, "DynamoDB.UpdateItem": 1}
    assert execution.timeout_s == 4
    assert execution.timed_out_ms is not None
    assert execution.outcome_state == "MarkUnanswered"
    assert execution.outcome_written_ms is not None
    assert execution.outcome_written_ms - execution.wait_started_ms == pytest.approx(4110)


def test_the_peers_orchestration_is_its_state_transitions() -> None:
    placements = [PeerPlacement(i, f"o_{i}", "m_0", "fetch", 0, f"arn:{i}") for i in range(4)]
    executions = {p.order_id: Execution("SUCCEEDED", 2, {"SQS.SendMessage": 1, "DynamoDB.UpdateItem": 1})
                  for p in placements}
    run = PeerRun(PeerShape(4, 1, 1, 4, 0.5, 5, ("fetch",)), placements, executions, {}, {"DynamoDB.PutItem": 4,
                  "SQS.DeleteMessageBatch": 2, "SQS.ReceiveMessage": 9}, 2, 0.0, 0.0)

    costs = peer_cost(run).usd_per_million()

    assert costs["stepfunctions"] == pytest.approx(2 * 25.0)  # two states entered per order, $25 per million
    assert costs["dynamodb"] == pytest.approx(2 * 0.625)  # the order's PutItem and the outcome's UpdateItem
    assert costs["sqs"] == pytest.approx((4 + 2 + 2) / 4 * 0.40)  # sends, receives that carried asks, deletes


def test_the_orchestration_floor_is_the_index_entry_the_trigger_and_the_fence_read() -> None:
    from bench.versus_stepfunctions import orchestration_floor_usd_per_million

    floor = orchestration_floor_usd_per_million()
    assert floor["due index (2 WRU)"] == 2 * 0.625
    assert floor["total"] == 1.25 + 0.40 + 0.125
