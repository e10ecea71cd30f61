"""Pieces every benchmark shares: the printed report, its checks against the targets and the files
it leaves in `bench/results/`, the stack's CPU and `/_stats` at each phase boundary (so calls and
CPU per unit of work are differences), the common options, waiting for what the run expects, and
reading back what the platform says afterwards.

How a benchmark reports (what `python -m bench.all` and the pictures read):

    from bench import plots
    from bench.report import at_most, none_of, print_checks, save

    checks = [at_most("alarm lateness p99 (server)", server.p99, 250),      # ms unless told
              none_of("lost", len(lost))]
    print_checks(out, checks)                                   # one PASS/FAIL line each
    save(args.out, result, checks,
         [plots.cdf("alarm lateness", {"server": lateness_ms}, targets={"p99 ≤ 250 ms": 250})],
         lines=out.lines, title="bench.alarms: 1,000 alarms due over 30 s")

* a `Check` is one headline figure against its target: `check(figure, target, value, passed, unit)`
  for any rule, `at_most` / `at_least` / `none_of` for the usual ones (a NaN or missing value
  fails);
* `save` writes `NAME.json` (the result plus `"checks"`, `"figure"` — the panels — `"command"`
  and `"recorded_at"`), `NAME.txt` (the printed lines, when given) and `NAME.png`, drawn by
  `bench/plots.py` from the JSON alone (`python -m bench.plots NAME.json` draws it again);
* panels come from `bench.plots`: `cdf` (a lateness distribution with its target lines),
  `timeline` (latency over the run), `bars` (a few figures side by side);
* `bench/all.py` runs every benchmark (`QUICK_ARGS`, a module constant, gives each one's quick
  variant) and prints one table of every check of every results JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from bench.api import ApiError
from bench.stack import RESULTS, ROOT, LocalStack, StackStats
from bench.stats import verdict
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


Value = float | int | str | None


def shown(value: Value, unit: str = "") -> str:
    """`1087.4, "ms"` → `1,087 ms`; `1.234, "×"` → `1.23×`; None → `—`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool | str):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        digits = 0 if abs(value) >= 100 or (unit == "ms" and abs(value) >= 10) else 1 if abs(value) >= 10 else 2
        text = f"{value:,.{digits}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if not unit:
        return text
    return f"{text} {unit}" if unit[0].isalpha() else f"{text}{unit}"


@dataclass(frozen=True)
class Check:
    """One headline figure of a benchmark against its target, as the summary table shows it."""

    figure: str
    target: str
    value: Value
    passed: bool
    unit: str = ""

    @property
    def measured(self) -> str:
        return shown(self.value, self.unit)

    def line(self) -> str:
        return f"{verdict(self.passed)}  {self.figure}: {self.measured} (target {self.target})"

    def json(self) -> dict[str, Any]:
        return {"figure": self.figure, "target": self.target, "value": self.value, "unit": self.unit,
                "pass": self.passed}

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> Check:
        return cls(str(body["figure"]), str(body["target"]), body.get("value"), bool(body["pass"]),
                   str(body.get("unit") or ""))


def _known(value: float | int | None) -> float | int | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def check(figure: str, target: str, value: Value, passed: bool, unit: str = "") -> Check:
    """Any rule: the caller decides `passed`. A NaN value is recorded as None."""
    return Check(figure, target, None if isinstance(value, float) and math.isnan(value) else value, passed, unit)


def at_most(figure: str, value: float | int | None, limit: float, unit: str = "ms") -> Check:
    """`value ≤ limit`; a missing (None or NaN) value fails."""
    known = _known(value)
    return Check(figure, f"≤ {shown(limit, unit)}", known, known is not None and known <= limit, unit)


def at_least(figure: str, value: float | int | None, limit: float, unit: str = "") -> Check:
    """`value ≥ limit`; a missing (None or NaN) value fails."""
    known = _known(value)
    return Check(figure, f"≥ {shown(limit, unit)}", known, known is not None and known >= limit, unit)


def none_of(figure: str, count: int) -> Check:
    """A count that must be 0 (lost, doubled, missing …)."""
    return Check(figure, "0", count, count == 0)


def print_checks(out: Callable[[str], None], checks: Iterable[Check]) -> None:
    for one in checks:
        out(one.line())


def command_line() -> str:
    """How this benchmark was started, as a person would type it."""
    module = sys.modules["__main__"].__spec__
    name = module.name if module is not None else Path(sys.argv[0]).stem
    return " ".join(["python -m " + name, *(arg.replace(f"{ROOT}/", "") for arg in sys.argv[1:])])


def save(out_path: str | Path, result: Mapping[str, Any], checks: Sequence[Check] = (),
         panels: Sequence[Mapping[str, Any]] = (), *, lines: Sequence[str] | None = None, title: str = "") -> Path:
    """Write the benchmark's `NAME.json` (`result` with its checks, its panels, the command and the
    time), `NAME.txt` (`lines`, when given) and `NAME.png` (the panels, when there are any);
    returns the JSON's path. The JSON is written first, so a picture that cannot be drawn loses
    nothing: `python -m bench.plots NAME.json` draws it again."""
    path = Path(out_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {**result, "command": command_line(), "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "checks": [one.json() for one in checks],
            "figure": {"title": title or path.stem, "panels": [dict(panel) for panel in panels]}}
    path.write_text(json.dumps(body, indent=2, default=str) + "\n")
    if lines is not None:
        path.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    if panels:
        from bench import plots

        try:
            print(f"picture          {plots.draw(body, path.with_suffix('.png'))}", flush=True)
        except ImportError as exc:  # a venv from before matplotlib: the figures are in the JSON
            print(f"no picture ({exc}); `pip install -r requirements-dev.txt`, then `python -m bench.plots {path}`")
    return path


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
