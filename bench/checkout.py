"""Workflow 03 under load: multi-supplier checkouts paid once through the sandbox provider, the
fan-out to every supplier console, and unpaid purchases cancelled by their payment window.

Method (documented in bench/README.md, section `bench.checkout`):
* A fresh stack (`--sweep-interval 60`, `--payment-window 5` by default) with `--shops` sets of
  three suppliers: shoes (physical, shipping fee, a size attribute), books (physical, shipping fee,
  2 per cart) and gift cards (virtual). Every supplier has one console (a WebSocket terminal with a
  supplier token); every customer one terminal.
* Phase 1, paid: `--purchases` checkouts open-loop at `--rate` per second (scheduled send times),
  round-robin over customers and shops, each cart across the three suppliers of its shop; the
  client pays on the sandbox's pay page (`POST pay_url {"outcome": "succeeded"}`) as soon as the
  201 is back. The pay POST answers once the sandbox's signed callback has been handled by the
  platform (`callback_status`).
  - create latency: the `POST /purchases` round trip; pay latency: the `POST pay_url` round trip;
  - pay → fan-out: from just before the pay POST to the receipt of the LAST of the three
    suppliers' `supplier_order.created` for that purchase; pay → records: to the last of the
    customer's three `record.created`;
  - correctness: each of the purchase's suppliers got exactly one `supplier_order.created` (no
    other console got one), the customer three `record.created` and one `paid` status push, the
    ops view says `paid` with one `paid` history entry, and every product's stock is initial − sold.
* Phase 2, unpaid: `--unpaid` checkouts at the same rate, never paid. Cancellation lateness is the
  receipt of `purchase.status_changed` (status `cancelled`) at the customer minus
  `payment_deadline`; server lateness is the stack's `AlarmLateness` (kind `purchase`). The stock
  after the phase must be the stock before it.
* AWS requests per purchase: `/_stats` deltas per phase (from the first send until every deadline
  of the phase has passed by `--margin`, so the alarm each purchase leaves behind is included),
  priced with bench/cost.py.

    python -m bench.checkout                          # 200 paid at 10/s, then 50 unpaid (≈ 1 min)
    python -m bench.checkout --purchases 50 --unpaid 10              # quick (QUICK_ARGS)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from bench import plots
from bench.api import Api, ApiError, paced, parse_iso_ms
from bench.cost import PRICES_CHECKED, TRANSACTION_FACTOR, UsagePerOrder, usage_from_calls, usd_per_thousand_orders
from bench.report import (
    Out,
    Phases,
    at_most,
    check,
    none_of,
    print_checks,
    read_back,
    save,
    stack_options,
    unreadable,
    wait_for,
)
from bench.stack import LocalStack, emf_values, errors_logged, mib
from bench.stats import Summary
from bench.terminal import Received, Terminal, close_all, now_ms, open_all

HOME = {"line1": "1 Bench Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
CURRENCY = "CNY"
KIND = "purchase"
CANCELLED_CAUSE = "payment_window_elapsed"
TARGET_FAN_OUT_P99_MS = 250.0
KEPT_SCHEDULE = 0.95
QUICK_ARGS = ("--purchases", "50", "--unpaid", "10")
"""The quick variant (`python -m bench.all --quick`): 50 paid at 10/s, 10 unpaid, ≈ 40 s."""


@dataclass(frozen=True)
class Line:
    """One supplier of a shop, its one product and what every cart takes of it."""

    name: str
    product_id: str
    kind: str
    category: str
    price: int
    shipping_fee: int
    quantity: int
    attributes: dict[str, list[str]] = field(default_factory=dict)
    chosen: dict[str, str] = field(default_factory=dict)

    @property
    def ships(self) -> bool:
        return self.kind == "physical"


LINES = (
    Line("shoes", "p_run", "physical", "shoes", 5000, 1000, 1, {"size": ["40", "41", "42"]}, {"size": "41"}),
    Line("books", "p_novel", "physical", "books", 3000, 500, 2),
    Line("cards", "p_gift", "virtual", "gift_cards", 10000, 0, 1),
)
CART_TOTAL = sum(line.price * line.quantity + line.shipping_fee for line in LINES)
ITEMS_PER_TRANSACTION = 1 + len(LINES)
"""Every purchase transaction (create: purchase + one reservation per product; pay: purchase + one
supplier order per supplier; cancel: purchase + one release per product) writes 1 + 3 items."""


def money(minor_units: int) -> dict[str, Any]:
    """An amount as the API takes it (api-conventions.md)."""
    return {"amount": minor_units, "currency": CURRENCY}


def supplier_id(shop: int, line: Line) -> str:
    return f"s_{line.name}_{shop}"


@dataclass
class Checkout:
    index: int
    phase: str
    customer: int
    shop: int
    scheduled_ms: float
    sent_ms: float = 0.0
    replied_ms: float = 0.0
    purchase_id: str = ""
    total: int = 0
    pay_url: str = ""
    deadline_ms: int = 0
    pay_sent_ms: float = 0.0
    pay_replied_ms: float = 0.0
    callback_status: int | None = None
    callback_retry_after: str | None = None
    """What the platform's answer to the sandbox's callback said in `Retry-After`, if anything."""
    error: str = ""

    @property
    def created(self) -> bool:
        return bool(self.purchase_id)

    @property
    def paid(self) -> bool:
        return self.callback_status == 200


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.checkout", description=__doc__.splitlines()[0])
    parser.add_argument("--purchases", type=int, default=200, help="phase 1: checkouts paid right after creation")
    parser.add_argument("--rate", type=float, default=10.0, help="checkouts per second (both phases)")
    parser.add_argument("--unpaid", type=int, default=50, help="phase 2: checkouts never paid (0: skip)")
    parser.add_argument("--customers", type=int, default=20, help="customers, one terminal each")
    parser.add_argument("--shops", type=int, default=1, help="sets of 3 suppliers (one console each)")
    parser.add_argument("--stock", type=int, default=100_000, help="initial stock of every product")
    parser.add_argument("--payment-window", type=int, default=5, help="the stack's --payment-window, seconds")
    stack_options(parser, "checkout",
                  margin="seconds after a deadline before a cancellation is 'late', and before a phase ends")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.purchases < 1 or args.customers < 1 or args.shops < 1:
        parser.error("--rate, --purchases, --customers and --shops must be positive")
    needed = max(line.quantity for line in LINES) * (args.purchases + args.unpaid)
    if needed > args.stock:
        parser.error(f"--stock {args.stock} is short of the {needed} units a product may need")
    return args


# ── setting up ─────────────────────────────────────────────────────────────────────────────

async def token(api: Api, role: str, sub: str, supplier: str | None = None) -> str:
    body = {"role": role, "sub": sub, **({"supplier_id": supplier} if supplier else {})}
    reply = await api.call("POST", "/dev/tokens", body=body)
    return str(reply["token"])


def product_path(shop: int, line: Line) -> str:
    return f"/suppliers/{supplier_id(shop, line)}/products/{line.product_id}"


async def set_up_suppliers(api: Api, ops: str, args: argparse.Namespace) -> dict[tuple[int, str], str]:
    """Every shop's three suppliers and their products; returns each supplier's staff token."""
    staff: dict[tuple[int, str], str] = {}
    for shop in range(args.shops):
        for line in LINES:
            sid = supplier_id(shop, line)
            await api.call("POST", "/suppliers", ops, {"supplier_id": sid, "name": f"Bench {line.name} {shop}",
                                                       "currency": CURRENCY, "shipping_fee": money(line.shipping_fee)},
                           expect=(201,))
            staff[(shop, line.name)] = await token(api, "supplier", f"clerk-{sid}", sid)
            product = {"name": f"Bench {line.name}", "price": money(line.price), "stock": args.stock, "kind": line.kind,
                       "category": line.category, **({"attributes": line.attributes} if line.attributes else {})}
            await api.call("PUT", product_path(shop, line), staff[(shop, line.name)], product, expect=(201,))
    return staff


async def read_stock(api: Api, staff: dict[tuple[int, str], str], shops: int) -> dict[tuple[int, str], int]:
    stock: dict[tuple[int, str], int] = {}
    for shop in range(shops):
        for line in LINES:
            reply = await api.call("GET", product_path(shop, line), staff[(shop, line.name)])
            stock[(shop, line.name)] = int(reply["stock"])
    return stock


def sections(shop: int) -> list[dict[str, Any]]:
    return [{"supplier_id": supplier_id(shop, line), **({"address": HOME} if line.ships else {}),
             "items": [{"product_id": line.product_id, "quantity": line.quantity, "unit_price": money(line.price),
                        "attributes": line.chosen}]}
            for line in LINES]


# ── driving the stack ──────────────────────────────────────────────────────────────────────

async def create(api: Api, customer_token: str, c: Checkout) -> None:
    c.sent_ms = now_ms()
    try:
        reply = await api.call("POST", "/purchases", customer_token, {"sections": sections(c.shop)},
                               {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
        c.purchase_id, c.total = str(reply["purchase_id"]), int(reply["total"]["amount"])
        c.pay_url = str(reply["payment"]["pay_url"])
        c.deadline_ms = parse_iso_ms(str(reply["payment_deadline"]))
        if reply.get("status") != "pending_payment" or c.total != CART_TOTAL:
            c.error = f"created as {reply.get('status')} with total {c.total} (expected {CART_TOTAL})"
    except (ApiError, OSError, KeyError, TypeError, ValueError) as exc:
        c.error = f"create: {str(exc)[:200] or type(exc).__name__}"
    c.replied_ms = now_ms()


async def pay(api: Api, c: Checkout) -> None:
    c.pay_sent_ms = now_ms()
    try:
        response = await api.http.post(c.pay_url, json={"outcome": "succeeded"})
        api.requests_sent += 1
        body = response.json() if response.status_code == 200 else {}
        c.callback_status, c.callback_retry_after = body.get("callback_status"), body.get("callback_retry_after")
        if not c.paid:
            c.error = f"pay: HTTP {response.status_code}, callback {c.callback_status}: {response.text[:200]}"
    except (OSError, ValueError) as exc:
        c.error = f"pay: {str(exc)[:200] or type(exc).__name__}"
    c.pay_replied_ms = now_ms()


async def run_phase(api: Api, customers: list[str], args: argparse.Namespace, phase: str, count: int,
                    first_index: int) -> list[Checkout]:
    """`count` checkouts open-loop at `--rate`; paid right after creation in the paid phase."""
    start = now_ms() + 200
    gap = 1000 / args.rate

    async def one(i: int) -> Checkout:
        n = first_index + i
        c = Checkout(n, phase, n % args.customers, n % args.shops, start + i * gap)
        await create(api, customers[c.customer], c)
        if phase == "paid" and c.created and not c.error:
            await pay(api, c)
        return c

    return await paced(count, start, gap, one)


def purchase_key(received: Received) -> str | None:
    value = received.data.get("purchase_id")
    return None if value is None else str(value)


def seen(terminals: list[Terminal], message_type: str, status: str | None = None) -> Counter[str]:
    """How many `message_type` pushes (with that status, if given) each purchase got at these terminals."""
    return Counter(key for t in terminals for r in t.of_type(message_type)
                   if (key := purchase_key(r)) is not None and (status is None or r.data.get("status") == status))


async def wait_until(moment_ms: float) -> None:
    await asyncio.sleep(max(0.0, (moment_ms - now_ms()) / 1000))


async def settle_paid(checkouts: list[Checkout], consoles: list[Terminal], phones: list[Terminal],
                      margin_s: float) -> None:
    """Until every paid purchase's fan-out reached its 3 consoles and its customer (at most
    `margin_s` + 10 s), then until every deadline has passed by a second, so the alarm each
    purchase left behind (now stale) is part of the phase."""
    wanted = {c.purchase_id for c in checkouts if c.paid}

    def done() -> bool:
        to_suppliers, records = seen(consoles, "supplier_order.created"), seen(phones, "record.created")
        return all(to_suppliers[p] >= len(LINES) and records[p] >= len(LINES) for p in wanted)

    await wait_for(done, now_ms() + (margin_s + 10) * 1000)
    await wait_until(max((c.deadline_ms for c in checkouts), default=0) + 1000)


async def settle_unpaid(checkouts: list[Checkout], phones: list[Terminal], margin_s: float) -> None:
    """Until every deadline has passed by `margin_s`, then (at most 10 s more) until every
    cancellation has reached its customer."""
    wanted = {c.purchase_id for c in checkouts if c.created}
    await wait_until(max((c.deadline_ms for c in checkouts), default=0) + margin_s * 1000)

    def done() -> bool:
        cancelled = seen(phones, "purchase.status_changed", "cancelled")
        return all(cancelled[p] >= 1 for p in wanted)

    await wait_for(done, now_ms() + 10_000)


async def ops_views(api: Api, ops: str, checkouts: list[Checkout]) -> dict[str, dict[str, Any]]:
    async def view(purchase_id: str) -> dict[str, Any]:
        found: dict[str, Any] = await api.call("GET", f"/ops/purchases/{purchase_id}", ops)
        return found

    return await read_back([c.purchase_id for c in checkouts if c.created], view, unreadable)


@dataclass
class Observed:
    """What the run collected, for judging."""

    paid: list[Checkout]
    unpaid: list[Checkout]
    consoles: dict[tuple[int, str], Terminal]
    phones: list[Terminal]
    stock: dict[str, dict[tuple[int, str], int]]
    views: dict[str, dict[str, Any]]
    documents: list[dict[str, Any]]
    phases: Phases
    stack_command: str


async def drive(args: argparse.Namespace, stack: LocalStack, out: Out) -> Observed:
    api = Api(stack.urls.rest)
    terminals: list[Terminal] = []
    phases = Phases()
    try:
        ops = await token(api, "ops", "bench-ops")
        staff = await set_up_suppliers(api, ops, args)
        customers = [await token(api, "customer", f"c_bench_{n}") for n in range(args.customers)]
        consoles = {key: Terminal(f"{key[1]}-{key[0]}", stack.urls.ws, t) for key, t in staff.items()}
        phones = [Terminal(f"customer-{n}", stack.urls.ws, t) for n, t in enumerate(customers)]
        terminals = [*consoles.values(), *phones]
        await open_all(terminals)
        out(f"suppliers        {len(staff)} ({args.shops} shop(s) × {', '.join(line.name for line in LINES)}), "
            f"one console each; {len(phones)} customers, one terminal each; cart total {CART_TOTAL} {CURRENCY}")
        stock = {"initial": await read_stock(api, staff, args.shops)}
        out(f"phase 1          {args.purchases} checkouts at {args.rate:g}/s, each paid on the sandbox right after")
        await phases.mark(stack, "paid_start")
        paid = await run_phase(api, customers, args, "paid", args.purchases, 0)
        await settle_paid(paid, list(consoles.values()), phones, args.margin)
        await phases.mark(stack, "paid_end")
        stock["after_paid"] = await read_stock(api, staff, args.shops)
        unpaid: list[Checkout] = []
        if args.unpaid:
            out(f"phase 2          {args.unpaid} checkouts at {args.rate:g}/s, never paid "
                f"(payment window {args.payment_window} s)")
            await phases.mark(stack, "unpaid_start")
            unpaid = await run_phase(api, customers, args, "unpaid", args.unpaid, args.purchases)
            await settle_unpaid(unpaid, phones, args.margin)
            await phases.mark(stack, "unpaid_end")
            stock["after_unpaid"] = await read_stock(api, staff, args.shops)
        views = await ops_views(api, ops, [*paid, *unpaid])
    finally:
        await close_all(terminals)
        await api.close()
    return Observed(paid, unpaid, consoles, phones, stock, views, [], phases, " ".join(stack.command[1:]))


async def run(args: argparse.Namespace, out: Out) -> Observed:
    extra = ("--payment-window", str(args.payment_window), *args.stack_arg)
    log_name = f"{Path(args.out).stem}-stack"
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name=log_name, extra_args=extra) as stack:
        out(f"stack: {' '.join(stack.command[1:])}\n       {stack.urls}")
        observed = await drive(args, stack, out)
        observed.documents = stack.json_lines()
    return observed


# ── judging ────────────────────────────────────────────────────────────────────────────────

@dataclass
class FanOut:
    """Phase 1's correctness and its push latencies."""

    to_suppliers_ms: list[float] = field(default_factory=list)
    last_push_at: list[float] = field(default_factory=list)
    by_purchase: dict[str, float] = field(default_factory=dict)
    records_ms: list[float] = field(default_factory=list)
    paid_push_ms: list[float] = field(default_factory=list)
    missing: int = 0
    duplicated: int = 0
    misrouted: int = 0
    records_wrong: int = 0
    paid_push_wrong: int = 0
    not_paid: list[str] = field(default_factory=list)
    paid_twice: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not (self.missing or self.duplicated or self.misrouted or self.records_wrong or self.paid_push_wrong
                    or self.not_paid or self.paid_twice or self.cancelled)


