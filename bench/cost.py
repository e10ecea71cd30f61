"""What an order costs on AWS, from the requests a benchmark counted on the local stack.

List prices, us-east-1, on-demand, free tiers ignored, as recorded on 2026-11-22 from the AWS
pricing pages (aws.amazon.com/{dynamodb,sqs,lambda,api-gateway}/pricing); on 2026-12-01 DynamoDB's
on-demand prices were corrected (halved on 2024-11-01, which the first record missed) and Step
Functions' added, each price's source and date beside it. Assumptions, stated once:

* DynamoDB items are < 1 KB (1 WRU per write) and < 4 KB (a read is 1 RRU when strongly
  consistent, 0.5 when eventually consistent). Entity loads are strongly consistent and GSI
  queries eventually consistent; the call counter does not tell them apart, so every read
  request is priced as 1 RRU (an upper bound). Transactions cost double (none on the hot path).
* Every write to `ontime-orders` is also written to the global secondary indexes that hold the
  item (by_merchant, by_customer always; merchant_pending and due while the order waits): about
  `ORDERS_GSI_WRITES_PER_WRITE` extra WRUs per table write (4 on insert, 3–4 on updates).
* SQS: every API call is one request per 64 KB chunk (our messages are < 1 KB). In AWS, Lambda's
  event source mapping receives and deletes each message (billed to the account); locally the
  stack's pump does that and counts it apart, with its own polling rhythm. So each message sent
  is modelled as 3 requests (send, receive, delete: batches of one at low traffic). The mapping's
  idle long polling (~5 pollers, ≈ 0.26 USD a month) is a fixed cost, not a per-order one.
* Lambda: the invocations the stack counted per handler; memory 512 MB (`.chalice/config.json`);
  billed duration assumed `LAMBDA_BILLED_MS` per invocation (not measured: AWS latencies differ
  from moto's), plus for `fire_alarms` the engine's in-process wait: SQS delays are whole seconds
  and are rounded down, so a trigger arrives 0–1 s early and the handler sleeps the rest (~500 ms
  on average, `ALARM_EARLY_WAIT_MS`).
* API Gateway REST: one request per REST invocation; WebSocket: one message per push (< 32 KB).
  Connection minutes are per terminal, not per order, and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PRICES_CHECKED = "us-east-1 list prices: recorded 2026-11-22, DynamoDB corrected and Step Functions added 2026-12-01"

# Each price: us-east-1, on-demand, as listed on its AWS pricing page on the date given.
DYNAMODB_USD_PER_MILLION_WRU = 0.625
"""aws.amazon.com/dynamodb/pricing/on-demand, 2026-12-01: $0.625 per million write request units
(halved from $1.25 on 2024-11-01; the 2026-11-22 record still had the old price)."""
DYNAMODB_USD_PER_MILLION_RRU = 0.125
"""aws.amazon.com/dynamodb/pricing/on-demand, 2026-12-01: $0.125 per million read request units
(halved from $0.25 on 2024-11-01)."""
SQS_USD_PER_MILLION_REQUESTS = 0.40
"""aws.amazon.com/sqs/pricing, 2026-11-22: standard queues, $0.40 per million requests (after 1 M free)."""
LAMBDA_USD_PER_MILLION_REQUESTS = 0.20
"""aws.amazon.com/lambda/pricing, 2026-11-22: $0.20 per million requests."""
LAMBDA_USD_PER_GB_SECOND = 0.0000166667
"""aws.amazon.com/lambda/pricing, 2026-11-22: x86, $0.0000166667 per GB-second (first 6 B GB-s a month)."""
APIGW_REST_USD_PER_MILLION_REQUESTS = 3.50
"""aws.amazon.com/api-gateway/pricing, 2026-11-22: REST APIs, $3.50 per million (first 333 M a month)."""
APIGW_WS_USD_PER_MILLION_MESSAGES = 1.00
"""aws.amazon.com/api-gateway/pricing, 2026-11-22: WebSocket, $1.00 per million messages (first 1 B)."""
APIGW_WS_USD_PER_MILLION_CONNECTION_MINUTES = 0.25
"""aws.amazon.com/api-gateway/pricing, 2026-11-22: WebSocket, $0.25 per million connection minutes."""
STEPFUNCTIONS_STANDARD_USD_PER_MILLION_TRANSITIONS = 25.0
"""aws.amazon.com/step-functions/pricing, 2026-12-01: Standard workflows, $0.025 per 1,000 state
transitions (4,000 a month free); Express workflows cannot wait for a task token."""

LAMBDA_MEMORY_GB = 0.5
LAMBDA_BILLED_MS = 60
ALARM_EARLY_WAIT_MS = 500
ALARM_HANDLER = "fire_alarms"
REST_HANDLER = "rest"
ORDERS_GSI_WRITES_PER_WRITE = 3.5
TRANSACTION_FACTOR = 2.0

_DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}
_DYNAMODB_READS = {"GetItem", "Query", "Scan", "BatchGetItem"}
_DYNAMODB_TRANSACTIONS = {"TransactWriteItems": "write", "TransactGetItems": "read"}


@dataclass(frozen=True)
class UsagePerOrder:
    """Billable units per order, already modelled for AWS."""

    dynamodb_wru: float
    dynamodb_rru: float
    sqs_requests: float
    lambda_invocations: float
    lambda_gb_seconds: float
    rest_requests: float
    ws_messages: float


def _split(call: str) -> tuple[str, str]:
    service, _, operation = call.partition(".")
    return service.lower(), operation


def usage_from_calls(calls_per_order: Mapping[str, float], invocations_per_order: Mapping[str, float], *,
                     pushes_per_order: float, orders_table_writes: float,
                     alarm_wait_ms: float = ALARM_EARLY_WAIT_MS) -> UsagePerOrder:
    """Model AWS usage from what the local stack counted per order: the app's AWS calls
    (`"DynamoDB.PutItem": n`, …), Lambda invocations by handler (`"rest": n`, `"fire_alarms": n`)
    and pushes. `orders_table_writes` is how many of the DynamoDB writes went to `ontime-orders`
    (one insert plus one per transition), to add their GSI writes. `alarm_wait_ms`: each alarm
    firing's in-process wait for its moment, billed to `fire_alarms`."""
    wru = rru = 0.0
    sqs_sends = sqs_other = 0.0
    for call, count in calls_per_order.items():
        service, operation = _split(call)
        if service == "dynamodb":
            if operation in _DYNAMODB_WRITES:
                wru += count
            elif operation in _DYNAMODB_READS:
                rru += count
            elif _DYNAMODB_TRANSACTIONS.get(operation) == "write":
                wru += TRANSACTION_FACTOR * count
            elif _DYNAMODB_TRANSACTIONS.get(operation) == "read":
                rru += TRANSACTION_FACTOR * count
        elif service == "sqs":
            if operation in {"SendMessage", "SendMessageBatch"}:
                sqs_sends += count
            else:
                sqs_other += count
    invocations = sum(invocations_per_order.values())
    billed_ms = invocations * LAMBDA_BILLED_MS + invocations_per_order.get(ALARM_HANDLER, 0.0) * alarm_wait_ms
    return UsagePerOrder(
        dynamodb_wru=wru + ORDERS_GSI_WRITES_PER_WRITE * orders_table_writes,
        dynamodb_rru=rru,
        sqs_requests=3 * sqs_sends + sqs_other,
        lambda_invocations=invocations,
        lambda_gb_seconds=billed_ms / 1000 * LAMBDA_MEMORY_GB,
        rest_requests=invocations_per_order.get(REST_HANDLER, 0.0),
        ws_messages=pushes_per_order,
    )


def usd_per_thousand_orders(usage: UsagePerOrder) -> dict[str, float]:
    """Cost of 1,000 orders per service, plus `total`."""
    per_million = 1000 / 1_000_000
    costs = {
        "dynamodb": (usage.dynamodb_wru * DYNAMODB_USD_PER_MILLION_WRU
                     + usage.dynamodb_rru * DYNAMODB_USD_PER_MILLION_RRU) * per_million,
        "sqs": usage.sqs_requests * SQS_USD_PER_MILLION_REQUESTS * per_million,
        "lambda": usage.lambda_invocations * LAMBDA_USD_PER_MILLION_REQUESTS * per_million
        + usage.lambda_gb_seconds * LAMBDA_USD_PER_GB_SECOND * 1000,
        "api_gateway_rest": usage.rest_requests * APIGW_REST_USD_PER_MILLION_REQUESTS * per_million,
        "api_gateway_ws": usage.ws_messages * APIGW_WS_USD_PER_MILLION_MESSAGES * per_million,
    }
    costs["total"] = sum(costs.values())
    return costs
