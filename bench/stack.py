"""A fresh local stack per benchmark: start it on free ports, keep what it prints, ask its stats.

    with LocalStack(sweep_interval_s=60) as stack:
        stack.urls.rest, stack.urls.ws          # http://127.0.0.1:P, ws://127.0.0.1:Q
        stack.stats()                           # GET {ws}/_stats: AWS calls, pushes, RSS
        stack.json_lines()                      # every JSON line it printed so far (logs, EMF)

    with LocalStack(faults="") as stack:       # fault injection installed, no rates yet
        stack.set_faults({"sqs.send": 0.2})     # PUT {ws}/_faults; {} stops every fault
        stack.faults()                          # GET {ws}/_faults: rates and injected counts
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
READY_PREFIX = "READY "
STACK_MODULE = os.environ.get("BENCH_STACK_MODULE", "devstack.stack")
"""Overridable to measure an experimental variant of the stack with the same benchmarks."""
STARTUP_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class StackUrls:
    rest: str
    ws: str
    aws: str

    @property
    def stats(self) -> str:
        return self.ws.replace("ws://", "http://", 1).rstrip("/") + "/_stats"

    @property
    def faults(self) -> str:
        return self.ws.replace("ws://", "http://", 1).rstrip("/") + "/_faults"

    @classmethod
    def parse(cls, ready_line: str) -> StackUrls:
        fields = dict(part.split("=", 1) for part in ready_line.removeprefix(READY_PREFIX).split() if "=" in part)
        return cls(rest=fields["rest"].rstrip("/"), ws=fields["ws"].rstrip("/"), aws=fields.get("aws", ""))


def _counts(body: dict[str, Any], key: str) -> dict[str, int]:
    return {str(name): int(count) for name, count in (body.get(key) or {}).items()}


def _delta(now: dict[str, int], earlier: dict[str, int]) -> dict[str, int]:
    return {name: count - earlier.get(name, 0) for name, count in sorted(now.items()) if count != earlier.get(name, 0)}


def _partitions(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {str(partition): _counts(body.get("aws_partitions") or {}, partition)
            for partition in body.get("aws_partitions") or {}}


def _counts_by_handler(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {str(handler): _counts(body.get("aws_calls_by_handler") or {}, handler)
            for handler in body.get("aws_calls_by_handler") or {}}


@dataclass(frozen=True)
class StackStats:
    """`GET /_stats`: AWS calls the app made (in all and by the Lambda handler that made them), the
    stack's own (harness) calls, Lambda invocations by handler, pushes delivered, and the process's
    resident memory now and at its peak."""

    aws_calls: dict[str, int]
    pushes: int
    rss_bytes: int
    peak_rss_bytes: int
    invocations: dict[str, int] = field(default_factory=dict)
    harness_aws_calls: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    aws_calls_by_handler: dict[str, dict[str, int]] = field(default_factory=dict)
    invocation_ms: dict[str, int] = field(default_factory=dict)
    """Wall time of each handler's invocations, summed (each rounded up to 1 ms, as Lambda bills)."""
    aws_partitions: dict[str, dict[str, int]] = field(default_factory=dict)
    """The app's DynamoDB requests per `table|index|partition-key value`: `{"read": n, "write": n}`
    (empty from a stack that does not count them)."""

    @classmethod
    def parse(cls, body: dict[str, Any]) -> StackStats:
        return cls(_counts(body, "aws_calls"), int(body.get("pushes", 0)), int(body.get("rss_bytes", 0)),
                   int(body.get("peak_rss_bytes", 0)), _counts(body, "invocations"),
                   _counts(body, "harness_aws_calls"), body, _counts_by_handler(body), _counts(body, "invocation_ms"),
                   _partitions(body))

    def calls_since(self, earlier: StackStats) -> dict[str, int]:
        return _delta(self.aws_calls, earlier.aws_calls)

    def invocations_since(self, earlier: StackStats) -> dict[str, int]:
        return _delta(self.invocations, earlier.invocations)

    def invocation_ms_since(self, earlier: StackStats) -> dict[str, int]:
        return _delta(self.invocation_ms, earlier.invocation_ms)

    def partitions_since(self, earlier: StackStats) -> dict[str, dict[str, int]]:
        """DynamoDB requests per partition since `earlier`, by kind (`read`, `write`)."""
        found: dict[str, dict[str, int]] = {}
        for partition, kinds in self.aws_partitions.items():
            moved = _delta(kinds, earlier.aws_partitions.get(partition, {}))
            if moved:
                found[partition] = moved
        return found

    def handler_calls_since(self, earlier: StackStats, handler: str) -> dict[str, int]:
        """The AWS calls `handler`'s invocations made since `earlier` (empty from a stack that does
        not split its calls by handler)."""
        return _delta(self.aws_calls_by_handler.get(handler, {}), earlier.aws_calls_by_handler.get(handler, {}))