def receipts(terminal: Terminal, message_type: str, status: str | None = None) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for r in terminal.of_type(message_type):
        key = purchase_key(r)
        if key is not None and (status is None or r.data.get("status") == status):
            found.setdefault(key, []).append(r.at_ms)
    return found


def history_count(view: dict[str, Any], status: str) -> int:
    return sum(1 for h in view.get("history", []) if h.get("status") == status)


def judge_fan_out(observed: Observed) -> FanOut:
    result = FanOut()
    by_console = {key: receipts(t, "supplier_order.created") for key, t in observed.consoles.items()}
    records = [receipts(t, "record.created") for t in observed.phones]
    paid_pushes = [receipts(t, "purchase.status_changed", "paid") for t in observed.phones]
    for c in observed.paid:
        if not c.created:
            continue
        view = observed.views.get(c.purchase_id, {})
        if view.get("status") != "paid":
            (result.cancelled if view.get("status") == "cancelled" else result.not_paid).append(c.purchase_id)
        if history_count(view, "paid") > 1:
            result.paid_twice.append(c.purchase_id)
        last = judge_consoles(result, c, by_console)
        if c.paid and last is not None:
            result.to_suppliers_ms.append(last - c.pay_sent_ms)
            result.last_push_at.append(last)
            result.by_purchase[c.purchase_id] = last - c.pay_sent_ms
        got = records[c.customer].get(c.purchase_id, [])
        result.records_wrong += len(got) != len(LINES)
        if c.paid and len(got) >= len(LINES):
            result.records_ms.append(sorted(got)[len(LINES) - 1] - c.pay_sent_ms)
        status_pushes = paid_pushes[c.customer].get(c.purchase_id, [])
        result.paid_push_wrong += len(status_pushes) != 1
        if c.paid and status_pushes:
            result.paid_push_ms.append(min(status_pushes) - c.pay_sent_ms)
    return result


