"""A container's AWS clients all come from one botocore session: every PynamoDB model's calls go
through one DynamoDB client, and the SQS, `@connections` and S3 clients share its session (each
session parses the endpoint data and service models again: ≈ 50 ms of CPU at its first client)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from chalicelib import aws as shared_aws
from chalicelib import bootstrap
from chalicelib.auth.principal import Principal
from chalicelib.contribution import models_of
from chalicelib.dispatch.photo_store import s3_photo_store
from tests.conftest import settings_for_tests

MANAGEMENT_ENDPOINT = "https://example.execute-api.us-east-1.amazonaws.com/api"


class NoTokens:
    def verify(self, token: str) -> Principal:
        raise AssertionError("no request is made")


@pytest.fixture
def clients_made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[botocore.session.Session, str]]]:
    """Every botocore client created from now on, with the session it was created from."""
    made: list[tuple[botocore.session.Session, str]] = []
    create = botocore.session.Session.create_client

    def recorded(self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        made.append((self, service_name))
        return create(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", recorded)
    shared_aws.forget()  # a fresh session: this test sees every client made from it
    yield made
    shared_aws.forget()


def test_every_model_and_client_of_a_container_shares_one_botocore_session(
        aws: dict[str, str], clients_made: list[tuple[botocore.session.Session, str]]) -> None:
    settings = settings_for_tests(aws, ONTIME_STAGE="dev", ONTIME_WS_MANAGEMENT_ENDPOINT=MANAGEMENT_ENDPOINT)
    bootstrap.build(settings, verifier=NoTokens())  # the real alarm queue, @connections sender and stores
    models = models_of(bootstrap.contributions())
    for model in models:
        model.describe_table()  # one call through each model's own connection
    photos = s3_photo_store(settings.env["ONTIME_PHOTO_BUCKET"], settings.region, None)
    photos.presign_upload("installations/i_1/p_1.jpg", "image/jpeg", 1024, 60)

    assert {id(session) for session, _ in clients_made} == {id(shared_aws.session())}
    assert sorted(service for _, service in clients_made) == ["apigatewaymanagementapi", "dynamodb", "s3", "sqs"]
    assert len(models) == 16  # … one DynamoDB client for all of them
