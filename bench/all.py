"""Every benchmark, one after the other, then one table of every target: figure, target, measured,
PASS/FAIL.

    python -m bench.all                       # each with its defaults (≈ 30 min on the 2-core machine)
    python -m bench.all --quick               # each one's QUICK_ARGS (≈ 6 min)
    python -m bench.all --only alarms,checkout --figures
    python -m bench.all --from-results        # no runs: the table of the results already there

Each benchmark runs as its own process (`python -m bench.NAME … --out bench/results/NAME.json`,
`NAME-quick.json` with `--quick`) and reports through `bench.report.save`; the table is made from
the `"checks"` of those JSON files alone and written as `summary.json` and `summary.md`
(`summary-quick.*`). A benchmark that fails to run, or leaves no fresh results, is a FAIL row.
`--figures` copies each picture into bench/figures/NAME.png, where bench/README.md shows it.
Exit status 1 when any row fails.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.plots import keep
from bench.report import Check
from bench.stack import RESULTS, ROOT
from bench.stats import verdict


@dataclass(frozen=True)
class Bench:
    """One run of the set: `module` with `args`, its results named `name`. A quick run takes the
    module's QUICK_ARGS, then `quick_args` (`args` when None)."""

    name: str
    module: str
    args: tuple[str, ...] = ()
    quick_args: tuple[str, ...] | None = None
    timeout_s: float = 3600
    optional: bool = False
    """Left out, with a note, when its module is not there."""


SET = (
    Bench("cold_start", "bench.cold_start", timeout_s=900),
    Bench("alarms", "bench.alarms", timeout_s=1200),
    Bench("alarms-pending", "bench.alarms", ("--pending", "10000"), ("--pending", "2000"), timeout_s=2400),
    Bench("escalation", "bench.escalation", timeout_s=1800),
    Bench("checkout", "bench.checkout", timeout_s=1200),
    Bench("orders", "bench.orders", timeout_s=3600),
    Bench("profile", "bench.profile", optional=True),
    Bench("versus_stepfunctions", "bench.versus_stepfunctions", optional=True),
    Bench("video", "bench.video", timeout_s=900, optional=True),
    # its video measurement is the row above: not made twice
    Bench("groupbuy", "bench.groupbuy", ("--no-video",), timeout_s=2400, optional=True),
    Bench("calls", "bench.calls", timeout_s=900, optional=True),
    Bench("faults", "bench.faults", timeout_s=2700, optional=True),
)
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class Row:
    bench: str
    figure: str
    target: str
    measured: str
    passed: bool | None
    """None: a benchmark with no target (figures only); it fails nothing."""

    @property
    def verdict(self) -> str:
        return "—" if self.passed is None else verdict(self.passed)


def results_path(bench: Bench, quick: bool) -> Path:
    return RESULTS / f"{bench.name}{'-quick' if quick else ''}.json"


def rows_of(bench: str, result: Mapping[str, Any] | None, problem: str = "") -> list[Row]:
    """A benchmark's rows: one per check; one FAIL row when it left no results (`problem` says
    why); one row without a verdict when it checks nothing."""
    if result is None:
        return [Row(bench, "ran and wrote its results", "exit 0, a fresh JSON", problem or "no results", False)]
    checks = [Check.parse(body) for body in result.get("checks") or []]
    if not checks:
        return [Row(bench, "—", "no target", "figures only", None)]
    rows = [Row(bench, c.figure, c.target, c.measured, c.passed) for c in checks]
    if problem:
        rows.append(Row(bench, "ran to the end", "exit 0", problem, False))
    return rows


def passed(rows: Iterable[Row]) -> bool:
    """The set passes when no row fails (rows without a target fail nothing)."""
    return all(row.passed is not False for row in rows)


COLUMNS = ("bench", "figure", "target", "measured", "verdict")


def _cells(row: Row) -> tuple[str, ...]:
    return row.bench, row.figure, row.target, row.measured, row.verdict


def table(rows: Sequence[Row]) -> str:
    """The rows as aligned columns for a terminal."""
    widths = [max(len(column), *(len(_cells(row)[n]) for row in rows)) for n, column in enumerate(COLUMNS)]
    lines = ["  ".join(text.ljust(width) for text, width in zip(COLUMNS, widths, strict=True)).rstrip(),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(text.ljust(width) for text, width in zip(_cells(row), widths, strict=True)).rstrip()
              for row in rows]
    return "\n".join(lines)


