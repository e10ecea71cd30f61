"""The capacity model for a traffic mix (bench/capacity_model.py, docs/scale.md): the load on every
kind of DynamoDB partition key, API Gateway, Lambda and SQS quotas, the cost per million orders,
and the first limits hit at 10×, 100× and 1,000× the mix; `--validate` checks the model's
per-partition counts against the local stack's.

    python -m bench.capacity                          # today's benchmark mix, scales 1, 10, 100, 1000
    python -m bench.capacity --orders-per-s 500 --merchants 200 --scale 1 --scale 10
    python -m bench.capacity --validate               # ≈ 40 s: a fresh stack, 10 orders/s for 15 s

`--validate` runs the orders benchmark's load (bench/order_load.py: 10 merchants with 2 terminals,
20 customers, half the orders accepted, a quarter fetched only, a quarter ignored) and compares the
DynamoDB requests `/_stats` counted on each kind of partition key with what the model predicts for
the same orders: the totals, and the busiest key where the load decides which key that is.
Tolerances: counts the transitions fix (writes, reads of the order, idempotency) ±5 % (a partial
cycle of plans at the end, a retried write); the busiest `due` shard within 3 σ of its mean (the
shards are a hash of random ids: binomial); reads behind a cache ±35 % (the model treats a party's
pushes as a Poisson stream, while an order's come in bursts: created, then connected half a second
later).
"""

from __future__ import annotations

import argparse
import asyncio
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from bench.capacity_model import (
    DUE_SHARDS,
    ORDER_INDEXES,
    ORDER_TRANSITIONS,
    PRICES_CHECKED,
    READ,
    TERMINALS_CACHE_S,
    WRITE,
    Mix,
    cache_misses_per_s,
    capacity,
    checkout_loads,
    first_limits,
    headline,
    order_loads,
)
from bench.report import Out