def judge_consoles(result: FanOut, c: Checkout, by_console: dict[tuple[int, str], dict[str, list[float]]]
                   ) -> float | None:
    """Counts this purchase's missing, duplicated and misrouted supplier pushes; returns the receipt
    of the last of its suppliers' first copies (None when one is missing)."""
    firsts: list[float] = []
    for (shop, _name), got in by_console.items():
        copies = got.get(c.purchase_id, [])
        if shop != c.shop:
            result.misrouted += len(copies)
        elif not copies:
            result.missing += 1
        else:
            result.duplicated += len(copies) - 1
            firsts.append(min(copies))
    return max(firsts) if len(firsts) == len(LINES) else None


@dataclass
class Cancellations:
    user_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    wrong_status: list[str] = field(default_factory=list)
    fanned_out: int = 0


def judge_unpaid(observed: Observed, margin_s: float) -> Cancellations:
    result = Cancellations()
    fired = {str(doc.get("entity_id")): float(doc["AlarmLateness"])
             for doc in emf_values(observed.documents, "AlarmLateness") if doc.get("kind") == KIND}
    cancelled = [receipts(t, "purchase.status_changed", "cancelled") for t in observed.phones]
    to_suppliers = Counter(key for t in observed.consoles.values() for key in receipts(t, "supplier_order.created"))
    for c in (c for c in observed.unpaid if c.created):
        view = observed.views.get(c.purchase_id, {})
        if view.get("status") != "cancelled" or not any(
                h.get("status") == "cancelled" and h.get("cause") == CANCELLED_CAUSE for h in view.get("history", [])):
            result.wrong_status.append(c.purchase_id)
        result.fanned_out += to_suppliers[c.purchase_id]
        if c.purchase_id in fired:
            result.server_ms.append(fired[c.purchase_id])
        got = cancelled[c.customer].get(c.purchase_id, [])
        if not got:
            result.missing.append(c.purchase_id)
            continue
        result.user_ms.append(min(got) - c.deadline_ms)
        if min(got) - c.deadline_ms > margin_s * 1000:
            result.late.append(c.purchase_id)
        if len(got) > 1:
            result.doubled.append(c.purchase_id)
    return result


