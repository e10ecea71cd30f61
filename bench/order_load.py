"""One step of the order benchmark: a fresh stack, customers placing orders at a steady rate
(open loop), merchant terminals listening and answering, then every outcome checked.

The merchant terminals behave like a console: terminal 0 of each merchant reacts to
`order.created` after a short think time, according to the plan carried in the order's note:
`accept` (fetch, then accept → `accepted`), `fetch` (fetch only → `unanswered`) or `ignore`
(→ `not_connected`). By default half the orders are accepted, a quarter fetched only, a quarter
ignored (`LoadShape.plans`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from bench.api import Api, ApiError, parse_iso_ms
from bench.item_size import table_item_sizes
from bench.report import read_back, unreadable, wait_for
from bench.stack import LocalStack, StackStats
from bench.stats import Summary
from bench.terminal import Received, Terminal, close_all, now_ms, open_all

PLANS = ("accept", "fetch", "accept", "ignore")
EXPECTED = {"accept": "accepted", "fetch": "unanswered", "ignore": "not_connected"}
NOTE_PREFIX = "bench:"
CREATED = "order.created"
STATUS_CHANGED = "order.status_changed"


@dataclass(frozen=True)
class LoadShape:
    rate: float
    duration_s: float
    merchants: int = 10
    terminals_per_merchant: int = 2
    customers: int = 20
    window_s: int = 4
    think_s: float = 0.5
    margin_s: float = 5.0
    sweep_interval_s: int = 60
    measure_item_size: bool = False
    stack_args: tuple[str, ...] = ()
    validate_responses: bool = False
    """Whether the stack checks every answer against its model (AWS stages do not)."""
    plans: tuple[str, ...] = PLANS
    """The merchants' answers, cycled over the orders in this order."""

    @property
    def orders(self) -> int:
        return max(1, round(self.rate * self.duration_s))


@dataclass
class Placement:
    index: int
    plan: str
    merchant: int
    customer: int
    scheduled_ms: float
    sent_ms: float = 0.0
    replied_ms: float = 0.0
    order_id: str = ""
    deadline_ms: int = 0
    error: str = ""


