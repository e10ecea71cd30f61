"""The PynamoDB models and the tables `infra/template.json` deploys describe the same schema.

The code reads and writes through the models; AWS (and the local stack, which provisions from the
same template) has the tables of the template. A key, index or TTL that differs between the two
fails here instead of as a ValidationException in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.bootstrap import contributions
from chalicelib.contribution import models_of
from chalicelib.persistence.tables import short_name
from chalicelib.settings import Settings

ALL_MODELS = {short_name(model): model for model in models_of(contributions())}

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.json"
PREFIX = Settings.from_env({"ONTIME_STAGE": "dev"}).table_prefix  # the default prefix is the one AWS stages use


def _tables() -> dict[str, dict[str, Any]]:
    """TableName → Properties of every DynamoDB table in the template."""
    resources: dict[str, dict[str, Any]] = json.loads(TEMPLATE.read_text())["Resources"]
    tables = [r["Properties"] for r in resources.values() if r.get("Type") == "AWS::DynamoDB::Table"]
    return {props["TableName"]: props for props in tables}


def _table(short_name: str) -> dict[str, Any]:
    tables = _tables()
    assert PREFIX + short_name in tables, f"infra/template.json has no table {PREFIX + short_name}"
    return tables[PREFIX + short_name]


def _keys(key_schema: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in key_schema}


def _projection(projection: Mapping[str, Any]) -> tuple[str, frozenset[str]]:
    return projection["ProjectionType"], frozenset(projection.get("NonKeyAttributes", []))


def _model_indexes(model: type[Model]) -> dict[str, Mapping[str, Any]]:
    # PynamoDB's own CreateTable schema (the same one `Model.create_table` would send).
    return {index["index_name"]: index for index in model._get_schema()["global_secondary_indexes"]}


MODELS = sorted(ALL_MODELS.items())
IDS = [name for name, _ in MODELS]


def test_every_template_table_has_a_model() -> None:
    assert sorted(_tables()) == sorted(PREFIX + name for name in ALL_MODELS)


@pytest.mark.parametrize(("short_name", "model"), MODELS, ids=IDS)
def test_primary_key(short_name: str, model: type[Model]) -> None:
    table = _table(short_name)
    assert _keys(table["KeySchema"]) == _keys(model._get_schema()["key_schema"])


@pytest.mark.parametrize(("short_name", "model"), MODELS, ids=IDS)
def test_key_attribute_types(short_name: str, model: type[Model]) -> None:
    """Every attribute used in a table or index key, with its type (S/N/B), and no other."""
    schema = model._get_schema()
    expected = {d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]}
    for index in schema["global_secondary_indexes"]:
        expected.update({d["AttributeName"]: d["AttributeType"] for d in index["attribute_definitions"]})
    table = _table(short_name)
    assert {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]} == expected


@pytest.mark.parametrize(("short_name", "model"), MODELS, ids=IDS)
def test_global_secondary_indexes(short_name: str, model: type[Model]) -> None:
    table = _table(short_name)
    deployed = {gsi["IndexName"]: gsi for gsi in table.get("GlobalSecondaryIndexes", [])}
    declared = _model_indexes(model)
    assert sorted(deployed) == sorted(declared)
    for name, index in declared.items():
        assert _keys(deployed[name]["KeySchema"]) == _keys(index["key_schema"]), name
        assert _projection(deployed[name]["Projection"]) == _projection(index["projection"]), name


@pytest.mark.parametrize(("short_name", "model"), MODELS, ids=IDS)
def test_no_local_secondary_indexes_unless_modelled(short_name: str, model: type[Model]) -> None:
    assert not _table(short_name).get("LocalSecondaryIndexes")
    assert not model._get_schema()["local_secondary_indexes"]


@pytest.mark.parametrize(("short_name", "model"), MODELS, ids=IDS)
def test_time_to_live(short_name: str, model: type[Model]) -> None:
    """DynamoDB expires items by the model's TTLAttribute; a table without one has no TTL."""
    ttl_attributes = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    ttl = _table(short_name).get("TimeToLiveSpecification")
    if ttl_attributes:
        assert ttl == {"AttributeName": ttl_attributes[0], "Enabled": True}
    else:
        assert ttl is None
