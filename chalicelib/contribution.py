"""What a workflow package contributes to the platform, and what it gets from it.

Each package's `wiring.py` declares one `Contribution`; `registry.py` lists them. The platform
reads the declarations in three places and nowhere else:

* `bootstrap` calls each `build(platform)` at most once per Lambda container, at the first request
  or event that needs the package (one of its routes, an alarm of one of its kinds, a role's
  pending work it lists, a terminal action it answers, a payment it settles, or what it provides
  to a package that needs it), and registers what it returns (`Wired`): the package's services,
  its engine workflows, the pending work its terminals list on reconnect, the terminal actions it
  answers, the payments it settles, what it provides to others;
* `app.py` registers its routes and its queue-fed functions (from `chalicelib/route_table.py`,
  generated from them);
* `infra/generate.py` (`./dev infra`) turns its tables, waiting kinds, alarms, dashboard widgets,
  permissions, resources and environment into `infra/template.json` and the functions' policies,
  and the local stack (`devstack`) runs its demo seed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:  # only named here: importing `app.py` (which imports this) must not build them
    from pynamodb.models import Model

    from chalicelib.core.clock import Clock
    from chalicelib.core.observability import MetricsSink
    from chalicelib.http.routing import Routes
    from chalicelib.payments.callbacks import Payee
    from chalicelib.payments.port import PaymentProvider
    from chalicelib.push.messages import Action, Message
    from chalicelib.push.notifier import Notifier
    from chalicelib.push.ports import ConnectionRegistry
    from chalicelib.push.terminal import PendingWork, TerminalAction
    from chalicelib.settings import Settings
    from chalicelib.waitstate.engine import WaitStateEngine
    from chalicelib.waitstate.model import Workflow

S = TypeVar("S")
T = TypeVar("T")


# ── what a package's build gets ─────────────────────────────────────────────────────────────


class MissingNeed(LookupError):
    """A package needs something no package before it in the registry provides."""


@dataclass(frozen=True)
class Platform:
    """The shared pieces a package builds its services from (one per Lambda container)."""

    settings: Settings
    clock: Clock
    metrics: MetricsSink
    engine: WaitStateEngine
    notifier: Notifier
    payments: PaymentProvider
    connections: ConnectionRegistry
    """Which terminals are connected, and whose (a call rings only a merchant that has one)."""
    overrides: Mapping[object, object] = field(default_factory=dict)
    """Adapters given instead of the real ones, by port (tests: an in-memory store, a photo store)."""
    provided: Mapping[str, object] = field(default_factory=dict)

    @property
    def env(self) -> Mapping[str, str]:
        """The environment the settings were read from: each package reads its own settings here."""
        return self.settings.env

    def port(self, kind: object, make: Callable[[], T]) -> T:
        """The adapter for the port `kind` (a Protocol): the one given in `overrides`, else `make()`."""
        given = self.overrides.get(kind)  # type: ignore[call-overload]
        return given if given is not None else make()  # type: ignore[return-value]

    def need(self, name: str) -> object:
        """What an earlier package provides under `name` (a package never imports another)."""
        try:
            return self.provided[name]
        except KeyError:
            raise MissingNeed(f"nothing provides {name!r}: a package that does must come earlier in the "
                              "registry") from None


@dataclass(frozen=True)
class Wired(Generic[S]):
    """What a package's build returns."""

    services: S
    """Found by the package's routes through their `Routes(…, services=type)`."""
    workflows: tuple[Workflow[Any], ...] = ()
    """Engine workflows, one per kind of entity the package drives through the wait-state engine."""
    pending_work: Mapping[str, PendingWork] = field(default_factory=dict)
    """By role: what a (re)connected terminal of that role still has to act on (exactly the roles
    the declaration's `pending_roles` names)."""
    actions: Mapping[str, TerminalAction] = field(default_factory=dict)
    """By action name: the terminal → server messages the package answers (exactly the names its
    declaration's `actions` lists)."""
    payees: Mapping[str, Payee] = field(default_factory=dict)
    """By id prefix of the payment reference (`pur`): who settles a provider's callbacks."""
    provides: Mapping[str, object] = field(default_factory=dict)
    """Services other packages may `need` by name (`menus`)."""


# ── what infra is generated from ────────────────────────────────────────────────────────────