class LocalStack:
    """One `python -m devstack.stack` subprocess; its output is kept in memory and in a log file."""

    def __init__(self, *, sweep_interval_s: int = 60, seed: bool = False, log_name: str = "stack",
                 extra_args: tuple[str, ...] = (), validate_responses: bool = False, faults: str | None = None,
                 fault_seed: int = 0) -> None:
        self.rest_port = free_port()
        self.ws_port = free_port()
        self.sweep_interval_s = sweep_interval_s
        self.seed = seed
        self.extra_args = extra_args
        self.validate_responses = validate_responses
        self.fault_rates = faults
        """`--faults` (devstack/faults.py): None, none installed; "" installed with no rates yet."""
        self.fault_seed = fault_seed
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS / f"{log_name}.log"
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._ready_line = ""
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.urls = StackUrls("", "", "")

    @property
    def command(self) -> list[str]:
        args = [sys.executable, "-m", STACK_MODULE, "--rest-port", str(self.rest_port),
                "--ws-port", str(self.ws_port), "--aws-port", "0", "--sweep-interval", str(self.sweep_interval_s)]
        if not self.seed:
            args.append("--no-seed")
        # Measured as it runs in AWS, where answers are not checked against their models (unless asked).
        if not self.validate_responses:
            args.append("--no-validate-responses")
        if self.fault_rates is not None:
            args += ["--faults", self.fault_rates, "--fault-seed", str(self.fault_seed)]
        return [*args, *self.extra_args]

    def start(self, timeout_s: float = STARTUP_TIMEOUT_S) -> StackUrls:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("AWS_ENDPOINT_URL", None)
        self._process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, args=(self._process.stdout,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout_s
        while not self._ready.wait(0.1):
            if self._process.poll() is not None or time.monotonic() > deadline:
                tail = "\n".join(self.lines()[-30:])
                self.stop()
                raise RuntimeError(f"the local stack did not become ready ({self.command}):\n{tail}")
        self.urls = StackUrls.parse(self._ready_line)
        return self.urls

    def _read(self, stream: IO[str] | None) -> None:
        if stream is None:
            return
        with self.log_path.open("w") as log:
            for line in stream:
                line = line.rstrip("\n")
                log.write(line + "\n")
                with self._lock:
                    self._lines.append(line)
                if not self._ready.is_set() and line.startswith(READY_PREFIX):
                    self._ready_line = line
                    self._ready.set()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int | None:
        process = self._process
        if process is None or process.poll() is not None:
            return process.returncode if process else None
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if self._reader is not None:
            self._reader.join(5)
        return process.returncode

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def json_lines(self) -> list[dict[str, Any]]:
        """The JSON objects among the printed lines (structured logs and EMF metric documents)."""
        return [document for line in self.lines() for document in json_objects(line)]

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def cpu_seconds(self) -> float:
        """User + system CPU time the stack has used so far, its process and every process it started
        (moto's runs apart by default); Linux /proc, NaN elsewhere."""
        if self._process is None:
            return math.nan
        used = [cpu for cpu in map(process_cpu_seconds, process_tree(self._process.pid)) if not math.isnan(cpu)]
        return sum(used) if used else math.nan

    def stats(self) -> StackStats:
        response = httpx.get(self.urls.stats, timeout=10)
        response.raise_for_status()
        return StackStats.parse(response.json())

    def set_faults(self, rates: dict[str, float]) -> dict[str, Any]:
        """`PUT /_faults`: these rates from now on (`{}` stops every fault); the faults' state after."""
        response = httpx.put(self.urls.faults, json={"rates": rates}, timeout=10)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def faults(self) -> dict[str, Any]:
        """`GET /_faults`: the rates now and how many of each fault were injected so far."""
        response = httpx.get(self.urls.faults, timeout=10)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time process `pid` has used so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants now living (Linux /proc; just `pid` where children are not listed)."""
    found, index = [pid], 0
    while index < len(found):
        try:
            tasks = list(Path(f"/proc/{found[index]}/task").iterdir())
        except OSError:
            tasks = []
        for task in tasks:
            with contextlib.suppress(OSError):  # the task ended meanwhile
                found += [int(child) for child in (task / "children").read_text().split()]
        index += 1
    return found


_DECODER = json.JSONDecoder()


def json_objects(line: str) -> list[dict[str, Any]]:
    """Every JSON object in a line, prefixes skipped ("ontime - INFO - {…}"). Lines written by
    several threads at once can hold two objects glued together; both are recovered."""
    found: list[dict[str, Any]] = []
    position = line.find("{")
    while position >= 0:
        try:
            value, end = _DECODER.raw_decode(line, position)
        except ValueError:
            position = line.find("{", position + 1)
            continue
        if isinstance(value, dict):
            found.append(value)
        position = line.find("{", end)
    return found


def emf_values(documents: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """EMF documents carrying `metric` (each has the value under the metric's name)."""
    return [doc for doc in documents if "_aws" in doc and metric in doc]


def mib(n_bytes: int) -> float:
    return n_bytes / (1024 * 1024)


def errors_logged(documents: list[dict[str, Any]]) -> dict[str, int]:
    """ERROR-level log lines, counted by event and the last line of their exception (or error)."""
    found: dict[str, int] = {}
    for doc in documents:
        if doc.get("level") != "ERROR":
            continue
        lines = str(doc.get("exception") or doc.get("error") or "").strip().splitlines()
        name = f"{doc.get('event')}: {lines[-1][:160] if lines else '?'}"
        found[name] = found.get(name, 0) + 1
    return dict(sorted(found.items(), key=lambda item: -item[1]))
