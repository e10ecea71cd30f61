"""What the local stack counts for benchmarks, served as `GET /_stats` on the gateway port:

    {"aws_calls": {"DynamoDB.PutItem": n, "SQS.SendMessage": n, …},   # requests the app made
     "harness_aws_calls": {"SQS.ReceiveMessage": n, …},              # the stack's own (pumps, set-up)
     "invocations": {"rest": n, "connect": n, "fire_alarms": n, …},  # Lambda invocations by handler
     "pushes": n, "pushes_gone": n, "connections": n,                # @connections deliveries
     "rss_bytes": n, "peak_rss_bytes": n}                            # VmRSS / VmHWM of this process

AWS calls are counted in the callers' botocore sessions (boto3's and each of PynamoDB's), once per
API call whichever transport answers it (`aws.count_api_calls`); `ApiGatewayManagementApi.*` are
the app's `@connections` calls. A call whose User-Agent carries `HARNESS_USER_AGENT` (see
`aws.harness_config`) is the stack standing in for AWS itself (Lambda's SQS poller, provisioning)
and is counted apart. Calls that other processes (tests, benchmarks) make to the moto endpoint
are not counted. `pushes` are the frames the gateway delivered.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

HARNESS_USER_AGENT = "ontime-local-harness"


class Tally:
    """Named counters shared by many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] += n

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    def get(self, name: str) -> int:
        with self._lock:
            return self._counts[name]


class StackStats:
    def __init__(self) -> None:
        self.aws_calls = Tally()
        self.harness_aws_calls = Tally()
        self.invocations = Tally()
        self.pushes = Tally()  # "delivered", "gone", "too_large"

    def as_json(self, live_connections: int) -> dict[str, Any]:
        memory = memory_bytes()
        return {
            "aws_calls": self.aws_calls.snapshot(),
            "harness_aws_calls": self.harness_aws_calls.snapshot(),
            "invocations": self.invocations.snapshot(),
            "pushes": self.pushes.get("delivered"),
            "pushes_gone": self.pushes.get("gone"),
            "connections": live_connections,
            "rss_bytes": memory.get("VmRSS", 0),
            "peak_rss_bytes": memory.get("VmHWM", 0),
        }


def memory_bytes(status: Path = Path("/proc/self/status")) -> dict[str, int]:
    """VmRSS (resident now) and VmHWM (peak resident) in bytes; empty where /proc is missing."""
    found: dict[str, int] = {}
    try:
        lines = status.read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            amount, _, unit = value.strip().partition(" ")
            found[name] = int(amount) * (1024 if unit.lower() == "kb" else 1)
    return found