class Function(StrEnum):
    """The Lambda functions Chalice packages (names as in `.chalice/config.json`)."""

    API = "api_handler"
    WS_CONNECT = "websocket_connect"
    WS_MESSAGE = "websocket_message"
    WS_DISCONNECT = "websocket_disconnect"
    FIRE_ALARMS = "fire_alarms"
    SWEEP_ALARMS = "sweep_alarms"


READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")
SCAN = ("dynamodb:Scan",)
ALL_INDEXES = ("*",)


@dataclass(frozen=True)
class Grant:
    """Some functions may call some actions on a table (and on the named indexes, or all: `*`).
    A `TransactWriteItems` needs, per item, the action it does (Put/Update/Delete)."""

    functions: tuple[str, ...]
    """Function names: `Function`s, or a function the package adds (`process_videos`)."""
    actions: tuple[str, ...]
    indexes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessPattern:
    """One line of `docs/data.md`: what is read or written, through which key, and why."""

    pattern: str
    where: str
    key: str
    notes: str = ""


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: its PynamoDB model (keys, indexes, TTL), who may do what, and why."""

    model: type[Model]
    grants: tuple[Grant, ...]
    patterns: tuple[AccessPattern, ...] = ()


@dataclass(frozen=True)
class WaitingKind:
    """A kind of entity that waits on the engine's alarms: its table carries the `due` index, the
    sweeper may query it, the alarm consumer reads and writes it, and it gets its own lateness alarm."""

    kind: str
    model: type[Model]
    waits_for: str
    """What its alarms are, for the lateness alarm's description (`merchant answer windows`)."""


@dataclass(frozen=True)
class MetricAlarm:
    """A CloudWatch alarm on one of the package's own metrics (namespace `ontime`)."""

    logical_id: str
    name: str
    description: str
    metric: str
    statistic: str = "Sum"
    threshold: float = 1
    comparison: str = "GreaterThanOrEqualToThreshold"
    period_s: int = 300
    dimensions: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Widget:
    """A dashboard graph: `metrics` rows as CloudWatch's dashboard body takes them."""

    title: str
    metrics: tuple[tuple[Any, ...], ...]
    period_s: int = 300
    stacked: bool = False


@dataclass(frozen=True)
class Permission:
    """An IAM statement beyond the tables (S3, …), for some functions."""

    sid: str
    functions: tuple[str, ...]
    """Function names: `Function`s, or a function the package adds (`process_videos`)."""
    actions: tuple[str, ...]
    resources: tuple[Any, ...]
    condition: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class QueueFunction:
    """A Lambda function of the package's own, fed by one of its SQS queues (an S3 bucket's upload
    notifications, say). Its module holds `routes = Blueprint(__name__)` and the handler, decorated
    `@routes.on_sqs_message(queue=<queue_name>, batch_size=<batch_size>)` and named `name`: Lambda
    imports that module alone. `app.py` registers the function from the generated table without
    importing the module (a cold start of the other functions never pays for it); `infra/generate.py`
    gives it its config, policy (its grants and permissions, and taking its queue's messages),
    layers, an errors alarm, a dead-letter alarm and a queue graph; the local stack feeds it."""

    name: str
    """Chalice's function name (`process_videos`), its handler's name, and what grants name."""
    module: str
    """The handler's module (`chalicelib.groupbuy.handlers`)."""
    queue: str
    """The logical id of its queue among the package's `resources`."""
    queue_name: str
    """That queue's `QueueName`: Chalice binds the event source by name (`./dev infra` checks they agree)."""
    batch_size: int = 1
    memory_mb: int = 512
    timeout_s: int = 10
    """The queue's `VisibilityTimeout` must be at least 6 × this (AWS's advice for SQS sources)."""
    layers: tuple[str, ...] = ()
    """Logical ids of `AWS::Serverless::LayerVersion` resources of the package, for this function only."""
    reserved_concurrency: int | None = None
    description: str = ""
    pushes: bool = False
    """It pushes to terminals: granted what the platform's pushing functions are (a party's
    connections, forgetting gone ones, API Gateway's `@connections`)."""


# ── the local stack's demo data ─────────────────────────────────────────────────────────────


