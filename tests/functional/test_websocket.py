"""The WebSocket handlers as API Gateway invokes them (`connect`, `message`, `disconnect`), with
events from `tests/events/`: a terminal registers under its party with a valid token only, gets
an answer to every message it sends, and is forgotten when it leaves."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from chalice.test import Client

from chalicelib.auth.principal import Principal
from chalicelib.push import party
from devstack.tokens import LOCAL_ISSUER
from tests.builders import cny
from tests.conftest import ISSUER_SECRET, World
from tests.events import ws_connect, ws_disconnect, ws_message
from tests.functional.api import Api


def connect(client: Client, connection_id: str, token: str | None) -> int:
    status: int = client.lambda_.invoke("connect", ws_connect(connection_id, token)).payload["statusCode"]
    return status


def send(client: Client, connection_id: str, body: str | None) -> int:
    status: int = client.lambda_.invoke("message", ws_message(connection_id, body)).payload["statusCode"]
    return status


def registered(world: World, connection_id: str) -> party.Party | None:
    return world.container.connections.party_of(connection_id)


@pytest.mark.parametrize(("claims", "expected"), [
    ({"role": "merchant", "sub": "staff-1", "merchant_id": "m1"}, party.merchant("m1")),
    ({"role": "customer", "sub": "u1"}, party.customer("u1")),
    ({"role": "ops", "sub": "ops-1"}, party.OPS),
])
def test_a_terminal_with_a_valid_token_is_registered_under_its_party(
        world: World, client: Client, claims: dict[str, str], expected: party.Party) -> None:
    assert connect(client, "conn-1", world.token(**claims)) == 200
    assert registered(world, "conn-1") == expected
    assert world.container.connections.connections_of(expected) == ["conn-1"]


def test_every_console_of_a_merchant_is_found_for_a_push(world: World, client: Client) -> None:
    for n, staff in enumerate(("staff-1", "staff-2", "staff-1")):
        connect(client, f"conn-{n}", world.token("merchant", staff, merchant_id="m1"))
    connect(client, "conn-x", world.token("merchant", "staff-9", merchant_id="m2"))
    assert sorted(world.container.connections.connections_of(party.merchant("m1"))) == ["conn-0", "conn-1", "conn-2"]


@pytest.mark.parametrize("token", [None, "", "garbage", "a.b.c"])
def test_a_terminal_without_a_valid_token_is_refused_and_not_registered(
        world: World, client: Client, token: str | None) -> None:
    assert connect(client, "conn-1", token) == 401
    assert registered(world, "conn-1") is None


def test_an_expired_token_is_refused(world: World, client: Client) -> None:
    assert world.issuer is not None
    expired = world.issuer.issue({"role": "customer", "sub": "u1"}, ttl_s=-3600)
    assert connect(client, "conn-1", expired) == 401 and registered(world, "conn-1") is None


def test_a_token_without_an_expiry_is_refused(world: World, client: Client) -> None:
    never_expires = jwt.encode({"role": "customer", "sub": "u1", "iss": LOCAL_ISSUER, "iat": int(time.time())},
                               ISSUER_SECRET, algorithm="HS256")
    assert connect(client, "conn-1", never_expires) == 401 and registered(world, "conn-1") is None


def test_a_verifier_that_fails_refuses_the_terminal_rather_than_erroring(world: World, client: Client) -> None:
    class Unreachable:
        def verify(self, token: str) -> Principal:
            raise ConnectionError("the issuer's keys are unreachable")

    world.container.verifier = Unreachable()
    assert connect(client, "conn-1", world.token("customer", "u1")) == 401 and registered(world, "conn-1") is None


def test_a_ping_gets_a_pong(world: World, client: Client) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    assert send(client, "conn-1", '{"action": "ping"}') == 200
    (pong,) = world.push.to("conn-1")
    assert pong["type"] == "pong" and pong["server_time"] == "2026-11-18T11:06:40.000Z" and pong["id"]


@pytest.mark.parametrize(("body", "problem"), [
    ("not json", "malformed-message"),
    ("[1, 2]", "malformed-message"),
    ('{"no": "action"}', "malformed-message"),
    ('{"action": 7}', "malformed-message"),
    ("x" * 40_000, "malformed-message"),
    (None, "malformed-message"),
    ('{"action": "order.teleport"}', "unknown-action"),
    ("[" * 1_000 + "]" * 1_000, "malformed-message"),  # RecursionError in json.loads: API Gateway's bare 500
    ('{"action":' * 2_000 + '"ping"' + "}" * 2_000, "malformed-message"),
    ('{"action": "\\ud800"}', "malformed-message"),  # a lone surrogate: could not even be echoed back
    ('{"action": "ping", "note": "\\udc00"}', "malformed-message"),
    ('{"action": "\ud800"}', "malformed-message"),  # the surrogate itself in the frame's text
    ('{"action": "ping", "n": NaN}', "malformed-message"),
])
def test_a_bad_message_gets_an_error_back_and_the_connection_is_kept(
        world: World, client: Client, body: str | None, problem: str) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    assert send(client, "conn-1", body) == 200
    (error,) = world.push.to("conn-1")
    assert error["type"] == "error" and error["data"]["problem"] == problem and error["data"]["detail"]
    assert registered(world, "conn-1") == party.customer("u1")


@pytest.mark.parametrize("action", ["茶 \u202e😀", "\x00", "a" * 200])
def test_an_unknown_action_is_echoed_back_whatever_text_it_holds(world: World, client: Client, action: str) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    assert send(client, "conn-1", json.dumps({"action": action})) == 200
    (error,) = world.push.to("conn-1")
    assert error["data"]["problem"] == "unknown-action" and error["data"]["action"] == action


def test_after_frames_it_cannot_read_a_terminal_still_gets_answers(world: World, client: Client) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    for frame in ("[" * 1_000 + "]" * 1_000, '{"action": "\\ud800"}', '{"action": "ping"}'):
        assert send(client, "conn-1", frame) == 200
    assert [m["type"] for m in world.push.to("conn-1")] == ["error", "error", "pong"]
    assert registered(world, "conn-1") == party.customer("u1")


def test_a_reply_to_a_terminal_that_is_gone_forgets_it(world: World, client: Client) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    world.push.gone.add("conn-1")
    send(client, "conn-1", '{"action": "ping"}')
    assert registered(world, "conn-1") is None


def test_disconnecting_forgets_that_terminal_only(world: World, client: Client) -> None:
    connect(client, "conn-1", world.token("customer", "u1"))
    connect(client, "conn-2", world.token("customer", "u1"))
    assert client.lambda_.invoke("disconnect", ws_disconnect("conn-1")).payload["statusCode"] == 200
    client.lambda_.invoke("disconnect", ws_disconnect("conn-1"))  # API Gateway may say it twice
    assert registered(world, "conn-1") is None
    assert world.container.connections.connections_of(party.customer("u1")) == ["conn-2"]


def test_a_terminal_that_went_away_is_forgotten_when_a_push_finds_it_gone(world: World, client: Client) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    ops.post("/merchants", {"merchant_id": "m1", "name": "N", "time_zone": "UTC"})
    ops.post("/merchants/m1/products", {"product_id": "p1", "name": "Tea", "price": cny(500), "stock": 5})
    connect(client, "console-old", world.token("merchant", "staff-1", merchant_id="m1"))
    world.clock.advance(60)  # well past the grace given to a terminal API Gateway is still accepting
    connect(client, "console-new", world.token("merchant", "staff-1", merchant_id="m1"))
    world.push.gone.add("console-old")
    Api(client, world.token("customer", "u1")).post("/orders", {
        "merchant_id": "m1", "items": [{"product_id": "p1", "quantity": 1}],
        "delivery_address": {"line1": "1 Road", "city": "Shanghai"}})
    assert world.container.connections.connections_of(party.merchant("m1")) == ["console-new"]
    assert len(world.push.to("console-new", "order.created")) == 1
