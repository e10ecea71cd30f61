"""1,000 alarms due over ~30 s on the local stack: how late do they fire, are any lost or doubled?

Method (documented in bench/README.md):
* A fresh stack with `--sweep-interval 60` (the AWS rate), so the SQS delayed trigger is what is
  measured and the sweeper only plays its safety-net part.
* Orders are placed at a steady pace over `--place-seconds`, none is ever fetched, so each window
  ends `not_connected` by its alarm. Order i's target deadline is `D0 + i·spread/N`, with `D0`
  after the last placement plus `--lead`. Windows are whole seconds per merchant, so there is
  one merchant per window length and each order goes to the merchant whose window best lands it
  on its target (computed at send time, so a slow placement does not bunch the deadlines). All
  alarms therefore fall due evenly over `--spread` seconds (±0.5 s), with no placements running.
* Server-side lateness: the stack's `AlarmLateness` EMF lines (`now − wake_at` when the alarm
  fired). User-visible lateness: receipt of `order.status_changed` at the customer's terminal
  minus `answer_deadline`.
* Lost: orders not adjudicated within `--margin` seconds of their deadline — neither fired by
  their alarm nor pushed to the customer by then (`GET /orders/{id}` settles an overdue window
  itself, so it is used for the final status only).
  Double-fired: more than one `deadline` entry in an order's history, more than one
  `order.status_changed` push for it at its customer terminal, or more than one firing logged.
* With `--pending N`, N more orders are placed first (as fast as the stack takes them, by
  customers without terminals) at a merchant whose window is the longest allowed, 900 s: alarms
  that stay armed through the whole run, so the `due` index, the sweeper and the queue of delayed
  triggers carry a backlog of N while the measured alarms fire. None of them may fire during the run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

from bench import plots
from bench.api import Api, ApiError, paced, parse_iso_ms
from bench.report import at_least, at_most, none_of, print_checks, read_back, save, sleep_until, stack_options, wait_for
from bench.stack import LocalStack, StackStats, emf_values, mib
from bench.stats import Summary, due_density, verdict
from bench.terminal import Received, Terminal, close_all, now_ms, open_all, receipts_by

TARGET_P99_MS = 250.0
TARGET_MAX_MS = 1000.0
QUICK_ARGS = ("--alarms", "200", "--spread", "10", "--place-seconds", "20", "--lead", "5")
"""The quick variant (`python -m bench.all --quick`): ≈ 1 min."""
PENDING_MERCHANT = "m_pending"
PENDING_WINDOW_S = 900
"""The longest answer window a merchant may have: pending alarms stay armed through the run."""
PENDING_CONCURRENCY = 16
WAITING = {"new", "connected"}
STATUS_CHANGED = "order.status_changed"
T = TypeVar("T")


@dataclass
class Placed:
    index: int
    customer: int
    target_deadline_ms: float
    sent_ms: float
    order_id: str = ""
    deadline_ms: int = 0
    post_ms: float = 0.0
    error: str = ""


@dataclass
class Verdicts:
    lost: list[str]
    wrong: dict[str, str]
    double_history: list[str]
    double_push: list[str]
    double_log: list[str]
    no_push: list[str]
    not_fired: list[str]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.alarms", description=__doc__.splitlines()[0])
    parser.add_argument("--alarms", type=int, default=1000, help="how many alarms (orders)")
    parser.add_argument("--spread", type=float, default=30.0, help="seconds over which the alarms fall due")
    parser.add_argument("--place-seconds", type=float, default=100.0, help="seconds over which orders are placed")
    parser.add_argument("--lead", type=float, default=10.0, help="seconds between the last placement and D0")
    parser.add_argument("--customers", type=int, default=20, help="customers (one listening terminal each)")
    parser.add_argument("--pending", type=int, default=0,
                        help=f"alarms armed first, due only {PENDING_WINDOW_S} s later (never during the run): a "
                             "backlog in the due index, the sweeper and the queue")
    stack_options(parser, "alarms", margin="seconds after a deadline before 'lost'")
    return parser.parse_args(argv)


@dataclass(frozen=True)
class DueSchedule:
    """`count` items sent at a steady pace over `place_s` seconds, item i at `start + i·place_s/count`,
    each meant to fall due at `first_due + i·spread_s/count`, `first_due` being `lead_s` after the
    last send: deadlines spread evenly over `spread_s` with no sends running. Each item gets the
    whole-second period that lands it nearest its target, computed when it is sent."""

    count: int
    place_s: float
    lead_s: float
    spread_s: float
    start_ms: float = 0.0

    def started(self, delay_ms: float = 500) -> DueSchedule:
        return replace(self, start_ms=now_ms() + delay_ms)

    @property
    def periods(self) -> range:
        """Every period an item may need: from `lead + spread` (last item, some slack for a lagging
        client) up to `place + lead` (first item)."""
        shortest = max(1, int(self.lead_s + self.spread_s) - 20)
        longest = int(self.place_s + self.lead_s) + 2
        return range(shortest, longest + 1)

    @property
    def gap_ms(self) -> float:
        return self.place_s * 1000 / self.count

    @property
    def first_due_ms(self) -> float:
        return self.start_ms + (self.place_s + self.lead_s) * 1000

    def target_ms(self, index: int) -> float:
        return self.first_due_ms + index * self.spread_s * 1000 / self.count

    def period_for(self, index: int, sent_ms: float) -> int:
        periods = self.periods
        return min(max(round((self.target_ms(index) - sent_ms) / 1000), periods.start), periods.stop - 1)

    async def send_all(self, send: Callable[[int], Coroutine[Any, Any, T]]) -> list[T]:
        return await paced(self.count, self.start_ms, self.gap_ms, send)


def schedule_of(args: argparse.Namespace, count: int) -> DueSchedule:
    return DueSchedule(count, args.place_seconds, args.lead, args.spread)


def window_range(args: argparse.Namespace) -> range:
    """Every window length an order may need (see `DueSchedule.periods`)."""
    return schedule_of(args, args.alarms).periods


async def place_all(api: Api, args: argparse.Namespace, customer_tokens: list[str]) -> list[Placed]:
    schedule = schedule_of(args, args.alarms).started()

    async def place(index: int) -> Placed:
        customer = index % len(customer_tokens)
        sent = now_ms()
        window = schedule.period_for(index, sent)
        placed = Placed(index, customer, schedule.target_ms(index), sent)
        try:
            reply = await api.place_order(customer_tokens[customer], f"m_w{window}")
            placed.order_id = str(reply["order_id"])
            placed.deadline_ms = parse_iso_ms(str(reply["answer_deadline"]))
        except (ApiError, OSError, KeyError) as exc:
            placed.error = str(exc)[:200]
        placed.post_ms = now_ms() - sent
        return placed

    return await schedule.send_all(place)


@dataclass
class Pending:
    """The backlog: order id → deadline (epoch ms) of every pending order placed, and the failures."""

    deadlines: dict[str, int]
    errors: list[str]
    seconds: float


async def arm_pending(api: Api, count: int, tokens: list[str]) -> Pending:
    """`count` orders at the pending merchant, a few at a time, as fast as the stack takes them."""
    gate = asyncio.Semaphore(PENDING_CONCURRENCY)
    pending = Pending({}, [], 0.0)
    started = time.monotonic()

    async def one(index: int) -> None:
        async with gate:
            try:
                reply = await api.place_order(tokens[index % len(tokens)], PENDING_MERCHANT)
                pending.deadlines[str(reply["order_id"])] = parse_iso_ms(str(reply["answer_deadline"]))
            except (ApiError, OSError, KeyError) as exc:
                pending.errors.append(str(exc)[:200] or type(exc).__name__)

    await asyncio.gather(*(one(index) for index in range(count)))
    pending.seconds = time.monotonic() - started
    return pending


async def wait_for_outcomes(placed: list[Placed], terminals: list[Terminal], margin_s: float) -> None:
    """Until the last deadline + margin, then (bounded) until every order's push has arrived."""
    await sleep_until(max((p.deadline_ms for p in placed if p.order_id), default=now_ms()) + margin_s * 1000)
    wanted = {p.order_id for p in placed if p.order_id}
    await wait_for(lambda: wanted <= {r.data.get("order_id") for t in terminals for r in t.of_type(STATUS_CHANGED)},
                   now_ms() + 10_000)


