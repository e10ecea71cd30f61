"""What every PynamoDB table of ontime shares: the wait-state attributes and their `due` index,
the address and history maps, and pointing the models at a stage's tables.

Models are the persistence shape only; each package declares its own (`<package>/tables.py`) and
lists them in its wiring. `configure_tables` names the stage, and each model (a `StageModel`) takes
its table's name from it at its first call, never at import nor before: a container's first request
neither imports nor configures the tables of packages it does not use. Every model's calls go
through one DynamoDB client on the container's botocore session (`chalicelib/aws.py`) instead of a
session and a client per model. `infra/template.json` is
generated from the same models (`./dev infra`).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib import aws
from chalicelib.core.address import Address
from chalicelib.settings import Settings

if TYPE_CHECKING:
    from botocore.session import Session


_stage: Settings | None = None
_configured: set[type[Model]] = set()
_configure_lock = threading.RLock()


class StageModel(Model):
    """A table of the stage `configure_tables` names, configured at the model's first call."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        if cls not in _configured and _stage is not None:
            _configure(cls, _stage)
        return super()._get_connection()


class DueIndex(GlobalSecondaryIndex[Model]):
    """Sparse: only entities with a pending alarm carry `due_shard` and `wake_at`."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["alarm_set_at"])

    due_shard = NumberAttribute(hash_key=True)
    wake_at = NumberAttribute(range_key=True)


class WaitingEntityModel(StageModel):
    """Attributes every wait-state entity table carries (engine bookkeeping)."""

    version = VersionAttribute()
    wake_at = NumberAttribute(null=True)
    due_shard = NumberAttribute(null=True)
    alarm_set_at = NumberAttribute(null=True)
    write_token = UnicodeAttribute(null=True)
    """The token of the write that stored this item, so a write meeting its own retry can tell
    (`chalicelib/persistence/writes.py`)."""


class AddressMap(MapAttribute[str, Any]):
    line1 = UnicodeAttribute()
    city = UnicodeAttribute()
    line2 = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)

    @classmethod
    def of(cls, address: Address) -> AddressMap:
        return cls(**address.as_map())

    def to_address(self) -> Address:
        return Address.from_map(self.as_dict())


class HistoryMap(MapAttribute[str, Any]):
    """One line of an entity's history: when, the status it reached, and why."""

    at = NumberAttribute()
    status = UnicodeAttribute()
    cause = UnicodeAttribute()


_SHORT_NAMES: dict[type[Model], str] = {}


def short_name(model: type[Model]) -> str:
    """The name a model declares (`orders`): remembered before `configure_tables` prefixes it."""
    return _SHORT_NAMES.setdefault(model, str(model.Meta.table_name))


class SharedConnection(Connection):
    """PynamoDB's connection on the container's botocore session, for every model at once.

    PynamoDB builds its client with a `Config` of its own, merged over the session's: its defaults
    (`pynamodb/settings.py`: 15 s to connect, 30 s to read, 1 + 3 attempts) would outlast API
    Gateway's 29 s. It is given the app's policy instead (`chalicelib/aws.py`)."""

    def __init__(self, region: str) -> None:
        super().__init__(region=region, connect_timeout_seconds=aws.CONNECT_TIMEOUT_S,
                         read_timeout_seconds=aws.READ_TIMEOUT_S, retry_configuration=dict(aws.RETRIES))  # type: ignore[arg-type]

    @property
    def session(self) -> Session:
        return aws.session()

    @property
    def client(self) -> Any:
        with aws.created_under_lock():
            return super().client


_shared: dict[str, tuple[Session, SharedConnection]] = {}
_shared_lock = threading.Lock()


def shared_connection(region: str) -> SharedConnection:
    """The one PynamoDB connection (and so DynamoDB client) of this region on the current session."""
    with _shared_lock:
        made = _shared.get(region)
        if made is None or made[0] is not aws.session():
            made = _shared[region] = (aws.session(), SharedConnection(region=region))
        return made[1]


def configure_tables(settings: Settings) -> None:
    """Point every model at this stage's tables, each at its first call (tests build a container,
    and so name a stage, per test: a model configured for another is configured again)."""
    global _stage
    with _configure_lock:
        _stage = settings
        for model in _configured:
            model._connection = None
        _configured.clear()


def _configure(model: type[Model], settings: Settings) -> None:
    """All through one connection: PynamoDB builds the model's table connection, with a connection
    of its own, which is replaced before any call."""
    with _configure_lock:
        if model in _configured:
            return
        connection = shared_connection(settings.region)
        model.Meta.table_name = settings.table_name(short_name(model))
        model.Meta.region = settings.region
        model._connection = None
        table = Model._get_connection.__func__(model)  # type: ignore[attr-defined]
        with contextlib.suppress(ValueError):  # configured before, for an earlier container
            connection.add_meta_table(table.get_meta_table())
        table.connection = connection
        _configured.add(model)
