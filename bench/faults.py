"""Every workflow's load while AWS misbehaves: for each fault of `devstack/faults.py` at each rate,
is any window lost or adjudicated twice, how soon after the fault stops is every window settled,
and what did the requests answer?

Method (documented in bench/README.md, section `bench.faults`):
* Each fault × rate runs on a fresh stack (`--faults ""`: the injection is installed with no rates,
  so set-up runs clean; `--sweep-interval 2`, the local overdue grace of 2 s, short windows). The
  parties of every workflow are set up, then `PUT /_faults {"rates": {FAULT: RATE}}` starts the
  fault and every workflow's load runs at once for `--duration` s, when `{"rates": {}}` stops it.
  The run then watches until every deadline + one sweep interval + the grace (+ `--margin`) has
  passed and reads the final state back through the REST API (as the owner, or ops).
* The loads (`WORKFLOWS`): **orders** placed at a steady rate, the merchant's console fetching
  and accepting some, fetching only others and ignoring the rest (bench/order_load.py);
  **escalation**: installer dispatches never confirmed, through reminder → revocation
  (bench/escalation.py's reads); **checkout**: split checkouts (bench/checkout.py's carts), every
  other one paid on the sandbox (its callback redelivered, as a provider retries, when the platform
  did not answer 200), the rest left to their payment window; **groupbuy**: vouchers bought before
  the fault, booked under it into seconds-long slots with their queue pushes (bench/groupbuy.py),
  half redeemed mid-slot, the rest left to the no-show re-offer, and a few small videos uploaded
  straight to the stack's S3 (the s3.* faults strike their notifications); **calls**: video calls
  ringing out, every fourth one answered and hung up (bench/calls.py's parties).
* The client retries what a client may retry (429, 500, 502, 503, 504 and broken connections,
  with the same `Idempotency-Key`, backing off 0.25 · 2^n s with jitter, 3 times at most): a
  retried create must not make a second entity. Every answer is counted by status; a 503 or 429
  must carry `Retry-After`, any other 5xx but 502 is a failure; 502s (a killed invocation, as API
  Gateway answers for a crashed Lambda) are counted apart. The sandbox's callbacks to the platform
  count as requests too.
* A **window** is one deadline of one entity: an order's answer window, a dispatch's reminder and
  its revocation, a purchase's payment window, a booking's slot end (no-show), a call's ring, a
  video's processing. Its outcome times are read from the entity's history (orders, dispatches,
  purchases), its timestamps (`ended_at`, `answered_at`, `used_at`) or, where the view keeps no
  time, the first push received (a no-show, a published video). **Lost**: never adjudicated, or
  first adjudicated later than deadline + sweep interval + grace (+ the clock skew's ±3 s under
  `clock.skew`). A read after the run settles an overdue window itself, at the read's time: that
  counts as late, so a read cannot hide a lost alarm. **Doubled**: two outcomes of one window, a
  deduction twice in the history or the ledger, two supplier orders for one purchase and
  supplier, a final-state push delivered twice to one of the bench's terminals. **Recovery**: for
  the windows whose deadline fell while the fault was on, outcome − max(deadline, fault stop),
  0 when it was on time.
* Targets (issue 15): 0 lost, 0 doubled at every rate; recovery p99 ≤ one sweep interval; no 500.
  Lost and doubled entities are printed with what the stack's log says of them.

    python -m bench.faults                                   # 12 faults × 5 % and 20 % (≈ 25 min)
    python -m bench.faults --quick                           # a few faults at 20 % (≈ 3 min)
    python -m bench.faults --faults sqs.send,kill.after_write --rates 0.2 --workflows orders
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import re
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench import calls as call_bench
from bench import checkout as checkout_bench
from bench import escalation as escalation_bench
from bench import groupbuy as groupbuy_bench
from bench import plots
from bench.api import Api, ApiError, paced, parse_iso_ms
from bench.order_load import NOTE_PREFIX, LoadShape, MerchantConsole, Placement, place_at_rate
from bench.report import Check, Out, check, print_checks, read_back, save, sleep_until, stack_options, unreadable
from bench.stack import RESULTS, LocalStack, errors_logged, json_objects
from bench.stats import Summary, verdict
from bench.terminal import Received, Terminal, close_all, now_ms, open_all
from devstack.faults import CLOCK_SKEW_MAX_MS, FAULTS

WORKFLOWS = ("orders", "escalation", "checkout", "groupbuy", "calls")
RATES = (0.05, 0.2)
QUICK_ARGS = ("--quick",)
"""The quick variant (`python -m bench.all --quick`): `QUICK` below, ≈ 3 min."""
QUICK = {"faults": "dynamodb.throttle,sqs.send,kill.after_write,connections.timeout", "rates": "0.2",
         "duration": 10.0}
SWEEP_INTERVAL_S = 2
OVERDUE_GRACE_MS = 2000
"""The local stage's `ONTIME_OVERDUE_GRACE_S` (chalicelib/settings.py)."""
SLACK_MS = 500
"""What a window's outcome may lag its allowance by for reasons of measurement (a push's way)."""
RETRIED = frozenset({429, 500, 502, 503, 504})
RETRIES = 3
PAYMENT_WINDOW_S = 5
BOOKINGS, VIDEOS = 6, 2
S3_BOOKINGS, S3_VIDEOS = 12, 6
"""Under an `s3.*` fault the videos are its load: enough notifications for the fault to strike."""
MOST_CURVES = 8
"""Recovery curves drawn at most (the slowest runs'): more would hide each other."""
VIDEO_ALLOWANCE_MS = 20_000
"""From an upload to its video's outcome: S3's notification, possibly delayed, and the processing."""


# ── the accounting (pure: what the unit tests check) ──────────────────────────────────────────

@dataclass(frozen=True)
class Window:
    """One deadline of one entity, and every outcome it was given."""

    entity_id: str
    deadline_ms: float
    outcomes: tuple[float, ...] = ()
    """When each outcome was recorded (epoch ms), in any order."""
    unseen_outcomes: int = 0
    """Outcomes the final state shows but whose time nothing recorded (a push that never came)."""
    by_deadline: bool = True
    """Whether its outcome is its deadline's (recovery is measured for those only)."""
    what: str = ""
    """What the outcomes were (e.g. `accepted, unanswered`), for the report."""

    @property
    def adjudicated(self) -> bool:
        return bool(self.outcomes) or self.unseen_outcomes > 0

    @property
    def first_ms(self) -> float | None:
        return min(self.outcomes) if self.outcomes else None


@dataclass(frozen=True)
class Incident:
    """One entity lost or doubled, and why."""

    entity_id: str
    why: str


@dataclass(frozen=True)
class FaultSpan:
    on_ms: float
    off_ms: float

    def covers(self, moment_ms: float) -> bool:
        return self.on_ms <= moment_ms <= self.off_ms


