"""A container's AWS clients all come from one botocore session: every PynamoDB model's calls go
through one DynamoDB client, and the SQS, `@connections` and S3 clients share its session (each
session parses the endpoint data and service models again: ≈ 50 ms of CPU at its first client).
Each client is built at its first use, once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest

from chalicelib import aws as shared_aws
from chalicelib import bootstrap
from chalicelib.auth.principal import Principal, Role
from chalicelib.catalogue.schemas import MerchantIn, ProductIn
from chalicelib.catalogue.service import CatalogueService
from chalicelib.contribution import models_of
from chalicelib.dispatch.photo_store import s3_photo_store
from chalicelib.http.fields import AddressIn, MoneyIn
from chalicelib.orders.schemas import ItemIn, PlaceOrderIn
from chalicelib.orders.service import OrderService
from chalicelib.push import party
from tests.conftest import settings_for_tests

MANAGEMENT_ENDPOINT = "https://example.execute-api.us-east-1.amazonaws.com/api"
"""An `@connections` endpoint moto answers."""
OPS = Principal(sub="ops-1", role=Role.OPS)
CUSTOMER = Principal(sub="u_1", role=Role.CUSTOMER)


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


def test_a_containers_models_and_clients_share_one_botocore_session_each_client_made_once(
        aws: dict[str, str], clients_made: list[tuple[botocore.session.Session, str]]) -> None:
    settings = settings_for_tests(aws, ONTIME_STAGE="dev", ONTIME_WS_MANAGEMENT_ENDPOINT=MANAGEMENT_ENDPOINT)
    container = bootstrap.build(settings, verifier=NoTokens())  # the real alarm queue, @connections sender, stores
    assert clients_made == []  # nothing built before it is used

    catalogue = container.services_of(CatalogueService)
    catalogue.create_merchant(OPS, MerchantIn(merchant_id="m_1", name="Noodles", time_zone="Asia/Shanghai"))
    catalogue.add_product(OPS, "m_1", ProductIn(product_id="p_1", name="Soup", price=MoneyIn(amount=2800,
                                                                                             currency="CNY"), stock=5))
    container.connections.register("conn_1", party.merchant("m_1"), "staff-1", container.clock.now_ms())
    for _ in range(2):  # an SQS trigger and a push to the merchant's terminal each time
        container.services_of(OrderService).place(CUSTOMER, PlaceOrderIn(
            merchant_id="m_1", items=[ItemIn(product_id="p_1", quantity=1)],
            delivery_address=AddressIn(line1="1 Road", city="Shanghai")))
    models = models_of(bootstrap.contributions())
    for model in models:
        model.describe_table()  # a call through every model's own table connection
    photos = s3_photo_store(settings.env["ONTIME_PHOTO_BUCKET"], settings.region, None)
    photos.presign_upload("installations/i_1/p_1.jpg", "image/jpeg", 1024, 60)

    assert {id(session) for session, _ in clients_made} == {id(shared_aws.session())}
    assert sorted(service for _, service in clients_made) == ["apigatewaymanagementapi", "dynamodb", "s3", "sqs"]
    assert len(models) == 30  # … one DynamoDB client for all of them
