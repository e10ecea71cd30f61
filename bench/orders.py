"""Orders at a steady rate while merchant terminals listen: place-to-push latency, the highest
rate sustained with every window adjudicated correctly, the stack's peak memory, and what an
order costs on AWS.

Each rate step runs on a fresh stack (`--sweep-interval 60`) for `--duration` seconds: customers
place orders open-loop (scheduled send times), 10 merchants with 2 terminals each and one
terminal per customer listen; see bench/order_load.py for the merchants' behaviour. A step is
*sustained* when every order was accepted by the API (201), the client kept the schedule (≥ 95 %
of the rate), every terminal of the merchant got every `order.created`, every order ended as
planned (`accepted` / `unanswered` / `not_connected`) and every deadline outcome reached the
customer within 5 s of the deadline. Steps go up the ladder until one is not sustained or
`--max-rate` is reached; if the first step is not sustained, down the ladder until one is.

    python -m bench.orders                              # 30/s for 60 s, then up (or down) the ladder
    python -m bench.orders --duration 10 --max-rate 30  # a quick check: one 10 s step at 30/s
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict
from typing import Any

from bench import plots
from bench.cost import PRICES_CHECKED, usage_from_calls, usd_per_thousand_orders
from bench.order_load import EXPECTED, PLANS, LoadShape, StepResult, run_step
from bench.report import at_least, at_most, print_checks, save, stack_options
from bench.stack import mib
from bench.stats import Summary

LADDER = (20, 30, 40, 50, 60, 80, 100, 120, 150, 200)
LADDER_DOWN = (25, 20, 15, 12, 10, 8, 6, 5, 4, 3, 2, 1)
"""When the first step is not sustained, the rates tried below it (highest first)."""
TARGET_RATE = 30.0
TARGET_PUSH_P99_MS = 200.0
TARGET_PEAK_RSS_MB = 400.0
KEPT_SCHEDULE = 0.95
QUICK_ARGS = ("--duration", "10", "--max-rate", "30")
"""The quick variant (`python -m bench.all --quick`): one 10 s step at 30/s, ≈ 1 min."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.orders", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="first step, orders per second")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of placing per step")
    parser.add_argument("--max-rate", type=float, default=120.0,
                        help=f"climb the ladder {LADDER} up to this rate (≤ --rate: one step only)")
    parser.add_argument("--merchants", type=int, default=10)
    parser.add_argument("--terminals-per-merchant", type=int, default=2)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--window", type=int, default=4, help="answer window in seconds (local stage allows ≥ 1)")
    parser.add_argument("--think", type=float, default=0.5, help="merchant think time before fetching, seconds")
    parser.add_argument("--mix", type=plan_mix, default=PLANS, metavar="PLAN=N,…",
                        help="merchants' answers, e.g. ignore=1 (listen only) or accept=2,fetch=1,ignore=1 "
                             "(the default)")
    parser.add_argument("--keep-going", action="store_true", help="climb past a step that was not sustained")
    stack_options(parser, "orders", sweep=False)
    return parser.parse_args(argv)


def plan_mix(text: str) -> tuple[str, ...]:
    """`accept=2,fetch=1,ignore=1` → ("accept", "accept", "fetch", "ignore"), interleaved."""
    counts: dict[str, int] = {}
    for part in text.split(","):
        name, _, number = part.partition("=")
        if name.strip() not in EXPECTED or not (number or "1").strip().isdigit():
            raise argparse.ArgumentTypeError(f"{part!r}: use PLAN=N with PLAN one of {', '.join(EXPECTED)}")
        counts[name.strip()] = int(number or "1")
    cycle: list[str] = []
    while any(counts.values()):
        for name in list(counts):
            if counts[name]:
                cycle.append(name)
                counts[name] -= 1
    if not cycle:
        raise argparse.ArgumentTypeError("the mix needs at least one order")
    return tuple(cycle)


def rates(args: argparse.Namespace) -> list[float]:
    return [args.rate] + [float(r) for r in LADDER if args.rate < r <= args.max_rate]


def rates_below(args: argparse.Namespace) -> list[float]:
    return [float(r) for r in LADDER_DOWN if r < args.rate and args.max_rate > args.rate]


def shape_for(args: argparse.Namespace, rate: float) -> LoadShape:
    return LoadShape(rate=rate, duration_s=args.duration, merchants=args.merchants,
                     terminals_per_merchant=args.terminals_per_merchant, customers=args.customers,
                     window_s=args.window, think_s=args.think, measure_item_size=True,
                     stack_args=tuple(args.stack_arg), plans=args.mix)


def push_latencies(step: StepResult) -> tuple[Summary, Summary]:
    """(from the client's send of the POST, from its scheduled send time) → first merchant terminal."""
    receipts = step.first_created_receipts()
    placed = [p for p in step.placed if p.order_id in receipts]
    return (Summary.of([receipts[p.order_id] - p.sent_ms for p in placed]),
            Summary.of([receipts[p.order_id] - p.scheduled_ms for p in placed]))


