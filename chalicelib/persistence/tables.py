"""What every PynamoDB table of ontime shares: the wait-state attributes and their `due` index,
the address and history maps, and pointing the models at a stage's tables.

Models are the persistence shape only; each package declares its own (`<package>/tables.py`) and
lists them in its wiring. Table names are set by `configure_tables` at first use, never at import.
`infra/template.json` is generated from the same models (`./dev infra`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.core.address import Address
from chalicelib.settings import Settings


class DueIndex(GlobalSecondaryIndex[Model]):
    """Sparse: only entities with a pending alarm carry `due_shard` and `wake_at`."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["alarm_set_at"])

    due_shard = NumberAttribute(hash_key=True)
    wake_at = NumberAttribute(range_key=True)


class WaitingEntityModel(Model):
    """Attributes every wait-state entity table carries (engine bookkeeping)."""

    version = VersionAttribute()
    wake_at = NumberAttribute(null=True)
    due_shard = NumberAttribute(null=True)
    alarm_set_at = NumberAttribute(null=True)


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


def configure_tables(models: Iterable[type[Model]], settings: Settings) -> None:
    """Point every model at this stage's tables; drops cached connections so tests can re-point."""
    for model in models:
        model.Meta.table_name = settings.table_name(short_name(model))
        model.Meta.region = settings.region
        model._connection = None
