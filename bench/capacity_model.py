"""Where this design stops scaling: the load a traffic mix puts on every DynamoDB partition key,
on API Gateway's WebSocket and account quotas, on Lambda concurrency and on SQS, and what it costs.

Pure arithmetic (no AWS, no clock): `capacity(mix)` → a `Capacity` of every limit's utilisation;
`first_limits(mix, scale)` → which limits `scale` × the mix exceeds, soonest first. The method,
the inputs' sources and the results are in docs/scale.md; `python -m bench.capacity` prints them
and `--validate` checks the per-partition counts against the local stack's (`/_stats`
`aws_partitions`, devstack/partitions.py).

How the loads are formed. A workflow's requests per entity come from its transitions (the state
tables, docs/data.md's access patterns) and from what the local stack counted per entity (the
README's "AWS calls per order/firing/signal", /_stats `aws_partitions`): each constant below names
its source. A request lands on a partition key: the entity's own (spread over every entity: never
hot), a party's (a merchant, a customer, a supplier, a shop, an area, an installer: the busiest one
gets `hot_share` of its workflow's rate), a `due` shard (1/16 of the alarms of its table) or one
fixed key. A write also lands on every global secondary index the item is in, on the index's key.
Caches in front of a read (a party's terminals for 1 s, the catalogue for 5 s, per container) let
through `λ / (1 + λT/C)` reads a second of a key asked `λ` times a second, `C` containers each
keeping its own copy for `T` seconds (each miss opens a window of `T` in which that container's
requests hit).

Scaling. `mix.scaled(n)` multiplies every rate and the connected terminals by `n` on today's keys
(the benchmarks' merchants, areas, suppliers, shops): the busiest merchant of 10× the load takes
10× the orders of today's busiest. That is the pessimistic reading (growth in today's keys: a
chain's flagship, a sale) and the one that shows where a single key saturates; for another
reading, give the mix its own parties (`--merchants`, `--hot-merchant-share`, …).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from bench.cost import (
    LAMBDA_BILLED_MS,
    PRICES_CHECKED,
    usage_from_calls,
    usd_per_thousand_orders,
)

READ, WRITE = "read", "write"

# AWS limits (defaults, per account and Region unless said otherwise); sources in docs/scale.md.
PARTITION_RRU_PER_S = 3000.0
"""DynamoDB: a partition serves ≤ 3,000 read units/s or 1,000 write units/s, or a linear combination."""
PARTITION_WRU_PER_S = 1000.0
ON_DEMAND_TABLE_UNITS_PER_S = 40_000.0
"""DynamoDB on-demand: 40,000 read and 40,000 write request units/s per table (raisable)."""
WS_NEW_CONNECTIONS_PER_S = 500.0
"""API Gateway WebSocket: new connections per second per account per Region (raisable)."""
APIGW_ACCOUNT_RPS = 10_000.0
"""API Gateway: requests/s per account per Region across REST, HTTP, WebSocket and WebSocket
callback (`@connections`) APIs, burst 5,000 (raisable)."""
WS_CONNECTION_MAX_S = 2 * 3600
WS_IDLE_TIMEOUT_S = 10 * 60
LAMBDA_CONCURRENCY = 1000.0
"""Lambda: concurrent executions per account per Region (raisable); scaling 1,000 environments per
10 s per function."""
SQS_IN_FLIGHT = 120_000.0
"""SQS standard queue: ≈ 120,000 messages received and not yet deleted, per queue."""
DUE_SHARDS = 16
"""chalicelib/settings.py `due_shards`."""
DUE_INDEXES = 8
"""Tables with a `due` index (docs/data.md): orders, installations, purchases, group_orders,
vouchers, bookings, calls, call_orders; the sweeper queries each shard of each once a sweep."""

# Per-entity request counts, each from its measurement or its transitions.
ORDER_TRANSITIONS = {"accept": 3.0, "fetch": 3.0, "ignore": 2.0}
"""Writes of an order item per plan (bench/order_load.py's plans): place, fetch (→ connected),
accept or the deadline (→ unanswered); ignored: place, the deadline (→ not_connected). /_stats
`ontime-orders|base` writes: 2.75 per order at the default mix (½ accept, ¼ fetch, ¼ ignore)."""
ORDER_READS_PER_ACTION = 1.0
"""A merchant's fetch or accept reads the order once (strongly consistent)."""
ORDER_READS_PER_FIRING = 2.0
"""An alarm's firing reads the order twice (the fence, then the engine's load): /_stats counts
2.25 `ontime-orders|base` reads per order at the default mix (accepted 2, fetched 1 + 2, ignored 2)."""
IDEMPOTENCY_WRITES_PER_PLACE = 2.0
"""`POST /orders`: the claim and the completed record, two puts (/_stats `ontime-idempotency|base`)."""
ORDER_INDEXES = ("by_merchant", "by_customer", "merchant_pending", "due")
"""Every write of an order rewrites it in each (sparse merchant_pending/due: in at place, out at the
outcome, one write either way): /_stats counts 2.75 writes per order on each, as on the item."""
CATALOGUE_CACHE_S = 5.0
TERMINALS_CACHE_S = 1.0
README_ORDER_CALLS = {"DynamoDB.GetItem": 2.3, "DynamoDB.PutItem": 4.75, "DynamoDB.Query": 0.9, "SQS.SendMessage": 1.0}
"""README, issue 11: per order at 30/s (the benchmark's measured AWS calls), for the cost."""
README_ORDER_INVOCATIONS = {"rest": 2.25, "fire_alarms": 1.0}
README_ORDER_PUSHES = 7.25

CHECKOUT = {"purchase_writes": 2.0, "purchase_reads": 3.0}
"""A paid checkout writes its purchase twice (created, paid) and reads it three times (/_stats)."""
QUEUE_UPDATE_CALLS = {"get": 2.5, "put": 1.0, "query": 0.5, "sqs": 0.9, "pushes": 1.15}
"""README, issue 12: AWS calls per group-buy queue-update firing."""
SIGNAL_GETS = 0.12
"""README, issue 13: a relayed call signal is 1 PostToConnection and 0.12 GetItem of the call."""
WS_BUDGET_WRITE_EVERY = 10
"""push/rate_limit.py: a connection's budget is written every 10 actions."""


@dataclass(frozen=True)
class Mix:
    """A traffic mix at its peak second. Defaults: today's benchmarks (README), all at once."""

    orders_per_s: float = 30.0
    """bench.orders: the rate sustained with every window right (issue 11)."""
    merchants: int = 10
    customers: int = 20
    order_plans: dict[str, float] = field(default_factory=lambda: {"accept": 0.5, "fetch": 0.25, "ignore": 0.25})
    merchant_terminals: int = 2
    """Terminals per merchant (each push goes to every one)."""
    customer_terminals: int = 1
    dispatches_per_s: float = 1000 / 30
    """bench.escalation: 1,000 dispatches whose stages each fall due over 30 s."""
    areas: int = 93
    """bench.escalation: one area per remind period, two installers each (186 terminals)."""
    ops_consoles: int = 1
    checkouts_per_s: float = 10.0
    """bench.checkout: 10 checkouts/s, each paid."""
    suppliers_per_cart: int = 3
    suppliers: int = 3
    """bench.checkout: one shop of 3 suppliers; every cart buys from each."""
    bookings_per_s: float = 2000 / 100
    """bench.groupbuy: 2,000 bookings made over about 100 s of set-up."""
    queue_updates_per_s: float = 13.4
    """bench.groupbuy: 12,800 queue updates due over 958 s (up to 24 in one second)."""
    shops: int = 200
    calls_per_s: float = 50.0
    """bench.calls: 200 calls placed at 50/s over 50 merchants."""
    call_merchants: int = 50
    signals_per_s: float = 65.0
    """bench.calls: 20 connected calls, each side an SDP + 8 candidates per 5.5 s round."""
    terminals: int = 600
    """Connected terminals of all benchmarks at once (orders 40, escalation 187, checkout 23,
    groupbuy 50, calls 250, rounded up)."""
    reconnects_per_terminal_per_h: float = 2.0
    """Network changes, reloads, app switches; plus API Gateway's forced reconnect every 2 h."""
    containers: int = 1
    """Lambda containers sharing a key's cache traffic (1: the local stack; ≈ concurrency in AWS)."""
    hot_merchant_share: float | None = None
    """The busiest merchant's share of the orders (default: 1/merchants, the benchmark's spread)."""
    lambda_ms: float = LAMBDA_BILLED_MS
    """Billed duration of an invocation (bench/cost.py's assumption: AWS latencies are not measured here)."""
    alarm_wait_ms: float = 0.0
    """An alarm's in-process wait for its moment, billed to `fire_alarms`. bench/cost.py's benchmarks
    assume 500 ms (triggers a second early); since issue 13's rounding a deadline `now + whole
    seconds` arrives on time: `--validate` measured 10–14 ms per `fire_alarms` invocation in all,
    wait included."""

    def scaled(self, factor: float) -> Mix:
        """`factor` × every rate, the terminals and the containers, on the same keys."""
        return replace(
            self, orders_per_s=self.orders_per_s * factor, dispatches_per_s=self.dispatches_per_s * factor,
            checkouts_per_s=self.checkouts_per_s * factor, bookings_per_s=self.bookings_per_s * factor,
            queue_updates_per_s=self.queue_updates_per_s * factor, calls_per_s=self.calls_per_s * factor,
            signals_per_s=self.signals_per_s * factor, terminals=round(self.terminals * factor),
            containers=max(1, round(self.containers * factor)),
            hot_merchant_share=self.merchant_share)

    @property
    def merchant_share(self) -> float:
        return self.hot_merchant_share if self.hot_merchant_share is not None else 1 / self.merchants

    @property
    def transitions_per_order(self) -> float:
        return sum(share * ORDER_TRANSITIONS[plan] for plan, share in self.order_plans.items())

    @property
    def firings_per_order(self) -> float:
        """Orders whose outcome is the deadline's (fetched only, or ignored)."""
        return sum(share for plan, share in self.order_plans.items() if plan != "accept")

    @property
    def actions_per_order(self) -> float:
        """Merchant requests per order: fetch (accept and fetch plans), accept."""
        return sum(share * {"accept": 2, "fetch": 1, "ignore": 0}[plan] for plan, share in self.order_plans.items())


@dataclass(frozen=True)
class Load:
    """Requests a second on one kind of partition key (`table|index`), of one kind (read/write)."""

    partition: str
    kind: str
    total_per_s: float
    """Over all keys of this kind."""
    busiest_per_s: float
    """On the busiest key."""
    keys: float
    """How many keys share the total (∞: one per entity)."""
    units_per_request: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class PartitionUse:
    """One kind of partition key: its busiest key's reads and writes against the partition limit."""

    partition: str
    busiest_read_units: float
    busiest_write_units: float
    total_read_units: float
    total_write_units: float
    keys: float

    @property
    def utilisation(self) -> float:
        """DynamoDB's linear combination: RRU/3,000 + WRU/1,000 on the busiest key."""
        return self.busiest_read_units / PARTITION_RRU_PER_S + self.busiest_write_units / PARTITION_WRU_PER_S

    @property
    def table_utilisation(self) -> float:
        """The on-demand table (or index) default, 40,000 units/s each way."""
        return max(self.total_read_units, self.total_write_units) / ON_DEMAND_TABLE_UNITS_PER_S


@dataclass(frozen=True)
class Quota:
    name: str
    used: float
    limit: float
    unit: str
    change: str

    @property
    def utilisation(self) -> float:
        return self.used / self.limit


def cache_misses_per_s(asked_per_s: float, ttl_s: float, containers: int) -> float:
    """Reads a second that get past a per-container cache of `ttl_s`, for a key asked `asked_per_s`."""
    return asked_per_s / (1 + asked_per_s * ttl_s / max(1, containers)) if asked_per_s > 0 else 0.0


def _spread(partition: str, kind: str, total: float, busiest_share: float, keys: float, source: str,
            units: float = 1.0) -> Load:
    return Load(partition, kind, total, total * busiest_share, keys, units, source)


def _entity(partition: str, kind: str, total: float, per_entity: float, source: str, units: float = 1.0) -> Load:
    """Each entity its own key: the busiest key takes all of one entity's requests in the same
    second (an upper bound, and one that does not grow with the traffic)."""
    return Load(partition, kind, total, per_entity, math.inf, units, source)


def order_loads(mix: Mix) -> list[Load]:
    rate, merchant, customer = mix.orders_per_s, mix.merchant_share, 1 / mix.customers
    writes = rate * mix.transitions_per_order
    reads = rate * (mix.actions_per_order * ORDER_READS_PER_ACTION + mix.firings_per_order * ORDER_READS_PER_FIRING)
    src = "transitions per plan; /_stats aws_partitions"
    loads = [
        _entity("ontime-orders|base", WRITE, writes, ORDER_TRANSITIONS["accept"], src),
        _entity("ontime-orders|base", READ, reads, 3.0, src),
        _entity("ontime-idempotency|base", WRITE, rate * IDEMPOTENCY_WRITES_PER_PLACE, 2.0, src),
        _spread("ontime-orders|by_merchant", WRITE, writes, merchant, mix.merchants, src),
        _spread("ontime-orders|merchant_pending", WRITE, writes, merchant, mix.merchants, src),
        _spread("ontime-orders|by_customer", WRITE, writes, customer, mix.customers, src),
        _spread("ontime-orders|due", WRITE, writes, 1 / DUE_SHARDS, DUE_SHARDS, "crc32(id) % 16"),
    ]
    hot_merchant_orders = rate * merchant
    catalogue = cache_misses_per_s(hot_merchant_orders, CATALOGUE_CACHE_S, mix.containers)
    spread_merchants = cache_misses_per_s(rate / mix.merchants, CATALOGUE_CACHE_S, mix.containers) * mix.merchants
    loads += [
        Load("ontime-merchants|base", READ, spread_merchants, catalogue, mix.merchants, 1.0, "catalogue cache 5 s"),
        Load("ontime-products|base", READ, spread_merchants, catalogue, mix.merchants, 1.0, "catalogue cache 5 s"),
    ]
    # Each transition pushes to the merchant and (but the creation) to the customer: one lookup of
    # the party's terminals each, through the 1 s cache.
    to_merchant = mix.transitions_per_order
    to_customer = mix.transitions_per_order - 1
    hot_party = cache_misses_per_s(hot_merchant_orders * to_merchant, TERMINALS_CACHE_S, mix.containers)
    merchants_total = mix.merchants * cache_misses_per_s(rate / mix.merchants * to_merchant, TERMINALS_CACHE_S,
                                                         mix.containers)
    customers_total = mix.customers * cache_misses_per_s(rate / mix.customers * to_customer, TERMINALS_CACHE_S,
                                                         mix.containers)
    loads.append(Load("ontime-connections|by_party", READ, merchants_total + customers_total, hot_party,
                      mix.merchants + mix.customers, 1.0, "terminals cache 1 s per container"))
    return loads


def dispatch_loads(mix: Mix) -> list[Load]:
    """Installer dispatch (docs/data.md, design counts; not validated per partition): a dispatch is
    created (a choice: coverage query, installers batch read, area read; a transaction of the
    request and the installer's counter), reminded (read + transaction with a ledger entry) and
    revoked and reassigned (read + transaction with the counter, then the next choice)."""
    rate, area = mix.dispatches_per_s, 1 / mix.areas
    src = "docs/data.md dispatch counts"
    choices = 2 * rate
    request_writes = 3 * rate  # create, remind, revoke + reassign
    return [
        _entity("ontime-installations|base", WRITE, request_writes, 3, src, units=2.0),
        _entity("ontime-installations|base", READ, 2 * rate, 2, src),
        _spread("ontime-installations|by_area", WRITE, request_writes, area, mix.areas, src),
        _spread("ontime-installations|awaiting_installer", WRITE, choices, area, mix.areas, src),
        _spread("ontime-installations|due", WRITE, request_writes, 1 / DUE_SHARDS, DUE_SHARDS, src),
        _spread("ontime-coverage|base", READ, choices, area, mix.areas, src),
        _spread("ontime-areas|base", READ, choices, area, mix.areas, src),
        # Two installers per area: each counter move lands on one of them.
        _spread("ontime-installers|base", WRITE, 2 * choices, area / 2, 2 * mix.areas, src, units=2.0),
        _spread("ontime-installers|base", READ, 2 * choices, area / 2, 2 * mix.areas, src),
        _spread("ontime-ledger|base", WRITE, rate, area / 2, 2 * mix.areas, src, units=2.0),
    ]


def checkout_loads(mix: Mix) -> list[Load]:
    """Split checkout: create = suppliers and products batch reads + a transaction of the purchase and
    one stock decrement per product (its key is the supplier's: every product of a supplier shares its
    partition); pay = reads + a transaction of the purchase and one supplier order per supplier.
    Per checkout, paid (/_stats aws_partitions, `--validate`'s checkout phase): 2 purchase writes
    and 3 reads, 2 idempotency writes, per supplier 1 stock write, 1 product and 1 supplier read,
    1 supplier order."""
    rate, carts = mix.checkouts_per_s, mix.suppliers_per_cart
    supplier = min(1.0, carts / mix.suppliers) / carts  # a supplier's share of the per-cart requests
    customer = 1 / mix.customers
    src = "docs/data.md checkout counts; /_stats aws_partitions"
    return [
        _entity("ontime-purchases|base", WRITE, CHECKOUT["purchase_writes"] * rate, 2, src, units=2.0),
        _entity("ontime-purchases|base", READ, CHECKOUT["purchase_reads"] * rate, 3, src),
        _entity("ontime-idempotency|base", WRITE, IDEMPOTENCY_WRITES_PER_PLACE * rate, 2, src),
        _spread("ontime-purchases|by_customer", WRITE, CHECKOUT["purchase_writes"] * rate, customer, mix.customers,
                src),
        _spread("ontime-purchases|due", WRITE, CHECKOUT["purchase_writes"] * rate, 1 / DUE_SHARDS, DUE_SHARDS, src),
        _spread("ontime-supplier_products|base", WRITE, rate * carts, supplier, mix.suppliers, src, units=2.0),
        _spread("ontime-supplier_products|base", READ, rate * carts, supplier, mix.suppliers, src),
        _spread("ontime-suppliers|base", READ, rate * carts, supplier, mix.suppliers, src),
        _entity("ontime-supplier_orders|base", WRITE, rate * carts, 1, src, units=2.0),
        _spread("ontime-supplier_orders|by_supplier", WRITE, rate * carts, supplier, mix.suppliers, src),
        _spread("ontime-supplier_orders|by_customer", WRITE, rate * carts, customer, mix.customers, src),
    ]


def groupbuy_loads(mix: Mix) -> list[Load]:
    """Bookings (a conditional create and the slot's count in one transaction; the count's key is
    the shop's) and queue updates (README issue 12: per firing 2.5 GetItem, 1 PutItem, 0.5 Query)."""
    shop = 1 / mix.shops
    src = "docs/data.md; README issue 12 per firing"
    updates = mix.queue_updates_per_s
    return [
        _entity("ontime-bookings|base", WRITE, mix.bookings_per_s + updates * QUEUE_UPDATE_CALLS["put"], 2, src,
                units=2.0),
        _spread("ontime-bookings|due", WRITE, mix.bookings_per_s + updates, 1 / DUE_SHARDS, DUE_SHARDS, src),
        _spread("ontime-slot_counts|base", WRITE, mix.bookings_per_s, shop, mix.shops, src, units=2.0),
        _spread("ontime-shop_queues|base", READ, updates, shop, mix.shops, src),
        _entity("ontime-bookings|base", READ, updates * (QUEUE_UPDATE_CALLS["get"] - 1), 2, src),
    ]


def call_loads(mix: Mix) -> list[Load]:
    """Calls (docs/data.md): placing = the merchant's terminals + its ring deadline + a put; each
    relayed signal 0.12 reads of the call (README issue 13); budgets written every 10 actions."""
    merchant = 1 / mix.call_merchants
    src = "docs/data.md; README issue 13"
    writes = 3 * mix.calls_per_s  # placed, answered or missed, ended
    return [
        _entity("ontime-calls|base", WRITE, writes, 3, src),
        _entity("ontime-calls|base", READ, mix.signals_per_s * SIGNAL_GETS + 2 * mix.calls_per_s, 20, src),
        _spread("ontime-calls|live_by_merchant", WRITE, writes, merchant, mix.call_merchants, src),
        _spread("ontime-calls|due", WRITE, writes, 1 / DUE_SHARDS, DUE_SHARDS, src),
        _spread("ontime-call_settings|base", READ, mix.calls_per_s, merchant, mix.call_merchants, src),
        _entity("ontime-ws_budgets|base", WRITE, mix.signals_per_s / WS_BUDGET_WRITE_EVERY, 1, src),
    ]


def connection_loads(mix: Mix) -> list[Load]:
    """A connect puts the connection (and its `by_party` entry), a disconnect deletes both."""
    changes = 2 * connects_per_s(mix)
    party_terminals = max(mix.merchant_terminals, mix.ops_consoles)
    return [
        _entity("ontime-connections|base", WRITE, changes, 2, "$connect / $disconnect"),
        Load("ontime-connections|by_party", WRITE, changes, changes * party_terminals / max(1, mix.terminals),
             mix.terminals, 1.0, "$connect / $disconnect"),
    ]


def sweeper_loads(mix: Mix, sweep_interval_s: float = 60.0) -> list[Load]:
    """Each sweep queries every shard of every `due` index once (engine.py)."""
    total = DUE_INDEXES * DUE_SHARDS / sweep_interval_s
    return [_spread("*|due (sweeper)", READ, total, 1 / (DUE_INDEXES * DUE_SHARDS), DUE_INDEXES * DUE_SHARDS,
                    "waitstate/engine.py")]


WORKFLOWS: tuple[Callable[[Mix], list[Load]], ...] = (
    order_loads, dispatch_loads, checkout_loads, groupbuy_loads, call_loads, connection_loads, sweeper_loads)


def connects_per_s(mix: Mix) -> float:
    """New WebSocket connections a second: every terminal at least once per 2 h, plus reconnects."""
    return mix.terminals * (1 / WS_CONNECTION_MAX_S + mix.reconnects_per_terminal_per_h / 3600)


def pushes_per_s(mix: Mix) -> float:
    """`@connections` posts a second (each a WebSocket callback request and a message)."""
    order = mix.orders_per_s * (mix.transitions_per_order * (mix.merchant_terminals + mix.customer_terminals)
                                - mix.customer_terminals)
    dispatch = mix.dispatches_per_s * 3 * (1 + mix.ops_consoles)  # created, reminded, revoked: installer + ops
    checkout = mix.checkouts_per_s * (2 * mix.suppliers_per_cart + 1)  # N suppliers, N records, status
    return (order + dispatch + checkout + mix.queue_updates_per_s * QUEUE_UPDATE_CALLS["pushes"]
            + mix.calls_per_s * 3 + mix.signals_per_s)


def rest_requests_per_s(mix: Mix) -> float:
    order = mix.orders_per_s * (1 + mix.actions_per_order)
    return order + mix.dispatches_per_s + 2 * mix.checkouts_per_s + mix.bookings_per_s + 2 * mix.calls_per_s


def client_messages_per_s(mix: Mix) -> float:
    """Messages terminals send on their sockets: signals, and a keep-alive under the 10 min idle timeout."""
    return mix.signals_per_s + mix.terminals / (WS_IDLE_TIMEOUT_S / 2)


def alarm_firings_per_s(mix: Mix) -> float:
    return (mix.orders_per_s * mix.firings_per_order + 2 * mix.dispatches_per_s + 0.2 * mix.checkouts_per_s
            + mix.queue_updates_per_s + mix.calls_per_s)


def lambda_concurrency(mix: Mix) -> float:
    """Little's law: arrivals a second × seconds each runs (an alarm also waits for its moment)."""
    invocations = rest_requests_per_s(mix) + client_messages_per_s(mix) + 2 * connects_per_s(mix)
    return invocations * mix.lambda_ms / 1000 + alarm_firings_per_s(mix) * (mix.lambda_ms + mix.alarm_wait_ms) / 1000


def loads(mix: Mix) -> list[Load]:
    return [load for workflow in WORKFLOWS for load in workflow(mix)]


def partitions(mix: Mix) -> list[PartitionUse]:
    """Every kind of partition key, busiest first."""
    found: dict[str, dict[str, float]] = {}
    keys: dict[str, float] = {}
    for load in loads(mix):
        use = found.setdefault(load.partition, {"br": 0.0, "bw": 0.0, "tr": 0.0, "tw": 0.0})
        tag = "r" if load.kind == READ else "w"
        busiest = load.busiest_per_s * load.units_per_request
        # Keys of one entity each: workflows do not share an entity, so the busiest is one of theirs.
        use["b" + tag] = max(use["b" + tag], busiest) if math.isinf(load.keys) else use["b" + tag] + busiest
        use["t" + tag] += load.total_per_s * load.units_per_request
        keys[load.partition] = max(keys.get(load.partition, 0.0), load.keys)
    uses = [PartitionUse(name, u["br"], u["bw"], u["tr"], u["tw"], keys[name]) for name, u in found.items()]
    return sorted(uses, key=lambda use: -use.utilisation)


def quotas(mix: Mix) -> list[Quota]:
    sends = mix.orders_per_s + mix.dispatches_per_s * 2 + mix.checkouts_per_s + alarm_firings_per_s(mix)
    account_rps = rest_requests_per_s(mix) + pushes_per_s(mix) + client_messages_per_s(mix) + connects_per_s(mix)
    return [
        Quota("WebSocket new connections/s", connects_per_s(mix), WS_NEW_CONNECTIONS_PER_S, "/s",
              "request a quota increase; spread reconnects (jitter) after a deploy or an outage"),
        Quota("API Gateway requests/s (REST + WS messages + @connections)", account_rps, APIGW_ACCOUNT_RPS, "/s",
              "request the account quota; a fan-out topic (IoT Core / AppSync) for busy consoles"),
        Quota("Lambda concurrency", lambda_concurrency(mix), LAMBDA_CONCURRENCY, "",
              "request concurrency (and each SQS mapping's maximum concurrency, ≤ 1,000)"),
        Quota("SQS in-flight alarm messages", alarm_firings_per_s(mix) * (mix.lambda_ms + mix.alarm_wait_ms) / 1000,
              SQS_IN_FLIGHT, "", "more queues (per workflow)"),
        Quota("SQS sends/s (standard: no per-queue limit)", sends, math.inf, "/s", "—"),
    ]


SPLIT_FOR_HEAT = ("adaptive capacity isolates it (automatic), but a key's partition stays ≤ 3,000 RRU / "
                  "1,000 WRU: write-shard the key (key#n)")
DESIGN_CHANGES = {
    "ontime-orders|by_merchant": "write-shard the hot merchant's index key (merchant_id#n, n = crc32(id) % k; "
                                 "the console reads k pages) or keep only merchant_pending for hot merchants",
    "ontime-orders|merchant_pending": "write-shard pending_merchant_id (#n) for hot merchants",
    "ontime-orders|by_customer": "none needed: an artefact of 20 benchmark customers (a person orders < 1/s)",
    "ontime-supplier_products|base": "stock keyed by supplier_id alone puts a supplier's products in one partition: "
                                     "key by supplier_id#product_id; a hot product needs stock shards",
    "ontime-supplier_orders|by_supplier": "write-shard supplier_id (#n) for hot suppliers",
    "ontime-slot_counts|base": "key slot counts by shop_id#slot_id",
    "ontime-calls|live_by_merchant": "write-shard live_merchant_id (#n) for merchants taking many calls",
    "ontime-connections|by_party": "a fan-out topic (IoT Core / SNS) for busy consoles instead of a lookup per push",
    "ontime-installers|base": "more installers per area (each counter is one item: ≤ 1,000 WRU)",
}


def design_change(partition: str) -> str:
    if partition.endswith("|due"):
        return f"more due shards (settings.due_shards: {DUE_SHARDS} → 64 is 4× the headroom; the sweep reads 4× more)"
    return DESIGN_CHANGES.get(partition, SPLIT_FOR_HEAT)


@dataclass(frozen=True)
class Capacity:
    mix: Mix
    partitions: list[PartitionUse]
    quotas: list[Quota]
    usd_per_million_orders: dict[str, float]

    def limits(self) -> list[tuple[str, float, str]]:
        """(limit, utilisation, change) for every partition kind, table and quota."""
        found = [(f"DynamoDB partition {use.partition}", use.utilisation,
                  design_change(use.partition))
                 for use in self.partitions]
        found += [(f"DynamoDB on-demand table {use.partition}", use.table_utilisation,
                   "request a higher table quota (40,000 units/s default)") for use in self.partitions]
        found += [(quota.name, quota.utilisation, quota.change) for quota in self.quotas if math.isfinite(quota.limit)]
        return sorted(found, key=lambda limit: -limit[1])


def usd_per_million_orders(mix: Mix) -> dict[str, float]:
    """bench/cost.py's model on the README's measured per-order calls (issue 11), the mix's alarm wait."""
    usage = usage_from_calls(README_ORDER_CALLS, README_ORDER_INVOCATIONS, pushes_per_order=README_ORDER_PUSHES,
                             orders_table_writes=sum(ORDER_TRANSITIONS[p] * s for p, s in mix.order_plans.items()),
                             alarm_wait_ms=mix.alarm_wait_ms)
    return {service: usd * 1000 for service, usd in usd_per_thousand_orders(usage).items()}


def capacity(mix: Mix) -> Capacity:
    return Capacity(mix, partitions(mix), quotas(mix), usd_per_million_orders(mix))


def crossing_scale(mix: Mix, limit: str, high: float = 1e6) -> float:
    """The smallest scale at which `limit` reaches 100 % (bisection: loads only grow with scale)."""
    def use(scale: float) -> float:
        return next((u for name, u, _ in capacity(mix.scaled(scale)).limits() if name == limit), 0.0)

    low = 1e-3
    if use(high) < 1:
        return math.inf
    for _ in range(60):
        middle = math.sqrt(low * high)
        low, high = (middle, high) if use(middle) < 1 else (low, middle)
    return high


def first_limits(mix: Mix, scale: float) -> list[tuple[str, float, float, str]]:
    """The limits `scale` × `mix` exceeds: (limit, utilisation, the scale it is reached at, change),
    soonest first."""
    over = [(name, u, change) for name, u, change in capacity(mix.scaled(scale)).limits() if u >= 1]
    return sorted(((name, u, crossing_scale(mix, name), change) for name, u, change in over), key=lambda r: r[2])


def headline(mix: Mix, scales: Iterable[float] = (1, 10, 100, 1000)) -> list[dict[str, object]]:
    rows = []
    for scale in scales:
        result = capacity(mix.scaled(scale))
        busiest = result.partitions[0]
        by_name = {quota.name: quota for quota in result.quotas}
        rows.append({
            "scale": scale, "orders_per_s": result.mix.orders_per_s,
            "busiest_partition": busiest.partition, "busiest_pct": 100 * busiest.utilisation,
            "ws_connects_per_s": by_name["WebSocket new connections/s"].used,
            "apigw_rps": by_name["API Gateway requests/s (REST + WS messages + @connections)"].used,
            "lambda_concurrency": by_name["Lambda concurrency"].used,
            "usd_per_million_orders": result.usd_per_million_orders["total"],
        })
    return rows


__all__ = ["PRICES_CHECKED", "Capacity", "Load", "Mix", "PartitionUse", "Quota", "capacity", "first_limits",
           "headline", "loads", "partitions", "quotas"]
