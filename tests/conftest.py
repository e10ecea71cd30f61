"""Shared fixtures: an in-process moto account with ontime's tables and queue, a fake clock,
recording push/alarm doubles, the sandbox payment provider, and a Chalice test client wired to them."""

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
from botocore import handlers
from chalice.test import Client
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.models import DEFAULT_ACCOUNT_ID

from chalicelib import bootstrap
from chalicelib.contribution import models_of
from chalicelib.core.clock import FakeClock
from chalicelib.core.observability import RecordingMetrics
from chalicelib.persistence.tables import configure_tables
from chalicelib.settings import Settings
from devstack.provision import bucket_environment, provision, queue_environment
from devstack.sandbox.provider import SandboxProvider
from devstack.tokens import DevTokenIssuer
from tests import figures, iam, pushes
from tests.e2e.client import StackUrls
from tests.fakes import RecordingAlarmQueue, RecordingPushSender
from tests.fakes.platform import Services

# Before any botocore session exists (boto3's, each PynamoDB model's): sessions copy these.
handlers.BUILTIN_HANDLERS.append(("before-parameter-build", iam.record))

WEBHOOK_SECRET = "a-webhook-secret-only-the-tests-know"
"""What the sandbox signs the tests' payment callbacks with (and the platform verifies)."""
SANDBOX_URL = "http://127.0.0.1:8000"
PAGE_TOKEN_SECRET = "a-page-token-secret-only-the-tests-know"
"""What the tests' lists sign their next_tokens with."""
ISSUER_SECRET = "a-test-issuers-secret-of-32-bytes!"
"""What the tests' development token issuer signs with (to forge tokens it would never issue)."""


@dataclass
class World(Services):
    """Everything a functional test can look at or move: the clock, what was pushed, queued, measured."""

    container: bootstrap.Container
    clock: FakeClock
    push: RecordingPushSender
    alarms: RecordingAlarmQueue
    metrics: RecordingMetrics
    queue_urls: dict[str, str]
    issuer: DevTokenIssuer
    sandbox: SandboxProvider

    def token(self, role: str, sub: str, **claims: Any) -> str:
        return self.issuer.issue({"role": role, "sub": sub, **claims})

    @property
    def settings(self) -> Settings:
        return self.container.settings

    def put_object(self, key: str, body: bytes, content_type: str) -> None:
        """What a phone's presigned POST leaves in the video bucket (moto's S3)."""
        bucket = self.settings.env.get("ONTIME_VIDEO_BUCKET", "ontime-videos")
        aws_client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)



_CLIENTS: dict[str, Any] = {}
MODELS = models_of(bootstrap.contributions())


def aws_client(service: str) -> Any:
    """boto3 clients made once per process: moto intercepts them in every `mock_aws` block, and
    building a client (parsing its service model) costs more than most tests."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service, region_name="us-east-1")
    return _CLIENTS[service]


def point_models_at(settings: Settings) -> None:
    """`configure_tables`: every model on this stage's tables, through the one DynamoDB client of the
    process's botocore session (built once for the whole run: moto intercepts it in every test)."""
    configure_tables(settings)


class SharedAccount:
    """One moto account with ontime's tables, queues and bucket for the whole run, emptied before
    each test that asks for it (`aws`), instead of a fresh `mock_aws()` provisioned per test.

    Creating the 16 tables, the queues and the bucket costs ≈ 50 ms a test; emptying them through
    moto's backends (items, messages — delayed ones too —, objects) costs ≈ 0.05 ms, where the
    same through the API (scan + batch deletes, list + delete objects) costs ≈ 80 ms and SQS's
    PurgeQueue may run once a minute only. The account is provisioned again, from nothing, when
    it is not exactly as provisioned: a test that brings its own `mock_aws()` resets every
    backend, one that created a table, queue or bucket or used another service would leak it.
    Between a test that asks for `aws` and one that does not, the mock is stopped (its data kept),
    so that other test runs without moto, or in a fresh account of its own, as before."""

    def __init__(self) -> None:
        self._mock: Any = None
        self._queue_urls: dict[str, str] = {}
        self._provisioned: tuple[object, ...] = ()
        self.provisions = 0

    def enter(self) -> dict[str, str]:
        if self._mock is None:
            self._mock = mock_aws()
            self._mock.start(reset=False)
        if self._inventory() != self._provisioned:
            BackendDict.reset()  # what a fresh mock_aws() starts from
            self._queue_urls = provision(aws_client("dynamodb"), aws_client("sqs"), s3=aws_client("s3"))
            self._provisioned = self._inventory()
            self.provisions += 1
        self._empty()
        return dict(self._queue_urls)

    def leave(self) -> None:
        if self._mock is not None:
            self._mock.stop(remove_data=False)
            self._mock = None

    @staticmethod
    def _backends() -> tuple[Any, Any, Any]:
        from moto.dynamodb.models import dynamodb_backends
        from moto.s3.models import s3_backends
        from moto.sqs.models import sqs_backends

        return (dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"], sqs_backends[DEFAULT_ACCOUNT_ID]["us-east-1"],
                s3_backends[DEFAULT_ACCOUNT_ID]["aws"])

    def _inventory(self) -> tuple[object, ...]:
        """The services in use, and each table, queue and bucket by name and the moment it was
        created (not by identity: moto restores its tables from a copy after a failed transaction)."""
        services = sorted(str(b.service_name) for b in BackendDict._instances)  # type: ignore[misc]
        dynamodb, sqs, s3 = self._backends()
        return (tuple(services),
                tuple((name, table.created_at) for name, table in sorted(dynamodb.tables.items())),
                tuple((name, queue.created_timestamp) for name, queue in sorted(sqs.queues.items())),
                tuple((name, bucket.creation_date) for name, bucket in sorted(s3.buckets.items())))

    def _empty(self) -> None:
        dynamodb, sqs, s3 = self._backends()
        for table in dynamodb.tables.values():
            table.items.clear()
        for queue in sqs.queues.values():
            with queue._messages_lock:
                queue._messages = []
                queue._pending_messages = set()
                queue.deleted_messages = set()
        for bucket in s3.buckets.values():
            bucket.keys.clear()
            bucket.multiparts.clear()