@dataclass
class Tally:
    windows: int = 0
    adjudicated: int = 0
    lost: list[Incident] = field(default_factory=list)
    doubled: list[Incident] = field(default_factory=list)
    recovery_ms: list[float] = field(default_factory=list)
    during_fault: int = 0
    """Windows whose deadline fell while the fault was on."""


def account(windows: Iterable[Window], doubles: Iterable[Incident], span: FaultSpan, allowance_ms: float) -> Tally:
    """Lost (never adjudicated, or first adjudicated more than `allowance_ms` after the deadline),
    doubled (two outcomes of one window, and the `doubles` found elsewhere) and the recovery time
    of every window due while the fault was on (0 when it was adjudicated before the fault stopped)."""
    tally = Tally(doubled=list(doubles))
    for window in windows:
        tally.windows += 1
        first = window.first_ms
        if window.adjudicated:
            tally.adjudicated += 1
        if not window.adjudicated:
            tally.lost.append(Incident(window.entity_id, "never adjudicated"))
        elif first is not None and first > window.deadline_ms + allowance_ms:
            tally.lost.append(Incident(window.entity_id, f"adjudicated {(first - window.deadline_ms) / 1000:.1f} s "
                                                         f"after its deadline ({window.what})"))
        count = len(window.outcomes) + window.unseen_outcomes
        if count > 1:
            tally.doubled.append(Incident(window.entity_id, f"{count} outcomes ({window.what})"))
        if window.by_deadline and span.covers(window.deadline_ms):
            tally.during_fault += 1
            if first is not None:
                tally.recovery_ms.append(max(0.0, first - max(window.deadline_ms, span.off_ms)))
    return tally


def repeated(counted: Mapping[Any, int], what: str) -> list[Incident]:
    """An incident for every key counted more than once (`what` says what was counted)."""
    return [Incident(str(key[0] if isinstance(key, tuple) else key), f"{what} ×{count}"
                     + (f" ({', '.join(map(str, key[1:]))})" if isinstance(key, tuple) and len(key) > 1 else ""))
            for key, count in counted.items() if count > 1]


@dataclass(frozen=True)
class Answer:
    """One answer the platform gave the bench (or the sandbox, for its callbacks)."""

    route: str
    status: int
    retry_after: bool = False


@dataclass
class Statuses:
    by_status: dict[int, int] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    """`POST /orders → 500` (or `→ 503 without Retry-After`) → count."""
    killed: int = 0
    """502s: an invocation killed by the fault, as API Gateway answers for a crashed Lambda."""

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def line(self) -> str:
        return ", ".join(f"{status} ×{count}" for status, count in sorted(self.by_status.items()))


def judge_statuses(answers: Iterable[Answer]) -> Statuses:
    """Counts by status; a failure is a 5xx but 502, or a 503 / 429 without `Retry-After`."""
    result = Statuses()
    for answer in answers:
        result.by_status[answer.status] = result.by_status.get(answer.status, 0) + 1
        if answer.status == 502:
            result.killed += 1
        elif answer.status in (429, 503) and not answer.retry_after:
            name = f"{answer.route} → {answer.status} without Retry-After"
            result.failures[name] = result.failures.get(name, 0) + 1
        elif answer.status >= 500 and answer.status != 503:
            name = f"{answer.route} → {answer.status}"
            result.failures[name] = result.failures.get(name, 0) + 1
    return result


def allowance_ms(fault: str, sweep_interval_s: float, grace_ms: float = OVERDUE_GRACE_MS) -> float:
    """How long after its deadline a window may be adjudicated and not count as lost: one sweep
    interval + the overdue grace (+ the skew itself under `clock.skew`, whose clocks run off by it)."""
    return sweep_interval_s * 1000 + grace_ms + SLACK_MS + (CLOCK_SKEW_MAX_MS if fault == "clock.skew" else 0)


_ID = re.compile(r"[0-9]")


def route_of(method: str, path: str) -> str:
    """`POST /orders/o_1a2b/cancel` → `POST /orders/{id}/cancel` (segments with a digit are ids)."""
    parts = [("{id}" if _ID.search(part) else part) for part in path.split("?")[0].split("/")]
    return f"{method} {'/'.join(parts)}"


# ── the client ──────────────────────────────────────────────────────────────────────────────

