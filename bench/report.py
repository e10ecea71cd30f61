"""Pieces every multi-phase benchmark shares: the printed report, and the stack's CPU and
`/_stats` at each phase boundary (so calls and CPU per unit of work are differences)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from bench.stack import LocalStack, StackStats


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
