"""What the local stack counts for benchmarks, served as `GET /_stats` on the gateway port:

    {"aws_calls": {"DynamoDB.PutItem": n, "SQS.SendMessage": n, …},   # requests the app made
     "aws_calls_by_handler": {"fire_alarms": {"DynamoDB.GetItem": n, …}, "rest": {…}, …},
     "aws_partitions": {"ontime-orders|base|ord_1": {"read": n, "write": n},  # DynamoDB requests per
                        "ontime-orders|due|7": {"write": n}, …},              # table|index|key value
     "harness_aws_calls": {"SQS.ReceiveMessage": n, …},              # the stack's own (pumps, set-up)
     "invocations": {"rest": n, "connect": n, "fire_alarms": n, …},  # Lambda invocations by handler
     "invocations_killed": {"rest": n, …},                           # of those, killed by a fault
     "invocation_ms": {"fire_alarms": ms, …},                        # their wall time, summed
     "pushes": n, "pushes_gone": n, "connections": n,                # @connections deliveries
     "rss_bytes": n, "peak_rss_bytes": n,                            # VmRSS / VmHWM, summed over processes
     "cpu_seconds": x,                                               # user + system CPU, summed over processes
     "processes": {"stack": {"pid": n, "cpu_seconds": x, "rss_bytes": n, "peak_rss_bytes": n},
                   "aws": {…}}}                                      # each of the stack's processes

AWS calls are counted in the callers' botocore sessions (boto3's and each of PynamoDB's), once per
API call whichever transport answers it (`aws.count_api_calls`); `ApiGatewayManagementApi.*` are
the app's `@connections` calls. A call whose User-Agent carries `HARNESS_USER_AGENT` (see
`aws.harness_config`) is the stack standing in for AWS itself (Lambda's SQS poller, provisioning)
and is counted apart. Calls that other processes (tests, benchmarks) make to the moto endpoint
are not counted. `aws_calls_by_handler` splits the app's calls by the Lambda handler whose
invocation made them (`running_handler`), so a benchmark can tell what the alarms cost from what
the requests cost; calls made outside any invocation are under `"-"`. `invocation_ms` is what each
handler's invocations took, each rounded up to the millisecond as Lambda bills them (locally:
moto's latencies, not AWS's, but an alarm handler's in-process wait is the same). `pushes` are
the frames the gateway delivered. `aws_partitions` counts the app's DynamoDB requests (and the index
writes they cause) per partition-key value, read or write (`devstack/partitions.py`).

The stack may be more than one process (moto runs in its own by default): memory and CPU are given
per process and summed. The summed peak is the sum of each process's own peak, an upper bound of
the stack's peak.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from contextvars import ContextVar
from pathlib import Path
from typing import Any

HARNESS_USER_AGENT = "ontime-local-harness"
NO_HANDLER = "-"

running_handler: ContextVar[str] = ContextVar("running_handler", default=NO_HANDLER)
"""The Lambda handler the current thread is running (set by `LambdaRuntime.invoke`)."""


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
    def __init__(self, proc: Path = Path("/proc")) -> None:
        self._proc = proc
        self.aws_calls = Tally()
        self.aws_calls_by_handler = Tally()  # "handler Service.Operation"
        self.harness_aws_calls = Tally()
        self.aws_partitions = Tally()  # "table|index|value read"
        self.invocations = Tally()
        self.invocations_killed = Tally()  # by an injected `kill.*` fault (devstack/faults.py)
        self.invocation_ms = Tally()
        self.pushes = Tally()  # "delivered", "gone", "too_large"
        self._processes: dict[str, int] = {"stack": os.getpid()}

    def add_process(self, name: str, pid: int) -> None:
        """Count another of the stack's processes in memory and CPU."""
        self._processes[name] = pid

    def as_json(self, live_connections: int) -> dict[str, Any]:
        processes = {name: process_usage(pid, self._proc) for name, pid in self._processes.items()}
        return {
            "aws_calls": self.aws_calls.snapshot(),
            "aws_calls_by_handler": by_handler(self.aws_calls_by_handler.snapshot()),
            "harness_aws_calls": self.harness_aws_calls.snapshot(),
            "aws_partitions": by_partition(self.aws_partitions.snapshot()),
            "invocations": self.invocations.snapshot(),
            "invocations_killed": self.invocations_killed.snapshot(),
            "invocation_ms": self.invocation_ms.snapshot(),
            "pushes": self.pushes.get("delivered"),
            "pushes_gone": self.pushes.get("gone"),
            "connections": live_connections,
            "rss_bytes": sum(usage["rss_bytes"] for usage in processes.values()),
            "peak_rss_bytes": sum(usage["peak_rss_bytes"] for usage in processes.values()),
            "cpu_seconds": round(sum(usage["cpu_seconds"] for usage in processes.values()), 3),
            "processes": processes,
        }


def by_handler(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """`{"fire_alarms DynamoDB.GetItem": n}` → `{"fire_alarms": {"DynamoDB.GetItem": n}}`."""
    nested: dict[str, dict[str, int]] = {}
    for name, count in counts.items():
        handler, _, call = name.partition(" ")
        nested.setdefault(handler, {})[call] = count
    return nested


def by_partition(counts: dict[str, int]) -> dict[str, dict[str, int]]:
    """`{"ontime-orders|base|ord_1 write": n}` → `{"ontime-orders|base|ord_1": {"write": n}}`."""
    nested: dict[str, dict[str, int]] = {}
    for name, count in counts.items():
        partition, _, kind = name.rpartition(" ")
        nested.setdefault(partition, {})[kind] = count
    return nested


def process_usage(pid: int, proc: Path = Path("/proc")) -> dict[str, Any]:
    """One process's pid, CPU seconds (user + system) and memory; zeros where /proc is missing."""
    memory = memory_bytes(proc / str(pid) / "status")
    return {"pid": pid, "cpu_seconds": round(cpu_seconds(proc / str(pid) / "stat"), 3),
            "rss_bytes": memory.get("VmRSS", 0), "peak_rss_bytes": memory.get("VmHWM", 0)}


def cpu_seconds(stat: Path) -> float:
    """utime + stime from /proc/PID/stat (after the command name, which may hold spaces)."""
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