class CountingApi(Api):
    """The benchmarks' client, counting every answer (`answers`) and retrying what a client may
    retry with the same request (so the same `Idempotency-Key`)."""

    def __init__(self, base_url: str, rng: random.Random) -> None:
        super().__init__(base_url, max_connections=32)
        self.answers: list[Answer] = []
        self._rng = rng
        self.http.event_hooks["response"].append(self._count)

    async def _count(self, response: httpx.Response) -> None:
        self.answers.append(Answer(route_of(response.request.method, response.request.url.path),
                                   response.status_code, "retry-after" in response.headers))

    async def call(self, method: str, path: str, token: str | None = None, body: Any = None,
                   headers: dict[str, str] | None = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        for attempt in range(RETRIES + 1):
            try:
                return await super().call(method, path, token, body, headers, expect)
            except ApiError as exc:
                if exc.status not in RETRIED or attempt == RETRIES:
                    raise
            except httpx.TransportError:
                if attempt == RETRIES:
                    raise
            await asyncio.sleep(min(2.0, 0.25 * 2 ** attempt) * (0.5 + self._rng.random()))
        raise AssertionError("unreachable")

    def callback(self, c: checkout_bench.Checkout) -> None:
        """The sandbox's last callback to the platform, as the pay page reported its answer."""
        if c.callback_status is not None:
            self.answers.append(Answer("POST /payments/callback", c.callback_status,
                                       retry_after=c.callback_retry_after is not None))


# ── the workflows ───────────────────────────────────────────────────────────────────────────

@dataclass
class Judged:
    windows: list[Window]
    doubles: list[Incident]
    info: dict[str, Any] = field(default_factory=dict)


class Workflow:
    """One workflow's parties and load on one stack: `set_up` (clean), `load` (under the fault),
    `last_deadline_ms`, then `judge` (after the fault, from the final state and the pushes)."""

    name = ""

    def __init__(self, stack: LocalStack, args: argparse.Namespace, rng: random.Random) -> None:
        self.stack = stack
        self.args = args
        self.rng = rng
        self.api = CountingApi(stack.urls.rest, rng)
        self.terminals: list[Terminal] = []
        self.errors: list[str] = []

    async def set_up(self, ops: str) -> None:
        raise NotImplementedError

    async def load(self, seconds: float) -> None:
        raise NotImplementedError

    def last_deadline_ms(self) -> float:
        raise NotImplementedError

    async def judge(self, ops: str) -> Judged:
        raise NotImplementedError

    async def close(self) -> None:
        await close_all(self.terminals)
        await self.api.close()

    def error(self, exc: BaseException) -> None:
        self.errors.append(str(exc)[:200] or type(exc).__name__)


def first_receipts(terminals: Iterable[Terminal], message_type: str, key: Any) -> dict[Any, list[float]]:
    """Receipt times of `message_type` at these terminals by `key(push)` (None: left out)."""
    found: dict[Any, list[float]] = {}
    for terminal in terminals:
        for received in terminal.of_type(message_type):
            name = key(received)
            if name is not None:
                found.setdefault(name, []).append(received.at_ms)
    return found


def pushed_twice(terminals: Iterable[Terminal], message_type: str, key: Any, what: str) -> list[Incident]:
    """An incident for every push (by `key(push)`) one terminal received more than once, saying
    whether the copies are one message redelivered (the same `id`) or distinct messages."""
    found: list[Incident] = []
    for terminal in terminals:
        ids: dict[Any, list[str]] = {}
        for received in terminal.of_type(message_type):
            if (name := key(received)) is not None:
                ids.setdefault(name, []).append(received.message_id)
        for name, copies in ids.items():
            if len(copies) > 1:
                distinct = len(set(copies))
                how = "one message redelivered" if distinct == 1 else f"{distinct} distinct messages"
                entity, *rest = name if isinstance(name, tuple) else (name,)
                found.append(Incident(str(entity), f"{what} ×{len(copies)} at {terminal.name}, {how}"
                                      + (f" ({', '.join(map(str, rest))})" if rest else "")))
    return found


ORDER_OUTCOMES = frozenset({"accepted", "rejected", "unanswered", "not_connected", "cancelled"})


class Orders(Workflow):
    """bench/order_load.py's customers and merchant consoles, at `--order-rate`."""

    name = "orders"
    MERCHANTS, CUSTOMERS, WINDOW_S = 3, 6, 4

    async def set_up(self, ops: str) -> None:
        self.merchant_tokens = []
        for m in range(self.MERCHANTS):
            await self.api.create_merchant(ops, f"m_{m}", self.WINDOW_S)
            self.merchant_tokens.append(await self.api.token("merchant", f"staff_{m}", f"m_{m}"))
        self.customer_tokens = [await self.api.token("customer", f"c_{c}") for c in range(self.CUSTOMERS)]
        self.console = MerchantConsole(self.api, self.merchant_tokens, 0.5)
        self.customers = [Terminal(f"c_{c}", self.stack.urls.ws, t) for c, t in enumerate(self.customer_tokens)]
        self.terminals = [Terminal(f"m_{m}", self.stack.urls.ws, t, self.console.on_push(m))
                          for m, t in enumerate(self.merchant_tokens)] + self.customers
        await open_all(self.terminals)
        self.placements: list[Placement] = []

    async def load(self, seconds: float) -> None:
        shape = LoadShape(rate=self.args.order_rate, duration_s=seconds, merchants=self.MERCHANTS,
                          customers=self.CUSTOMERS, window_s=self.WINDOW_S)
        self.placements = await place_at_rate(self.api, shape, self.customer_tokens)
        self.errors += [p.error for p in self.placements if p.error]

    def last_deadline_ms(self) -> float:
        return max((p.deadline_ms for p in self.placements if p.order_id), default=0.0)

    async def judge(self, ops: str) -> Judged:
        if self.console.pending:
            await asyncio.wait(list(self.console.pending), timeout=30)
        self.errors += self.console.errors
        # Every order of every customer, so that one created but never known to the client (its
        # answer lost, the retry refused) is judged too.
        listed = await read_back(range(self.CUSTOMERS), lambda c: pages(self.api, "/orders?limit=100",
                                                                         self.customer_tokens[c]), lambda exc: [])
        final = {str(view["order_id"]): view for views in listed.values() for view in views}
        known = {p.order_id for p in self.placements if p.order_id}
        windows = []
        for order_id, view in final.items():
            outcomes = [h for h in view.get("history", []) if h.get("status") in ORDER_OUTCOMES]
            plan = str(view.get("note") or "").removeprefix(NOTE_PREFIX)
            windows.append(Window(order_id, parse_iso_ms(str(view["answer_deadline"])),
                                  tuple(parse_iso_ms(str(h["at"])) for h in outcomes), by_deadline=plan != "accept",
                                  what=", ".join(f"{h['status']} by {h.get('cause')}" for h in outcomes)
                                  or f"{view.get('status')}, planned {plan}"))
        self.orphans = sorted(set(final) - known)
        missing = sorted(known - set(final))
        windows += [Window(order_id, 0.0, what="not in its customer's list") for order_id in missing]

        def final_push(r: Received) -> tuple[str, str] | None:
            status = str(r.data.get("status"))
            return (str(r.data.get("order_id")), status) if status in ORDER_OUTCOMES else None

        doubles = pushed_twice(self.customers, "order.status_changed", final_push, "final status pushed")
        return Judged(windows, doubles, {"placed": len(known), "not_placed": len(self.placements) - len(known),
                                         "orphans": self.orphans})


class Escalation(Workflow):
    """Installer dispatches never confirmed: reminded, then revoked and reassigned (bench/escalation.py)."""

    name = "escalation"
    REMIND_S, REVOKE_S = 3, 6
    AREA = "a_faults"

    async def set_up(self, ops: str) -> None:
        await self.api.create_area(ops, self.AREA, self.REMIND_S, self.REVOKE_S, escalation_bench.DEDUCTION)
        self.installer_ids = [f"i_faults_{k}" for k in range(escalation_bench.INSTALLERS_PER_AREA)]
        for n, installer in enumerate(self.installer_ids):
            await self.api.create_installer(ops, installer, [self.AREA], 50, phone=f"+8613900{n:06d}")
        self.terminals = [Terminal(i, self.stack.urls.ws, await self.api.token("installer", i))
                          for i in self.installer_ids]
        await open_all(self.terminals)
        self.ops = ops
        self.dispatches: list[escalation_bench.Dispatch] = []

    async def load(self, seconds: float) -> None:
        count = max(1, round(self.args.dispatch_rate * max(1.0, seconds - self.REVOKE_S)))

        async def create(index: int) -> escalation_bench.Dispatch:
            d = escalation_bench.Dispatch(index, f"c_inst_{index % 5}", self.REMIND_S, 0.0, now_ms())
            try:
                reply = await self.api.create_installation(self.ops, self.AREA, d.customer_id)
                d.installation_id = str(reply["installation_id"])
                assignment = reply.get("assignment") or {}
                d.installer_id = str((assignment.get("installer") or {}).get("installer_id"))
                d.attempt = int(assignment.get("attempt", 0))
                d.remind_at = parse_iso_ms(str(assignment["remind_at"]))
                d.revoke_at = parse_iso_ms(str(assignment["confirm_deadline"]))
            except (ApiError, OSError, KeyError, TypeError, ValueError) as exc:
                d.error = str(exc)[:200] or type(exc).__name__
                self.error(exc)
            return d

        self.dispatches = await paced(count, now_ms(), 1000 / self.args.dispatch_rate, create)

    def last_deadline_ms(self) -> float:
        return max((d.revoke_at for d in self.dispatches if d.revoke_at), default=0.0)

    async def judge(self, ops: str) -> Judged:
        ours = [d for d in self.dispatches if d.revoke_at]
        requests, ledger = await escalation_bench.final_reads(self.api, ops, ours, self.installer_ids)
        windows, doubles = [], []
        for d in ours:
            request = requests.get(d.installation_id, {})
            for stage in escalation_bench.STAGES:
                kind = escalation_bench.HISTORY_KIND[stage]
                settled = escalation_bench.history_of(request, kind, d.attempt)
                windows.append(Window(f"{d.installation_id} {stage}", d.due(stage), tuple(settled),
                                      what=f"{kind} ×{len(settled)}, now {request.get('status')}"))
            deducted = escalation_bench.history_of(request, "deducted", d.attempt)
            if len(deducted) > 1:
                doubles.append(Incident(d.installation_id, f"deducted ×{len(deducted)} in its history"))
        doubles += repeated(Counter((str(e.get("installation_id")), int(e.get("attempt", 0))) for e in ledger),
                            "ledger entries for one dispatch")
        doubles += pushed_twice(self.terminals, "dispatch.revoked", escalation_bench.revoked_key,
                                "dispatch.revoked pushed")
        return Judged(windows, doubles, {"dispatched": len(ours), "not_dispatched": len(self.dispatches) - len(ours),
                                         "ledger_entries": len(ledger)})


class Checkouts(Workflow):
    """bench/checkout.py's split carts; every other one paid on the sandbox, the rest left unpaid."""

    name = "checkout"
    CUSTOMERS = 4
    FINAL = frozenset({"paid", "cancelled"})

    async def set_up(self, ops: str) -> None:
        shape = argparse.Namespace(shops=1, stock=100_000)
        self.staff = await checkout_bench.set_up_suppliers(self.api, ops, shape)
        self.customer_tokens = [await checkout_bench.token(self.api, "customer", f"c_buy_{n}")
                                for n in range(self.CUSTOMERS)]
        self.consoles = [Terminal(f"{key[1]}-{key[0]}", self.stack.urls.ws, t) for key, t in self.staff.items()]
        self.phones = [Terminal(f"buyer-{n}", self.stack.urls.ws, t) for n, t in enumerate(self.customer_tokens)]
        self.terminals = [*self.consoles, *self.phones]
        await open_all(self.terminals)
        self.checkouts: list[checkout_bench.Checkout] = []

    async def pay(self, c: checkout_bench.Checkout) -> None:
        """Pay, then redeliver the callback (as a provider retries) while the platform did not take it."""
        await checkout_bench.pay(self.api, c)
        self.api.callback(c)
        payment_id = c.pay_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
        for _ in range(RETRIES):
            if c.paid:
                c.error = ""
                return
            await asyncio.sleep(0.5)
            try:
                reply = await self.api.call("POST", f"/sandbox/payments/{payment_id}/redeliver")
                c.callback_status = reply.get("callback_status")
                c.callback_retry_after = reply.get("callback_retry_after")
                self.api.callback(c)
            except (ApiError, OSError) as exc:
                c.error = f"redeliver: {exc}"[:200]

    async def load(self, seconds: float) -> None:
        gap = 1000 / self.args.checkout_rate

        async def one(i: int) -> checkout_bench.Checkout:
            c = checkout_bench.Checkout(i, "paid" if i % 2 == 0 else "unpaid", i % self.CUSTOMERS, 0, now_ms())
            await checkout_bench.create(self.api, self.customer_tokens[c.customer], c)
            if c.phase == "paid" and c.created:
                await self.pay(c)
            if c.error:
                self.errors.append(f"{c.purchase_id or 'not created'}: {c.error}")
            return c

        self.checkouts = await paced(max(1, round(self.args.checkout_rate * seconds)), now_ms(), gap, one)

    def last_deadline_ms(self) -> float:
        return max((c.deadline_ms for c in self.checkouts if c.created), default=0.0)

    async def judge(self, ops: str) -> Judged:
        created = [c for c in self.checkouts if c.created]
        views = await checkout_bench.ops_views(self.api, ops, created)
        # The customers' own lists: a purchase created but never known to the client is judged too.
        listed = await read_back(range(self.CUSTOMERS), lambda n: pages(self.api, "/purchases?limit=100",
                                                                         self.customer_tokens[n]), lambda exc: [])
        self.orphans = sorted({str(v["purchase_id"]) for page in listed.values() for v in page} - set(views))
        orphan_views = await read_back(self.orphans, lambda purchase_id: self.api.call(
            "GET", f"/ops/purchases/{purchase_id}", ops), unreadable)
        windows = [Window(purchase_id, parse_iso_ms(str(view.get("payment_deadline") or "1970-01-01T00:00:00Z")),
                          tuple(parse_iso_ms(str(h["at"])) for h in view.get("history", [])
                                if h.get("status") in self.FINAL),
                          what=f"{view.get('status')}, never known to the client")
                   for purchase_id, view in orphan_views.items()]
        for c in created:
            view = views.get(c.purchase_id, {})
            outcomes = [h for h in view.get("history", []) if h.get("status") in self.FINAL]
            windows.append(Window(c.purchase_id, c.deadline_ms, tuple(parse_iso_ms(str(h["at"])) for h in outcomes),
                                  by_deadline=not c.paid,
                                  what=", ".join(f"{h['status']} by {h.get('cause')}" for h in outcomes)
                                  or f"{view.get('status')} ({c.phase}, callback {c.callback_status})"))
        supplier_orders: Counter[tuple[str, str]] = Counter()
        for (shop, name), token in self.staff.items():
            line = next(line for line in checkout_bench.LINES if line.name == name)
            supplier = checkout_bench.supplier_id(shop, line)
            for order in await pages(self.api, "/supplier/orders?limit=100", token):
                supplier_orders[(str(order.get("purchase_id")), supplier)] += 1
        doubles = repeated(supplier_orders, "supplier orders for one purchase and supplier")
        doubles += pushed_twice(self.consoles, "supplier_order.created", checkout_bench.purchase_key,
                                "supplier_order.created pushed")

        def final_push(r: Received) -> tuple[str, str] | None:
            status = str(r.data.get("status"))
            return (str(r.data.get("purchase_id")), status) if status in self.FINAL else None

        doubles += pushed_twice(self.phones, "purchase.status_changed", final_push, "final status pushed")
        paid_then_not = [c.purchase_id for c in created
                         if c.paid and views.get(c.purchase_id, {}).get("status") != "paid"]
        return Judged(windows, doubles, {"created": len(created), "paid_by_callback": sum(c.paid for c in created),
                                         "not_created": len(self.checkouts) - len(created),
                                         "callback_200_but_not_paid": paid_then_not, "orphans": self.orphans})


async def pages(api: Api, path: str, token: str) -> list[dict[str, Any]]:
    """Every item of a paged list."""
    items: list[dict[str, Any]] = []
    next_token: str | None = None
    while True:
        page = await api.call("GET", path + (f"&next_token={next_token}" if next_token else ""), token)
        items += page["items"]
        next_token = page.get("next_token")
        if not next_token:
            return items


class GroupBuy(Workflow):
    """Vouchers bought clean, booked under the fault into seconds-long slots (bench/groupbuy.py);
    half redeemed mid-slot (a few of them then upload a small video), the rest no-shows."""

    name = "groupbuy"
    SHOPS, CUSTOMERS, LEAD_S, INTERVAL_S, SLOT_S = 2, 4, 2, 2, 6

    async def set_up(self, ops: str) -> None:
        self.zone = groupbuy_bench.noon_zone(datetime.now(UTC))
        valid_until = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="seconds").replace("+00:00", "Z")
        self.deals = await groupbuy_bench.create_shops(self.api, ops, self.SHOPS, self.zone, valid_until)
        self.merchants = [await self.api.token("merchant", f"staff_{j}", f"m_gb{j}") for j in range(self.SHOPS)]
        self.customers = [await self.api.token("customer", f"gb_c{i}") for i in range(self.CUSTOMERS)]
        self.terminals = [Terminal(f"gb_c{i}", self.stack.urls.ws, t) for i, t in enumerate(self.customers)]
        await open_all(self.terminals)
        self.redeemed = set(range(0, self.args.bookings, 2))
        self.shape = argparse.Namespace(bookings=self.args.bookings, picks=1, per_order=1, concurrency=4,
                                        lead=self.LEAD_S, interval=self.INTERVAL_S, slot=self.SLOT_S)
        self.setup = await groupbuy_bench.buy_all(self.api, self.shape, self.deals, self.customers, self.redeemed)
        self.errors += self.setup.errors
        self.ops = ops
        self.starts: list[list[int]] = []
        self.videos: dict[str, tuple[str, int, float]] = {}
        """video id → (voucher id, customer, upload answered at)."""

    async def load(self, seconds: float) -> None:
        first_start_s = math.ceil(time.time() + 3 + self.LEAD_S + self.args.bookings * 0.3)
        self.starts = groupbuy_bench.slot_starts(first_start_s, self.SHOPS, 2, 1, self.SLOT_S)
        for j in range(self.SHOPS):
            await self.api.call("PUT", f"/shops/m_gb{j}/group-buy-settings", self.ops,
                                groupbuy_bench.meal_settings(self.starts[j], self.zone, self.shape))
        local_date = [datetime.fromtimestamp(s[0], ZoneInfo(self.zone)).date().isoformat()
                      for s in self.starts]
        await groupbuy_bench.book_all(self.api, self.shape, self.setup, self.customers,
                                      [[f"{local_date[j]}.m0"] for j in range(self.SHOPS)])
        self.errors += [v.book_error for v in self.setup.vouchers if v.book_error]
        redeems = [groupbuy_bench.redeem_at(self.api, self.merchants[v.shop], v,
                                            self.starts[v.shop][0] * 1000 + self.INTERVAL_S * 500)
                   for n, v in enumerate(self.setup.vouchers) if n in self.redeemed and v.code and v.bookings]
        await asyncio.gather(*redeems)
        self.errors += [v.redeem_error for v in self.setup.vouchers if v.redeem_error]
        used = [v for v in self.setup.vouchers if v.redeem_answered_ms is not None and not v.redeem_error]
        await asyncio.gather(*(self.upload(v) for v in used[:self.args.videos]))

    async def upload(self, voucher: groupbuy_bench.Voucher) -> None:
        token = self.customers[voucher.customer]
        try:
            offer = await self.api.call("POST", f"/vouchers/{voucher.voucher_id}/video-upload", token)
            post = offer["upload"]
            clip = small_clip()
            sent = await self.api.http.post(post["url"], data={**post["fields"], "Content-Type": "video/mp4"},
                                            files={"file": (clip.name, clip.read_bytes(), "video/mp4")})
            if sent.status_code >= 300:
                raise RuntimeError(f"upload → {sent.status_code}: {sent.text[:200]}")
            self.videos[str(offer["video_id"])] = (voucher.voucher_id, voucher.customer, now_ms())
        except (ApiError, OSError, KeyError, RuntimeError) as exc:
            self.error(exc)

    def last_deadline_ms(self) -> float:
        slot_ends = [s[-1] * 1000 + self.SLOT_S * 1000 for s in self.starts]
        uploads = [at + VIDEO_ALLOWANCE_MS for _, _, at in self.videos.values()]
        return max([*slot_ends, *uploads], default=0.0)

    async def judge(self, ops: str) -> Judged:
        by_id = {v.voucher_id: v for v in self.setup.vouchers}
        vouchers = await read_back(by_id, lambda voucher_id: self.api.call(
            "GET", f"/vouchers/{voucher_id}", self.customers[by_id[voucher_id].customer]), unreadable)
        missed = first_receipts(self.terminals, "booking.changed",
                                lambda r: str(r.data.get("booking_id")) if r.data.get("status") == "missed" else None)
        windows = []
        for voucher_id, view in vouchers.items():
            for booking in view.get("bookings") or []:
                status, booking_id = str(booking.get("status")), str(booking.get("booking_id"))
                deadline = parse_iso_ms(str(booking["slot_end"]))
                seen: tuple[float, ...] = ()
                if status == "used" and view.get("used_at"):
                    seen = (parse_iso_ms(str(view["used_at"])),)
                elif status == "missed" and missed.get(booking_id):
                    seen = (min(missed[booking_id]),)
                unseen = int(status in ("missed", "used", "cancelled") and not seen)
                windows.append(Window(booking_id, deadline, seen, unseen, by_deadline=status == "missed",
                                      what=f"{status} (voucher {voucher_id})"))
        published = first_receipts(self.terminals, "video.published", lambda r: str(r.data.get("video_id")))
        rejected = first_receipts(self.terminals, "video.rejected", lambda r: str(r.data.get("video_id")))
        listed: Counter[str] = Counter()
        for deal in self.deals:
            for video in await pages(self.api, f"/deals/{deal}/videos?limit=100", ops):
                listed[str(video.get("video_id"))] += 1
        for video_id, (voucher_id, _, uploaded) in self.videos.items():
            seen = tuple(sorted([*published.get(video_id, []), *rejected.get(video_id, [])])[:1])
            windows.append(Window(video_id, uploaded + VIDEO_ALLOWANCE_MS, seen,
                                  int(not seen and listed[video_id] > 0), by_deadline=False,
                                  what=f"video of {voucher_id}: listed ×{listed[video_id]}"))
        doubles = pushed_twice(self.terminals, "booking.changed",
                               lambda r: (str(r.data.get("booking_id")), str(r.data.get("status"))),
                               "booking.changed pushed")
        doubles += pushed_twice(self.terminals, "slots.offered",
                                lambda r: str(r.data.get("voucher_id")) if r.data.get("reason") == "no_show" else None,
                                "no-show re-offer pushed")
        doubles += pushed_twice(self.terminals, "video.published", lambda r: str(r.data.get("video_id")),
                                "video.published pushed")
        doubles += repeated(listed, "listed on the deal's page")
        planned = groupbuy_bench.plan_of(self.setup.vouchers, self.starts, self.shape)
        moments = groupbuy_bench.account(planned, groupbuy_bench.observations_of(self.terminals))
        return Judged(windows, doubles, {
            "vouchers": len(self.setup.vouchers), "bookings": sum(len(v.bookings) for v in self.setup.vouchers),
            "videos": len(self.videos), "queue_moments_required": moments.required,
            "queue_moments_missing": len(moments.lost), "queue_moments_doubled": len(moments.doubled),
            "queue_updates_after_use": len(moments.after_use)})


