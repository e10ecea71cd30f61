"""The order load of `bench.order_load`, run through the Step Functions peer: orders placed
open-loop at the same rate with the same windows, the merchant side receiving every ask and
answering the same orders after the same think time, then every execution's history read back.

The driver's calls go over HTTP to the peer's moto (`bench.stepfunctions.server`) on counted
clients; set-up and reading back use clients of their own, counted nowhere.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.api import paced
from bench.report import read_back, sleep_until
from bench.stepfunctions.peer import (
    Ask,
    CallCounter,
    Execution,
    PeerApi,
    clients,
    deploy,
    now_ms,
    read_execution,
)
from bench.stepfunctions.server import PeerServer

T = TypeVar("T")
EXPECTED = {"accept": "accepted", "fetch": "unanswered"}


@dataclass(frozen=True)
class PeerShape:
    orders: int
    rate: float
    merchants: int
    window_s: int
    think_s: float
    margin_s: float
    plans: tuple[str, ...]
    pollers: int = 2
    fresh_clients: bool = False


@dataclass
class PeerPlacement:
    index: int
    order_id: str
    merchant_id: str
    plan: str
    deadline_ms: int = 0
    execution_arn: str = ""
    error: str = ""


@dataclass
class PeerRun:
    shape: PeerShape
    placements: list[PeerPlacement]
    executions: dict[str, Execution]
    statuses: dict[str, str]
    calls: dict[str, int]
    """The driver's own calls during the load (the API's and the merchant side's)."""
    receives_with_messages: int
    server_cpu_s: float
    driver_cpu_s: float
    asks: dict[str, Ask] = field(default_factory=dict)
    refused_answers: list[str] = field(default_factory=list)
    still_running: int = 0

    @property
    def placed(self) -> list[PeerPlacement]:
        return [p for p in self.placements if p.execution_arn]

    def wrong_outcomes(self) -> dict[str, tuple[str, str]]:
        return {p.order_id: (EXPECTED[p.plan], self.statuses.get(p.order_id, "?")) for p in self.placed
                if self.statuses.get(p.order_id) != EXPECTED[p.plan]}

    def task_calls(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for execution in self.executions.values():
            for name, count in execution.task_calls.items():
                total[name] = total.get(name, 0) + count
        return dict(sorted(total.items()))

    def transitions(self) -> int:
        return sum(execution.transitions for execution in self.executions.values())

    def outcome_lateness_ms(self) -> list[float]:
        """Of the windows left to time out: when the outcome was written minus the order's deadline."""
        found = []
        for p in self.placed:
            execution = self.executions.get(p.order_id)
            if p.plan != "accept" and execution and execution.outcome_written_ms is not None:
                found.append(execution.outcome_written_ms - p.deadline_ms)
        return found

    def outcome_after_timer_ms(self) -> list[float]:
        """Of the windows left to time out: the outcome written minus the task's own deadline (its
        start + TimeoutSeconds), i.e. without the time StartExecution took to start the timer."""
        return [e.outcome_written_ms - e.wait_started_ms - e.timeout_s * 1000 for e in self.executions.values()
                if e.timed_out_ms is not None and e.outcome_written_ms is not None]

    def timer_lateness_ms(self) -> list[float]:
        """Step Functions' own timer: the task's time-out minus its start + TimeoutSeconds."""
        return [e.timed_out_ms - e.wait_started_ms - e.timeout_s * 1000 for e in self.executions.values()
                if e.timed_out_ms is not None]

    def start_delay_ms(self) -> list[float]:
        """From the order's deadline being fixed (by the API) to the waiting task starting its timer."""
        return [self.executions[p.order_id].wait_started_ms - (p.deadline_ms - self.shape.window_s * 1000)
                for p in self.placed if p.order_id in self.executions]


class _Merchants:
    """The merchant side: pollers receive the asks; the orders planned `accept` are answered after
    the think time."""

    def __init__(self, api: PeerApi, plans: dict[str, str], think_s: float,
                 call: Callable[..., asyncio.Future[Any]]) -> None:
        self._api, self._plans, self._think_s, self._call = api, plans, think_s, call
        self.asks: dict[str, Ask] = {}
        self.refused: list[str] = []
        self.receives_with_messages = 0
        self.pending: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    async def poll(self) -> None:
        while not self._stopping.is_set():
            asks: list[Ask] = await self._call(self._api.receive, 1)
            self.receives_with_messages += bool(asks)
            for ask in asks:
                self.asks.setdefault(ask.order_id, ask)
                if self._plans.get(ask.order_id) == "accept":
                    task = asyncio.ensure_future(self._answer(ask))
                    self.pending.add(task)
                    task.add_done_callback(self.pending.discard)

    async def _answer(self, ask: Ask) -> None:
        await asyncio.sleep(self._think_s)
        if not await self._call(self._api.answer, ask.task_token, "accepted"):
            self.refused.append(ask.order_id)

    def stop(self) -> None:
        self._stopping.set()


async def run_peer(shape: PeerShape, run_id: str) -> PeerRun:
    with PeerServer(fresh_clients=shape.fresh_clients) as server, \
            ThreadPoolExecutor(max_workers=48, thread_name_prefix="peer") as executor:
        loop = asyncio.get_running_loop()

        def call(fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
            return loop.run_in_executor(executor, fn, *args)

        counter = CallCounter()
        driver = clients(server.url, counter)
        reader = clients(server.url)
        deployed = await call(deploy, reader)
        api = PeerApi(driver, deployed)
        placements = [PeerPlacement(i, f"{run_id}-{i:05d}", f"m_{i % shape.merchants}",
                                    shape.plans[i % len(shape.plans)]) for i in range(shape.orders)]
        merchants = _Merchants(api, {p.order_id: p.plan for p in placements}, shape.think_s, call)
        pollers = [asyncio.ensure_future(merchants.poll()) for _ in range(shape.pollers)]
        await asyncio.sleep(0.5)  # let the pollers start their first receive

        async def place(index: int) -> PeerPlacement:
            p = placements[index]
            try:
                p.deadline_ms, p.execution_arn = await call(api.place, p.order_id, p.merchant_id, shape.window_s)
            except Exception as exc:  # noqa: BLE001 - a failed placement is counted, the load goes on
                p.error = f"{type(exc).__name__}: {exc}"[:200]
            return p

        cpu_server, cpu_driver = server.cpu_seconds(), time.process_time()
        await paced(shape.orders, now_ms() + 500, 1000 / shape.rate, place)
        last_deadline = max((p.deadline_ms for p in placements if p.execution_arn), default=now_ms())
        await sleep_until(last_deadline + shape.margin_s * 1000)
        if merchants.pending:
            await asyncio.wait(list(merchants.pending), timeout=30)
        sfn = reader["stepfunctions"]

        def running() -> int:
            listed = sfn.list_executions(stateMachineArn=deployed.machine_arn, statusFilter="RUNNING")
            return len(listed["executions"])

        still = await call(running)
        if still:  # bounded: a peer that cannot keep up shows as executions still running
            done_by = now_ms() + 30_000
            while still and now_ms() < done_by:
                await asyncio.sleep(0.5)
                still = await call(running)
        merchants.stop()
        await asyncio.gather(*pollers)
        server_cpu_s, driver_cpu_s = server.cpu_seconds() - cpu_server, time.process_time() - cpu_driver
        calls = counter.snapshot()

        async def history(order_id: str) -> Execution:
            arn = next(p.execution_arn for p in placements if p.order_id == order_id)
            return await call(read_execution, sfn, arn)

        executions = await read_back([p.order_id for p in placements if p.execution_arn], history)
        statuses: dict[str, str] = {}

        def scan() -> None:
            pages = reader["dynamodb"].get_paginator("scan").paginate(TableName=deployed.table)
            for page in pages:
                for item in page["Items"]:
                    statuses[item["order_id"]["S"]] = item["status"]["S"]

        await call(scan)
    return PeerRun(shape, placements, executions, statuses, calls, merchants.receives_with_messages,
                   server_cpu_s, driver_cpu_s, merchants.asks, merchants.refused, still)