SCALES = (1.0, 10.0, 100.0, 1000.0)
EXACT = 0.05
CACHED = 0.35
SHOWN = 12


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.capacity", description=__doc__.splitlines()[0])
    defaults = Mix()
    for spec in fields(Mix):
        value = getattr(defaults, spec.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            parser.add_argument("--" + spec.name.replace("_", "-"), type=type(value), default=value,
                                help=f"default {value:g}")
    parser.add_argument("--hot-merchant-share", type=float, default=None,
                        help="the busiest merchant's share of the orders (default 1/merchants)")
    parser.add_argument("--scale", type=float, action="append", help=f"multiples of the mix (default {SCALES})")
    parser.add_argument("--validate", action="store_true", help="compare with the local stack's counts")
    parser.add_argument("--rate", type=float, default=10.0, help="--validate: orders per second")
    parser.add_argument("--duration", type=float, default=15.0, help="--validate: seconds of placing")
    return parser.parse_args(argv)


def mix_of(args: argparse.Namespace) -> Mix:
    values = {spec.name: getattr(args, spec.name) for spec in fields(Mix) if hasattr(args, spec.name)}
    return replace(Mix(), **values)


def print_model(mix: Mix, scales: tuple[float, ...]) -> None:
    result = capacity(mix)
    print(f"DynamoDB per kind of partition key at {mix.orders_per_s:g} orders/s … (the mix; units/s, busiest key):")
    print(f"  {'table|index':<42} {'keys':>6} {'RRU/s':>9} {'WRU/s':>9} {'% of 3,000 R / 1,000 W':>24}")
    for use in result.partitions:
        keys = "each" if math.isinf(use.keys) else f"{use.keys:g}"
        print(f"  {use.partition:<42} {keys:>6} {use.busiest_read_units:>9.2f} {use.busiest_write_units:>9.2f} "
              f"{100 * use.utilisation:>23.1f}%")
    print("\nQuotas:")
    for quota in result.quotas:
        limit = "none" if math.isinf(quota.limit) else f"{quota.limit:,.0f}"
        print(f"  {quota.name:<58} {quota.used:>10.1f} of {limit:>8}  {100 * quota.utilisation:6.1f}%")
    print(f"\nCost per million orders (bench/cost.py, {PRICES_CHECKED}):")
    print("  " + ", ".join(f"{k} {v:.2f}" for k, v in result.usd_per_million_orders.items()) + " USD")
    print("\nHeadline:")
    print(f"  {'scale':>6} {'orders/s':>9} {'busiest partition':<36} {'%':>7} {'WS conn/s':>10} {'APIGW rps':>10} "
          f"{'Lambda':>8} {'USD/M orders':>13}")
    for row in headline(mix, scales):
        print(f"  {row['scale']:>5g}× {row['orders_per_s']:>9,.0f} {row['busiest_partition']!s:<36} "
              f"{row['busiest_pct']:>6.1f}% {row['ws_connects_per_s']:>10,.1f} {row['apigw_rps']:>10,.0f} "
              f"{row['lambda_concurrency']:>8,.0f} {row['usd_per_million_orders']:>13.2f}")
    for scale in scales:
        if scale <= 1:
            continue
        over = first_limits(mix, scale)
        print(f"\nAt {scale:g}×: {len(over)} limits exceeded" + (", soonest first:" if over else ""))
        for name, used, reached_at, change in over[:SHOWN]:
            print(f"  {name:<58} {100 * used:>8.0f}%  reached at {reached_at:>6.1f}×  → {change}")


@dataclass(frozen=True)
class Check:
    name: str
    predicted: float
    counted: float
    tolerance: float
    """Relative (a share of the prediction), or absolute when `absolute`."""
    absolute: bool = False
    one_sided: bool = False
    """Only a count above the prediction fails (a bound on the busiest of several random keys)."""

    @property
    def passed(self) -> bool:
        allowed = self.tolerance if self.absolute else self.tolerance * max(self.predicted, 1.0)
        if self.one_sided:
            return self.counted <= self.predicted + allowed
        return abs(self.counted - self.predicted) <= allowed


def counted_by_kind(partitions: Mapping[str, Mapping[str, int]]) -> dict[tuple[str, str], list[int]]:
    """(`table|index`, read/write) → the count of every key of that kind."""
    found: dict[tuple[str, str], list[int]] = {}
    for partition, kinds in partitions.items():
        table, index, _ = partition.split("|", 2)
        for kind, count in kinds.items():
            found.setdefault((f"{table}|{index}", kind), []).append(count)
    return found


def validation_checks(mix: Mix, plans_by_merchant: Mapping[str, list[str]], plans_by_customer: Mapping[str, list[str]],
                      seconds: float, partitions: Mapping[str, Mapping[str, int]]) -> list[Check]:
    """The model's counts for the orders placed over `seconds` (each key's plans, as the load gave
    them out) at `mix`, against the counted."""
    counted = counted_by_kind(partitions)
    orders = sum(len(plans) for plans in plans_by_merchant.values())
    per_order = {(load.partition, load.kind): load for load in order_loads(mix)}

    def total(partition: str, kind: str) -> float:
        return float(sum(counted.get((partition, kind), [])))

    def busiest(partition: str, kind: str) -> float:
        return float(max(counted.get((partition, kind), [0])))

    def predicted(partition: str, kind: str) -> float:
        return per_order[(partition, kind)].total_per_s / mix.orders_per_s * orders

    def busiest_key(plans_by_key: Mapping[str, list[str]]) -> float:
        """The order writes of the key whose orders have the most transitions."""
        return max((sum(ORDER_TRANSITIONS[plan] for plan in plans) for plans in plans_by_key.values()), default=0.0)

    checks = [Check(f"{partition} {kind}s", predicted(partition, kind), total(partition, kind), EXACT)
              for partition, kind in (("ontime-orders|base", WRITE), ("ontime-orders|base", READ),
                                      ("ontime-idempotency|base", WRITE))]
    merchants_busiest = busiest_key(plans_by_merchant)
    busiest_by_index = {"by_merchant": merchants_busiest, "merchant_pending": merchants_busiest,
                        "by_customer": busiest_key(plans_by_customer)}
    for index in ORDER_INDEXES:
        name = f"ontime-orders|{index}"
        checks.append(Check(f"{name} writes", predicted(name, WRITE), total(name, WRITE), EXACT))
        if index in busiest_by_index:
            checks.append(Check(f"{name} busiest key", busiest_by_index[index], busiest(name, WRITE), EXACT))
            continue
        # An order's writes all land on its shard: the busiest shard is the one that drew the most
        # orders, binomial in the orders (mean n/16), each bringing its transitions.
        mean_orders, shards = orders / DUE_SHARDS, float(len(counted.get((name, WRITE), [])) or DUE_SHARDS)
        sigma = mix.transitions_per_order * math.sqrt(orders / DUE_SHARDS * (1 - 1 / DUE_SHARDS))
        checks.append(Check(f"{name} busiest shard (of {shards:g}) ≤ mean + 3σ",
                            mean_orders * mix.transitions_per_order, busiest(name, WRITE), 3 * sigma, absolute=True,
                            one_sided=True))
    # Reads of a party's terminals: each key's pushes through the 1 s cache, over the run.
    to_merchant, to_customer = mix.transitions_per_order, mix.transitions_per_order - 1
    party_reads = seconds * (
        sum(cache_misses_per_s(len(plans) / seconds * to_merchant, TERMINALS_CACHE_S, mix.containers)
            for plans in plans_by_merchant.values())
        + sum(cache_misses_per_s(len(plans) / seconds * to_customer, TERMINALS_CACHE_S, mix.containers)
              for plans in plans_by_customer.values()))
    checks.append(Check("ontime-connections|by_party reads (1 s cache)", party_reads,
                        total("ontime-connections|by_party", READ), CACHED))
    return checks


class Kept(Out):
    """The checkout benchmark's report lines, kept and not printed (this prints its own)."""

    def __call__(self, text: str = "") -> None:
        self.lines.append(text)


CHECKOUT_KINDS = (("ontime-purchases|base", WRITE, False), ("ontime-purchases|base", READ, False),
                  ("ontime-idempotency|base", WRITE, False), ("ontime-purchases|due", WRITE, False),
                  ("ontime-supplier_products|base", WRITE, True), ("ontime-supplier_products|base", READ, True),
                  ("ontime-suppliers|base", READ, True), ("ontime-supplier_orders|by_supplier", WRITE, True))
"""(partition kind, read/write, whether the busiest key is compared too) of the checkout phase."""


def checkout_checks(mix: Mix, checkouts: int, partitions: Mapping[str, Mapping[str, int]]) -> list[Check]:
    """The model's counts for `checkouts` paid checkouts at `mix`, against the counted."""
    counted = counted_by_kind(partitions)
    model = {(load.partition, load.kind): load for load in checkout_loads(mix)}
    per_checkout = checkouts / mix.checkouts_per_s
    checks = []
    for partition, kind, busiest in CHECKOUT_KINDS:
        load, keys = model[(partition, kind)], counted.get((partition, kind), [0])
        checks.append(Check(f"checkout: {partition} {kind}s", load.total_per_s * per_checkout, float(sum(keys)), EXACT))
        if busiest:
            checks.append(Check(f"checkout: {partition} {kind}s, busiest supplier", load.busiest_per_s * per_checkout,
                                float(max(keys)), EXACT))
    return checks


async def validate_checkout(mix: Mix, rate: float, checkouts: int) -> tuple[list[Check], int]:
    """bench/checkout.py's phase 1 (one shop of 3 suppliers, every cart buying from each, paid at once)."""
    from bench import checkout

    args = checkout.parse_args(["--purchases", str(checkouts), "--unpaid", "0", "--rate", f"{rate:g}",
                                "--out", "capacity-checkout"])
    print(f"--validate: a fresh stack, {checkouts} checkouts at {rate:g}/s, each paid …", flush=True)
    observed = await checkout.run(args, Kept())
    partitions = observed.phases.stats["paid_end"].partitions_since(observed.phases.stats["paid_start"])
    created = sum(1 for c in observed.paid if c.paid)
    shop = replace(mix, checkouts_per_s=rate, suppliers=len(checkout.LINES), suppliers_per_cart=len(checkout.LINES),
                   customers=args.customers)
    return checkout_checks(shop, created, partitions), created


async def validate(mix: Mix, rate: float, duration_s: float) -> tuple[list[Check], dict[str, Any]]:
    from bench.order_load import LoadShape, run_step

    shape = LoadShape(rate=rate, duration_s=duration_s, merchants=mix.merchants, customers=mix.customers,
                      terminals_per_merchant=mix.merchant_terminals)
    print(f"--validate: a fresh stack, {rate:g} orders/s for {duration_s:g} s ({shape.orders} orders) …", flush=True)
    step = await run_step(shape, "capacity-stack")
    plans = {plan: shape.plans.count(plan) / len(shape.plans) for plan in set(shape.plans)}
    placed = len(step.placed)
    measured = replace(mix, orders_per_s=rate, order_plans=plans, containers=1, hot_merchant_share=None)
    by_merchant: dict[str, list[str]] = {}
    by_customer: dict[str, list[str]] = {}
    for placement in step.placed:
        by_merchant.setdefault(f"m_{placement.merchant}", []).append(placement.plan)
        by_customer.setdefault(f"c_{placement.customer}", []).append(placement.plan)
    checks = validation_checks(measured, by_merchant, by_customer, duration_s, step.after.partitions_since(step.before))
    invocations = step.invocations_per_order()
    milliseconds = step.after.invocation_ms_since(step.before)
    counts = step.after.invocations_since(step.before)
    info = {"orders": placed, "errors": len([p for p in step.placements if p.error]),
            "invocations_per_order": invocations,
            "ms_per_invocation": {h: milliseconds.get(h, 0) / n for h, n in counts.items() if n},
            "calls_per_order": step.calls_per_order()}
    checkout_results, paid = await validate_checkout(mix, rate, round(rate * duration_s / 3))
    info["checkouts"] = paid
    return checks + checkout_results, info


def print_validation(checks: list[Check], info: dict[str, Any]) -> bool:
    print(f"\n{info['orders']} orders placed ({info['errors']} errors), {info['checkouts']} checkouts paid; per order: "
          + ", ".join(f"{k} {v:.2f}" for k, v in info["calls_per_order"].items()))
    print("Lambda ms per invocation (local, moto's latencies): "
          + ", ".join(f"{k} {v:.0f}" for k, v in info["ms_per_invocation"].items()))
    print(f"\n  {'partition kind':<66} {'predicted':>10} {'counted':>9} {'tolerance':>10}")
    for check in checks:
        tolerance = f"±{check.tolerance:.1f}" if check.absolute else f"±{100 * check.tolerance:.0f}%"
        tolerance = tolerance.replace("±", "+") if check.one_sided else tolerance
        print(f"  {check.name:<66} {check.predicted:>10.1f} {check.counted:>9.0f} {tolerance:>10}  "
              f"{'PASS' if check.passed else 'FAIL'}")
    passed = all(check.passed for check in checks) and info["errors"] == 0
    within = sum(check.passed for check in checks)
    print(f"\nvalidation: {'PASS' if passed else 'FAIL'} ({within}/{len(checks)} within tolerance)")
    return passed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mix = mix_of(args)
    print_model(mix, tuple(args.scale or SCALES))
    if not args.validate:
        return 0
    checks, info = asyncio.run(validate(mix, args.rate, args.duration))
    return 0 if print_validation(checks, info) else 1


if __name__ == "__main__":
    raise SystemExit(main())