_CLIP: Path | None = None


def small_clip() -> Path:
    """A 1 s 320×240 clip with sound (made once per results folder)."""
    global _CLIP
    if _CLIP is None:
        from devstack import clips

        path = RESULTS / "faults-clip-1s-320x240.mp4"
        if not path.exists():
            clips.make_clip(path.with_suffix(".part.mp4"), 1.0, 320, 240, faststart=True).rename(path)
        _CLIP = path
    return _CLIP


class Calls(Workflow):
    """bench/calls.py's merchants and customers: calls ringing out, every fourth answered and hung up."""

    name = "calls"
    MERCHANTS, CUSTOMERS, RING_S = 4, 10, 3

    async def set_up(self, ops: str) -> None:
        shape = argparse.Namespace(merchants=self.MERCHANTS, calls=self.CUSTOMERS, ring_s=self.RING_S, concurrency=4)
        _, self.merchant_parties, self.customer_parties = await call_bench.setup(self.api, shape, self.stack.urls.ws)
        self.terminals = [p.terminal for p in (*self.merchant_parties, *self.customer_parties)]
        self.deadlines: dict[str, int] = {}
        self.customer_of: dict[str, int] = {}
        self.answered: set[str] = set()

    async def one(self, i: int) -> None:
        # Merchant 0 answers every fourth call (one at a time); the others' calls ring out.
        customer, answered = self.customer_parties[i % self.CUSTOMERS], i % 4 == 0
        j = 0 if answered else 1 + i % (self.MERCHANTS - 1)
        merchant, merchant_id = self.merchant_parties[j], f"m_call{j}"
        try:
            view = await self.api.call("POST", "/calls", customer.token,
                                       {"merchant_id": merchant_id, "connection_id": customer.connection_id},
                                       {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
            call_id = str(view["call_id"])
            self.deadlines[call_id] = parse_iso_ms(str(view["ring_deadline"]))
            self.customer_of[call_id] = i % self.CUSTOMERS
            if answered:
                await asyncio.sleep(0.5)
                await self.api.call("POST", f"/merchant/calls/{call_id}/answer", merchant.token,
                                    {"connection_id": merchant.connection_id})
                self.answered.add(call_id)
                await asyncio.sleep(1.0)
                await self.api.call("POST", f"/merchant/calls/{call_id}/hangup", merchant.token)
        except (ApiError, OSError, KeyError) as exc:
            self.error(exc)

    async def load(self, seconds: float) -> None:
        count = max(1, round(self.args.call_rate * seconds))
        await paced(count, now_ms(), 1000 / self.args.call_rate, self.one)

    def last_deadline_ms(self) -> float:
        return max(self.deadlines.values(), default=0.0)

    async def judge(self, ops: str) -> Judged:
        views = await read_back(list(self.deadlines), lambda call_id: self.api.call(
            "GET", f"/calls/{call_id}", self.customer_parties[self.customer_of[call_id]].token), unreadable)
        windows = []
        for call_id, deadline in self.deadlines.items():
            view = views.get(call_id, {})
            settled = view.get("answered_at") or (view.get("ended_at") if view.get("status") != "ringing" else None)
            windows.append(Window(call_id, deadline, (parse_iso_ms(str(settled)),) if settled else (),
                                  by_deadline=call_id not in self.answered,
                                  what=f"{view.get('status')} ({view.get('end_cause')})"))

        def final_push(r: Received) -> tuple[str, str] | None:
            status = str(r.data.get("status"))
            return (str(r.data.get("call_id")), status) if status in ("missed", "ended", "declined") else None

        doubles = pushed_twice(self.terminals, "call.status_changed", final_push, "final call status pushed")
        doubles += pushed_twice(self.terminals, "call.connected", lambda r: str(r.data.get("call_id")),
                                "call.connected pushed")
        return Judged(windows, doubles, {"calls": len(self.deadlines), "answered": len(self.answered)})


MAKERS: dict[str, type[Workflow]] = {w.name: w for w in (Orders, Escalation, Checkouts, GroupBuy, Calls)}


# ── one fault at one rate ───────────────────────────────────────────────────────────────────

@dataclass
class Row:
    """One fault × rate × workflow."""

    fault: str
    rate: float
    workflow: str
    windows: int
    adjudicated: int
    lost: list[Incident]
    doubled: list[Incident]
    recovery: Summary
    during_fault: int
    statuses: Statuses
    errors: list[str]
    info: dict[str, Any]
    recovery_ms: list[float] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)
    """entity → what the stack logged of it (lost and doubled ones)."""

    def checks(self, sweep_interval_s: float) -> dict[str, bool]:
        return {"lost": not self.lost, "doubled": not self.doubled,
                "recovery": not self.recovery.count or self.recovery.p99 <= recovery_target_ms(sweep_interval_s),
                "no 500": not self.statuses.failed}

    def passed(self, sweep_interval_s: float) -> bool:
        return all(self.checks(sweep_interval_s).values())


def evidence_of(lines: Sequence[str], entity_ids: Iterable[str], limit: int = 6) -> dict[str, list[str]]:
    """What the stack's log says of each entity: its lines' events (and errors), in order."""
    found: dict[str, list[str]] = {}
    for entity_id in entity_ids:
        key = entity_id.split()[0]
        said = []
        for line in lines:
            if key not in line:
                continue
            try:
                doc = json.loads(line[line.index("{"):])
            except ValueError:
                said.append(line[:160])
                continue
            if "_aws" in doc:
                continue  # a metric: its log line says the same
            fields = ("level", "event", "type", "party", "previous", "status", "cause", "error")
            said.append(" ".join(str(doc[k]) for k in fields if doc.get(k))[:160])
        found[entity_id] = said[-limit:]
    return found


def fault_seed(seed: int, fault: str, rate: float) -> int:
    """The stack's `--fault-seed` for one run: repeatable, and not the same draws for every fault
    (one seed for all would give each its generator's first draws, e.g. none below 0.2 in the first
    ten of seed 0: a fault with few chances to strike would never strike)."""
    return zlib.crc32(f"{seed}-{fault}-{rate:g}".encode())


def for_fault(args: argparse.Namespace, fault: str) -> argparse.Namespace:
    """The options of a run of `fault`: the group-buy load's defaults are larger under `s3.*`."""
    s3 = fault.startswith("s3.")
    bookings = args.bookings if args.bookings is not None else S3_BOOKINGS if s3 else BOOKINGS
    videos = args.videos if args.videos is not None else S3_VIDEOS if s3 else VIDEOS
    return argparse.Namespace(**{**vars(args), "bookings": bookings, "videos": videos})


async def one_run(fault: str, rate: float, args: argparse.Namespace, out: Out) -> tuple[list[Row], dict[str, Any]]:
    rng = random.Random(f"{args.seed}-{fault}-{rate}")
    extra = ("--payment-window", str(PAYMENT_WINDOW_S), *args.stack_arg)
    log_name = f"{Path(args.out).stem}-{fault}-{rate:g}-stack"
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name=log_name, extra_args=extra, faults="",
                    fault_seed=fault_seed(args.seed, fault, rate)) as stack:
        workflows = [MAKERS[name](stack, for_fault(args, fault), rng) for name in args.workflows]
        try:
            ops = await workflows[0].api.token("ops", "bench-ops")
            await asyncio.gather(*(w.set_up(ops) for w in workflows))
            await asyncio.sleep(0.5)
            span_on = now_ms()
            await asyncio.to_thread(stack.set_faults, {fault: rate})
            loads = asyncio.gather(*(w.load(args.duration) for w in workflows), return_exceptions=True)
            await sleep_until(span_on + args.duration * 1000)
            injected = await asyncio.to_thread(stack.set_faults, {})
            span = FaultSpan(span_on, now_ms())
            for workflow, failed in zip(workflows, await loads, strict=True):
                if isinstance(failed, BaseException):
                    workflow.error(failed)
            last = max((w.last_deadline_ms() for w in workflows), default=now_ms())
            await sleep_until(max(last, span.off_ms) + allowance_ms(fault, args.sweep_interval) + args.margin * 1000)
            judged = {w.name: await judged_safely(w, ops) for w in workflows}
            stats = await asyncio.to_thread(stack.stats)
        finally:
            for w in workflows:
                await w.close()
        lines = stack.lines()
    allowed = allowance_ms(fault, args.sweep_interval)
    rows = []
    for w in workflows:
        tally = account(judged[w.name].windows, judged[w.name].doubles, span, allowed)
        row = Row(fault, rate, w.name, tally.windows, tally.adjudicated, tally.lost, tally.doubled,
                  Summary.of(tally.recovery_ms), tally.during_fault, judge_statuses(w.api.answers), w.errors,
                  judged[w.name].info, tally.recovery_ms)
        row.evidence = evidence_of(lines, [i.entity_id for i in (*row.lost, *row.doubled)][:20])
        rows.append(row)
    run = {"fault": fault, "rate": rate, "fault_on_s": (span.off_ms - span.on_ms) / 1000,
           "injected": injected.get("injected", {}), "invocations_killed": stats.raw.get("invocations_killed", {}),
           "stack_errors": errors_logged([d for line in lines for d in json_objects(line)]), "log": str(stack.log_path)}
    out(f"{fault} at {rate:.0%}: injected {run['injected'] or 'none'}; killed {run['invocations_killed'] or 'none'}")
    for row in rows:
        out(row_line(row, args.sweep_interval))
    return rows, run


