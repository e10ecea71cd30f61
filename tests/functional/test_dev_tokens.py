"""`POST /dev/tokens`: only the local stack registers the route, and its view refuses outside the
local stage. (The view is called directly: a Chalice blueprint can be registered into one app
per process only, and the local stack's app is the one that owns it.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.app import Request

from chalicelib.blueprints import dev
from chalicelib.core.errors import MalformedRequest, NotFound
from chalicelib.http.routing import Call
from tests.conftest import World


def posted(world: World, body: Any) -> Call:
    request = Request({
        "multiValueQueryStringParameters": None, "headers": {"content-type": "application/json"},
        "pathParameters": None, "body": json.dumps(body), "stageVariables": None,
        "requestContext": {"httpMethod": "POST", "resourcePath": "/dev/tokens"},
    })
    return Call(request, None, world.container)


def test_the_local_stage_issues_tokens_that_the_app_accepts(world: World) -> None:
    issued = dev.issue_token(posted(world, {"role": "merchant", "sub": "staff-1", "merchant_id": "m1"}))
    assert issued["claims"] == {"role": "merchant", "sub": "staff-1", "merchant_id": "m1"}
    principal = world.container.verifier.verify(issued["token"])
    assert (principal.sub, principal.merchant_id) == ("staff-1", "m1")


def test_a_bad_token_request_lists_every_field(world: World) -> None:
    with pytest.raises(MalformedRequest) as refused:
        dev.issue_token(posted(world, {"role": "admin", "sub": "has spaces", "extra": 1}))
    assert sorted(e.field for e in refused.value.errors) == ["extra", "role", "sub"]


def test_outside_the_local_stage_there_is_no_such_route(dev_stage_world: World) -> None:
    assert dev_stage_world.container.dev_issuer is None
    with pytest.raises(NotFound):
        dev.issue_token(posted(dev_stage_world, {"role": "ops", "sub": "me"}))


def test_the_deployed_app_has_no_token_route() -> None:
    from app import app

    assert "/dev/tokens" not in app.routes