def expected_stock(observed: Observed, before: dict[tuple[int, str], int]) -> dict[tuple[int, str], int]:
    """`before` minus what the purchases the ops view calls paid took."""
    expected = dict(before)
    for c in observed.paid:
        if c.created and observed.views.get(c.purchase_id, {}).get("status") == "paid":
            for line in LINES:
                expected[(c.shop, line.name)] -= line.quantity
    return expected


def stock_differences(actual: dict[tuple[int, str], int], expected: dict[tuple[int, str], int]) -> dict[str, int]:
    return {f"{name}-{shop}": actual[(shop, name)] - want for (shop, name), want in expected.items()
            if actual.get((shop, name)) != want}


# ── reporting ──────────────────────────────────────────────────────────────────────────────

def per_purchase(counts: dict[str, int], n: int) -> dict[str, float]:
    return {name: count / n for name, count in counts.items()} if n else {}


def cost_of(phases: Phases, first: str, last: str, n: int) -> dict[str, Any]:
    """AWS calls, invocations and pushes per purchase between two marks, priced with bench/cost.py,
    and again with each TransactWriteItems priced by its items (cost.py prices a call as 2 WRU)."""
    calls = per_purchase(phases.calls_between(first, last), n)
    invocations = per_purchase(phases.invocations_between(first, last), n)
    pushes = phases.pushes_between(first, last) / n if n else math.nan
    usage = usage_from_calls(calls, invocations, pushes_per_order=pushes, orders_table_writes=0)
    transactions = calls.get("DynamoDB.TransactWriteItems", 0.0)
    by_items = replace(usage, dynamodb_wru=usage.dynamodb_wru
                       + (ITEMS_PER_TRANSACTION - 1) * TRANSACTION_FACTOR * transactions)
    return {"calls_per_purchase": calls, "invocations_per_purchase": invocations, "pushes_per_purchase": pushes,
            "cpu_ms_per_purchase": phases.cpu_between(first, last) * 1000 / n if n else math.nan,
            "usage": asdict(usage), "usd_per_1000": usd_per_thousand_orders(usage),
            "usage_transaction_items": asdict(by_items), "usd_per_1000_transaction_items":
                usd_per_thousand_orders(by_items)}