async def judged_safely(workflow: Workflow, ops: str) -> Judged:
    """Its judgement; a judgement that cannot be made is one error of the workflow (and no windows)."""
    try:
        return await workflow.judge(ops)
    except (ApiError, OSError, KeyError, TypeError, ValueError) as exc:
        workflow.error(exc)
        return Judged([], [], {"judging failed": str(exc)[:200]})


# ── reporting ──────────────────────────────────────────────────────────────────────────────

HEADER = (f"{'fault':<21} {'rate':>5} {'workflow':<10} {'windows':>7} {'adjud.':>6} {'lost':>4} {'doubled':>7} "
          f"{'rec p99':>8} {'500s':>4} {'502s':>4} {'gave up':>7}  statuses")


def row_line(row: Row, sweep_interval_s: float) -> str:
    rec = "—" if not row.recovery.count else f"{row.recovery.p99:,.0f}"
    return (f"{row.fault:<21} {row.rate:>5.0%} {row.workflow:<10} {row.windows:>7} {row.adjudicated:>6} "
            f"{len(row.lost):>4} {len(row.doubled):>7} {rec:>8} {row.statuses.failed:>4} {row.statuses.killed:>4} "
            f"{len(row.errors):>7}  "
            f"{row.statuses.line()}  {verdict(row.passed(sweep_interval_s))}")


