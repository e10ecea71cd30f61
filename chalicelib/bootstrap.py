"""The composition root: everything is built here, once per Lambda container, at first use.

Importing this module builds nothing and reads no environment. `container()` builds the platform's
pieces at the first request or event (settings, clock, engine, notifier, token verifier,
idempotency, page tokens), and each workflow package at its own first use (`Packages`): a route of
the package, an alarm of one of its kinds, its role's pending work, a payment it settles, or what it
provides to a package being built (`Platform.need`). A container's first request thus imports and
builds what that request uses, not every package's services, views and clients. Tests and the
local stack call `build(...)` with their own adapters (a fake clock, a recording push sender, the
sandbox payment provider, in-memory stores) and `install` it; `Container.build_all()` builds every
package at once (the local stack does, so that a wrong setting fails at its start).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from chalicelib import aws
from chalicelib.auth.tokens import JwksVerifier, TokenVerifier
from chalicelib.contribution import Contribution, Platform, Wired
from chalicelib.core.clock import Clock, SystemClock
from chalicelib.core.observability import EmfMetrics, MetricsSink, configure_logging
from chalicelib.http.docs import ApiDocuments
from chalicelib.http.page_tokens import MIN_SECRET_BYTES, PageTokens
from chalicelib.idempotency import Idempotency, IdempotencyStore
from chalicelib.payments.callbacks import Payee, PaymentCallbacks
from chalicelib.payments.mismatches import MismatchLog, PaymentMismatches
from chalicelib.payments.port import NoPaymentProvider, PaymentProvider
from chalicelib.persistence.tables import configure_tables
from chalicelib.push.notifier import Notifier
from chalicelib.push.ports import ConnectionRegistry, PushSender, RateLimiter
from chalicelib.push.recent_terminals import RecentTerminals
from chalicelib.push.terminal import PLATFORM_ACTIONS, PendingWork, TerminalAction
from chalicelib.settings import Settings, settings
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import AlarmQueue

K = TypeVar("K")
V = TypeVar("V")


class Misconfigured(RuntimeError):
    """The stage cannot start as configured (said at the first request, in the function's log)."""


class OnDemand(Mapping[str, V]):
    """What built packages contributed under each key (a role's pending work, a payment reference
    prefix's payee, a provision): a key not there yet builds packages until one contributes it."""

    def __init__(self, found: dict[str, V], build_until: Callable[[Callable[[], bool]], None]) -> None:
        self._found = found
        self._build_until = build_until

    def __getitem__(self, key: str) -> V:
        if key not in self._found:
            self._build_until(lambda: key in self._found)
        return self._found[key]

    def __iter__(self) -> Iterator[str]:
        self._build_until(lambda: False)
        return iter(dict(self._found))

    def __len__(self) -> int:
        self._build_until(lambda: False)
        return len(self._found)


class Packages:
    """The workflow packages of one container, each built at most once, at its first use, after
    whatever earlier package provides what it needs. Where the declarations say which package a
    use belongs to (its services' module, the kinds it waits on, the roles whose pending work it
    lists, the terminal actions it answers), that one is built; otherwise packages are built in
    registry order until one answers (a payee, a provision)."""

    def __init__(self, contributions: Sequence[Contribution], platform: Platform, engine: WaitStateEngine,
                 services: dict[type, object]) -> None:
        self.contributions = tuple(contributions)
        self._platform = platform
        self._engine = engine
        self._services = services
        self._built: dict[str, Wired[Any]] = {}
        self._kinds: set[str] = set()
        self._payees: dict[str, Payee] = {}
        self._provided: dict[str, object] = {}
        self._answering = _answering(self.contributions)
        self._lock = threading.RLock()
        self.payees: Mapping[str, Payee] = OnDemand(self._payees, self.build_until)
        engine.register_on_demand(self.build_kind)

    @property
    def built(self) -> tuple[str, ...]:
        """The names of the packages built so far, in the order they were built."""
        return tuple(self._built)

    def build(self, package: Contribution) -> None:
        with self._lock:
            if package.name in self._built:
                return
            earlier = self.contributions[:self.contributions.index(package)]
            provided = OnDemand(self._provided, lambda found: self.build_until(found, among=earlier))
            wired = package.build(replace(self._platform, provided=provided))
            _as_declared(package, "pending work for the roles", wired.pending_work, package.pending_roles)
            _as_declared(package, "the terminal actions", wired.actions, package.actions)
            for workflow in wired.workflows:
                self._engine.register(workflow)
                self._kinds.add(workflow.kind)
            _merge(self._payees, wired.payees, package, "payments with the reference prefix")
            _merge(self._provided, wired.provides, package, "a provision named")
            if wired.services is not None:
                self._services[type(wired.services)] = wired.services
            self._built[package.name] = wired

    def build_until(self, found: Callable[[], bool], among: Sequence[Contribution] | None = None) -> None:
        """Build packages in registry order until `found()` holds, or every one is built."""
        for package in self.contributions if among is None else among:
            if found():
                return
            self.build(package)

    def build_all(self) -> None:
        self.build_until(lambda: False)

    def build_kind(self, kind: str | None) -> None:
        """The package whose workflow fires alarms of `kind` (`None`: every package, for a sweep)."""
        if kind is None:
            self.build_all()
            return
        for package in self.contributions:
            if any(waiting.kind == kind for waiting in package.waiting):
                self.build(package)
        self.build_until(lambda: kind in self._kinds)

    def pending_work_of(self, role: str) -> tuple[PendingWork, ...]:
        """Every package's pending work for `role`, in registry order: only the packages that
        declare the role are built (and what they need)."""
        listing = [package for package in self.contributions if role in package.pending_roles]
        for package in listing:
            self.build(package)
        return tuple(self._built[package.name].pending_work[role] for package in listing)

    def action(self, name: str) -> TerminalAction | None:
        """The handler of the one package that declares the terminal action `name`, built now."""
        package = self._answering.get(name)
        if package is None:
            return None
        self.build(package)
        return self._built[package.name].actions[name]

    def build_services(self, kind: type) -> None:
        """The package whose services object is a `kind` (defined in that package's folder)."""
        module = kind.__module__.split(".")
        for package in self.contributions:
            if module[:2] == ["chalicelib", package.name]:
                self.build(package)
        self.build_until(lambda: kind in self._services)


@dataclass
class Container:
    """The platform's pieces and, as they are first used, the packages' services, for one Lambda
    container."""

    settings: Settings
    clock: Clock
    metrics: MetricsSink
    engine: WaitStateEngine
    notifier: Notifier
    connections: ConnectionRegistry
    verifier: TokenVerifier
    idempotency: Idempotency
    payments: PaymentProvider
    page_tokens: PageTokens
    packages: Packages = field(repr=False)
    make_rate_limiter: Callable[[], RateLimiter] = field(repr=False)
    services: dict[type, object] = field(default_factory=dict)

    @property
    def max_body_bytes(self) -> int:
        return self.settings.max_body_bytes

    @property
    def validate_responses(self) -> bool:
        return self.settings.validate_responses

    _rate_limiter: RateLimiter | None = field(default=None, init=False, repr=False)

    @property
    def rate_limiter(self) -> RateLimiter:
        """How many package actions a terminal's connection may send (built at the first one: only
        the WebSocket's message function asks)."""
        if self._rate_limiter is None:
            self._rate_limiter = self.make_rate_limiter()
        return self._rate_limiter

    def services_of(self, kind: type[K]) -> K:
        if kind not in self.services:
            self.packages.build_services(kind)
        return cast(K, self.services[kind])

    def build_all(self) -> Container:
        """Every package now, rather than at its first use."""
        self.packages.build_all()
        return self


def contributions() -> tuple[Contribution, ...]:
    """The platform's own and every workflow package's, in the order they are built."""
    from chalicelib.platform import PLATFORM
    from chalicelib.registry import WORKFLOWS

    return (PLATFORM, *WORKFLOWS)


_lock = threading.Lock()
_container: Container | None = None


def build(config: Settings, *, clock: Clock | None = None, metrics: MetricsSink | None = None,
          push_sender: PushSender | None = None, alarm_queue: AlarmQueue | None = None,
          connections: ConnectionRegistry | None = None, verifier: TokenVerifier | None = None,
          payments: PaymentProvider | None = None, overrides: Mapping[object, object] | None = None,
          packages: Sequence[Contribution] | None = None) -> Container:
    """The platform's pieces now and the packages at their first use. `overrides`: adapters by port
    (a Protocol) that packages take instead of their real ones."""
    configure_logging()
    packages = contributions() if packages is None else tuple(packages)
    configure_tables(config)
    clock = clock or SystemClock()
    metrics = metrics or EmfMetrics()
    engine = WaitStateEngine(alarm_queue or _sqs_alarm_queue(config), clock, metrics, due_shards=config.due_shards,
                             sweep_interval_s=config.sweep_interval_s, overdue_grace_s=config.overdue_grace_s)
    registry = RecentTerminals(connections or _dynamo_connections(), clock)
    notifier = Notifier(registry, push_sender or _api_gateway_sender(config))
    payments = payments or _payment_provider(config)
    platform = Platform(config, clock, metrics, engine, notifier, payments, registry, dict(overrides or {}))
    idempotency = Idempotency(platform.port(IdempotencyStore, _dynamo_idempotency), clock)
    services: dict[type, object] = {}
    on_demand = Packages(packages, platform, engine, services)
    built = Container(config, clock, metrics, engine, notifier, registry, verifier or _jwks_verifier(config),
                      idempotency, payments, _page_tokens(config), on_demand,
                      lambda: platform.port(RateLimiter, lambda: _dynamo_rate_limiter(config)), services)
    secrets = tuple(secret.encode() for secret in config.payment_webhook_secrets)
    mismatches = PaymentMismatches(platform.port(MismatchLog, _dynamo_mismatches), clock)
    services.update({
        Settings: config, PaymentMismatches: mismatches,
        PaymentCallbacks: PaymentCallbacks(secrets, clock, on_demand.payees, mismatches),
        ApiDocuments: ApiDocuments(lambda: [(p.name, routes) for p in on_demand.contributions for routes in p.routes]),
    })
    return built


def _answering(packages: Sequence[Contribution]) -> dict[str, Contribution]:
    """The package that answers each declared terminal action: one, and never one the platform
    answers itself."""
    answering: dict[str, Contribution] = {}
    for package in packages:
        for name in package.actions:
            if name in PLATFORM_ACTIONS:
                raise Misconfigured(f"{package.name} declares the terminal action {name!r}, which the platform "
                                    "answers itself")
            if name in answering:
                raise Misconfigured(f"{package.name} declares the terminal action {name!r}, which "
                                    f"{answering[name].name} already does")
            answering[name] = package
    return answering


def _as_declared(package: Contribution, what: str, built: Mapping[str, Any], declared: tuple[str, ...]) -> None:
    """A package builds exactly what its declaration names (bootstrap builds packages by their
    declarations: an undeclared key would never be found, a missing one fail at its first use)."""
    if set(built) != set(declared):
        raise Misconfigured(f"{package.name} builds {what} {sorted(built)} but declares {sorted(declared)}")


def _merge(into: dict[str, Any], more: Mapping[str, Any], package: Contribution, what: str) -> None:
    for key, value in more.items():
        if key in into:
            raise Misconfigured(f"{package.name} contributes {what} {key!r}, which another package already does")
        into[key] = value


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = build(settings())
    return _container


def install(built: Container | None) -> None:
    """Replace (or, with None, forget) the container: for tests and the local stack."""
    global _container
    _container = built


# ── the real adapters, each built only when nothing else was given ─────────────────────────


def _api_gateway_sender(config: Settings) -> PushSender:
    from chalicelib.push.api_gateway import CLIENT_SETTINGS, ApiGatewayPushSender

    return ApiGatewayPushSender(aws.LazyClient("apigatewaymanagementapi", region_name=config.region,
                                               endpoint_url=config.ws_management_endpoint,
                                               config=aws.client_config(**CLIENT_SETTINGS)))


def _sqs_alarm_queue(config: Settings) -> AlarmQueue:
    from chalicelib.waitstate.alarm_queue import SqsAlarmQueue

    if not config.alarm_queue_url:
        raise Misconfigured("ONTIME_ALARM_QUEUE_URL is not set")
    return SqsAlarmQueue(aws.LazyClient("sqs", region_name=config.region), config.alarm_queue_url)


def _dynamo_connections() -> ConnectionRegistry:
    from chalicelib.persistence.connections import DynamoConnectionRegistry

    return DynamoConnectionRegistry()


def _dynamo_rate_limiter(config: Settings) -> RateLimiter:
    from chalicelib.persistence.budgets import DynamoRateLimiter
    from chalicelib.push.rate_limit import PooledRateLimiter

    limit, window_s = config.ws_action_limit, config.ws_action_window_s
    return PooledRateLimiter(DynamoRateLimiter(limit, window_s), limit, window_s)


def _dynamo_mismatches() -> MismatchLog:
    from chalicelib.payments.mismatch_store import DynamoMismatchLog

    return DynamoMismatchLog()


def _dynamo_idempotency() -> IdempotencyStore:
    from chalicelib.persistence.idempotency import DynamoIdempotencyStore

    return DynamoIdempotencyStore()


def _jwks_verifier(config: Settings) -> TokenVerifier:
    if config.is_local:
        raise Misconfigured("the local stage's tokens are verified by the local stack (devstack), which brings "
                            "its own issuer: this is not the local stack")
    if not config.jwks_url or not config.jwt_issuer:
        raise Misconfigured("ONTIME_JWKS_URL and ONTIME_JWT_ISSUER must be set")
    return JwksVerifier(config.jwks_url, config.jwt_issuer, config.jwt_audience)


def _page_tokens(config: Settings) -> PageTokens:
    """Every stage signs its `next_token`s with a secret of its own: in AWS the stack's (a Secrets
    Manager secret, `infra/platform.py`), in the local stack one drawn per run."""
    secrets = tuple(secret.encode() for secret in config.page_token_secrets)
    if not secrets:
        raise Misconfigured("ONTIME_PAGE_TOKEN_SECRETS is not set (the secret that signs lists' next_tokens)")
    if any(len(secret) < MIN_SECRET_BYTES for secret in secrets):
        raise Misconfigured(f"every ONTIME_PAGE_TOKEN_SECRETS secret must have at least {MIN_SECRET_BYTES} bytes")
    return PageTokens(secrets, config.page_token_max_age_s)


def _payment_provider(config: Settings) -> PaymentProvider:
    """The stage's payment provider: none yet in AWS (checkouts answer 503); the local stack brings
    its sandbox."""
    if config.payment_provider == "none":
        return NoPaymentProvider()
    raise Misconfigured(f"unknown payment provider {config.payment_provider!r} (ONTIME_PAYMENT_PROVIDER: none; "
                        "the local stack brings its sandbox)")


__all__ = ["Container", "Misconfigured", "build", "container", "contributions", "install"]