@dataclass
class StepResult:
    shape: LoadShape
    placements: list[Placement]
    merchant_terminals: list[Terminal]
    customer_terminals: list[Terminal]
    final: dict[str, dict[str, Any]]
    before: StackStats
    after: StackStats
    rest_requests: int
    action_errors: list[str] = field(default_factory=list)
    item_sizes: tuple[str, Summary] | None = None
    cpu_s: float = 0.0
    """CPU seconds the stack used from the first order to the last outcome (placing, answering, firing)."""

    @property
    def placed(self) -> list[Placement]:
        return [p for p in self.placements if p.order_id]

    def calls_per_order(self) -> dict[str, float]:
        placed = max(1, len(self.placed))
        return {name: count / placed for name, count in self.after.calls_since(self.before).items()}

    def invocations_per_order(self) -> dict[str, float]:
        placed = max(1, len(self.placed))
        return {name: count / placed for name, count in self.after.invocations_since(self.before).items()}

    def pushes_per_order(self) -> float:
        return (self.after.pushes - self.before.pushes) / max(1, len(self.placed))

    def wrong_outcomes(self) -> dict[str, tuple[str, str]]:
        """order id → (expected, actual) for every order that did not end as planned."""
        wrong = {}
        for p in self.placed:
            actual = str(self.final.get(p.order_id, {}).get("status"))
            if actual != EXPECTED[p.plan]:
                wrong[p.order_id] = (EXPECTED[p.plan], actual)
        return wrong

    def first_created_receipts(self) -> dict[str, float]:
        first: dict[str, float] = {}
        for terminal in self.merchant_terminals:
            for received in terminal.of_type(CREATED):
                order_id = str(received.data.get("order_id"))
                first[order_id] = min(received.at_ms, first.get(order_id, received.at_ms))
        return first

    def created_copies(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for terminal in self.merchant_terminals:
            for received in terminal.of_type(CREATED):
                order_id = str(received.data.get("order_id"))
                counts[order_id] = counts.get(order_id, 0) + 1
        return counts

    def deadline_pushes(self) -> dict[str, float]:
        """order id → first receipt at a customer terminal of its deadline outcome."""
        first: dict[str, float] = {}
        for terminal in self.customer_terminals:
            for received in terminal.of_type(STATUS_CHANGED):
                order_id = str(received.data.get("order_id"))
                if received.data.get("cause") == "deadline":
                    first[order_id] = min(received.at_ms, first.get(order_id, received.at_ms))
        return first

    def adjudication_receipts(self) -> list[float]:
        """Customer terminal receipt of a deadline outcome minus the order's deadline."""
        deadlines = {p.order_id: p.deadline_ms for p in self.placed}
        return [at - deadlines[order_id] for order_id, at in self.deadline_pushes().items() if order_id in deadlines]

    def late_adjudications(self) -> list[str]:
        """Orders left to expire whose outcome did not reach the customer within the margin of the
        deadline. (The final `GET` settles an overdue window itself, so it cannot show a lost alarm.)"""
        pushed = self.deadline_pushes()
        margin_ms = self.shape.margin_s * 1000
        return [p.order_id for p in self.placed if p.plan != "accept"
                and pushed.get(p.order_id, float("inf")) > p.deadline_ms + margin_ms]

    def orders_table_writes_per_order(self) -> float:
        """Every transition is one write of the order item, and so is its insert: one history entry each."""
        histories = [len(order.get("history", [])) for order in self.final.values()]
        return sum(histories) / max(1, len(histories))


class MerchantConsole:
    """The behaviour of terminal 0 of each merchant: fetch (and maybe accept) what is pushed."""

    def __init__(self, api: Api, tokens: list[str], think_s: float) -> None:
        self._api = api
        self._tokens = tokens
        self._think_s = think_s
        self.errors: list[str] = []
        self.pending: set[asyncio.Task[None]] = set()

    def on_push(self, merchant: int) -> Any:
        def react(terminal: Terminal, received: Received) -> None:
            if received.type != CREATED:
                return
            note = str(received.data.get("note") or "")
            plan = note.removeprefix(NOTE_PREFIX)
            if plan in ("accept", "fetch"):
                task = asyncio.ensure_future(self._answer(merchant, str(received.data["order_id"]), plan))
                self.pending.add(task)
                task.add_done_callback(self.pending.discard)

        return react

    async def _answer(self, merchant: int, order_id: str, plan: str) -> None:
        await asyncio.sleep(self._think_s)
        token = self._tokens[merchant]
        try:
            await self._api.fetch_as_merchant(token, order_id)
            if plan == "accept":
                reply = await self._api.act(token, order_id, "accept")
                if reply.get("status") == 409:
                    self.errors.append(f"{order_id}: accept refused: {reply.get('type')}")
        except (ApiError, OSError) as exc:
            self.errors.append(f"{order_id}: {exc}"[:200])


async def place_at_rate(api: Api, shape: LoadShape, customer_tokens: list[str]) -> list[Placement]:
    """Open loop: order i is sent at `start + i / rate` whatever happened to the earlier ones."""
    start = now_ms() + 500
    gap_ms = 1000 / shape.rate
    tasks: list[asyncio.Task[None]] = []
    placements = [
        Placement(i, shape.plans[i % len(shape.plans)], i % shape.merchants, i % shape.customers, start + i * gap_ms)
        for i in range(shape.orders)
    ]

    async def place(p: Placement) -> None:
        p.sent_ms = now_ms()
        try:
            reply = await api.place_order(customer_tokens[p.customer], f"m_{p.merchant}", NOTE_PREFIX + p.plan)
            p.order_id = str(reply["order_id"])
            p.deadline_ms = parse_iso_ms(str(reply["answer_deadline"]))
        except (ApiError, OSError, KeyError) as exc:
            p.error = str(exc)[:200] or type(exc).__name__
        p.replied_ms = now_ms()

    for p in placements:
        delay = (p.scheduled_ms - now_ms()) / 1000
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(place(p)))
    await asyncio.gather(*tasks)
    return placements