def incidents(out: Out, rows: Sequence[Row]) -> None:
    """Every lost and doubled entity, every failed answer, with what the stack logged of it."""
    for row in rows:
        where = f"{row.fault} {row.rate:.0%} {row.workflow}"
        for kind, found in (("LOST", row.lost), ("DOUBLED", row.doubled)):
            for one in found:
                out(f"{kind:<8} {where}: {one.entity_id}: {one.why}")
                for said in row.evidence.get(one.entity_id, [])[-4:]:
                    out(f"           log: {said}")
        for name, count in row.statuses.failures.items():
            out(f"{'5xx':<8} {where}: {name} ×{count}")
        for orphan in row.info.get("orphans") or []:
            out(f"{'ORPHAN':<8} {where}: {orphan}: created, but the client never got its id (judged all the same)")
        for error in row.errors[:3]:
            out(f"{'error':<8} {where}: {error}")


def recovery_target_ms(sweep_interval_s: float) -> float:
    """One sweep after the alarm counts as overdue: the sweeper hands over a lost trigger once it is
    overdue by the grace (before that its trigger may still be in flight), at its next tick. The
    issue's "within one sweep interval" read as the sweep that can see it (AWS: 5 s + 60 s)."""
    return sweep_interval_s * 1000 + OVERDUE_GRACE_MS