async def final_orders(api: Api, placed: list[Placed], customer_tokens: list[str]) -> dict[str, dict[str, Any]]:
    customers = {p.order_id: customer_tokens[p.customer] for p in placed if p.order_id}
    return await read_back(customers, lambda order_id: api.get_order(customers[order_id], order_id))


def order_of(received: Received) -> str:
    return str(received.data.get("order_id"))


def first_pushes(terminals: list[Terminal]) -> dict[str, float]:
    """order id → first receipt (epoch ms) of an `order.status_changed` at any customer terminal."""
    return {order_id: min(times) for order_id, times in receipts_by(terminals, STATUS_CHANGED, order_of).items()}


def judge(placed: list[Placed], orders: dict[str, dict[str, Any]], terminals: list[Terminal],
          fire_times: dict[str, list[float]], margin_s: float) -> Verdicts:
    """`GET /orders/{id}` settles an overdue window itself, so "still waiting when read" cannot show a
    lost alarm: an order counts as lost when neither its alarm fired nor its outcome reached the
    customer within `margin_s` of the deadline (or when it is somehow still waiting)."""
    pushes = Counter({order_id: len(times) for order_id, times in receipts_by(terminals, STATUS_CHANGED,
                                                                               order_of).items()})
    pushed_at = first_pushes(terminals)
    verdicts = Verdicts([], {}, [], [], [], [], [])
    for p in placed:
        order_id = p.order_id
        if not order_id:
            continue
        order = orders.get(order_id, {})
        status = str(order.get("status"))
        settled = min([*fire_times.get(order_id, []), pushed_at.get(order_id, float("inf"))])
        if status in WAITING or settled > p.deadline_ms + margin_s * 1000:
            verdicts.lost.append(order_id)
        if status not in WAITING and status != "not_connected":
            verdicts.wrong[order_id] = status
        if not fire_times.get(order_id):
            verdicts.not_fired.append(order_id)
        deadline_entries = [h for h in order.get("history", []) if h.get("cause") == "deadline"]
        if len(deadline_entries) > 1:
            verdicts.double_history.append(order_id)
        if pushes[order_id] > 1:
            verdicts.double_push.append(order_id)
        if pushes[order_id] == 0:
            verdicts.no_push.append(order_id)
        if len(fire_times.get(order_id, [])) > 1:
            verdicts.double_log.append(order_id)
    return verdicts