class SeedClient(Protocol):
    """How a package seeds the local stack: through its own routes, as a user of that role would."""

    def call(self, method: str, path: str, body: Any = None, *, role: str = "ops", sub: str = "ontime-seed",
             expect: int = 201, **claims: str) -> Any:
        """The answer's body; raises when the status is not `expect`."""
        ...

    def option(self, name: str, default: T) -> T:
        """A demo setting of the stack's command line (`--demo-window`), or `default`."""
        ...


Seed = Callable[[SeedClient], Iterable[str]]
"""Creates the package's demo data; yields lines for the stack's banner."""


# ── the declaration ─────────────────────────────────────────────────────────────────────────


def _nothing() -> tuple[Any, ...]:
    return ()


@dataclass(frozen=True)
class Contribution:
    """A package's declaration. It names its route tables and messages through functions that
    import them (`load_routes`, `load_messages`): they bring the package's views, schemas and
    services with them, which neither importing `app.py` nor a request to another package pays for.
    Its tables, settings and seed are named the same way (`load_tables`, `load_waiting`, and
    functions that import the settings and seed modules), so that a container's first request
    imports the models of the packages it builds only."""

    name: str
    """The package's folder, and its name in docs and logs."""
    summary: str
    build: Callable[[Platform], Wired[Any]]
    """Imports what it builds (services, stores) itself: it runs at the first use of the package."""
    load_routes: Callable[[], tuple[Routes[Any], ...]] = _nothing
    settings: Callable[[Settings], object] | None = None
    """Reads the package's own settings from the platform's environment (its `settings.py`)."""
    load_tables: Callable[[], tuple[Table, ...]] = _nothing
    load_waiting: Callable[[], tuple[WaitingKind, ...]] = _nothing
    alarms: tuple[MetricAlarm, ...] = ()
    widgets: tuple[Widget, ...] = ()
    permissions: tuple[Permission, ...] = ()
    resources: Mapping[str, Any] = field(default_factory=dict)
    """Further CloudFormation resources (logical id → resource), such as a bucket."""
    environment: Mapping[str, Any] = field(default_factory=dict)
    """Variables every function gets from CloudFormation (a bucket's generated name)."""
    outputs: Mapping[str, Any] = field(default_factory=dict)
    functions: tuple[QueueFunction, ...] = ()
    """Lambda functions the package adds, each fed by one of its queues."""
    seed: Seed | None = None
    data_notes: str = ""
    """What a typical transition reads and writes (for `docs/data.md`)."""
    load_messages: Callable[[], tuple[Message, ...]] = _nothing
    """Every message type it sends to terminals, with the model of its data (`docs/asyncapi.json`)."""
    load_actions: Callable[[], tuple[Action, ...]] = _nothing
    """The model of each of its `actions` (terminal → server messages) for `docs/asyncapi.json`."""
    pending_roles: tuple[str, ...] = ()
    """The roles whose pending work it lists (its built `pending_work`'s keys, named here so that a
    terminal's `list_pending` builds the packages that list its role and no other)."""
    actions: tuple[str, ...] = ()
    """The terminal actions it answers (its built `actions`' keys, named here so that an action
    builds the one package that answers it)."""

    @property
    def routes(self) -> tuple[Routes[Any], ...]:
        return self.load_routes()

    @property
    def tables(self) -> tuple[Table, ...]:
        return self.load_tables()

    @property
    def waiting(self) -> tuple[WaitingKind, ...]:
        return self.load_waiting()

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.load_messages()

    @property
    def action_models(self) -> tuple[Action, ...]:
        return self.load_actions()


def models_of(contributions: Iterable[Contribution]) -> list[type[Model]]:
    return [table.model for c in contributions for table in c.tables]

BROWSER_UPLOADS_CORS: dict[str, Any] = {"CorsRules": [{
    "AllowedMethods": ["POST"], "AllowedOrigins": {"Fn::Split": [",", {"Fn::If": [
        "HasCorsOrigins", {"Fn::Sub": "https://${TerminalsDistribution.DomainName},${CorsOrigins}"},
        {"Fn::Sub": "https://${TerminalsDistribution.DomainName}"}]}]},
    "AllowedHeaders": ["*"], "MaxAge": 3600}]}
"""The `CorsConfiguration` of a bucket a browser terminal posts presigned uploads to: without it the
page never reads S3's answer. The origins are the REST API's (infra/site.py): the terminals' site,
then `CorsOrigins`. Reading objects back (`<video src>`, `<img src>`) needs none."""
