"""Shared fixtures: an in-process moto account with ontime's tables and queue, a fake clock,
recording push/alarm doubles, and a Chalice test client wired to them."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.pop("AWS_ENDPOINT_URL", None)

from dataclasses import dataclass
from typing import Any

import boto3
from chalice.test import Client
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.models import ALL_MODELS, configure_models
from chalicelib.auth.tokens import DevTokenIssuer
from chalicelib.core.clock import FakeClock
from chalicelib.core.observability import RecordingMetrics
from chalicelib.local.provision import provision
from chalicelib.settings import Settings
from tests.fakes import RecordingAlarmQueue, RecordingPushSender


@dataclass
class World:
    """Everything a functional test can look at or move: the clock, what was pushed, queued, measured."""

    container: bootstrap.Container
    clock: FakeClock
    push: RecordingPushSender
    alarms: RecordingAlarmQueue
    metrics: RecordingMetrics
    queue_urls: dict[str, str]
    issuer: DevTokenIssuer

    def token(self, role: str, sub: str, **claims: Any) -> str:
        return self.issuer.issue({"role": role, "sub": sub, **claims})


_CLIENTS: dict[str, Any] = {}
_CONNECTIONS: dict[str, Any] = {}


def aws_client(service: str) -> Any:
    """boto3 clients made once per process: moto intercepts them in every `mock_aws` block, and
    building a client (parsing its service model) costs more than most tests."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service, region_name="us-east-1")
    return _CLIENTS[service]


def point_models_at(settings: Settings) -> None:
    """`configure_models`, then hand each PynamoDB model the connection it had in an earlier test.

    PynamoDB gives every model its own botocore session; a fresh one parses the DynamoDB service
    model again (≈ 0.1 s per model and test). The tables keep their names between tests, and moto
    intercepts old clients as well as new ones, so reusing the connections changes nothing else."""
    configure_models(settings)
    for name, model in ALL_MODELS.items():
        cached = _CONNECTIONS.get(name)
        if cached is not None and cached.table_name == model.Meta.table_name:
            model._connection = cached
        else:
            _CONNECTIONS[name] = model._get_connection()


@pytest.fixture
def aws() -> Iterator[dict[str, str]]:
    with mock_aws():
        yield provision(aws_client("dynamodb"), aws_client("sqs"), s3=aws_client("s3"))


def make_world(queue_urls: dict[str, str], **env: str) -> World:
    """The app's container on moto with fakes for time, pushes and alarm triggers. Outside the local
    stage (`ONTIME_STAGE="dev"`) the JWKS verifier is replaced by a test issuer's."""
    settings = Settings.from_env({"ONTIME_STAGE": "local", "ONTIME_ALARM_QUEUE_URL": queue_urls["ontime-alarms"],
                                  "AWS_DEFAULT_REGION": "us-east-1", **env})
    clock, push, alarms, metrics = FakeClock(), RecordingPushSender(), RecordingAlarmQueue(), RecordingMetrics()
    issuer = DevTokenIssuer(settings.dev_signing_secret or "a-test-issuers-secret-of-32-bytes!",
                            settings.jwt_issuer or "ontime-test")
    container = bootstrap.build(settings, clock=clock, metrics=metrics, push_sender=push, alarm_queue=alarms,
                                verifier=None if settings.is_local else issuer)
    point_models_at(settings)
    return World(container, clock, push, alarms, metrics, queue_urls, container.dev_issuer or issuer)


@pytest.fixture
def world(aws: dict[str, str]) -> Iterator[World]:
    built = make_world(aws)
    bootstrap.install(built.container)
    yield built
    bootstrap.install(None)


@pytest.fixture
def dev_stage_world(aws: dict[str, str]) -> Iterator[World]:
    """Like `world`, but the `dev` stage: the spec's window bounds, no development token issuer."""
    built = make_world(aws, ONTIME_STAGE="dev", ONTIME_JWT_ISSUER="https://issuer.example/pool")
    bootstrap.install(built.container)
    yield built
    bootstrap.install(None)


@pytest.fixture
def client(world: World) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client