def user_visible_lateness(placed: list[Placed], terminals: list[Terminal]) -> list[float]:
    by_deadline = receipts_by(terminals, STATUS_CHANGED,
                              lambda r: order_of(r) if r.data.get("cause") == "deadline" else None)
    return [min(by_deadline[p.order_id]) - p.deadline_ms for p in placed if p.order_id in by_deadline]


async def run(args: argparse.Namespace) -> None:
    windows = window_range(args)
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name="alarms-stack",
                    extra_args=tuple(args.stack_arg)) as stack:
        print(f"stack: {' '.join(stack.command[1:])}\n       {stack.urls}", flush=True)
        api = Api(stack.urls.rest)
        terminals: list[Terminal] = []
        try:
            ops = await api.token("ops", "bench-ops")
            for window in windows:
                await api.create_merchant(ops, f"m_w{window}", window)
            customer_tokens = [await api.token("customer", f"c_{i}") for i in range(args.customers)]
            pending = Pending({}, [], 0.0)
            if args.pending:
                await api.create_merchant(ops, PENDING_MERCHANT, PENDING_WINDOW_S)
                pending_tokens = [await api.token("customer", f"c_pending_{i}") for i in range(args.customers)]
                print(f"arming {args.pending} pending alarms ({PENDING_WINDOW_S} s windows) …", flush=True)
                cpu_pending = stack.cpu_seconds()
                pending = await arm_pending(api, args.pending, pending_tokens)
                print(f"armed {len(pending.deadlines)} in {pending.seconds:.0f} s "
                      f"({len(pending.deadlines) / max(pending.seconds, 0.001):.0f}/s, "
                      f"{(stack.cpu_seconds() - cpu_pending) * 1000 / max(1, len(pending.deadlines)):.0f} ms of "
                      f"stack CPU each); errors {len(pending.errors)}", flush=True)
            terminals = [Terminal(f"c_{i}", stack.urls.ws, token) for i, token in enumerate(customer_tokens)]
            await open_all(terminals)
            before = stack.stats()
            print(f"placing {args.alarms} orders over {args.place_seconds:.0f} s; merchants with windows "
                  f"{windows.start}–{windows.stop - 1} s; alarms due over {args.spread:.0f} s", flush=True)
            started, cpu_start = time.monotonic(), stack.cpu_seconds()
            placed = await place_all(api, args, customer_tokens)
            placing_s, cpu_placed = time.monotonic() - started, stack.cpu_seconds()
            await wait_for_outcomes(placed, terminals, args.margin)
            after, cpu_end = stack.stats(), stack.cpu_seconds()
            orders = await final_orders(api, placed, customer_tokens)
        finally:
            await close_all(terminals)
            await api.close()
        documents = stack.json_lines()
    cpu = (cpu_placed - cpu_start, cpu_end - cpu_placed)
    report(args, placed, placing_s, terminals, orders, documents, after.calls_since(before), after, cpu, pending,
           now_ms())