def print_cost(out: Out, label: str, cost: dict[str, Any]) -> None:
    calls = ", ".join(f"{name.split('.', 1)[1] if name.startswith('DynamoDB.') else name} {v:.2f}"
                      for name, v in cost["calls_per_purchase"].items())
    invocations = ", ".join(f"{name} {v:.2f}" for name, v in cost["invocations_per_purchase"].items())
    usd, by_items = cost["usd_per_1000"], cost["usd_per_1000_transaction_items"]
    out(f"{label}")
    out(f"  AWS calls        {calls}")
    out(f"  Lambda           {invocations}; pushes delivered {cost['pushes_per_purchase']:.2f}; "
        f"stack CPU {cost['cpu_ms_per_purchase']:.0f} ms (the phase's, idle waits included)")
    usage = UsagePerOrder(**cost["usage"])
    out(f"  modelled         {usage.dynamodb_wru:.1f} WRU, {usage.dynamodb_rru:.1f} RRU, {usage.sqs_requests:.1f} SQS "
        f"requests, {usage.lambda_invocations:.2f} Lambda invocations, {usage.rest_requests:.2f} REST requests, "
        f"{usage.ws_messages:.2f} WebSocket messages")
    out(f"  USD per 1,000    {usd['total']:.4f} (" + ", ".join(f"{k} {v:.4f}" for k, v in usd.items() if k != "total")
        + f"); with each transaction's {ITEMS_PER_TRANSACTION} items priced: {by_items['total']:.4f} "
        f"(dynamodb {by_items['dynamodb']:.4f}); GSI writes not modelled")