async def settle(placements: list[Placement], customers: list[Terminal], console: MerchantConsole,
                 margin_s: float) -> None:
    """Wait until the last deadline + margin, then (bounded) for the merchants' answers and every
    order's outcome push to reach its customer."""
    last_deadline = max((p.deadline_ms for p in placements if p.order_id), default=now_ms())
    await asyncio.sleep(max(0.0, (last_deadline + margin_s * 1000 - now_ms()) / 1000))
    if console.pending:
        await asyncio.wait(list(console.pending), timeout=30)
    wanted = {p.order_id for p in placements if p.order_id and p.plan != "accept"}
    await wait_for(lambda: wanted <= {r.data.get("order_id") for t in customers for r in t.of_type(STATUS_CHANGED)
                                      if r.data.get("cause") == "deadline"}, now_ms() + 10_000)


async def final_states(api: Api, placements: list[Placement], tokens: list[str]) -> dict[str, dict[str, Any]]:
    customers = {p.order_id: tokens[p.customer] for p in placements if p.order_id}
    return await read_back(customers, lambda order_id: api.get_order(customers[order_id], order_id), unreadable)


async def run_step(shape: LoadShape, log_name: str,
                   during_load: Callable[[LocalStack], AbstractContextManager[object]] | None = None) -> StepResult:
    """One step on a fresh stack; `during_load(stack)` (e.g. a profiler) is entered when placing
    starts and left once every outcome is in, the span whose CPU and AWS calls the step reports."""
    with LocalStack(sweep_interval_s=shape.sweep_interval_s, log_name=log_name, extra_args=shape.stack_args,
                    validate_responses=shape.validate_responses) as stack:
        api = Api(stack.urls.rest, max_connections=100)
        terminals: list[Terminal] = []
        try:
            ops = await api.token("ops", "bench-ops")
            merchant_tokens = []
            for m in range(shape.merchants):
                await api.create_merchant(ops, f"m_{m}", shape.window_s)
                merchant_tokens.append(await api.token("merchant", f"staff_{m}", f"m_{m}"))
            customer_tokens = [await api.token("customer", f"c_{c}") for c in range(shape.customers)]
            console = MerchantConsole(api, merchant_tokens, shape.think_s)
            merchants = [
                Terminal(f"m_{m}/{t}", stack.urls.ws, merchant_tokens[m], console.on_push(m) if t == 0 else None)
                for m in range(shape.merchants) for t in range(shape.terminals_per_merchant)]
            customers = [Terminal(f"c_{c}", stack.urls.ws, token) for c, token in enumerate(customer_tokens)]
            terminals = merchants + customers
            await open_all(terminals)
            await asyncio.sleep(0.5)
            before, requests_before, cpu_before = stack.stats(), api.requests_sent, stack.cpu_seconds()
            with during_load(stack) if during_load is not None else contextlib.nullcontext():
                placements = await place_at_rate(api, shape, customer_tokens)
                await settle(placements, customers, console, shape.margin_s)
            after, rest_requests = stack.stats(), api.requests_sent - requests_before
            cpu_s = stack.cpu_seconds() - cpu_before
            final = await final_states(api, placements, customer_tokens)
        finally:
            await close_all(terminals)
            await api.close()
        sizes = table_item_sizes(stack.urls.aws) if shape.measure_item_size and stack.urls.aws else None
    return StepResult(shape, placements, merchants, customers, final, before, after, rest_requests,
                      console.errors, sizes, cpu_s)
