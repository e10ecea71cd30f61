"""Workflow 04 under load: 2,000 bookings whose queue-update alarms come due every few seconds (how
late is each `queue.updated`, is any moment pushed twice, lost, or pushed after the voucher was
used?), then the video processing measurement of `bench.video` in the same report.

Method (documented in bench/README.md, section `bench.groupbuy`):
* A fresh stack (`--sweep-interval 60`). `--shops` shops (merchants in a zone where it is around
  noon, so every slot of the run lies in one local day), each with one deal and `--picks` meals
  of `--slot` seconds half an interval apart, `lead_s` / `interval_s` of a few seconds, `days` 1 and **no
  capacity** (a booking into a slot with a capacity is a DynamoDB transaction; without one it is
  one write, which is what is measured here). Shop j's first meal starts at `T0 + j·spread/shops`
  (whole seconds: meals are `HH:MM:SS`), so the update moments (`slot start − lead + k·interval`)
  of all shops fall due evenly over `--spread` + the slots' length, at whole seconds.
* Setup, as a client would, a few requests at a time (asyncio, `--concurrency`): the vouchers are
  bought (`POST /group-buy/orders`, `--per-order` vouchers each) and paid on the sandbox's pay page
  (`POST pay_url`, whose answer waits for the platform's callback), read back (`GET
  /group-buy/orders/{id}`: the voucher ids; `GET /vouchers/{id}`: the codes of those to redeem).
  Only then are the meals set (`PUT /shops/{id}/group-buy-settings`) to start after the booking
  phase, and every voucher picks its shop's `--picks` slots in one `POST /vouchers/{id}/bookings`.
  Setup takes time (printed): none of it is measured as lateness.
* Every customer (`--customers`, each holding bookings/customers/picks vouchers) has one listening
  WebSocket terminal: every push is received, none sampled.
* Mid-run `--redeem` of the vouchers are redeemed by code (`POST /merchant/vouchers/redeem`, the
  shop's merchant token) half an interval after their first slot starts (between two moments).
* Lateness of each update: receipt of `queue.updated` at the customer's terminal minus its
  `moment` (first receipt of each booking × moment); the engine's fire time (`AlarmLateness` EMF,
  kind `booking`, which also counts the slot-end firings) is printed beside it.
* Doubled: a booking × moment received more than once. After use: any `queue.updated` of a
  redeemed voucher's booking received after the redeem's answer. Lost: a moment of the grid before
  the slot's end (for a redeemed voucher: more than `LATE_GRACE_MS` before the redeem was sent)
  never received. A booking answered after its first moment is "booked late" and left out.

    python -m bench.groupbuy                     # 2,000 bookings over ~16 min, then the 60 s video
    python -m bench.groupbuy --bookings 200 --spread 40 --video-quick     # quick (QUICK_ARGS)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import plots
from bench.api import Api, ApiError, parse_iso_ms
from bench.report import Check, Out, Phases, at_most, none_of, print_checks, save, sleep_until, stack_options, wait_for
from bench.stack import ROOT, LocalStack, emf_values, errors_logged, mib
from bench.stats import Summary, due_density
from bench.terminal import Terminal, close_all, now_ms, open_all

TARGET_P99_MS = 250.0
LATE_GRACE_MS = 1000
"""A redeemed voucher's moment this close before the redeem may rightly never be pushed (the redeem
stopped it before its alarm fired): not required, not lost."""
QUICK_ARGS = ("--bookings", "200", "--spread", "40", "--video-quick")
"""The quick variant (`python -m bench.all --quick`): 200 bookings over ~1.5 min, the 10 s video."""
QUEUE_UPDATED = "queue.updated"
CURRENCY = "CNY"


# ── the accounting (pure: what the unit tests check) ──────────────────────────────────────────

def grid_moments(slot_start_ms: int, slot_end_ms: int, lead_ms: int, interval_ms: int) -> list[int]:
    """A booking's update moments: `slot start − lead + k·interval`, k ≥ 0, before the slot's end."""
    first = slot_start_ms - lead_ms
    return list(range(first, slot_end_ms, interval_ms))


@dataclass(frozen=True)
class Planned:
    """One booking as the benchmark made it, and the redeem of its voucher if there was one."""

    booking_id: str
    moments: tuple[int, ...]
    """Every grid moment before the slot's end (epoch ms)."""
    redeem_sent_ms: float | None = None
    redeem_answered_ms: float | None = None

    def required(self, grace_ms: float = LATE_GRACE_MS) -> list[int]:
        """The moments that must be pushed: all of them, or for a redeemed voucher those due more than
        `grace_ms` before the redeem was sent."""
        if self.redeem_sent_ms is None:
            return list(self.moments)
        return [m for m in self.moments if m < self.redeem_sent_ms - grace_ms]


