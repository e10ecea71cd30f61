"""The Step Functions peer's state machine (bench/stepfunctions/answer_window.asl.json) is sane as
a graph and is an answer window; the checks themselves catch what they are for."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench import stepfunctions


def test_the_answer_window_definition_has_no_problems() -> None:
    assert stepfunctions.problems(stepfunctions.asl()) == []


def test_every_placeholder_of_the_definition_is_filled() -> None:
    text = stepfunctions.definition("peer-orders", "https://sqs.example/123/asks")

    assert "${" not in text
    assert "peer-orders" in text
    assert "https://sqs.example/123/asks" in text


def _broken(change: Any) -> list[str]:
    machine = copy.deepcopy(stepfunctions.asl())
    change(machine["States"])
    return stepfunctions.problems(machine)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda s: s["AskMerchant"].pop("Catch"), "AskMerchant's States.Timeout goes to []"),
    (lambda s: s["AskMerchant"].pop("TimeoutSecondsPath"), "AskMerchant has no timeout"),
    (lambda s: s["AskMerchant"].update(Resource="arn:aws:states:::sqs:sendMessage"),
     "AskMerchant does not wait for a task token"),
    (lambda s: s["AskMerchant"]["Parameters"]["MessageBody"].pop("task_token.$"),
     "AskMerchant does not send its task token"),
    (lambda s: s["RecordAnswer"].update(Next="Nowhere"), "state 'Nowhere' is a target but not declared"),
    (lambda s: s["MarkUnanswered"].pop("End"), "state 'MarkUnanswered' has neither End nor Next"),
    (lambda s: s.update(AlreadySettled={"Type": "Pass", "Next": "AlreadySettled"}),
     "state 'AlreadySettled' cannot reach a final state"),
    (lambda s: s["MarkUnanswered"]["Parameters"]["ExpressionAttributeValues"].pop(":unanswered"),
     "MarkUnanswered does not set the status unanswered"),
    (lambda s: s.update(Orphan={"Type": "Succeed"}), "state 'Orphan' is unreachable"),
])
def test_a_broken_answer_window_is_named_for_what_is_wrong(change: Any, expected: str) -> None:
    assert any(problem.startswith(expected) for problem in _broken(change)), _broken(change)
