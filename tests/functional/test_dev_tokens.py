"""`POST /dev/tokens`: the local stack's issuer hands out tokens the app accepts; the deployed app
has no such route (and, `devstack` not being packaged, no such issuer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib import bootstrap
from devstack import tokens
from tests.conftest import World
from tests.functional.api import Api


@pytest.fixture
def local_stack_app(world: World) -> Iterator[Api]:
    """An app with the routes the local stack adds to `app.py`'s (a blueprint binds per app)."""
    app = Chalice(app_name="ontime-local")
    app.register_blueprint(tokens.routes.bound_to(bootstrap.container))
    with Client(app) as client:
        yield Api(client, None)


def test_the_local_stage_issues_tokens_that_the_app_accepts(world: World, local_stack_app: Api) -> None:
    issued = local_stack_app.post("/dev/tokens", {"role": "merchant", "sub": "staff-1", "merchant_id": "m1"})
    assert issued.status == 201
    assert issued.body["claims"] == {"role": "merchant", "sub": "staff-1", "merchant_id": "m1"}
    principal = world.container.verifier.verify(issued.body["token"])
    assert (principal.sub, principal.merchant_id) == ("staff-1", "m1")


def test_a_bad_token_request_lists_every_field(local_stack_app: Api) -> None:
    refused = local_stack_app.post("/dev/tokens", {"role": "admin", "sub": "has spaces", "extra": 1})
    assert refused.status == 400 and refused.is_problem
    assert refused.error_fields == ["extra", "role", "sub"]


def test_the_deployed_app_has_no_token_route() -> None:
    from app import app

    assert "/dev/tokens" not in app.routes
