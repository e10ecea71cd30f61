"""The Step Functions peer deployed on one moto endpoint, and what a Step Functions user's code
would call to run it: the API placing an order, the merchant side receiving its ask and answering,
and (afterwards) what each execution's history says.

A Step Functions user's API writes the order itself (a conditional PutItem: status `new`,
`answer_deadline` = now + window), then calls StartExecution: `POST /orders` answers 201 with the
stored order and its deadline, and a `GET` right after must find it, which a PutItem task inside
an asynchronous Standard execution cannot promise. The merchant side polls the ask queue (each
message carries the order and its task token) and answers with SendTaskSuccess; once the window
has closed, Step Functions refuses the token (`TaskTimedOut` in AWS; moto says `InvalidToken`,
since it only looks among running executions) and the API answers 409.

The calls this code makes are counted per client (`calls`), as the local stack counts the app's.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from bench import stepfunctions

TABLE = "peer-orders"
QUEUE = "peer-merchant-asks"
MACHINE = "answer-window"
ROLE_ARN = "arn:aws:iam::123456789012:role/answer-window"
WINDOW_CLOSED = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}
REGION = "us-east-1"
CREDENTIALS = {"aws_access_key_id": "peer", "aws_secret_access_key": "peer"}


class CallCounter:
    """botocore's `before-call` on the clients it is registered with: `Service.Operation` → count."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.counts[f"{model.service_model.service_id}.{model.name}"] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self.counts.items()))


def clients(endpoint_url: str | None, counter: CallCounter | None = None, pool: int = 50) -> dict[str, Any]:
    """dynamodb, sqs and stepfunctions clients for `endpoint_url` (None: moto in-process or AWS),
    each counting its calls with `counter`."""
    config = Config(max_pool_connections=pool, retries={"mode": "standard"})
    made = {name: boto3.client(name, region_name=REGION, endpoint_url=endpoint_url, config=config, **CREDENTIALS)
            for name in ("dynamodb", "sqs", "stepfunctions")}
    if counter is not None:
        for client in made.values():
            client.meta.events.register("before-call", counter)
    return made


@dataclass(frozen=True)
class Ask:
    order_id: str
    merchant_id: str
    task_token: str
    received_ms: float


@dataclass(frozen=True)
class Deployed:
    table: str
    queue_url: str
    machine_arn: str


def deploy(made: dict[str, Any]) -> Deployed:
    """The orders table, the merchants' ask queue and the state machine (Standard)."""
    made["dynamodb"].create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}])
    queue_url = made["sqs"].create_queue(QueueName=QUEUE)["QueueUrl"]
    machine = made["stepfunctions"].create_state_machine(
        name=MACHINE, definition=stepfunctions.definition(TABLE, queue_url), roleArn=ROLE_ARN, type="STANDARD")
    return Deployed(TABLE, queue_url, machine["stateMachineArn"])


def now_ms() -> float:
    return time.time() * 1000


class PeerApi:
    """What the Step Functions user's API and merchant console call, on counted clients."""

    def __init__(self, made: dict[str, Any], deployed: Deployed) -> None:
        self._dynamodb, self._sqs, self._sfn = made["dynamodb"], made["sqs"], made["stepfunctions"]
        self.deployed = deployed

    def place(self, order_id: str, merchant_id: str, window_s: int) -> tuple[int, str]:
        """Write the order, start its window; returns (answer_deadline in epoch ms, execution ARN)."""
        deadline_ms = int(now_ms()) + window_s * 1000
        self._dynamodb.put_item(
            TableName=self.deployed.table, ConditionExpression="attribute_not_exists(order_id)",
            Item={"order_id": {"S": order_id}, "merchant_id": {"S": merchant_id}, "status": {"S": "new"},
                  "answer_deadline": {"N": str(deadline_ms)}})
        started = self._sfn.start_execution(
            stateMachineArn=self.deployed.machine_arn, name=order_id,  # the name makes a retry idempotent
            input=json.dumps({"order_id": order_id, "merchant_id": merchant_id, "answer_window_s": window_s}))
        return deadline_ms, str(started["executionArn"])

    def receive(self, wait_s: int = 1) -> list[Ask]:
        """The asks waiting in the merchants' queue (up to 10), deleted once read."""
        reply = self._sqs.receive_message(QueueUrl=self.deployed.queue_url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=wait_s)
        messages = reply.get("Messages", [])
        if not messages:
            return []
        at = now_ms()
        self._sqs.delete_message_batch(QueueUrl=self.deployed.queue_url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        asks = []
        for message in messages:
            body = json.loads(message["Body"])
            asks.append(Ask(str(body["order_id"]), str(body["merchant_id"]), str(body["task_token"]), at))
        return asks

    def answer(self, task_token: str, status: str = "accepted") -> bool:
        """SendTaskSuccess; False when the window has closed (the API's 409)."""
        try:
            self._sfn.send_task_success(taskToken=task_token, output=json.dumps({"status": status}))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in WINDOW_CLOSED:
                return False
            raise
        return True


def parse_timestamp_ms(value: Any) -> float:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.timestamp() * 1000


@dataclass
class Execution:
    """What one execution's history says, for the benchmark."""

    status: str
    transitions: int
    """States entered: what Standard workflows bill."""
    task_calls: dict[str, int] = field(default_factory=dict)
    """The service calls its tasks made (`SQS.SendMessage`, `DynamoDB.UpdateItem`)."""
    wait_started_ms: float = 0.0
    """When the waiting task started (its `TimeoutSeconds` run from here)."""
    timeout_s: int = 0
    timed_out_ms: float | None = None
    outcome_written_ms: float | None = None
    """When the task that writes the outcome succeeded: the status is visible from then on."""
    ended_ms: float | None = None
    outcome_state: str = ""


_TASK_SERVICES = {"sqs": "SQS", "dynamodb": "DynamoDB", "lambda": "Lambda", "sns": "SNS"}
_OUTCOME_STATES = {"RecordAnswer", stepfunctions.TIMEOUT_STATE}


def read_execution(sfn: Any, execution_arn: str) -> Execution:
    status = str(sfn.describe_execution(executionArn=execution_arn)["status"])
    events: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000,
                                         **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    return summarise(status, events)


def summarise(status: str, events: list[dict[str, Any]]) -> Execution:
    execution = Execution(status, 0)
    state = ""
    for event in events:
        kind, at = str(event["type"]), parse_timestamp_ms(event["timestamp"])
        if kind.endswith("StateEntered"):
            execution.transitions += 1
            state = str(event["stateEnteredEventDetails"]["name"])
        elif kind == "TaskScheduled":
            details = event["taskScheduledEventDetails"]
            operation = str(details["resource"]).split(".")[0]
            name = f"{_TASK_SERVICES.get(details['resourceType'], details['resourceType'])}." \
                   f"{operation[:1].upper()}{operation[1:]}"
            execution.task_calls[name] = execution.task_calls.get(name, 0) + 1
            if state == stepfunctions.WAIT_STATE:
                execution.timeout_s = int(details.get("timeoutInSeconds") or 0)
        elif kind == "TaskStarted" and state == stepfunctions.WAIT_STATE:
            execution.wait_started_ms = at
        elif kind == "TaskTimedOut" and state == stepfunctions.WAIT_STATE:
            execution.timed_out_ms = at
        elif kind == "TaskSucceeded" and state in _OUTCOME_STATES:
            execution.outcome_written_ms, execution.outcome_state = at, state
        elif kind.startswith("Execution") and kind != "ExecutionStarted":
            execution.ended_ms = at
    return execution
