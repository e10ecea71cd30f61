"""The composition root: everything is built here, once per Lambda container, at first use.

Importing this module builds nothing and reads no environment; `container()` does, on the first
request or event: the platform's pieces first, then each contribution of the registry in order
(`contribution.py`). Tests and the local stack call `build(...)` with their own adapters (a fake
clock, a recording push sender, the sandbox payment provider, in-memory stores) and `install` it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

from chalicelib.auth.tokens import JwksVerifier, TokenVerifier
from chalicelib.aws_clients import client_config, configure_pynamodb_clients
from chalicelib.contribution import Contribution, Platform, models_of
from chalicelib.core.clock import Clock, SystemClock
from chalicelib.core.observability import EmfMetrics, MetricsSink, configure_logging
from chalicelib.http.docs import ApiDocuments
from chalicelib.http.page_tokens import MIN_SECRET_BYTES, PageTokens
from chalicelib.idempotency import Idempotency, IdempotencyStore
from chalicelib.payments.callbacks import Payee, PaymentCallbacks
from chalicelib.payments.port import NoPaymentProvider, PaymentProvider
from chalicelib.persistence.tables import configure_tables
from chalicelib.push.notifier import Notifier
from chalicelib.push.ports import ConnectionRegistry, PushSender
from chalicelib.push.recent_terminals import RecentTerminals
from chalicelib.push.terminal import PendingWork
from chalicelib.settings import Settings, settings
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import AlarmQueue

K = TypeVar("K")


class Misconfigured(RuntimeError):
    """The stage cannot start as configured (said at the first request, in the function's log)."""


@dataclass
class Container:
    """The platform's pieces and every package's services, for one Lambda container."""

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
    pending_work: Mapping[str, PendingWork] = field(default_factory=dict)
    """By role: what a (re)connected terminal still has to act on."""
    services: dict[type, object] = field(default_factory=dict)

    @property
    def max_body_bytes(self) -> int:
        return self.settings.max_body_bytes

    @property
    def validate_responses(self) -> bool:
        return self.settings.validate_responses

    def services_of(self, kind: type[K]) -> K:
        return cast(K, self.services[kind])


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
    """`overrides`: adapters by port (a Protocol) that packages take instead of their real ones."""
    configure_logging()
    packages = contributions() if packages is None else tuple(packages)
    configure_pynamodb_clients()
    configure_tables(models_of(packages), config)
    clock = clock or SystemClock()
    metrics = metrics or EmfMetrics()
    engine = WaitStateEngine(alarm_queue or _sqs_alarm_queue(config), clock, metrics, due_shards=config.due_shards,
                             sweep_interval_s=config.sweep_interval_s, overdue_grace_s=config.overdue_grace_s)
    registry = RecentTerminals(connections or _dynamo_connections(), clock)
    notifier = Notifier(registry, push_sender or _api_gateway_sender(config))
    payments = payments or _payment_provider(config)
    platform = Platform(config, clock, metrics, engine, notifier, payments, dict(overrides or {}))
    idempotency = Idempotency(platform.port(IdempotencyStore, _dynamo_idempotency), clock)
    built = Container(config, clock, metrics, engine, notifier, registry, verifier or _jwks_verifier(config),
                      idempotency, payments, _page_tokens(config))
    pending: dict[str, PendingWork] = {}
    payees: dict[str, Payee] = {}
    provided: dict[str, object] = {}
    for package in packages:
        wired = package.build(replace(platform, provided=dict(provided)))
        for workflow in wired.workflows:
            engine.register(workflow)
        _merge(pending, wired.pending_work, package, "pending work for role")
        _merge(payees, wired.payees, package, "payments with the reference prefix")
        _merge(provided, wired.provides, package, "a provision named")
        if wired.services is not None:
            built.services[type(wired.services)] = wired.services
    built.pending_work = pending
    secrets = tuple(secret.encode() for secret in config.payment_webhook_secrets)
    built.services.update({Settings: config, PaymentCallbacks: PaymentCallbacks(secrets, clock, payees),
                           ApiDocuments: ApiDocuments([(p.name, routes) for p in packages for routes in p.routes])})
    return built


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
    import boto3

    from chalicelib.push.api_gateway import ApiGatewayPushSender

    client: Any = boto3.client("apigatewaymanagementapi", region_name=config.region,
                               endpoint_url=config.ws_management_endpoint, config=client_config())
    return ApiGatewayPushSender(client)


def _sqs_alarm_queue(config: Settings) -> AlarmQueue:
    import boto3

    from chalicelib.waitstate.alarm_queue import SqsAlarmQueue

    if not config.alarm_queue_url:
        raise Misconfigured("ONTIME_ALARM_QUEUE_URL is not set")
    return SqsAlarmQueue(boto3.client("sqs", region_name=config.region, config=client_config()),
                         config.alarm_queue_url)


def _dynamo_connections() -> ConnectionRegistry:
    from chalicelib.persistence.connections import DynamoConnectionRegistry

    return DynamoConnectionRegistry()


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