def report(args: argparse.Namespace, out: Out, observed: Observed) -> dict[str, Any]:
    paid_created = [c for c in observed.paid if c.created]
    paid = [c for c in paid_created if c.paid]
    errors = [c.error for c in [*observed.paid, *observed.unpaid] if c.error]
    sends = sorted(c.sent_ms for c in observed.paid)
    achieved = (len(sends) - 1) / ((sends[-1] - sends[0]) / 1000) if len(sends) > 1 and sends[-1] > sends[0] else 0.0
    fan = judge_fan_out(observed)
    last_push = max(fan.last_push_at, default=0.0)
    throughput = len(paid) / ((last_push - sends[0]) / 1000) if paid and last_push > sends[0] else 0.0
    create = Summary.of([c.replied_ms - c.sent_ms for c in paid_created])
    pay_rt = Summary.of([c.pay_replied_ms - c.pay_sent_ms for c in paid])
    lag = Summary.of([c.sent_ms - c.scheduled_ms for c in observed.paid])
    late_pay = [c.purchase_id for c in paid if c.pay_replied_ms > c.deadline_ms]
    stock_paid = stock_differences(observed.stock["after_paid"], expected_stock(observed, observed.stock["initial"]))
    stock_unpaid = (stock_differences(observed.stock["after_unpaid"], observed.stock["after_paid"])
                    if "after_unpaid" in observed.stock else {})
    cancel = judge_unpaid(observed, args.margin)
    cost_paid = cost_of(observed.phases, "paid_start", "paid_end", len(paid_created))
    unpaid_created = [c for c in observed.unpaid if c.created]
    cost_unpaid = (cost_of(observed.phases, "unpaid_start", "unpaid_end", len(unpaid_created))
                   if unpaid_created else {})
    stale = sum(1 for d in observed.documents if d.get("event") == "alarm.stale" and d.get("kind") == KIND)
    stack_errors = errors_logged(observed.documents)
    peak = max(s.peak_rss_bytes for s in observed.phases.stats.values())

    out()
    out(f"phase 1, paid    created {len(paid_created)}/{len(observed.paid)}, paid {len(paid)} (callback 200); "
        f"errors {len(errors)}; sent at {achieved:.1f}/s (asked {args.rate:g}/s), client lag behind schedule "
        f"p99 {lag.p99:.0f} ms; {throughput:.1f} purchases/s from the first send to the last fan-out push")
    out(f"  create           {create.line()}   (POST /purchases)")
    out(f"  pay → callback   {pay_rt.line()}   (POST pay_url round trip, the platform's callback inside)")
    out(f"  pay → fan-out    {Summary.of(fan.to_suppliers_ms).line()}   (last of the 3 suppliers' "
        "supplier_order.created)")
    out(f"  pay → records    {Summary.of(fan.records_ms).line()}   (last of the customer's 3 record.created)")
    out(f"  pay → paid push  {Summary.of(fan.paid_push_ms).line()}   (purchase.status_changed paid at the customer)")
    out(f"  supplier pushes  missing {fan.missing}, duplicated {fan.duplicated}, at another shop's console "
        f"{fan.misrouted} (of {len(paid_created) * len(LINES)} expected)")
    out(f"  customer pushes  purchases without exactly 3 record.created {fan.records_wrong}, without exactly one "
        f"paid status push {fan.paid_push_wrong}")
    out(f"  ops view         not paid {len(fan.not_paid)}, cancelled {len(fan.cancelled)}, paid twice in history "
        f"{len(fan.paid_twice)}; paid after the deadline {len(late_pay)}")
    out(f"  stock            initial − sold: {'exact' if not stock_paid else f'OFF {stock_paid}'} "
        f"({len(observed.stock['initial'])} products)")
    if observed.unpaid:
        out(f"phase 2, unpaid  created {len(unpaid_created)}/{len(observed.unpaid)}; create "
            f"{Summary.of([c.replied_ms - c.sent_ms for c in unpaid_created]).line()}")
        out(f"  cancel push      {Summary.of(cancel.user_ms).line()}   (receipt − payment_deadline)")
        out(f"  server lateness  {Summary.of(cancel.server_ms).line()}   (AlarmLateness, kind=purchase)")
        out(f"  correctness      no cancel push {len(cancel.missing)}, later than {args.margin:.0f} s "
            f"{len(cancel.late)}, pushed twice {len(cancel.doubled)}, not cancelled by the window "
            f"{len(cancel.wrong_status)}, supplier pushes {cancel.fanned_out}")
        out(f"  stock            back exactly: {'yes' if not stock_unpaid else f'NO, off by {stock_unpaid}'}")
    out(f"stale alarms     {stale} (the paid purchases' payment-window triggers, dropped when they arrive)")
    for name, count in (stack_errors or {"none": 0}).items():
        out(f"stack errors     {count} × {name}")
    out(f"stack RSS        peak {mib(peak):.0f} MiB")
    out()
    print_cost(out, f"per purchase, created + paid (phase 1, {len(paid_created)}; {PRICES_CHECKED}):", cost_paid)
    if cost_unpaid:
        print_cost(out, f"per purchase, created + cancelled by its window (phase 2, {len(unpaid_created)}):",
                   cost_unpaid)
    out()
    checks = [
        check(f"checkouts sent at {args.rate:g}/s, each paid once", f"≥ {KEPT_SCHEDULE * args.rate:g}/s, "
              f"{args.purchases} paid", achieved,
              achieved >= KEPT_SCHEDULE * args.rate and len(paid) == args.purchases and not fan.paid_twice
              and not fan.not_paid, "/s"),
        at_most(f"pay → last supplier push p99 at {args.rate:g}/s", Summary.of(fan.to_suppliers_ms).p99,
                TARGET_FAN_OUT_P99_MS),
        none_of("supplier pushes missing, duplicated or misrouted", fan.missing + fan.duplicated + fan.misrouted),
        none_of("products whose stock is off", len(stock_paid) + len(stock_unpaid)),
    ]
    if observed.unpaid:
        checks.append(none_of("unpaid not cancelled by their window (or pushed late or twice)",
                              len({*cancel.wrong_status, *cancel.missing, *cancel.late, *cancel.doubled})
                              + len(observed.unpaid) - len(unpaid_created)))
    print_checks(out, checks)
    timings = samples(observed, fan)
    result = {
        "args": vars(args), "stack": observed.stack_command, "errors": errors[:10], "error_count": len(errors),
        "created": len(paid_created), "paid": len(paid), "achieved_rate": achieved, "throughput": throughput,
        "send_lag_ms": asdict(lag), "create_ms": asdict(create), "pay_ms": asdict(pay_rt),
        "pay_to_fan_out_ms": asdict(Summary.of(fan.to_suppliers_ms)),
        "pay_to_records_ms": asdict(Summary.of(fan.records_ms)),
        "pay_to_paid_push_ms": asdict(Summary.of(fan.paid_push_ms)),
        "fan_out": {"missing": fan.missing, "duplicated": fan.duplicated, "misrouted": fan.misrouted,
                    "records_wrong": fan.records_wrong, "paid_push_wrong": fan.paid_push_wrong,
                    "not_paid": fan.not_paid, "cancelled": fan.cancelled, "paid_twice": fan.paid_twice,
                    "paid_after_deadline": late_pay, "exact": fan.exact},
        "stock": {phase: {f"{name}-{shop}": v for (shop, name), v in values.items()}
                  for phase, values in observed.stock.items()},
        "stock_off_after_paid": stock_paid, "stock_off_after_unpaid": stock_unpaid,
        "unpaid": {"created": len(unpaid_created), "cancel_push_ms": asdict(Summary.of(cancel.user_ms)),
                   "server_lateness_ms": asdict(Summary.of(cancel.server_ms)), "missing": cancel.missing,
                   "late": cancel.late, "doubled": cancel.doubled, "wrong_status": cancel.wrong_status,
                   "fanned_out": cancel.fanned_out},
        "stale_alarms": stale, "stack_errors": stack_errors, "peak_rss_bytes": peak,
        "cost_paid": cost_paid, "cost_unpaid": cost_unpaid,
        "samples": timings,
    }
    save(args.out, result, checks, panels_of(timings, fan, paid_created, paid),
         lines=out.lines, title=f"bench.checkout: {len(paid)} split checkouts paid at {args.rate:g}/s")
    return result


