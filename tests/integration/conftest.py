"""Adapters against moto: the `aws` account with its tables, and the models pointed at them."""

from __future__ import annotations

import pytest

from chalicelib.settings import Settings
from tests.conftest import point_models_at


@pytest.fixture
def tables(aws: dict[str, str]) -> dict[str, str]:
    """moto with ontime's tables and queues, and every PynamoDB model pointed at them."""
    point_models_at(Settings.from_env({"ONTIME_STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1"}))
    return aws