SHARED_ACCOUNT = SharedAccount()


@pytest.fixture
def aws() -> dict[str, str]:
    """moto with ontime's tables, queues and bucket, all empty: the queues' URLs by name."""
    return SHARED_ACCOUNT.enter()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if "aws" not in getattr(item, "fixturenames", ()):
        SHARED_ACCOUNT.leave()


def settings_for_tests(queue_urls: dict[str, str], **env: str) -> Settings:
    """The local stage as the tests run it: on moto, every response checked against its model."""
    return Settings.from_env({
        "ONTIME_STAGE": "local", "ONTIME_ALARM_QUEUE_URL": queue_urls["ontime-alarms"],
        "AWS_DEFAULT_REGION": "us-east-1", "ONTIME_PAYMENT_WEBHOOK_SECRETS": WEBHOOK_SECRET,
        "ONTIME_PAGE_TOKEN_SECRETS": PAGE_TOKEN_SECRET, "ONTIME_VALIDATE_RESPONSES": "1", **bucket_environment(),
        **queue_environment(queue_urls),
        **env})


def make_world(queue_urls: dict[str, str], **env: str) -> World:
    """The app's container on moto with fakes for time, pushes and alarm triggers, the local
    stack's token issuer (whichever stage: an AWS stage's JWKS verifier is replaced by it) and the
    sandbox payment provider."""
    settings = settings_for_tests(queue_urls, **env)
    clock, push, alarms, metrics = (FakeClock(), RecordingPushSender(pushes.inspect), RecordingAlarmQueue(),
                                     RecordingMetrics())
    issuer = DevTokenIssuer(ISSUER_SECRET)
    sandbox = SandboxProvider(WEBHOOK_SECRET.encode(), SANDBOX_URL, f"{SANDBOX_URL}/payments/callback", clock)
    container = bootstrap.build(settings, clock=clock, metrics=metrics, push_sender=push, alarm_queue=alarms,
                                verifier=issuer, payments=sandbox if settings.is_local else None)
    container.services[DevTokenIssuer] = issuer
    point_models_at(settings)
    return World(container, clock, push, alarms, metrics, queue_urls, issuer, sandbox)


@pytest.fixture
def world(aws: dict[str, str]) -> Iterator[World]:
    built = make_world(aws)
    bootstrap.install(built.container)
    yield built
    bootstrap.install(None)


@pytest.fixture
def dev_stage_world(aws: dict[str, str]) -> Iterator[World]:
    """Like `world`, but the `dev` stage: the spec's window bounds, no payment provider."""
    built = make_world(aws, ONTIME_STAGE="dev", ONTIME_JWT_ISSUER="https://issuer.example/pool")
    bootstrap.install(built.container)
    yield built
    bootstrap.install(None)


@pytest.fixture
def client(world: World) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield watched(test_client)


def watched(client: Client) -> Client:
    """The client, its calls attributed to the Lambda function they run in (see `tests/iam.py`)."""
    http, lambdas = client.http, client.lambda_
    request, invoke = http.request, lambdas.invoke

    def request_in_the_rest_function(*args: Any, **kwargs: Any) -> Any:
        with iam.running("api_handler"):
            return request(*args, **kwargs)

    def invoke_in_its_function(name: str, payload: Any = None) -> Any:
        with iam.running(name):
            return invoke(name, payload)

    http.request = request_in_the_rest_function  # type: ignore[method-assign]
    lambdas.invoke = invoke_in_its_function  # type: ignore[method-assign,assignment]
    return client


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The figures the generated suites noted (`tests/figures.py`), whatever the verbosity."""
    if figures.NOTED:
        terminalreporter.write_line("")
        for line in figures.NOTED:
            terminalreporter.write_line(f"figures: {line}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A call some function made that its generated policy does not allow fails the run, and so does a
    message pushed to a terminal that is not what its package declares."""
    SHARED_ACCOUNT.leave()
    denied = iam.violations()
    if denied:
        lines = "\n".join(f"  {c.function}: {c.action} on {c.resource}" for c in denied)
        print(f"\n\nIAM: calls the functions' generated policies do not allow (declare them in the package's "
              f"wiring, then ./dev infra):\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    drifted = pushes.violations()
    if drifted:
        lines = "\n".join(f"  {problem}" for problem in drifted)
        print(f"\n\nPushes: messages that are not what their package declares (Contribution.messages, the "
              f"source of docs/asyncapi.json):\n{lines}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackUrls]:
    """The running local stack, one per session, for the tiers that drive it (e2e, browser)."""
    from tests.e2e.conftest import start_stack, stop_stack

    log_path = tmp_path_factory.mktemp("stack") / "stack.log"
    process, urls = start_stack(log_path)
    try:
        yield urls
    finally:
        stop_stack(process, log_path)
