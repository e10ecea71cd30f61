"""The capacity model (bench/capacity_model.py): loads follow the traffic, land on the keys the
design puts them on, and the first limits are the ones the numbers say."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from bench.capacity import Check, validation_checks
from bench.capacity_model import (
    DUE_SHARDS,
    Mix,
    cache_misses_per_s,
    capacity,
    crossing_scale,
    first_limits,
    order_loads,
    partitions,
    usd_per_million_orders,
)


def _use(mix: Mix, partition: str) -> float:
    return next(use for use in partitions(mix) if use.partition == partition).busiest_write_units


def test_doubling_the_orders_doubles_the_hot_merchants_index_writes() -> None:
    today = Mix()
    doubled = replace(today, orders_per_s=2 * today.orders_per_s)
    assert _use(doubled, "ontime-orders|by_merchant") == pytest.approx(2 * _use(today, "ontime-orders|by_merchant"))


def test_a_hot_merchant_takes_its_share_of_every_order_write_and_a_due_shard_a_sixteenth() -> None:
    mix = replace(Mix(), hot_merchant_share=0.5)
    loads = {(load.partition, load.kind): load for load in order_loads(mix)}
    writes = mix.orders_per_s * mix.transitions_per_order
    assert loads[("ontime-orders|by_merchant", "write")].busiest_per_s == pytest.approx(writes / 2)
    assert loads[("ontime-orders|due", "write")].busiest_per_s == pytest.approx(writes / DUE_SHARDS)


def test_a_cache_lets_through_at_most_one_read_per_ttl_and_container() -> None:
    assert cache_misses_per_s(10_000, ttl_s=1, containers=1) < 1
    assert cache_misses_per_s(10_000, ttl_s=1, containers=50) < 50
    assert cache_misses_per_s(0.01, ttl_s=1, containers=1) == pytest.approx(0.01, rel=0.02)


def test_10x_first_meets_api_gateways_account_quota_and_100x_also_lambda_and_a_suppliers_stock_partition() -> None:
    mix = Mix()
    at_10 = [name for name, *_ in first_limits(mix, 10)]
    at_100 = [name for name, *_ in first_limits(mix, 100)]
    assert at_10 == ["API Gateway requests/s (REST + WS messages + @connections)"]
    assert at_100[:3] == [*at_10, "Lambda concurrency", "DynamoDB partition ontime-supplier_products|base"]


def test_the_first_limit_at_1000x_is_reached_where_its_utilisation_crosses_100_percent() -> None:
    mix = Mix()
    name, used, reached_at, _ = first_limits(mix, 1000)[0]
    at = {limit: u for limit, u, _ in capacity(mix.scaled(reached_at * 1.001)).limits()}
    below = {limit: u for limit, u, _ in capacity(mix.scaled(reached_at * 0.999)).limits()}
    assert used > 1 and at[name] >= 1 > below[name]
    assert reached_at == min(crossing_scale(mix, limit) for limit, u, _ in capacity(mix.scaled(1000)).limits()
                             if u >= 1)


def test_more_due_shards_are_not_needed_for_orders_until_far_past_today() -> None:
    assert crossing_scale(Mix(), "DynamoDB partition ontime-orders|due") > 100
    assert math.isinf(crossing_scale(Mix(), "WebSocket new connections/s", high=1000))


def test_validation_passes_counts_that_match_the_model_and_fails_ones_that_do_not() -> None:
    mix = replace(Mix(), orders_per_s=10.0, merchants=2, customers=2,
                  order_plans={"accept": 0.5, "ignore": 0.5})
    plans = {"a": ["accept"] * 10, "b": ["ignore"] * 10}  # a merchant's, and a customer's, orders
    writes = 10 * 3 + 10 * 2
    counted: dict[str, dict[str, int]] = {
        "ontime-orders|base|o": {"write": writes, "read": 10 * 2 + 10 * 2},
        "ontime-idempotency|base|k": {"write": 2 * 20}}
    for index in ("by_merchant", "merchant_pending", "by_customer"):
        counted |= {f"ontime-orders|{index}|a": {"write": 30}, f"ontime-orders|{index}|b": {"write": 20}}
    counted |= {f"ontime-orders|due|{n}": {"write": 4 if n < 2 else 3} for n in range(DUE_SHARDS)}
    checks = {check.name: check for check in validation_checks(mix, plans, plans, 2.0, counted)}

    assert checks["ontime-orders|by_merchant busiest key"].predicted == 30
    assert all(check.passed for name, check in checks.items() if "by_party" not in name), checks
    assert not checks["ontime-connections|by_party reads (1 s cache)"].passed  # none counted
    assert not Check("x", predicted=100, counted=110, tolerance=0.05).passed


def test_an_alarm_wait_in_process_is_billed_to_lambda_alone_and_does_not_move_with_scale() -> None:
    today, waiting = Mix(), replace(Mix(), alarm_wait_ms=500)
    cost, with_wait = usd_per_million_orders(today), usd_per_million_orders(waiting)
    assert with_wait["lambda"] > cost["lambda"]
    assert {k: v for k, v in with_wait.items() if k not in ("lambda", "total")} == {
        k: v for k, v in cost.items() if k not in ("lambda", "total")}
    assert cost["total"] == pytest.approx(sum(v for k, v in cost.items() if k != "total"))
    assert usd_per_million_orders(today.scaled(100)) == pytest.approx(cost)