def report(args: argparse.Namespace, placed: list[Placed], placing_s: float, terminals: list[Terminal],
           orders: dict[str, dict[str, Any]], documents: list[dict[str, Any]], calls: dict[str, int],
           after: StackStats, cpu: tuple[float, float], pending: Pending, ended_ms: float) -> None:
    ours = {p.order_id for p in placed if p.order_id}
    lateness_docs = [d for d in emf_values(documents, "AlarmLateness")
                     if d.get("kind") == "order" and d.get("entity_id") in ours]
    fired_logs = [d for d in documents if d.get("event") == "alarm.fired" and d.get("entity_id") in ours]
    server_ms = ([float(d["AlarmLateness"]) for d in lateness_docs]
                 or [float(d["lateness_ms"]) for d in fired_logs])
    server = Summary.of(server_ms)
    user_ms = user_visible_lateness(placed, terminals)
    user = Summary.of(user_ms)
    pending_fired = sorted({str(d.get("entity_id")) for d in documents if d.get("event") == "alarm.fired"
                            and d.get("entity_id") in pending.deadlines})
    fire_times: dict[str, list[float]] = {}
    for d in lateness_docs:
        fire_times.setdefault(str(d["entity_id"]), []).append(float(d["_aws"]["Timestamp"]))
    if len(fired_logs) > len(lateness_docs):  # EMF lines missing: count firings from the log lines
        for d in fired_logs:
            fire_times.setdefault(str(d["entity_id"]), [])
    verdicts = judge(placed, orders, terminals, fire_times, args.margin)
    spread_s, busiest_second = due_density(p.deadline_ms for p in placed if p.order_id)
    errors = [p for p in placed if p.error]
    off_target = [p for p in placed if p.order_id and abs(p.deadline_ms - p.target_deadline_ms) > 1000]
    post = Summary.of([p.post_ms for p in placed if p.order_id])
    sweeps = [d for d in documents if d.get("event") == "sweep.enqueued"]
    doubles = len(set(verdicts.double_history) | set(verdicts.double_push) | set(verdicts.double_log))

    print()
    print(f"placed           {len(ours)}/{args.alarms} in {placing_s:.1f} s ({len(ours) / placing_s:.1f}/s), "
          f"POST latency {post.line()}; errors {len(errors)}")
    print(f"deadlines        spread over {spread_s:.1f} s, at most {busiest_second} due in one second; "
          f"{len(off_target)} more than 1 s off target")
    print(f"server lateness  {server.line()}   (AlarmLateness EMF: fire time − deadline)")
    print(f"user lateness    {user.line()}   (customer terminal receipt − answer_deadline)")
    print(f"lost             {len(verdicts.lost)} (not adjudicated within {args.margin:.0f} s of the deadline); "
          f"settled by a read, not by the alarm: {len(verdicts.not_fired)}; wrong status {len(verdicts.wrong)}; "
          f"no push {len(verdicts.no_push)}")
    print(f"double-fired     {doubles} (history {len(verdicts.double_history)}, pushes "
          f"{len(verdicts.double_push)}, firings {len(verdicts.double_log)})")
    print(f"sweeper          {len(sweeps)} sweep(s) enqueued {sum(int(d.get('enqueued', 0)) for d in sweeps)} "
          f"alarm(s) ({sum(int(d.get('overdue', 0)) for d in sweeps)} overdue)")
    n = max(1, len(ours))
    print(f"stack CPU        {cpu[0] * 1000 / n:.0f} ms per order placed; {cpu[1] * 1000 / n:.0f} ms per alarm while "
          f"firing ({cpu[1]:.1f} s of CPU in the firing phase, which includes its waits)")
    print(f"stack peak RSS   {mib(after.peak_rss_bytes):.0f} MiB; AWS calls per order (placing and firing): "
          + ", ".join(f"{name} {count / n:.2f}" for name, count in calls.items()))
    first_pending = min(pending.deadlines.values(), default=None)
    if args.pending:
        print(f"pending          {len(pending.deadlines)}/{args.pending} armed in {pending.seconds:.0f} s before the "
              f"run; the first due {((first_pending or ended_ms) - ended_ms) / 1000:.0f} s after its end; "
              f"fired during the run {len(pending_fired)}")
    print()
    backlog = f" with {args.pending:,} pending" if args.pending else ""
    checks = [
        at_most(f"alarm lateness p99 (server){backlog}", server.p99, TARGET_P99_MS),
        at_most(f"alarm lateness max (server){backlog}", server.max, TARGET_MAX_MS),
        none_of("lost", len(verdicts.lost) + args.alarms - len(orders)),
        none_of("double-fired", doubles),
    ]
    if args.pending:
        checks += [at_least("pending alarms armed", len(pending.deadlines), args.pending),
                   none_of("pending alarms fired during the run", len(pending_fired))]
    print_checks(print, checks)
    print(f"info  user-visible p99 ≤ {TARGET_P99_MS:.0f} ms: {verdict(user.count > 0 and user.p99 <= TARGET_P99_MS)}")
    targets = {f"p99 ≤ {TARGET_P99_MS:,.0f} ms": TARGET_P99_MS, f"max ≤ {TARGET_MAX_MS:,.0f} ms": TARGET_MAX_MS}
    first_wake = min((float(d["_aws"]["Timestamp"]) - float(d["AlarmLateness"]) for d in lateness_docs), default=0.0)
    panels = [
        plots.cdf("lateness of each alarm", {"server (fire − deadline)": server_ms,
                                             "user-visible (push − deadline)": user_ms}, targets=targets),
        plots.timeline("server lateness by due time",
                       {"server": [((float(d["_aws"]["Timestamp"]) - float(d["AlarmLateness"]) - first_wake) / 1000,
                                    float(d["AlarmLateness"])) for d in lateness_docs]},
                       targets=targets, xlabel="seconds since the first alarm was due"),
    ]
    result = {
        "args": vars(args), "placed": len(ours), "errors": [p.error for p in errors][:10], "placing_s": placing_s,
        "spread_s": spread_s, "busiest_second": busiest_second, "server_lateness_ms": asdict(server),
        "user_lateness_ms": asdict(user), "lost": verdicts.lost, "wrong": verdicts.wrong,
        "double_history": verdicts.double_history, "double_push": verdicts.double_push,
        "double_log": verdicts.double_log, "no_push": verdicts.no_push, "not_fired": verdicts.not_fired,
        "peak_rss_bytes": after.peak_rss_bytes,
        "aws_calls": calls, "stack_cpu_s": {"placing": cpu[0], "firing": cpu[1]},
        "pending": {"asked": args.pending, "armed": len(pending.deadlines), "errors": pending.errors[:10],
                    "seconds": pending.seconds, "fired_during_run": pending_fired,
                    "first_due_after_end_s": (first_pending - ended_ms) / 1000 if first_pending else None},
    }
    save(args.out, result, checks, panels,
         title=f"bench.alarms: {len(ours):,} alarms due over {spread_s:.0f} s{backlog}")


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
