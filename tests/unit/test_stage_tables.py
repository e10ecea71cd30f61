"""Each model takes its table from the stage `configure_tables` names, at the model's first call:
a container's first request configures (and imports) the tables it uses only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.orders.tables import OrderModel
from chalicelib.persistence import tables
from chalicelib.persistence.tables import configure_tables, shared_connection
from chalicelib.settings import Settings


def stage(name: str) -> Settings:
    return Settings.from_env({"ONTIME_STAGE": name, "AWS_DEFAULT_REGION": "us-east-1"})


@pytest.fixture(autouse=True)
def stage_of_the_run() -> Iterator[None]:
    before = tables._stage
    yield
    if before is not None:
        configure_tables(before)


def test_a_model_first_called_after_the_stage_is_named_uses_that_stages_table_and_the_shared_client() -> None:
    configure_tables(stage("dev"))
    table = OrderModel._get_connection()
    assert table.table_name == stage("dev").table_name("orders")
    assert table.connection is shared_connection("us-east-1")


def test_naming_another_stage_points_models_already_called_at_its_tables() -> None:
    configure_tables(stage("dev"))
    OrderModel._get_connection()
    configure_tables(stage("prod"))
    assert OrderModel._get_connection().table_name == stage("prod").table_name("orders")