def panels_of(timings: list[dict[str, Any]], fan: FanOut, created: list[Checkout], paid: list[Checkout]
              ) -> list[plots.Panel]:
    targets = {f"p99 ≤ {TARGET_FAN_OUT_P99_MS:,.0f} ms": TARGET_FAN_OUT_P99_MS}
    paid_phase = [t for t in timings if t["phase"] == "paid"]
    return [
        plots.cdf("each paid checkout", {
            "pay → last supplier push": fan.to_suppliers_ms,
            "create (POST /purchases)": [c.replied_ms - c.sent_ms for c in created],
            "pay → callback (POST pay_url)": [c.pay_replied_ms - c.pay_sent_ms for c in paid]}, targets=targets),
        plots.timeline("over the paid phase", {
            "pay → last supplier push": [(t["pay_sent"] / 1000, t["fan_out_ms"]) for t in paid_phase
                                         if t["fan_out_ms"] is not None and t["pay_sent"] is not None],
            "create": [(t["sent"] / 1000, t["create_ms"]) for t in paid_phase if t["purchase_id"]]},
            targets=targets, xlabel="seconds since the first checkout was sent"),
    ]


def samples(observed: Observed, fan: FanOut) -> list[dict[str, Any]]:
    """Every checkout's timings (ms after the first send), to see where in the run the tail was."""
    checkouts = [*observed.paid, *observed.unpaid]
    t0 = min((c.sent_ms for c in checkouts), default=0.0)

    def since(moment: float) -> float | None:
        return round(moment - t0, 1) if moment else None

    return [{"index": c.index, "phase": c.phase, "purchase_id": c.purchase_id, "sent": since(c.sent_ms),
             "create_ms": round(c.replied_ms - c.sent_ms, 1), "pay_sent": since(c.pay_sent_ms),
             "pay_ms": round(c.pay_replied_ms - c.pay_sent_ms, 1) if c.pay_sent_ms else None,
             "fan_out_ms": fan.by_purchase.get(c.purchase_id), "deadline": since(c.deadline_ms), "error": c.error}
            for c in checkouts]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    out = Out()
    report(args, out, asyncio.run(run(args, out)))


if __name__ == "__main__":
    main()