def push_points(step: StepResult) -> list[tuple[float, float]]:
    """(seconds since the step's first scheduled send, place-to-push ms) of every order pushed."""
    receipts = step.first_created_receipts()
    start = min((p.scheduled_ms for p in step.placements), default=0.0)
    return [((p.sent_ms - start) / 1000, receipts[p.order_id] - p.sent_ms) for p in step.placed
            if p.order_id in receipts]


def step_figures(step: StepResult) -> dict[str, Any]:
    placed = step.placed
    sends = sorted(p.sent_ms for p in step.placements)
    achieved = (len(sends) - 1) / ((sends[-1] - sends[0]) / 1000) if len(sends) > 1 and sends[-1] > sends[0] else 0.0
    from_send, from_schedule = push_latencies(step)
    copies = step.created_copies()
    missing_created = [p.order_id for p in placed if p.order_id not in copies]
    short_copies = [p.order_id for p in placed if 0 < copies.get(p.order_id, 0) < step.shape.terminals_per_merchant]
    wrong = step.wrong_outcomes()
    late = step.late_adjudications()
    errors = [p.error for p in step.placements if p.error]
    sustained = (not errors and not wrong and not late and not missing_created and not short_copies
                 and achieved >= KEPT_SCHEDULE * step.shape.rate and len(step.final) == len(placed))
    return {
        "rate": step.shape.rate, "orders": len(step.placements), "placed": len(placed), "errors": len(errors),
        "error_samples": errors[:5], "achieved_rate": achieved,
        "send_lag_ms": asdict(Summary.of([p.sent_ms - p.scheduled_ms for p in step.placements])),
        "post_ms": asdict(Summary.of([p.replied_ms - p.sent_ms for p in placed])),
        "push_ms": asdict(from_send), "push_from_schedule_ms": asdict(from_schedule),
        "adjudication_receipt_ms": asdict(Summary.of(step.adjudication_receipts())),
        "missing_created": len(missing_created), "terminals_short": len(short_copies),
        "wrong": len(wrong), "wrong_samples": dict(list(wrong.items())[:5]), "late_adjudications": len(late),
        "action_errors": len(step.action_errors), "action_error_samples": step.action_errors[:5],
        "peak_rss_bytes": step.after.peak_rss_bytes, "pushes": step.after.pushes - step.before.pushes,
        "stack_cpu_ms_per_order": step.cpu_s * 1000 / max(1, len(placed)),
        "sustained": sustained,
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (f"{'rate/s':>7} {'placed':>7} {'kept':>6} {'lag p99':>8} {'POST p50':>9} {'push p50':>9} "
              f"{'push p99':>9} {'adj p99':>8} {'wrong':>6} {'late':>5} {'miss':>5} {'CPU/ord':>8} {'RSS MiB':>8}"
              "  sustained")
    print(header)
    for r in rows:
        print(f"{r['rate']:>7g} {r['placed']:>7} {r['achieved_rate']:>6.1f} {r['send_lag_ms']['p99']:>8.0f} "
              f"{r['post_ms']['p50']:>9.0f} {r['push_ms']['p50']:>9.0f} {r['push_ms']['p99']:>9.0f} "
              f"{r['adjudication_receipt_ms']['p99']:>8.0f} {r['wrong']:>6} {r['late_adjudications']:>5} "
              f"{r['missing_created']:>5} {r['stack_cpu_ms_per_order']:>8.0f} "
              f"{mib(r['peak_rss_bytes']):>8.0f}  {'yes' if r['sustained'] else 'NO'}")
    print("  kept = achieved send rate; lag = client send − schedule; push = POST send → first merchant terminal;")
    print("  adj = customer terminal receipt of a deadline outcome − answer_deadline; wrong = final status not the")
    print("  planned one; late = a deadline outcome not pushed within 5 s of the deadline; miss = order.created never")
    print("  seen by the merchant; CPU/ord = stack CPU ms per order (placing to last outcome); RSS = its peak")


def cost_report(step: StepResult) -> dict[str, Any]:
    calls = step.calls_per_order()
    invocations = step.invocations_per_order()
    pushes = step.pushes_per_order()
    rest = step.rest_requests / max(1, len(step.placed))
    writes = step.orders_table_writes_per_order()
    usage = usage_from_calls(calls, invocations, pushes_per_order=pushes, orders_table_writes=writes)
    costs = usd_per_thousand_orders(usage)
    mix = ", ".join(f"{plan} {step.shape.plans.count(plan) / len(step.shape.plans):.0%}" for plan in EXPECTED
                    if plan in step.shape.plans)
    print(f"\nPer order at {step.shape.rate:g}/s, the highest sustained step (else the first) (from /_stats "
          f"deltas; merchants' answers: {mix}):")
    print(f"  {'stack CPU ms (placing to the last outcome)':<44} {step.cpu_s * 1000 / max(1, len(step.placed)):6.1f}")
    for name, per_order in calls.items():
        print(f"  AWS {name:<40} {per_order:6.2f}")
    for name, per_order in invocations.items():
        print(f"  Lambda invocations: {name:<24} {per_order:6.2f}")
    print(f"  {'pushes delivered (@connections)':<44} {pushes:6.2f}")
    print(f"  {'REST requests sent by the bench client':<44} {rest:6.2f}")
    print(f"  {'writes of the order item (history entries)':<44} {writes:6.2f}")
    if step.item_sizes:
        table, sizes = step.item_sizes
        print(f"  {table} item size: {sizes.line(' B')}")
    print(f"modelled AWS usage per order: {usage}")
    print(f"USD per 1,000 orders ({PRICES_CHECKED}): "
          + ", ".join(f"{k} {v:.4f}" for k, v in costs.items()))
    return {"calls_per_order": calls, "invocations_per_order": invocations, "pushes_per_order": pushes,
            "rest_per_order": rest, "order_writes_per_order": writes,
            "usage_per_order": asdict(usage), "usd_per_1000_orders": costs,
            "item_size_bytes": asdict(step.item_sizes[1]) if step.item_sizes else None}


async def one_step(args: argparse.Namespace, number: int, rate: float) -> tuple[dict[str, Any], StepResult]:
    print(f"step {number}: {rate:g} orders/s for {args.duration:.0f} s "
          f"({round(rate * args.duration)} orders) on a fresh stack …", flush=True)
    step = await run_step(shape_for(args, rate), f"orders-{rate:g}-stack")
    row = step_figures(step)
    print(f"  → placed {row['placed']}, POST p50 {row['post_ms']['p50']:.0f} ms, "
          f"push p99 {row['push_ms']['p99']:.0f} ms, wrong {row['wrong']}, sustained: {row['sustained']}", flush=True)
    return row, step


async def climb(args: argparse.Namespace
                ) -> tuple[list[dict[str, Any]], StepResult | None, dict[str, list[tuple[float, float]]]]:
    """Up the ladder from --rate while steps are sustained; if the first is not, down until one is.
    Returns the rows, the step to cost (the highest sustained one, else the first) and each
    step's place-to-push latencies over time."""
    rows: list[dict[str, Any]] = []
    costed: StepResult | None = None
    pushes: dict[str, list[tuple[float, float]]] = {}
    for rate in rates(args):
        row, step = await one_step(args, len(rows) + 1, rate)
        costed = step if row["sustained"] or costed is None else costed
        rows.append(row)
        pushes[f"{rate:g}/s"] = push_points(step)
        if not row["sustained"] and not args.keep_going:
            break
    if not rows[0]["sustained"]:
        for rate in rates_below(args):
            row, step = await one_step(args, len(rows) + 1, rate)
            rows.append(row)
            pushes[f"{rate:g}/s"] = push_points(step)
            if row["sustained"]:
                costed = step
                break
    return rows, costed, pushes


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rows, costed, pushes = asyncio.run(climb(args))
    print()
    print_table(rows)
    cost = cost_report(costed) if costed else {}
    at_target = next((r for r in rows if r["rate"] == TARGET_RATE), None)
    sustained = [r["rate"] for r in rows if r["sustained"]]
    highest = max(sustained) if sustained else 0
    peak_bytes = max(r["peak_rss_bytes"] for r in rows)
    print()
    if not at_target:
        print(f"n/a   no step at {TARGET_RATE:g}/s (use --rate {TARGET_RATE:g}): its p99 counts as missing")
    checks = [
        at_least(f"highest rate sustained for {args.duration:g} s, every window right", highest, TARGET_RATE,
                 "/s"),
        at_most(f"place-to-push p99 at {TARGET_RATE:g}/s", at_target["push_ms"]["p99"] if at_target else None,
                TARGET_PUSH_P99_MS),
        at_most("stack peak RSS (highest of all steps)", peak_bytes / 1e6, TARGET_PEAK_RSS_MB, "MB"),
    ]
    print_checks(print, checks)
    topped_out = bool(sustained) and highest >= max(rates(args))
    print(f"info  highest rate sustained for {args.duration:.0f} s: {highest:g} orders/s"
          + (" (the top of the ladder that was asked for)" if topped_out else ""))
    targets = {f"p99 ≤ {TARGET_PUSH_P99_MS:,.0f} ms": TARGET_PUSH_P99_MS}
    panels = [
        plots.cdf("place → push (first merchant terminal)",
                  {label: [ms for _, ms in points] for label, points in pushes.items()}, targets=targets),
        plots.timeline("place → push over each step", pushes, targets=targets,
                       xlabel="seconds since the step's first order"),
    ]
    save(args.out, {"args": vars(args), "steps": rows, "cost": cost, "highest_sustained": highest}, checks, panels,
         title=f"bench.orders: steps of {args.duration:g} s, highest sustained {highest:g}/s")


if __name__ == "__main__":
    main()
