"""Adapters against moto: the `aws` account with its tables, and the models pointed at them."""

from __future__ import annotations

import pytest

from chalicelib.adapters.models import configure_models
from chalicelib.settings import Settings


@pytest.fixture
def tables(aws: dict[str, str]) -> dict[str, str]:
    """moto with ontime's tables and queues, and every PynamoDB model pointed at them."""
    configure_models(Settings.from_env({"ONTIME_STAGE": "local", "AWS_DEFAULT_REGION": "us-east-1"}))
    return aws