def summary_checks(rows: Sequence[Row], sweep_interval_s: float) -> list[Check]:
    """One check per fault × rate (over every workflow), as `bench.all`'s table shows them."""
    checks = []
    for fault, rate in dict.fromkeys((r.fault, r.rate) for r in rows):
        mine = [r for r in rows if (r.fault, r.rate) == (fault, rate)]
        lost, doubled = sum(len(r.lost) for r in mine), sum(len(r.doubled) for r in mine)
        failed = sum(r.statuses.failed for r in mine)
        recovery = max((r.recovery.p99 for r in mine if r.recovery.count), default=math.nan)
        value = (f"{lost} lost, {doubled} doubled, {failed} × 5xx, recovery p99 "
                 + ("—" if math.isnan(recovery) else f"{recovery:,.0f} ms"))
        checks.append(check(f"{fault} at {rate:.0%}: every workflow", f"0 lost, 0 doubled, no 500, recovery p99 ≤ "
                            f"{recovery_target_ms(sweep_interval_s):,.0f} ms", value,
                            all(r.passed(sweep_interval_s) for r in mine)))
    return checks


def row_json(row: Row, sweep_interval_s: float) -> dict[str, Any]:
    return {"fault": row.fault, "rate": row.rate, "workflow": row.workflow, "windows": row.windows,
            "adjudicated": row.adjudicated, "during_fault": row.during_fault,
            "lost": [asdict(i) for i in row.lost], "doubled": [asdict(i) for i in row.doubled],
            "recovery_ms": asdict(row.recovery), "statuses": {str(k): v for k, v in row.statuses.by_status.items()},
            "failures": row.statuses.failures, "killed_502": row.statuses.killed, "errors": row.errors[:20],
            "info": row.info, "evidence": row.evidence, "checks": row.checks(sweep_interval_s),
            "pass": row.passed(sweep_interval_s)}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--faults", default=",".join(FAULTS), help="faults to run, comma-separated (default: all)")
    parser.add_argument("--rates", default=",".join(f"{r:g}" for r in RATES), help="rates, comma-separated")
    parser.add_argument("--workflows", default=",".join(WORKFLOWS), help=f"of {', '.join(WORKFLOWS)}")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load with the fault on, per run")
    parser.add_argument("--seed", type=int, default=0, help="the faults' and the client's seed")
    parser.add_argument("--quick", action="store_true", help="quick: " + ", ".join(f"--{k} {v}" for k, v in
                                                                                   QUICK.items()))
    parser.add_argument("--order-rate", type=float, default=2.0, help="orders placed per second")
    parser.add_argument("--dispatch-rate", type=float, default=1.0, help="installer dispatches per second")
    parser.add_argument("--checkout-rate", type=float, default=1.0, help="checkouts per second (half paid)")
    parser.add_argument("--call-rate", type=float, default=1.0, help="calls placed per second")
    parser.add_argument("--bookings", type=int, default=None,
                        help=f"group-buy bookings, one voucher each (default {BOOKINGS}; {S3_BOOKINGS} under s3.*)")
    parser.add_argument("--videos", type=int, default=None,
                        help=f"videos uploaded by redeemed vouchers (default {VIDEOS}; {S3_VIDEOS} under s3.*)")
    parser.add_argument("--sweep-interval", type=int, default=SWEEP_INTERVAL_S)
    stack_options(parser, "faults", margin="seconds watched after every deadline's allowance", sweep=False)
    parser.set_defaults(margin=3.0)
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    faults = [f for f in args.faults.split(",") if f]
    unknown = sorted(set(faults) - set(FAULTS))
    workflows = [w for w in args.workflows.split(",") if w]
    if unknown or set(workflows) - set(WORKFLOWS):
        parser.error(f"faults are {', '.join(FAULTS)}; workflows {', '.join(WORKFLOWS)}")
    args.fault_list, args.workflows = faults, workflows
    args.rate_list = [float(r) for r in args.rates.split(",") if r]
    return args


