"""Step Functions side by side: workflow 01's answer window on the wait-state engine and as the
state machine a Step Functions user would write (bench/stepfunctions/), the same order load
through both in one run.

* **ours**: a fresh local stack (`bench.order_load`): customers place orders over REST open-loop
  at `--rate` for `--duration` s, one console per merchant fetches every order after the think
  time and accepts the `--accepted` fraction; the rest are left to time out (`unanswered`).
* **the peer**: the same count, rate, window, think time and accepted orders through
  `answer_window.asl.json` on moto with Step Functions executing (`bench.stepfunctions.server`, a
  process of its own): the API writes each order and starts its execution, the merchant side
  polls the ask queue and answers with SendTaskSuccess, the rest time out into MarkUnanswered.

For each side: outcome lateness (deadline → the outcome visible: for ours the customer's
`order.status_changed` push, and the stored status; for the peer the MarkUnanswered task's
success, when its UpdateItem has written the status), CPU per order (the process that runs that
side), AWS requests per order, and cost per million orders at AWS list prices (bench/cost.py).
The orchestration of the window alone is priced apart: the peer's state transitions (Standard,
counted from the execution histories) against our alarm's part — its SQS trigger (send, receive,
delete), the alarm Lambda's invocations and fence reads, the sweeper, and the `due` index entry
written with the alarm and removed with it. Goals: **our orchestration ≤ 1/50 of the peer's, and
lateness p50/p99 no worse**.

    python -m bench.versus_stepfunctions                          # 10 orders/s for 30 s, window 4 s
    python -m bench.versus_stepfunctions --rate 5 --duration 10   # quick, ≈ 1 min
"""

from __future__ import annotations

import argparse
import asyncio
import math
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, replace
from typing import Any

from bench import plots, stepfunctions
from bench.api import parse_iso_ms
from bench.cost import (
    ALARM_HANDLER,
    DYNAMODB_USD_PER_MILLION_RRU,
    DYNAMODB_USD_PER_MILLION_WRU,
    LAMBDA_MEMORY_GB,
    PRICES_CHECKED,
    SQS_USD_PER_MILLION_REQUESTS,
    STEPFUNCTIONS_STANDARD_USD_PER_MILLION_TRANSITIONS,
    UsagePerOrder,
    usage_from_calls,
    usd_per_thousand_orders,
)
from bench.order_load import LoadShape, StepResult, run_step
from bench.report import Check, Out, at_least, at_most, none_of, print_checks, save, stack_options
from bench.stack import RESULTS, emf_values, json_objects
from bench.stats import Summary
from bench.stepfunctions.load import PeerRun, PeerShape, run_peer

NAME = "versus_stepfunctions"
QUICK_ARGS = ("--rate", "5", "--duration", "10")
"""What `python -m bench.all --quick` runs (≈ 1 min)."""
STACK_LOG = f"{NAME}-stack"
SWEEP_HANDLER = "sweep_alarms"
COST_RATIO_GOAL = 50.0
ALARM_INDEX_WRITES_PER_WINDOW = 2
"""The `due` index entry (keys + `alarm_set_at`): written with the alarm (the order's insert), removed
with it (the answer or the deadline); a fetch changes nothing it projects. Our only alarm writes:
the alarm rides on the order's own writes."""
PLAN_CYCLE = 20


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=f"python -m bench.{NAME}", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10.0, help="orders per second, both sides")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of placing, both sides")
    parser.add_argument("--window", type=int, default=4, help="answer window, seconds")
    parser.add_argument("--accepted", type=float, default=0.5,
                        help=f"fraction accepted in the window (steps of 1/{PLAN_CYCLE}); the rest time out")
    parser.add_argument("--think", type=float, default=0.5, help="merchant think time before answering, seconds")
    parser.add_argument("--merchants", type=int, default=10)
    parser.add_argument("--customers", type=int, default=20, help="ours: customers, one listening terminal each")
    parser.add_argument("--pollers", type=int, default=2, help="the peer: merchant-side pollers of the ask queue")
    parser.add_argument("--fresh-clients", action="store_true",
                        help="the peer: let moto build a boto3 client per task, as it does by default")
    stack_options(parser, NAME, margin="seconds after a deadline before an outcome counts as late")
    args = parser.parse_args(argv)
    if not 0 <= args.accepted <= 1:
        parser.error("--accepted is a fraction between 0 and 1")
    return args


