"""Every route but `/health` needs a valid bearer token; a refusal is a 401 problem that says how
to authenticate."""

from __future__ import annotations

import time

import jwt
import pytest
from chalice.test import Client

from chalicelib.auth.tokens import MAX_LIFETIME_S
from devstack.tokens import LOCAL_ISSUER, DevTokenIssuer
from tests.conftest import ISSUER_SECRET, World
from tests.functional.api import Api

ROUTES = [
    ("POST", "/merchants"), ("GET", "/merchants/m1"), ("PATCH", "/merchants/m1"),
    ("POST", "/merchants/m1/products"), ("GET", "/merchants/m1/products"), ("PATCH", "/merchants/m1/products/p1"),
    ("POST", "/orders"), ("GET", "/orders"), ("GET", "/orders/ord_1"), ("POST", "/orders/ord_1/cancel"),
    ("POST", "/orders/ord_1/resubmit"), ("GET", "/merchant/orders"), ("GET", "/merchant/orders/ord_1"),
    ("POST", "/merchant/orders/ord_1/actions"),
]


def signed_by_the_issuer(**claims: object) -> str:
    """A token with the local issuer's own signature but claims it would never issue."""
    return jwt.encode({"role": "ops", "sub": "ops-1", "iss": LOCAL_ISSUER, **claims}, ISSUER_SECRET, algorithm="HS256")


def bad_tokens(world: World) -> dict[str, str | None]:
    claims = {"role": "ops", "sub": "ops-1"}
    now = int(time.time())
    return {
        "no expiry": signed_by_the_issuer(iat=now),
        "no issue time": signed_by_the_issuer(exp=now + 600),
        "a month long": signed_by_the_issuer(iat=now, exp=now + MAX_LIFETIME_S * 30),
        "none": None,
        "garbage": "not-a-jwt",
        "expired": world.issuer.issue(claims, ttl_s=-3600),
        "wrong signature": DevTokenIssuer("somebody-elses-secret-32-bytes-long", "ontime-local").issue(claims),
        "no role": world.issuer.issue({"sub": "x"}),
        "merchant without merchant": world.issuer.issue({"role": "merchant", "sub": "x"}),
    }


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_a_missing_or_bad_token_with_a_401_problem(
        world: World, client: Client, method: str, path: str) -> None:
    for name, token in bad_tokens(world).items():
        reply = Api(client, token).call(method, path, {"name": "x"})
        assert reply.status == 401 and reply.is_problem, (name, reply.body)
        assert reply.body["type"] == "/problems/unauthenticated"
        assert reply.headers.get("WWW-Authenticate") == "Bearer", name


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Token abc", "bearer"])
def test_an_authorization_header_that_is_not_a_bearer_token_is_refused(client: Client, header: str) -> None:
    reply = Api(client, None).get("/orders", headers={"Authorization": header})
    assert reply.status == 401 and reply.is_problem


def test_health_answers_without_a_token(world: World, client: Client) -> None:
    reply = Api(client, None).get("/health")
    assert reply.status == 200 and reply.body["status"] == "ok" and reply.body["stage"] == "local"
    assert reply.body["server_time"] == "2026-11-18T11:06:40.000Z"


def test_health_ignores_a_bad_token(client: Client) -> None:
    assert Api(client, "garbage").get("/health").status == 200


def test_an_unknown_route_is_a_problem_too(world: World, client: Client) -> None:
    reply = Api(client, world.token("ops", "ops-1")).get("/no-such-route")
    assert 400 <= reply.status < 500


def test_a_method_the_route_does_not_have_is_405_with_allow(world: World, client: Client) -> None:
    reply = Api(client, None).call("DELETE", "/health")
    assert reply.status == 405 and reply.is_problem
