"""Workflow 01's answer window as a Step Functions user would write it: the peer that
`bench.versus_stepfunctions` measures the wait-state engine against.

`answer_window.asl.json` is the state machine (Standard: Express workflows cannot wait for a task
token). The API writes the order, then starts one execution per order with
`{"order_id", "merchant_id", "answer_window_s"}`:

    AskMerchant ── sqs:sendMessage.waitForTaskToken, TimeoutSecondsPath = the window ──▶ RecordAnswer
        │ Catch States.Timeout                          (SendTaskSuccess {"status": "accepted"})
        ▼
    MarkUnanswered ── dynamodb:updateItem status = unanswered, if still new/connected
    (either update finding the order settled already ──▶ AlreadySettled)

`problems` checks a definition's structure the way `waitstate.table.StateTable` checks a
workflow's table (one start, every target declared, every state reachable and able to reach an
end), plus what makes it an answer window.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalicelib.waitstate.table import StateTable

ASL_PATH = Path(__file__).with_name("answer_window.asl.json")
SUBSTITUTIONS = ("OrdersTableName", "MerchantQueueUrl")
"""`${Name}` placeholders in the definition, filled as CloudFormation's `DefinitionSubstitutions` would."""
WAIT_STATE = "AskMerchant"
TIMEOUT_STATE = "MarkUnanswered"
TERMINAL_TYPES = {"Succeed", "Fail"}
END = "(end)"
"""Where `"End": true` leads: a final pseudo-state, so that a state may both end and catch."""


def asl() -> dict[str, Any]:
    """The definition as written, placeholders and all."""
    loaded: dict[str, Any] = json.loads(ASL_PATH.read_text())
    return loaded


def definition(table_name: str, queue_url: str) -> str:
    """The definition with its placeholders filled in, as `CreateStateMachine` takes it."""
    text = ASL_PATH.read_text()
    for name, value in zip(SUBSTITUTIONS, (table_name, queue_url), strict=True):
        text = text.replace("${" + name + "}", value)
    return text


def _targets(state: dict[str, Any]) -> dict[str, str]:
    """Where a state can go next, by what takes it there."""
    found: dict[str, str] = {}
    if "Next" in state:
        found["next"] = state["Next"]
    for i, choice in enumerate(state.get("Choices", [])):
        found[f"choice {i}"] = choice["Next"]
    if "Default" in state:
        found["default"] = state["Default"]
    for catcher in state.get("Catch", []):
        found["catch " + ",".join(catcher["ErrorEquals"])] = catcher["Next"]
    if state.get("End"):
        found["end"] = END
    return found


def graph(machine: dict[str, Any]) -> StateTable[str]:
    """The states as a `StateTable`: what takes each state where (`"End": true` leads to `END`)."""
    transitions = {name: _targets(state) for name, state in machine["States"].items()}
    return StateTable(machine["StartAt"], {**transitions, END: {}})


def problems(machine: dict[str, Any]) -> list[str]:
    """What is wrong with an answer-window state machine (nothing, when the list is empty)."""
    states: dict[str, Any] = machine.get("States", {})
    if not states or machine.get("StartAt") not in states:
        return [f"StartAt {machine.get('StartAt')!r} is not one of the states"]
    found = graph(machine).problems()
    for name, state in states.items():
        if state.get("Type") in TERMINAL_TYPES | {"Choice"}:
            continue
        if state.get("End") and "Next" in state:
            found.append(f"state {name!r} has both End and Next")
        if not state.get("End") and "Next" not in state:
            found.append(f"state {name!r} has neither End nor Next")
    wait = states.get(WAIT_STATE, {})
    if not str(wait.get("Resource", "")).endswith(".waitForTaskToken"):
        found.append(f"{WAIT_STATE} does not wait for a task token")
    if "TimeoutSeconds" not in wait and "TimeoutSecondsPath" not in wait:
        found.append(f"{WAIT_STATE} has no timeout: an unanswered window would wait for a year")
    if "$$.Task.Token" not in json.dumps(wait.get("Parameters", {})):
        found.append(f"{WAIT_STATE} does not send its task token to the merchant")
    timeouts = [c["Next"] for c in wait.get("Catch", []) if "States.Timeout" in c["ErrorEquals"]]
    if timeouts != [TIMEOUT_STATE]:
        found.append(f"{WAIT_STATE}'s States.Timeout goes to {timeouts}, not [{TIMEOUT_STATE!r}]")
    if not _sets_status(states.get(TIMEOUT_STATE, {}), "unanswered"):
        found.append(f"{TIMEOUT_STATE} does not set the status unanswered")
    return found


def _sets_status(state: dict[str, Any], status: str) -> bool:
    """Whether a `dynamodb:updateItem` task's UpdateExpression sets a value that is `status`."""
    parameters = state.get("Parameters", {})
    expression = str(parameters.get("UpdateExpression", ""))
    values = parameters.get("ExpressionAttributeValues", {})
    return str(state.get("Resource", "")).endswith("dynamodb:updateItem") and any(
        value == {"S": status} and name in expression for name, value in values.items())
