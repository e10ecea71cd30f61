"""Faults of the local stack: AWS misbehaving in the middle of a transition, each at a rate.

    python -m devstack.stack --faults dynamodb.throttle=0.05,sqs.send=0.2 [--fault-seed 7]
    PUT  {gateway}/_faults  {"rates": {"connections.gone": 0.2}}      # change them while it runs
    PUT  {gateway}/_faults  {"rates": {"dynamodb.lost_answer": 1}, "limits": {"dynamodb.lost_answer": 1}}
                                                                     # strike once, then stop (tests)
    PUT  {gateway}/_faults  {"rates": {"kill.after_write": 1}, "limits": {…: 1},
                             "handlers": {"kill.after_write": "process_videos"}}   # in that function only
    GET  {gateway}/_faults  → {"rates": {…}, "injected": {"dynamodb.throttle": n, …}, "seed": n}

Only the local stack can inject them: this module lives in `devstack/`, which no deployment
package holds (`infra/package.py`), and it works by standing where AWS stands — as a botocore
handler in front of the stack's AWS transport, in the local `@connections` API, in the pumps that
play Lambda's event sources and in the runtime that plays Lambda — so the app runs unchanged.
Only the app's own calls are faulted (never the stack's provisioning, pumps or harness clients:
`HARNESS_USER_AGENT`), and only inside an invocation, once the stack is serving (`arm`).

Where each fault strikes, and what the app must do about it:

fault                 strikes                                    what the app sees
dynamodb.throttle     one attempt of a DynamoDB request          a 400 throttle (botocore retries it)
dynamodb.timeout      one attempt, before it reaches the table   a read timeout, nothing written (retried)
dynamodb.lost_answer  one attempt of a write, after it commits   a read timeout: the retry meets its own write
sqs.send              the app's SendMessage call                 a connection error: a committed write's
                                                                 trigger is not sent
kill.after_write      after a DynamoDB write committed           the invocation dies: no trigger, no
                                                                 reaction; the caller gets a 502, SQS redelivers
kill.after_trigger    after the app's SendMessage succeeded      the invocation dies before its reaction
connections.error     a PostToConnection                         a 500, nothing delivered
connections.timeout   a PostToConnection, after delivery         a read timeout though the frame arrived
connections.gone      a PostToConnection to an open socket       a 410: the connection looks gone
s3.duplicate          an S3 notification on its queue            the same notification twice
s3.delay              an S3 notification on its queue            it arrives 1–S3_DELAY_MAX_S s late
clock.skew            an invocation                              a clock off by up to ±CLOCK_SKEW_MAX_MS

Rates are per chance to strike (per attempt, call, post, notification or invocation), drawn from
one seeded generator so a run can be repeated (thread scheduling still varies).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from botocore import handlers
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from devstack.stats import HARNESS_USER_AGENT, NO_HANDLER, running_handler

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest

FAULTS: dict[str, str] = {
    "dynamodb.throttle": "a DynamoDB attempt is throttled (ProvisionedThroughputExceeded or ThrottlingException)",
    "dynamodb.timeout": "a DynamoDB attempt times out before it reaches the table",
    "dynamodb.lost_answer": "a DynamoDB write commits but its answer is lost (read timeout)",
    "sqs.send": "the app's SQS SendMessage fails (after the state write committed)",
    "kill.after_write": "the invocation dies right after a DynamoDB write committed",
    "kill.after_trigger": "the invocation dies right after its trigger was sent, before the reaction",
    "connections.error": "@connections answers 500",
    "connections.timeout": "@connections delivers, then its answer times out",
    "connections.gone": "@connections answers 410 for an open connection",
    "s3.duplicate": "an S3 notification is delivered twice",
    "s3.delay": "an S3 notification is delivered late",
    "clock.skew": "an invocation runs on a container whose clock is off",
}
S3_DELAY_MAX_S = 10
CLOCK_SKEW_MAX_MS = 3000
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"})
ANSWERED_BY_A_FAULT = "https://answered-by-a-fault.invalid/"
THROTTLES = (("ProvisionedThroughputExceededException", "com.amazonaws.dynamodb.v20120810",
              "The level of configured provisioned throughput for the table was exceeded."),
             ("ThrottlingException", "com.amazon.coral.availability",
              "Rate of requests exceeds the allowed throughput."))


class InvocationKilled(BaseException):
    """The process died mid-invocation. A BaseException, so that no `except Exception` of the app
    survives it: `LambdaRuntime` turns it into the failed invocation Lambda reports."""


class FaultPlan:
    """The rates, the seeded draw and what was injected; shared by every injection point."""

    def __init__(self, rates: Mapping[str, float] | None = None, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._seed = seed
        self._rates: dict[str, float] = {}
        self._left: dict[str, int] = {}
        self._handlers: dict[str, str] = {}
        self._injected: Counter[str] = Counter()
        self._armed = False
        self.set(rates or {})

    def set(self, rates: Mapping[str, float], limits: Mapping[str, int] | None = None,
            handlers: Mapping[str, str] | None = None) -> None:
        """Replace every rate (an empty mapping stops all faults) and, for some of them, how many
        times at most they strike from now (then their rate is 0: a test strikes one step exactly)
        and the one handler they strike in (a test kills that function, whatever else runs);
        unknown names, rates outside [0, 1] or negative limits are refused, changing nothing."""
        checked = {name: float(rate) for name, rate in rates.items()}
        left = {name: int(n) for name, n in (limits or {}).items()}
        only = {name: str(handler) for name, handler in (handlers or {}).items()}
        unknown = sorted((set(checked) | set(left) | set(only)) - set(FAULTS))
        if unknown:
            raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(FAULTS)}")
        if any(not 0.0 <= rate <= 1.0 for rate in checked.values()):
            raise ValueError("a fault's rate is between 0 and 1")
        if any(n < 0 for n in left.values()):
            raise ValueError("a fault's limit is a count of strikes, at least 0")
        with self._lock:
            self._rates = {name: rate for name, rate in checked.items() if rate > 0 and left.get(name) != 0}
            self._left = {name: n for name, n in left.items() if name in self._rates}
            self._handlers = {name: handler for name, handler in only.items() if name in self._rates}

    def arm(self) -> None:
        """Start striking (the stack calls it once it is serving: set-up and seeding run clean)."""
        self._armed = True

    def strikes(self, fault: str, *, in_invocation: bool = True) -> bool:
        """Whether `fault` strikes now (counted when it does): inside an app invocation only,
        unless it strikes an event source (`in_invocation=False`)."""
        with self._lock:
            rate = self._rates.get(fault, 0.0)
            if not self._armed or rate <= 0 or (in_invocation and running_handler.get() == NO_HANDLER):
                return False
            if fault in self._handlers and running_handler.get() != self._handlers[fault]:
                return False
            struck = self._random.random() < rate
            if struck:
                self._injected[fault] += 1
                if fault in self._left:
                    self._left[fault] -= 1
                    if not self._left[fault]:
                        del self._left[fault], self._rates[fault]
            return struck

    def uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._random.uniform(low, high)

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            return {"rates": dict(sorted(self._rates.items())), "limits": dict(sorted(self._left.items())),
                    "handlers": dict(sorted(self._handlers.items())), "injected": dict(sorted(self._injected.items())),
                    "seed": self._seed, "armed": self._armed}


def parse_rates(text: str) -> dict[str, float]:
    """`dynamodb.throttle=0.05,sqs.send=0.2` → rates (ValueError for anything else)."""
    rates: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, rate = part.partition("=")
        if not sep:
            raise ValueError(f"{part!r}: a fault is NAME=RATE")
        rates[name.strip()] = float(rate)
    FaultPlan(rates)  # the same checks as at run time
    return rates


# ── AWS calls: a botocore handler in front of the transport ────────────────────────────────

Forward = Callable[["AWSPreparedRequest"], AWSResponse | None]


def _is_app_call(request_or_params: Any) -> bool:
    headers = request_or_params.get("headers", {}) if isinstance(request_or_params, dict) else request_or_params.headers
    agent = headers.get("User-Agent", b"")
    return HARNESS_USER_AGENT not in (agent.decode() if isinstance(agent, bytes) else str(agent))


def _operation(request: AWSPreparedRequest) -> str:
    target = request.headers.get("X-Amz-Target", b"")
    return (target.decode() if isinstance(target, bytes) else str(target)).rpartition(".")[2]


def throttled_answer(request: AWSPreparedRequest, draw: float) -> AWSResponse:
    """What DynamoDB answers a throttled request (JSON 1.0 protocol), one of its two throttles."""
    code, namespace, message = THROTTLES[int(draw * len(THROTTLES)) % len(THROTTLES)]
    body = json.dumps({"__type": f"{namespace}#{code}", "message": message}).encode()
    from devstack.aws import RawBody

    return AWSResponse(request.url, 400, {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.0"},
                       RawBody(body))


class AwsFaults:
    """The AWS faults, as botocore built-in handlers: `before-send` (ahead of the transport, so it
    answers instead of moto: throttles, timeouts, lost answers), `before-call` (a whole API call
    failing: SQS sends) and `after-call` (the process dying after a call succeeded)."""

    def __init__(self, plan: FaultPlan) -> None:
        self._plan = plan
        self.forward: Forward | None = None
        """The transport (moto), for a lost answer: the request must reach the table first."""

    def install(self) -> None:
        # Before the transports' handlers, and before any session copies the built-in ones.
        handlers.BUILTIN_HANDLERS.insert(0, ("before-send.dynamodb", self.before_send))
        handlers.BUILTIN_HANDLERS.append(("before-call.sqs", self.before_call))
        handlers.BUILTIN_HANDLERS.append(("after-call.dynamodb", self.after_dynamodb_call))
        handlers.BUILTIN_HANDLERS.append(("after-call.sqs", self.after_sqs_call))

    def before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not _is_app_call(request):
            return None
        if self._plan.strikes("dynamodb.throttle"):
            answer = throttled_answer(request, self._plan.uniform(0, 1))
            # botocore asks every `before-send` handler, even after one answered: pointed away
            # from AWS, the request is passed by the transports behind (moto, the forwarder)
            # instead of being written while the app is told it was throttled.
            request.url = ANSWERED_BY_A_FAULT
            return answer
        if self._plan.strikes("dynamodb.timeout"):
            raise ReadTimeoutError(endpoint_url=request.url)
        if self.forward is not None and _operation(request) in DYNAMODB_WRITES \
                and self._plan.strikes("dynamodb.lost_answer"):
            self.forward(request)  # the write commits; its answer never arrives
            raise ReadTimeoutError(endpoint_url=request.url)
        return None

    def before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name.startswith("SendMessage") and _is_app_call(params) and self._plan.strikes("sqs.send"):
            raise EndpointConnectionError(endpoint_url=str(params.get("url", "sqs")))

    # No headers here to tell the app's calls from the harness's: the harness calls outside any
    # invocation (pump threads, provisioning), where nothing strikes.
    def after_dynamodb_call(self, http_response: Any, model: Any, **_: Any) -> None:
        if model.name in DYNAMODB_WRITES and http_response.status_code < 300 and self._plan.strikes("kill.after_write"):
            raise InvocationKilled(f"killed after DynamoDB.{model.name} committed")

    def after_sqs_call(self, http_response: Any, model: Any, **_: Any) -> None:
        if model.name.startswith("SendMessage") and http_response.status_code < 300 \
                and self._plan.strikes("kill.after_trigger"):
            raise InvocationKilled(f"killed after SQS.{model.name} was sent")


# ── @connections ───────────────────────────────────────────────────────────────────────────


def connections_fault(plan: FaultPlan, deliver: Callable[[], int]) -> int:
    """The status a `PostToConnection` answers with the faults: `deliver()` delivers the frame
    (and returns its real status); a timeout is raised after a delivery."""
    if plan.strikes("connections.error"):
        return 500
    if plan.strikes("connections.gone"):
        return 410
    status = deliver()
    if status == 200 and plan.strikes("connections.timeout"):
        raise ReadTimeoutError(endpoint_url="@connections")
    return status


# ── S3 notifications on their queue ────────────────────────────────────────────────────────


def is_s3_notification(body: str) -> bool:
    try:
        records = json.loads(body).get("Records")
    except (ValueError, AttributeError):
        return False
    return isinstance(records, list) and any(
        isinstance(r, dict) and r.get("eventSource") == "aws:s3" for r in records)


class NotificationFaults:
    """What a pump does to the S3 notifications it receives: deliver some twice (a copy is sent
    back to the queue) and some late (sent back with a delay instead of delivered now), as S3's
    at-least-once, unordered delivery may."""

    def __init__(self, plan: FaultPlan) -> None:
        self._plan = plan

    def filter(self, sqs: Any, queue_url: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        delivered = []
        for message in messages:
            body = str(message.get("Body", ""))
            if not is_s3_notification(body):
                delivered.append(message)
            elif self._plan.strikes("s3.delay", in_invocation=False):
                delay_s = round(self._plan.uniform(1, S3_DELAY_MAX_S))
                sqs.send_message(QueueUrl=queue_url, MessageBody=body, DelaySeconds=delay_s)  # then the original
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            else:
                if self._plan.strikes("s3.duplicate", in_invocation=False):
                    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
                delivered.append(message)
        return delivered


# ── the clock ──────────────────────────────────────────────────────────────────────────────

_skew_ms: ContextVar[int] = ContextVar("clock_skew_ms", default=0)


class SkewedClock:
    """The app's clock, off by the current invocation's skew (`skewed_invocation`)."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000 + _skew_ms.get()

    def sleep_ms(self, ms: int) -> None:
        time.sleep(ms / 1000)


class ClockFaults:
    def __init__(self, plan: FaultPlan) -> None:
        self._plan = plan

    def skew_for_invocation(self) -> Any:
        """Set this invocation's skew (0 unless `clock.skew` strikes); returns the token to reset."""
        skew = round(self._plan.uniform(-CLOCK_SKEW_MAX_MS, CLOCK_SKEW_MAX_MS)) \
            if self._plan.strikes("clock.skew") else 0
        return _skew_ms.set(skew)

    @staticmethod
    def reset(token: Any) -> None:
        _skew_ms.reset(token)


class StackFaults:
    """Every injection point of one stack, built from one plan."""

    def __init__(self, plan: FaultPlan) -> None:
        self.plan = plan
        self.aws = AwsFaults(plan)
        self.notifications = NotificationFaults(plan)
        self.clock = ClockFaults(plan)