@dataclass(frozen=True)
class Observation:
    """One `queue.updated` received: which booking, which moment, when (epoch ms)."""

    booking_id: str
    moment_ms: int
    received_ms: float


@dataclass
class Accounting:
    lateness_ms: list[float] = field(default_factory=list)
    """First receipt − moment, per booking × moment received before any use."""
    timeline: list[tuple[int, float]] = field(default_factory=list)
    """(moment, lateness) of the same receipts."""
    doubled: list[tuple[str, int, int]] = field(default_factory=list)
    """(booking, moment, times received) for every moment received more than once."""
    after_use: list[tuple[str, int, float]] = field(default_factory=list)
    """(booking, moment, ms after the redeem's answer) of every update received after it."""
    lost: list[tuple[str, int]] = field(default_factory=list)
    off_grid: list[tuple[str, int]] = field(default_factory=list)
    """Moments received that are not on the booking's grid (or of bookings not planned)."""
    required: int = 0


def account(planned: Mapping[str, Planned], observations: Iterable[Observation],
            grace_ms: float = LATE_GRACE_MS) -> Accounting:
    """Lateness, doubles, updates after use and lost moments, from the pushes received."""
    result = Accounting()
    received: dict[tuple[str, int], list[float]] = {}
    for seen in observations:
        received.setdefault((seen.booking_id, seen.moment_ms), []).append(seen.received_ms)
    for (booking_id, moment), times in sorted(received.items()):
        plan = planned.get(booking_id)
        if plan is None or moment not in plan.moments:
            result.off_grid.append((booking_id, moment))
        if len(times) > 1:
            result.doubled.append((booking_id, moment, len(times)))
        answered = plan.redeem_answered_ms if plan is not None else None
        late_ones = [t - answered for t in times if answered is not None and t > answered]
        if late_ones:
            result.after_use.append((booking_id, moment, min(late_ones)))
        before_use = [t for t in times if answered is None or t <= answered]
        if before_use and plan is not None and moment in plan.moments:
            result.lateness_ms.append(min(before_use) - moment)
            result.timeline.append((moment, min(before_use) - moment))
    for plan in planned.values():
        needed = plan.required(grace_ms)
        result.required += len(needed)
        result.lost += [(plan.booking_id, m) for m in needed if (plan.booking_id, m) not in received]
    return result


def slot_starts(first_start_s: int, shops: int, spread_s: float, picks: int, slot_s: int,
                gap_s: int = 0) -> list[list[int]]:
    """Each shop's meal starts (epoch seconds): shop j's first at `first + j·spread/shops` (whole
    seconds), the next ones `gap_s` after the one before ends."""
    return [[first_start_s + round(j * spread_s / shops) + p * (slot_s + gap_s) for p in range(picks)]
            for j in range(shops)]


def noon_zone(at: datetime) -> str:
    """A fixed-offset zone where `at` is around noon, so a run's slots stay inside one local day."""
    offset = max(-12, min(14, 12 - at.astimezone(UTC).hour))
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-8 is UTC+8


# ── the run ──────────────────────────────────────────────────────────────────────────────────

@dataclass
class Voucher:
    voucher_id: str
    shop: int
    customer: int
    code: str = ""
    bookings: dict[str, str] = field(default_factory=dict)
    """slot id → booking id."""
    booked_ms: float = 0.0
    book_error: str = ""
    redeem_sent_ms: float | None = None
    redeem_answered_ms: float | None = None
    redeem_error: str = ""