async def run(args: argparse.Namespace) -> None:
    out = Out()
    out(f"{len(args.fault_list)} fault(s) × rates {', '.join(f'{r:.0%}' for r in args.rate_list)}; workflows "
        f"{', '.join(args.workflows)}; {args.duration:g} s of load per run, sweep interval {args.sweep_interval} s, "
        f"overdue grace {OVERDUE_GRACE_MS / 1000:g} s")
    rows: list[Row] = []
    runs: list[dict[str, Any]] = []
    started = time.monotonic()
    for fault in args.fault_list:
        for rate in args.rate_list:
            mine, one = await one_run(fault, rate, args, out)
            rows += mine
            runs.append(one)
    out(f"\n{len(runs)} run(s) in {(time.monotonic() - started) / 60:.1f} min\n")
    out(HEADER)
    for row in rows:
        out(row_line(row, args.sweep_interval))
    out("  windows: deadlines of the run; adjud.: given an outcome; lost: never, or later than deadline + sweep +")
    out("  grace; rec p99: outcome − max(deadline, fault stop) of windows due under the fault, ms; 500s: 5xx but 502,")
    out("  and 503/429 without Retry-After; 502s: killed invocations; gave up: requests the client gave up on (after")
    out(f"  {RETRIES} retries, or refused: see the errors below); statuses: every answer the bench got")
    out()
    incidents(out, rows)
    out()
    checks = summary_checks(rows, args.sweep_interval)
    print_checks(out, checks)
    everything = all(c.passed for c in checks)
    out(f"overall: {verdict(everything)}")
    recoveries = {f"{fault} {rate:.0%}": [v for r in rows if (r.fault, r.rate) == (fault, rate) for v in r.recovery_ms]
                  for fault, rate in dict.fromkeys((r.fault, r.rate) for r in rows)}
    slowest = sorted((label for label, values in recoveries.items() if values),
                     key=lambda label: -Summary.of(recoveries[label]).p99)[:MOST_CURVES]
    panels = [
        plots.cdf(f"recovery after the fault stops (the {len(slowest)} slowest runs)",
                  {label: recoveries[label] for label in slowest},
                  targets={f"grace + one sweep interval ({args.sweep_interval} s)":
                           recovery_target_ms(args.sweep_interval)}),
        plots.bars("lost + doubled per fault × rate", {
            f"{fault} {rate:.0%}": float(sum(len(r.lost) + len(r.doubled) for r in rows
                                             if (r.fault, r.rate) == (fault, rate)))
            for fault, rate in dict.fromkeys((r.fault, r.rate) for r in rows)}, unit="entities"),
    ] if rows else []
    save(args.out, {"args": {k: v for k, v in vars(args).items()}, "runs": runs,
                    "rows": [row_json(r, args.sweep_interval) for r in rows], "pass": everything},
         checks, panels, lines=out.lines, title=f"bench.faults: {len(runs)} fault × rate runs")


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    main()