def markdown(rows: Sequence[Row], heading: str) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"# {heading}", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(text) for text in _cells(row)[:-1]) + f" | **{row.verdict}** |" for row in rows]
    lines += ["", f"**{verdict(passed(rows))}**: {sum(row.passed is False for row in rows)} of {len(rows)} rows fail."]
    return "\n".join(lines) + "\n"


# ── running ────────────────────────────────────────────────────────────────────────────────

def arguments(bench: Bench, quick: bool) -> list[str]:
    chosen = list(bench.args)
    if quick:
        own: tuple[str, ...] = getattr(importlib.import_module(bench.module), "QUICK_ARGS", ())
        chosen = [*own, *(bench.args if bench.quick_args is None else bench.quick_args)]
    return [*chosen, "--out", str(results_path(bench, quick))]


def run_one(bench: Bench, quick: bool) -> tuple[Mapping[str, Any] | None, str]:
    """Run one benchmark in its own process group (its stack is its child: a timeout stops both);
    its fresh results, and what went wrong, if anything."""
    path = results_path(bench, quick)
    command = [sys.executable, "-m", bench.module, *arguments(bench, quick)]
    print(f"\n══ {bench.name}: {' '.join(command[1:])}", flush=True)
    started = time.time()
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True)
    problem = ""
    try:
        code = process.wait(timeout=bench.timeout_s)
    except subprocess.TimeoutExpired:
        stop(process)
        code, problem = -1, f"timed out after {bench.timeout_s:.0f} s"
    except KeyboardInterrupt:
        stop(process)
        raise
    if code and not problem:
        problem = f"exit {code}"
    fresh = path.exists() and path.stat().st_mtime >= started
    return (json.loads(path.read_text()) if fresh else None), problem or ("" if fresh else "no fresh results JSON")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the benchmark's process group (it stops its stack), SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=STOP_GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue


def selected(names: str | None, skipped: str | None) -> list[Bench]:
    wanted = set(filter(None, (names or "").split(",")))
    unwanted = set(filter(None, (skipped or "").split(",")))
    unknown = (wanted | unwanted) - {b.name for b in SET}
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(sorted(unknown))}: one of {', '.join(b.name for b in SET)}")
    return [b for b in SET if (not wanted or b.name in wanted) and b.name not in unwanted]


def present(bench: Bench) -> bool:
    return importlib.util.find_spec(bench.module) is not None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.all", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each benchmark's quick variant (its QUICK_ARGS)")
    parser.add_argument("--only", metavar="NAME,…", help=f"only these: {', '.join(b.name for b in SET)}")
    parser.add_argument("--skip", metavar="NAME,…", help="all but these")
    parser.add_argument("--from-results", action="store_true",
                        help="run nothing: make the table from the results already in bench/results/")
    parser.add_argument("--figures", action="store_true",
                        help="copy each picture into bench/figures/ (committed; bench/README.md shows them)")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for bench in selected(args.only, args.skip):
        if not present(bench):
            print(f"\n══ {bench.name}: {bench.module} is not in this tree, left out", flush=True)
            continue
        path = results_path(bench, args.quick)
        if args.from_results:
            result, problem = (json.loads(path.read_text()), "") if path.exists() else (None, f"no {path.name}")
        else:
            result, problem = run_one(bench, args.quick)
        rows += rows_of(bench.name, result, problem)
        png = path.with_suffix(".png")
        if args.figures and result is not None and png.exists():
            print(f"figure           {keep(png, f'{bench.name}.png')}", flush=True)
    variant = "quick" if args.quick else "default"
    heading = f"Benchmarks ({variant} runs), {datetime.now(UTC).isoformat(timespec='minutes')}"
    print(f"\n{heading}\n\n{table(rows)}\n\n{verdict(passed(rows))}", flush=True)
    stem = RESULTS / f"summary{'-quick' if args.quick else ''}"
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem.with_suffix(".json").write_text(json.dumps(
        {"variant": variant, "pass": passed(rows), "rows": [asdict(row) for row in rows]}, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(rows, heading))
    print(f"written          {stem.with_suffix('.json')}, {stem.with_suffix('.md')}")
    if not passed(rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