def plans_for(accepted: float, cycle: int = PLAN_CYCLE) -> tuple[str, ...]:
    """`accept` for `accepted` of the orders, spread evenly over each cycle; `fetch` (a merchant who
    looks but never answers: `unanswered`) for the rest."""
    accepts = round(accepted * cycle)
    return tuple("accept" if (i + 1) * accepts // cycle > i * accepts // cycle else "fetch" for i in range(cycle))


# ── our side ─────────────────────────────────────────────────────────────────────────────────


def our_stored_lateness(step: StepResult) -> list[float]:
    """The `deadline` entry of each order's history (written with its status) minus its deadline."""
    deadlines = {p.order_id: p.deadline_ms for p in step.placed}
    return [parse_iso_ms(str(entry["at"])) - deadlines[order_id] for order_id, order in step.final.items()
            if order_id in deadlines for entry in order.get("history", []) if entry.get("cause") == "deadline"]


def our_alarm_lateness(step: StepResult) -> list[float]:
    """The stack's `AlarmLateness` EMF lines for these orders (fire time − `wake_at`)."""
    ours = {p.order_id for p in step.placed}
    log = RESULTS / f"{STACK_LOG}.log"
    documents = [doc for line in log.read_text().splitlines() for doc in json_objects(line)] if log.exists() else []
    return [float(d["AlarmLateness"]) for d in emf_values(documents, "AlarmLateness")
            if d.get("kind") == "order" and d.get("entity_id") in ours]


def our_orchestration(step: StepResult) -> tuple[dict[str, float], UsagePerOrder]:
    """Requests per order that run the window, and their usage: every alarm trigger sent (the
    placement's, a re-queued early one's, the sweeper's), the alarm and sweep Lambdas, the alarm
    handler's fence reads and the sweeper's queries; plus the `due` index writes. The alarm
    handler's outcome write and pushes are the outcome's, as the peer's UpdateItem is."""
    n = max(1, len(step.placed))
    sends = step.after.calls_since(step.before).get("SQS.SendMessage", 0)
    fence_reads = step.after.handler_calls_since(step.before, ALARM_HANDLER).get("DynamoDB.GetItem", 0)
    sweep = step.after.handler_calls_since(step.before, SWEEP_HANDLER)
    invocations = step.after.invocations_since(step.before)
    requests = {"SQS.SendMessage": sends / n, f"{ALARM_HANDLER}: DynamoDB.GetItem": fence_reads / n,
                **{f"{SWEEP_HANDLER}: {call}": count / n for call, count in sweep.items()},
                **{f"Lambda {h}": invocations.get(h, 0) / n for h in (ALARM_HANDLER, SWEEP_HANDLER)}}
    sweep_reads = sum(count for call, count in sweep.items() if call.startswith("DynamoDB."))
    handlers = (ALARM_HANDLER, SWEEP_HANDLER)
    usage = usage_from_calls({"DynamoDB.GetItem": (fence_reads + sweep_reads) / n, "SQS.SendMessage": sends / n},
                             {h: invocations.get(h, 0) / n for h in handlers},
                             pushes_per_order=0.0, orders_table_writes=0.0)
    usage = replace(usage, dynamodb_wru=usage.dynamodb_wru + ALARM_INDEX_WRITES_PER_WINDOW)
    return requests, _as_measured(step, usage, handlers)


def our_all_in(step: StepResult) -> UsagePerOrder:
    usage = usage_from_calls(step.calls_per_order(), step.invocations_per_order(),
                             pushes_per_order=step.pushes_per_order(),
                             orders_table_writes=step.orders_table_writes_per_order())
    return _as_measured(step, usage, tuple(step.after.invocations_since(step.before)))


def _as_measured(step: StepResult, usage: UsagePerOrder, handlers: tuple[str, ...]) -> UsagePerOrder:
    """cost.py's usage with two of its assumptions replaced by what the stack measured: the Lambda
    GB-s from the handlers' invocation times (the alarm handler's in-process wait included, where
    cost.py assumes 500 ms), and SQS as each trigger sent plus one receive and one delete per batch
    the alarm handler got (cost.py assumes batches of one). From a stack that does not time its
    invocations, cost.py's figures stay."""
    n = max(1, len(step.placed))
    durations = step.after.invocation_ms_since(step.before)
    if not durations:
        return usage
    sends = step.after.calls_since(step.before).get("SQS.SendMessage", 0)
    batches = step.after.invocations_since(step.before).get(ALARM_HANDLER, 0)
    billed_ms = sum(durations.get(h, 0) for h in handlers)
    return replace(usage, lambda_gb_seconds=billed_ms / n / 1000 * LAMBDA_MEMORY_GB,
                   sqs_requests=usage.sqs_requests - 3 * sends / n + (sends + 2 * batches) / n)


def orchestration_floor_usd_per_million() -> dict[str, float]:
    """The least one window's alarm can cost in this design, whatever the load: the `due` index entry
    written with the state and removed with the outcome (the spec's "a state change and the timer
    that guards it are written atomically": 2 WRU), the trigger's SendMessage, and the alarm
    handler's fence read. SQS receives and deletes, invocations and the in-process wait come on top
    and shrink per order only as batches fill (many alarms due in the same second)."""
    index = ALARM_INDEX_WRITES_PER_WINDOW * DYNAMODB_USD_PER_MILLION_WRU
    floor = {"due index (2 WRU)": index, "trigger (1 SendMessage)": SQS_USD_PER_MILLION_REQUESTS,
             "fence read (1 RRU)": DYNAMODB_USD_PER_MILLION_RRU}
    floor["total"] = sum(floor.values())
    return floor


def per_million(usage: UsagePerOrder) -> dict[str, float]:
    return {name: usd * 1000 for name, usd in usd_per_thousand_orders(usage).items()}


# ── the peer ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PeerCost:
    transitions: float
    """Per order."""
    dynamodb_wru: float
    sqs_requests: float

    def usd_per_million(self) -> dict[str, float]:
        costs = {"stepfunctions": self.transitions * STEPFUNCTIONS_STANDARD_USD_PER_MILLION_TRANSITIONS,
                 "dynamodb": self.dynamodb_wru * DYNAMODB_USD_PER_MILLION_WRU,
                 "sqs": self.sqs_requests * SQS_USD_PER_MILLION_REQUESTS}
        costs["total"] = sum(costs.values())
        return costs


def peer_cost(run: PeerRun) -> PeerCost:
    """The order's PutItem and the state machine's UpdateItem are 1 WRU each (no index, < 1 KB);
    the ask is one SQS send (the task), one receive and one delete (the merchant side's batches
    that carried messages; idle polls are a fixed cost, as ours are). StartExecution and
    SendTaskSuccess are not billed apart: Standard bills transitions."""
    n = max(1, len(run.placed))
    tasks = run.task_calls()
    writes = run.calls.get("DynamoDB.PutItem", 0) + tasks.get("DynamoDB.UpdateItem", 0)
    sqs = tasks.get("SQS.SendMessage", 0) + run.receives_with_messages + run.calls.get("SQS.DeleteMessageBatch", 0)
    return PeerCost(run.transitions() / n, writes / n, sqs / n)


def peer_requests(run: PeerRun) -> tuple[dict[str, float], dict[str, float]]:
    """(orchestration, all-in) requests per order: the driver's calls plus the tasks' calls."""
    n = max(1, len(run.placed))
    counted = Counter(run.calls) + Counter(run.task_calls())
    all_in = {name: count / n for name, count in sorted(counted.items())}
    orchestration = {name: all_in.get(name, 0.0) for name in ("SFN.StartExecution", "SFN.SendTaskSuccess")}
    return orchestration, all_in


# ── the report ───────────────────────────────────────────────────────────────────────────────


def _summary(values: list[float]) -> dict[str, Any]:
    return asdict(Summary.of(values))


def _costs_line(costs: dict[str, float]) -> str:
    return f"{costs['total']:.2f} USD (" + ", ".join(f"{k} {v:.2f}" for k, v in costs.items() if k != "total"
                                                     and v) + ")"


def _requests_line(requests: dict[str, float]) -> str:
    return ", ".join(f"{name} {count:.2f}" for name, count in requests.items() if count) or "—"


def build_report(args: argparse.Namespace, ours: StepResult, peer: PeerRun, out: Out) -> tuple[
        dict[str, Any], list[Check], list[plots.Panel]]:
    """Print the comparison; returns the result, its checks and its picture's panels."""
    n_ours, n_peer = len(ours.placed), len(peer.placed)
    push = ours.adjudication_receipts()
    stored, alarm = our_stored_lateness(ours), our_alarm_lateness(ours)
    peer_late, timer, start_delay = peer.outcome_lateness_ms(), peer.timer_lateness_ms(), peer.start_delay_ms()
    after_timer = peer.outcome_after_timer_ms()
    push_s, peer_s = Summary.of(push), Summary.of(peer_late)
    our_requests, our_usage = our_orchestration(ours)
    our_orch, our_all = per_million(our_usage), per_million(our_all_in(ours))
    cost = peer_cost(peer)
    peer_all = cost.usd_per_million()
    peer_orch = peer_all["stepfunctions"]
    peer_orch_requests, peer_all_requests = peer_requests(peer)
    ratio = peer_orch / our_orch["total"] if our_orch["total"] else math.inf
    cpu_ours = ours.cpu_s * 1000 / max(1, n_ours)
    cpu_peer, cpu_driver = peer.server_cpu_s * 1000 / max(1, n_peer), peer.driver_cpu_s * 1000 / max(1, n_peer)

    out(f"\n{n_ours} orders on our stack, {n_peer} through the Step Functions peer; {args.rate:g}/s for "
        f"{args.duration:g} s, window {args.window} s, {args.accepted:.0%} accepted after {args.think:g} s")
    out(f"correctness      ours: {len(ours.wrong_outcomes())} wrong outcome(s), {len(ours.late_adjudications())} "
        f"deadline outcome(s) later than {args.margin:g} s; peer: {len(peer.wrong_outcomes())} wrong, "
        f"{peer.still_running} still running, {len([p for p in peer.placements if p.error])} placement error(s), "
        f"{len(peer.refused_answers)} answer(s) refused")
    out("lateness (deadline → outcome visible)")
    out(f"  ours, push at the customer     {push_s.line()}")
    out(f"  ours, stored (history entry)   {Summary.of(stored).line()}")
    out(f"  ours, alarm fired (EMF)        {Summary.of(alarm).line()}")
    out(f"  peer, status written           {peer_s.line()}")
    out(f"  peer, status written − (timer start + window)            {Summary.of(after_timer).line()}")
    out(f"  peer, its timer (TaskTimedOut − start − TimeoutSeconds)   {Summary.of(timer).line()}")
    out(f"  peer, deadline fixed → timer started (StartExecution …)   {Summary.of(start_delay).line()}")
    out("CPU per order")
    out(f"  ours  {cpu_ours:.1f} ms (the stack process: REST, WebSocket, Lambdas, its moto; placing to last outcome)")
    out(f"  peer  {cpu_peer:.1f} ms (its moto process: Step Functions, DynamoDB, SQS) + {cpu_driver:.1f} ms "
        "(the driver: the API's and merchants' calls)")
    out("AWS requests per order")
    out(f"  ours, orchestration   {_requests_line(our_requests)}")
    out(f"  ours, all-in          {_requests_line(ours.calls_per_order())}; Lambda "
        f"{_requests_line(ours.invocations_per_order())}")
    out(f"  peer, orchestration   {_requests_line(peer_orch_requests)}; state transitions {cost.transitions:.2f}")
    out(f"  peer, all-in          {_requests_line(peer_all_requests)}")
    invocations, durations = ours.after.invocations_since(ours.before), ours.after.invocation_ms_since(ours.before)
    out("  ours, Lambda time     " + (", ".join(
        f"{h} {durations.get(h, 0) / max(1, invocations.get(h, 0)):.0f} ms per invocation" for h in
        (ALARM_HANDLER, SWEEP_HANDLER, "rest") if invocations.get(h)) if durations else
        "not measured by this stack: cost.py's assumptions") + " (wall time in the stack, billed as GB-s)")
    out(f"USD per million orders ({PRICES_CHECKED})")
    out(f"  ours, orchestration   {_costs_line(our_orch)}  [{our_usage}]")
    out(f"  peer, orchestration   {peer_orch:.2f} USD ({cost.transitions:.2f} transitions × "
        f"{STEPFUNCTIONS_STANDARD_USD_PER_MILLION_TRANSITIONS:g} USD per million)")
    out(f"  ours, all-in          {_costs_line(our_all)}")
    out(f"  peer, all-in          {_costs_line(peer_all)}   (no API Gateway, Lambda or pushes in front of it: "
        "its driver calls AWS directly)")
    out(f"  ratio                 the peer's orchestration costs {ratio:.1f}× ours (goal ≥ {COST_RATIO_GOAL:g}×)")
    floor = orchestration_floor_usd_per_million()
    out(f"  floor, ours           {_costs_line(floor)}: the ratio can be at most {peer_orch / floor['total']:.0f}×, "
        f"and {peer_orch / floor['due index (2 WRU)']:.0f}× for the index alone")
    out()
    wrong_or_late = (len(ours.wrong_outcomes()) + len(ours.late_adjudications()) + len(peer.wrong_outcomes())
                     + peer.still_running + len([p for p in peer.placements if p.error]))
    checks = [
        at_least("orchestration cost, the peer's ÷ ours", round(ratio, 2), COST_RATIO_GOAL, "×"),
        at_most("outcome lateness p50, ours (push at the customer) vs the peer's", push_s.p50, peer_s.p50),
        at_most("outcome lateness p99, ours (push at the customer) vs the peer's", push_s.p99, peer_s.p99),
        none_of("wrong or late outcomes, either side", wrong_or_late),
    ]
    print_checks(out, checks)
    timer_s = Summary.of(after_timer)
    out(f"info  against the peer's own timer (its task's start + window, leaving out the time StartExecution "
        f"took to start it): ours p50 {push_s.p50:.0f} / p99 {push_s.p99:.0f} ms, the peer's p50 {timer_s.p50:.0f} / "
        f"p99 {timer_s.p99:.0f} ms")
    result = {
        "args": vars(args), "orders": {"ours": n_ours, "peer": n_peer},
        "lateness_ms": {"ours_push": _summary(push), "ours_stored": _summary(stored), "ours_alarm": _summary(alarm),
                        "peer_written": _summary(peer_late), "peer_after_its_timer": _summary(after_timer),
                        "peer_timer": _summary(timer),
                        "peer_start_delay": _summary(start_delay)},
        "orchestration_floor_usd_per_million": floor,
        "cpu_ms_per_order": {"ours": cpu_ours, "peer": cpu_peer, "peer_driver": cpu_driver},
        "requests_per_order": {"ours_orchestration": our_requests, "ours_all_in": ours.calls_per_order(),
                               "ours_invocations": ours.invocations_per_order(),
                               "peer_orchestration": peer_orch_requests, "peer_all_in": peer_all_requests,
                               "peer_transitions": cost.transitions},
        "usd_per_million_orders": {"ours_orchestration": our_orch, "peer_orchestration": peer_orch,
                                   "ours_all_in": our_all, "peer_all_in": peer_all, "ratio": ratio},
        "usage_per_order": {"ours_orchestration": asdict(our_usage), "ours_all_in": asdict(our_all_in(ours)),
                            "peer": asdict(cost)},
        "wrong": {"ours": ours.wrong_outcomes(), "peer": peer.wrong_outcomes()},
        "peer_refused_answers": peer.refused_answers, "peer_still_running": peer.still_running,
        "late": ours.late_adjudications(), "peer_errors": [p.error for p in peer.placements if p.error][:10],
    }
    panels = [
        plots.cdf("deadline → outcome visible", {"ours: push at the customer": push, "ours: stored": stored,
                                                 "Step Functions: status written": peer_late}),
        plots.bars("orchestration, USD per million orders", {"ours": our_orch["total"], "Step Functions": peer_orch},
                   targets={f"the peer's ÷ {COST_RATIO_GOAL:g}": peer_orch / COST_RATIO_GOAL}, unit="USD"),
    ]
    return result, checks, panels


async def run(args: argparse.Namespace, out: Out) -> tuple[StepResult, PeerRun]:
    problems = stepfunctions.problems(stepfunctions.asl())
    if problems:
        raise SystemExit(f"{stepfunctions.ASL_PATH}: " + "; ".join(problems))
    plans = plans_for(args.accepted)
    shape = LoadShape(args.rate, args.duration, merchants=args.merchants, terminals_per_merchant=1,
                      customers=args.customers, window_s=args.window, think_s=args.think, margin_s=args.margin,
                      sweep_interval_s=args.sweep_interval, stack_args=tuple(args.stack_arg), plans=plans)
    out(f"ours: {shape.orders} orders at {args.rate:g}/s on a fresh local stack …")
    ours = await run_step(shape, STACK_LOG)
    out(f"the peer: {shape.orders} orders at {args.rate:g}/s through {stepfunctions.ASL_PATH.name} on moto …")
    peer = await run_peer(PeerShape(shape.orders, args.rate, args.merchants, args.window, args.think, args.margin,
                                    plans, args.pollers, args.fresh_clients), f"o_sfn_{uuid.uuid4().hex[:6]}")
    return ours, peer


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Out()
    ours, peer = asyncio.run(run(args, out))
    result, checks, panels = build_report(args, ours, peer, out)
    save(args.out, result, checks, panels, lines=out.lines,
         title=f"bench.{NAME}: the answer window on the wait-state engine and on Step Functions")


if __name__ == "__main__":
    main()