@dataclass
class Setup:
    vouchers: list[Voucher]
    errors: list[str]
    buy_s: float
    settings_s: float = 0.0
    book_s: float = 0.0
    buy_latency_ms: list[float] = field(default_factory=list)
    book_latency_ms: list[float] = field(default_factory=list)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.groupbuy", description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=2000, help="bookings (vouchers × picks)")
    parser.add_argument("--picks", type=int, default=2, help="slots each voucher books (1–6)")
    parser.add_argument("--per-order", type=int, default=2, help="vouchers bought per order")
    parser.add_argument("--shops", type=int, default=200, help="shops (each slot's bookings share its moments)")
    parser.add_argument("--customers", type=int, default=50, help="customers, one listening terminal each")
    parser.add_argument("--slot", type=int, default=30, help="seconds per slot (meal)")
    parser.add_argument("--lead", type=int, default=5, help="lead_s: the first update this long before a slot")
    parser.add_argument("--interval", type=int, default=5, help="interval_s between updates")
    parser.add_argument("--spread", type=float, default=900.0,
                        help="seconds over which the shops' first slots start (sets the updates due per second)")
    parser.add_argument("--redeem", type=float, default=0.1, help="share of the vouchers redeemed mid-run")
    parser.add_argument("--concurrency", type=int, default=16, help="setup requests at once")
    parser.add_argument("--book-seconds", type=float, default=None,
                        help="time allowed for the booking phase before the first moment (default: from the "
                             "buying phase's pace)")
    parser.add_argument("--no-video", action="store_true", help="skip the video processing measurement")
    parser.add_argument("--video-quick", action="store_true", help="the video measurement's quick variant")
    parser.add_argument("--video-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for bench.video (repeatable)")
    stack_options(parser, "groupbuy", margin="seconds after the last slot's end to wait for pushes")
    args = parser.parse_args(argv)
    if not 1 <= args.picks <= 6:
        parser.error("--picks must be 1–6 (a voucher holds at most 6 bookings; a shop at most 6 meals)")
    if args.bookings % args.picks:
        parser.error("--bookings must be a multiple of --picks")
    args.shops = min(args.shops, math.ceil(args.bookings // args.picks / args.per_order))  # each shop sells
    return args


async def gathered(count: int, concurrency: int, one: Any) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def gated(index: int) -> Any:
        async with gate:
            return await one(index)

    return list(await asyncio.gather(*(gated(index) for index in range(count))))


async def create_shops(api: Api, ops: str, shops: int, zone: str, valid_until: str) -> list[str]:
    async def one(j: int) -> str:
        shop_id = f"m_gb{j}"
        await api.call("POST", "/merchants", ops, {"merchant_id": shop_id, "name": f"Bench shop {j}",
                                                    "time_zone": zone, "currency": CURRENCY})
        deal = await api.call("POST", "/deals", ops, {
            "shop_id": shop_id, "title": f"Bench set {j}", "price": {"amount": 4900, "currency": CURRENCY},
            "valid_until": valid_until, "max_per_order": 10}, {"Idempotency-Key": uuid.uuid4().hex})
        return str(deal["deal_id"])

    return await gathered(shops, 8, one)


async def buy_all(api: Api, args: argparse.Namespace, deals: list[str], customers: list[str],
                  redeemed: set[int]) -> Setup:
    vouchers_wanted = args.bookings // args.picks
    orders = math.ceil(vouchers_wanted / args.per_order)
    setup = Setup([], [], 0.0)
    started = time.monotonic()

    async def one(index: int) -> None:
        shop, customer = index % len(deals), index % len(customers)
        quantity = min(args.per_order, vouchers_wanted - index * args.per_order)
        token = customers[customer]
        sent = now_ms()
        try:
            order = await api.call("POST", "/group-buy/orders", token, {"deal_id": deals[shop], "quantity": quantity},
                                   {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
            paid = await api.http.post(str(order["payment"]["pay_url"]), json={"outcome": "succeeded"})
            if paid.status_code >= 400:
                raise RuntimeError(f"pay → {paid.status_code}: {paid.text[:200]}")
            order_id = str(order["order_id"])
            for _ in range(50):  # the callback is handled before the pay page answers; a few reads at most
                order = await api.call("GET", f"/group-buy/orders/{order_id}", token)
                if order["status"] == "paid" and len(order["voucher_ids"]) == quantity:
                    break
                await asyncio.sleep(0.2)
            else:
                raise RuntimeError(f"order {order_id} is {order['status']} with {len(order['voucher_ids'])} vouchers")
            setup.buy_latency_ms.append(now_ms() - sent)
            for voucher_id in order["voucher_ids"]:
                number = len(setup.vouchers)
                voucher = Voucher(str(voucher_id), shop, customer)
                setup.vouchers.append(voucher)
                if number in redeemed:
                    voucher.code = str((await api.call("GET", f"/vouchers/{voucher_id}", token))["code"])
        except (ApiError, OSError, RuntimeError, KeyError) as exc:
            setup.errors.append(str(exc)[:200] or type(exc).__name__)

    await gathered(orders, args.concurrency, one)
    setup.buy_s = time.monotonic() - started
    return setup


def meal_settings(starts: Sequence[int], zone: str, args: argparse.Namespace) -> dict[str, Any]:
    tz = ZoneInfo(zone)

    def wall(epoch_s: int) -> str:
        return datetime.fromtimestamp(epoch_s, tz).strftime("%H:%M:%S")

    return {"time_zone": zone, "days": 1, "lead_s": args.lead, "interval_s": args.interval,
            "meals": [{"name": f"m{p}", "start": wall(start), "end": wall(start + args.slot)}
                      for p, start in enumerate(starts)]}


async def book_all(api: Api, args: argparse.Namespace, setup: Setup, customers: list[str],
                   slot_ids: list[list[str]]) -> None:
    started = time.monotonic()

    async def one(index: int) -> None:
        voucher = setup.vouchers[index]
        sent = now_ms()
        try:
            made = await api.call("POST", f"/vouchers/{voucher.voucher_id}/bookings", customers[voucher.customer],
                                  {"slot_ids": slot_ids[voucher.shop]})
            voucher.bookings = {str(b["slot_id"]): str(b["booking_id"]) for b in made["bookings"]}
            if made["refused"]:
                voucher.book_error = json.dumps(made["refused"])[:200]
        except (ApiError, OSError, KeyError) as exc:
            voucher.book_error = str(exc)[:200]
        voucher.booked_ms = now_ms()
        setup.book_latency_ms.append(voucher.booked_ms - sent)

    await gathered(len(setup.vouchers), args.concurrency, one)
    setup.book_s = time.monotonic() - started


async def redeem_at(api: Api, merchant_token: str, voucher: Voucher, at_ms: float) -> None:
    await sleep_until(at_ms)
    voucher.redeem_sent_ms = now_ms()
    try:
        await api.call("POST", "/merchant/vouchers/redeem", merchant_token, {"code": voucher.code})
    except (ApiError, OSError) as exc:
        voucher.redeem_error = str(exc)[:200]
    voucher.redeem_answered_ms = now_ms()


def observations_of(terminals: Sequence[Terminal]) -> list[Observation]:
    return [Observation(str(r.data["booking"]["booking_id"]), parse_iso_ms(str(r.data["moment"])), r.at_ms)
            for t in terminals for r in t.of_type(QUEUE_UPDATED)]


async def run(args: argparse.Namespace) -> None:
    out = Out()
    zone = noon_zone(datetime.now(UTC))
    vouchers_wanted = args.bookings // args.picks
    redeem_every = max(1, round(1 / args.redeem)) if args.redeem > 0 else 0
    redeemed_numbers = set(range(0, vouchers_wanted, redeem_every)) if redeem_every else set()
    phases = Phases()
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name="groupbuy-stack",
                    extra_args=tuple(args.stack_arg)) as stack:
        out(f"stack: {' '.join(stack.command[1:])}\n       {stack.urls}")
        api = Api(stack.urls.rest)
        terminals: list[Terminal] = []
        try:
            ops = await api.token("ops", "bench-ops")
            valid_until = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds").replace("+00:00", "Z")
            setup_started = time.monotonic()
            deals = await create_shops(api, ops, args.shops, zone, valid_until)
            merchants = [await api.token("merchant", f"staff_{j}", f"m_gb{j}") for j in range(args.shops)]
            customers = [await api.token("customer", f"gb_c{i}") for i in range(args.customers)]
            terminals = [Terminal(f"gb_c{i}", stack.urls.ws, token) for i, token in enumerate(customers)]
            await open_all(terminals)
            out(f"setup: {args.shops} shops with a deal each (zone {zone}), {args.customers} customer terminals "
                f"in {time.monotonic() - setup_started:.1f} s")
            await phases.mark(stack, "buy")
            setup = await buy_all(api, args, deals, customers, redeemed_numbers)
            await phases.mark(stack, "bought")
            out(f"bought and paid {len(setup.vouchers)}/{vouchers_wanted} vouchers in {setup.buy_s:.1f} s "
                f"({len(setup.vouchers) / max(setup.buy_s, 0.001):.1f}/s, {args.concurrency} at a time; order → paid "
                f"→ read {Summary.of(setup.buy_latency_ms).line()}); errors {len(setup.errors)}")
            # one POST per voucher, against the three or more calls of buying one: less than the buying took
            book_s = args.book_seconds or max(10.0, 0.75 * setup.buy_s)
            first_start_s = math.ceil(time.time() + book_s + args.lead + 5)
            # half an interval between a shop's meals: the next slot's moments fall between the last ones'
            starts = slot_starts(first_start_s, args.shops, args.spread, args.picks, args.slot, args.interval // 2)
            settings_started = time.monotonic()
            await gathered(args.shops, 8, lambda j: api.call("PUT", f"/shops/m_gb{j}/group-buy-settings", ops,
                                                             meal_settings(starts[j], zone, args)))
            setup.settings_s = time.monotonic() - settings_started
            local_date = [datetime.fromtimestamp(s[0], ZoneInfo(zone)).date().isoformat() for s in starts]
            slot_ids = [[f"{local_date[j]}.m{p}" for p in range(args.picks)] for j in range(args.shops)]
            await book_all(api, args, setup, customers, slot_ids)
            await phases.mark(stack, "booked")
            booked = sum(len(v.bookings) for v in setup.vouchers)
            out(f"booked {booked}/{args.bookings} in {setup.book_s:.1f} s (POST latency "
                f"{Summary.of(setup.book_latency_ms).line()}); first moment "
                f"{(first_start_s - args.lead) - time.time():.1f} s after the booking phase ended")
            redeems = []
            for number, voucher in enumerate(setup.vouchers):
                if number in redeemed_numbers and voucher.code and voucher.bookings:
                    at = starts[voucher.shop][0] * 1000 + args.interval * 500
                    redeems.append(asyncio.create_task(redeem_at(api, merchants[voucher.shop], voucher, at)))
            last_end_s = max(s[-1] for s in starts) + args.slot
            out(f"firing: {args.shops} shops' slots start over {args.spread:.0f} s; {len(redeems)} vouchers to be "
                f"redeemed mid-slot; the last slot ends in {last_end_s - time.time():.0f} s")
            # the stack's CPU while nothing is due (its pumps polling), taken off the firings' below
            await sleep_until((first_start_s - args.lead) * 1000 - 500)
            await phases.mark(stack, "firing")
            await asyncio.gather(*redeems)
            await sleep_until(last_end_s * 1000 + args.margin * 1000)
            planned = plan_of(setup.vouchers, starts, args)
            wanted = {(b, m) for p in planned.values() for m in p.required() for b in [p.booking_id]}
            await wait_for(lambda: wanted <= {(o.booking_id, o.moment_ms) for o in observations_of(terminals)},
                           now_ms() + 10_000)
            await phases.mark(stack, "end")
        finally:
            await close_all(terminals)
            await api.close()
        documents = stack.json_lines()
    report(args, out, setup, planned, terminals, documents, phases, zone)


def plan_of(vouchers: Sequence[Voucher], starts: Sequence[Sequence[int]],
            args: argparse.Namespace) -> dict[str, Planned]:
    planned: dict[str, Planned] = {}
    for voucher in vouchers:
        for slot_id, booking_id in voucher.bookings.items():
            start_s = starts[voucher.shop][int(slot_id.rsplit(".m", 1)[1])]
            moments = grid_moments(start_s * 1000, (start_s + args.slot) * 1000, args.lead * 1000,
                                   args.interval * 1000)
            if voucher.booked_ms > moments[0]:
                continue  # booked inside its update period: its first update was due at once, not at a moment
            planned[booking_id] = Planned(booking_id, tuple(moments), voucher.redeem_sent_ms,
                                          voucher.redeem_answered_ms)
    return planned


def floor_explained(due_per_s: int, cpu_ms_per_firing: float, p99: float) -> str:
    """Why the tail is what it is: every moment is a whole second, so each second's updates fall due
    at once and the last of them waits for those before it."""
    return (f"floor: moments are whole seconds, so up to {due_per_s} updates fall due at the same instant; at "
            f"≈ {cpu_ms_per_firing:.0f} ms of stack CPU per firing, most of it in the app's one process (one "
            f"GIL), the last of them cannot fire before ≈ {due_per_s * cpu_ms_per_firing:,.0f} ms (p99 measured "
            f"{p99:,.0f} ms); fewer due per second (a longer --spread) lowers it")


def report(args: argparse.Namespace, out: Out, setup: Setup, planned: dict[str, Planned], terminals: list[Terminal],
           documents: list[dict[str, Any]], phases: Phases, zone: str) -> None:
    observations = observations_of(terminals)
    result = account(planned, observations)
    user = Summary.of(result.lateness_ms)
    ours = set(planned)
    every_booking = {b for v in setup.vouchers for b in v.bookings.values()}
    firings = [d for d in emf_values(documents, "AlarmLateness")
               if d.get("kind") == "booking" and d.get("entity_id") in every_booking]
    server = Summary.of([float(d["AlarmLateness"]) for d in firings])
    booked_late = len(every_booking) - len(ours)
    redeemed = [v for v in setup.vouchers if v.redeem_answered_ms is not None]
    redeem_errors = [v.redeem_error for v in redeemed if v.redeem_error]
    book_errors = [v.book_error for v in setup.vouchers if v.book_error]
    due = [m for p in planned.values() for m in p.required()]
    spread_s, busiest = due_density(due)
    firing_cpu = phases.cpu_between("firing", "end")
    idle_s = phases.at["firing"] - phases.at["booked"]
    idle_cpu_per_s = phases.cpu_between("booked", "firing") / idle_s if idle_s > 1 else 0.0
    n_firings = max(1, len(firings))
    busy_cpu = max(0.0, firing_cpu - idle_cpu_per_s * (phases.at["end"] - phases.at["firing"]))
    cpu_ms_per_firing = busy_cpu * 1000 / n_firings
    no_show = Counter(str(r.data.get("voucher_id")) for t in terminals for r in t.of_type("slots.offered")
                      if r.data.get("reason") == "no_show")
    used_changes = sum(1 for t in terminals for r in t.of_type("booking.changed") if r.data.get("cause") == "used")
    end_stats = phases.stats["end"]

    out()
    out(f"setup            {setup.buy_s + setup.settings_s + setup.book_s:.0f} s: buy+pay {setup.buy_s:.1f} s, "
        f"settings {setup.settings_s:.1f} s, booking {setup.book_s:.1f} s; errors: buying {len(setup.errors)}, "
        f"booking {len(book_errors)}")
    out(f"bookings         {len(every_booking)} made, {len(ours)} measured ({booked_late} booked after their first "
        f"moment, left out); {result.required} moments required")
    out(f"moments          due over {spread_s:.0f} s ({len(due) / max(spread_s, 1):.1f}/s on average), at most "
        f"{busiest} in one second (all at that whole second)")
    out(f"lateness (push)  {user.line()}   (terminal receipt of queue.updated − its moment)")
    out(f"lateness (fire)  {server.line()}   (AlarmLateness EMF, kind booking: updates and slot ends)")
    out(f"doubled          {len(result.doubled)} booking × moment received more than once")
    out(f"after use        {len(result.after_use)} updates received after the redeem's answer "
        f"({len(redeemed)} vouchers redeemed mid-slot, {len(redeem_errors)} redeem errors; booking.changed "
        f"cause used: {used_changes})")
    out(f"lost             {len(result.lost)} required moments never received; off the grid {len(result.off_grid)}")
    out(f"no-show offers   {sum(no_show.values())} slots.offered (no_show) to {len(no_show)} vouchers")
    out(f"stack CPU        {cpu_ms_per_firing:.0f} ms per firing ({firing_cpu:.1f} s over the firing phase, "
        f"{len(firings)} firings, less {idle_cpu_per_s * 1000:.0f} ms/s idle as measured before the first "
        f"moment); peak RSS {mib(end_stats.peak_rss_bytes):.0f} MiB")
    calls = phases.calls_between("firing", "end")
    out("AWS calls/firing " + ", ".join(f"{name} {count / n_firings:.2f}" for name, count in calls.items()))
    logged = errors_logged(documents)
    if logged:
        out(f"errors logged    {sum(logged.values())}: " + "; ".join(f"{k} ×{v}" for k, v in list(logged.items())[:3]))
    out()
    checks: list[Check] = [
        at_most("queue update lateness p99 (push receipt − moment)", user.p99, TARGET_P99_MS),
        none_of("queue updates doubled", len(result.doubled)),
        none_of("queue updates after use", len(result.after_use)),
        none_of("queue updates lost", len(result.lost) + len(setup.errors) + len(book_errors)),
    ]
    print_checks(out, checks)
    if not checks[0].passed and user.count:
        out(floor_explained(busiest, cpu_ms_per_firing, user.p99))
    video = video_checks(args, out)
    checks += video
    targets = {f"p99 ≤ {TARGET_P99_MS:,.0f} ms": TARGET_P99_MS}
    first_moment = min(due, default=0)
    panels = [
        plots.cdf("lateness of each queue update",
                  {"push receipt − moment": result.lateness_ms,
                   "engine fire − wake_at": [float(d["AlarmLateness"]) for d in firings]}, targets=targets),
        plots.timeline("push lateness by moment", {"push": [((m - first_moment) / 1000, late)
                                                             for m, late in result.timeline]},
                       targets=targets, xlabel="seconds since the first moment"),
    ]
    body = {
        "args": vars(args), "zone": zone,
        "setup": {"buy_s": setup.buy_s, "settings_s": setup.settings_s, "book_s": setup.book_s,
                  "vouchers": len(setup.vouchers), "errors": setup.errors[:10], "book_errors": book_errors[:10],
                  "buy_latency_ms": asdict(Summary.of(setup.buy_latency_ms)),
                  "book_latency_ms": asdict(Summary.of(setup.book_latency_ms))},
        "bookings": len(every_booking), "measured": len(ours), "booked_late": booked_late,
        "required_moments": result.required, "due_spread_s": spread_s, "busiest_second": busiest,
        "push_lateness_ms": asdict(user), "fire_lateness_ms": asdict(server),
        "doubled": result.doubled[:50], "after_use": result.after_use[:50], "lost": result.lost[:50],
        "lost_count": len(result.lost), "off_grid": result.off_grid[:50],
        "redeemed": len(redeemed), "redeem_errors": redeem_errors[:10], "no_show_offers": sum(no_show.values()),
        "stack_cpu_ms_per_firing": cpu_ms_per_firing, "stack_idle_cpu_ms_per_s": idle_cpu_per_s * 1000,
        "peak_rss_bytes": end_stats.peak_rss_bytes,
        "aws_calls_firing": calls, "errors_logged": logged,
    }
    out("(a shared machine's figures are noisy: the lead measures on a quiet machine)")
    save(args.out, body, checks, panels, lines=out.lines,
         title=f"bench.groupbuy: {len(ours):,} bookings' queue updates over {spread_s:.0f} s")


def video_checks(args: argparse.Namespace, out: Out) -> list[Check]:
    """`bench.video`'s measurement as a sub-run (its own processes, after the stack has stopped); its
    checks, prefixed, join this report's."""
    if args.no_video:
        return []
    path = Path(args.out).with_name(Path(args.out).stem + "-video.json")
    command = [sys.executable, "-m", "bench.video", *(["--quick"] if args.video_quick else []),
               *args.video_arg, "--out", str(path)]
    out(f"\nvideo: {' '.join(command[1:])}")
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, check=False)
    if done.returncode or not path.exists() or path.stat().st_mtime < started:
        failed = Check("video: ran and wrote its results", "exit 0", f"exit {done.returncode}", False)
        print_checks(out, [failed])
        return [failed]
    checks = [Check.parse(body) for body in json.loads(path.read_text()).get("checks") or []]
    checks = [Check(f"video: {c.figure}", c.target, c.value, c.passed, c.unit) for c in checks]
    print_checks(out, checks)
    return checks


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
