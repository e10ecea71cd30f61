"""Pieces every load benchmark shares: the printed report, the stack's CPU and `/_stats` at each
phase boundary (so calls and CPU per unit of work are differences), the common options, waiting
for what the run expects, and reading back what the platform says afterwards."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bench.api import ApiError
from bench.stack import RESULTS, LocalStack, StackStats
from bench.terminal import now_ms

K = TypeVar("K")
V = TypeVar("V")


class Out:
    """Prints the report and keeps its lines for the benchmark's `.txt` file."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)


@dataclass
class Phases:
    """The stack's CPU seconds and `/_stats` at the phase boundaries."""

    cpu: dict[str, float] = field(default_factory=dict)
    stats: dict[str, StackStats] = field(default_factory=dict)
    at: dict[str, float] = field(default_factory=dict)

    async def mark(self, stack: LocalStack, name: str) -> None:
        self.at[name], self.cpu[name] = time.monotonic(), stack.cpu_seconds()
        self.stats[name] = await asyncio.to_thread(stack.stats)

    def cpu_between(self, first: str, last: str) -> float:
        return self.cpu[last] - self.cpu[first]

    def calls_between(self, first: str, last: str) -> dict[str, int]:
        return self.stats[last].calls_since(self.stats[first])

    def invocations_between(self, first: str, last: str) -> dict[str, int]:
        return self.stats[last].invocations_since(self.stats[first])

    def pushes_between(self, first: str, last: str) -> int:
        return self.stats[last].pushes - self.stats[first].pushes


def stack_options(parser: argparse.ArgumentParser, name: str, *, margin: str | None = None,
                  sweep: bool = True) -> None:
    """The options the load benchmarks share: the stack's sweep interval (with `sweep`) and extra
    arguments, where the results go, and (with `margin`, its help) how long after a deadline
    something counts as late."""
    if margin is not None:
        parser.add_argument("--margin", type=float, default=5.0, help=margin)
    if sweep:
        parser.add_argument("--sweep-interval", type=int, default=60)
    parser.add_argument("--stack-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for the stack, e.g. --stack-arg=--sqs-concurrency=8 (repeatable)")
    parser.add_argument("--out", default=str(RESULTS / f"{name}.json"))


async def sleep_until(moment_ms: float) -> None:
    await asyncio.sleep(max(0.0, (moment_ms - now_ms()) / 1000))


async def wait_for(check: Callable[[], bool], until_ms: float) -> bool:
    """Poll `check` every 100 ms until it holds or `until_ms` passes; whether it held."""
    while not check():
        if now_ms() >= until_ms:
            return False
        await asyncio.sleep(0.1)
    return True


async def read_back(keys: Iterable[K], read: Callable[[K], Awaitable[V]],
                    unreadable: Callable[[Exception], V] | None = None, concurrency: int = 8) -> dict[K, V]:
    """What the platform says of each key after a run (a few reads at a time, as a console would);
    with `unreadable`, a failed read gives its value instead of raising."""
    gate = asyncio.Semaphore(concurrency)

    async def one(key: K) -> tuple[K, V]:
        async with gate:
            if unreadable is None:
                return key, await read(key)
            try:
                return key, await read(key)
            except (ApiError, OSError) as exc:
                return key, unreadable(exc)

    return dict(await asyncio.gather(*(one(key) for key in keys)))


def unreadable(exc: Exception) -> dict[str, Any]:
    """What a read that failed after the run counts as: a status no check accepts."""
    return {"status": f"unreadable: {exc}"[:100], "history": []}
