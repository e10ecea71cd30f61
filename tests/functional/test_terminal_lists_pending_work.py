"""A merchant terminal that (re)connects asks over its socket for the orders it still has to answer."""

from __future__ import annotations

import json
from typing import Any

from chalice.test import Client

from chalicelib.push.envelope import MAX_MESSAGE_BYTES
from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Api

BUSY_ORDERS = 150
"""At about 1.5 KB each, more than one push of at most 128 KB carries."""


def _ws_event(connection_id: str, body: str | None = None, token: str | None = None) -> dict[str, Any]:
    return {
        "requestContext": {"apiId": "local", "stage": "local", "connectionId": connection_id,
                           "domainName": "127.0.0.1:8001", "routeKey": "$default", "eventType": "MESSAGE"},
        "queryStringParameters": {"token": token} if token else None,
        "body": body,
        "isBase64Encoded": False,
    }


def _merchant_with_menu(world: World, client: Client, merchant_id: str) -> None:
    ops = Api(client, world.token("ops", "ops-1"))
    assert ops.post("/merchants", {"merchant_id": merchant_id, "name": merchant_id, "time_zone": "UTC",
                                   "answer_window_s": 60}).status == 201
    assert ops.post(f"/merchants/{merchant_id}/products",
                    {"product_id": "p1", "name": "Tea", "price": cny(900), "stock": 50}).status == 201


def _place(world: World, client: Client, merchant_id: str) -> str:
    customer = Api(client, world.token("customer", "u1"))
    reply = customer.post("/orders", {"merchant_id": merchant_id, "items": [{"product_id": "p1", "quantity": 1}],
                                      "delivery_address": {"line1": "1 Road", "city": "Shanghai"}})
    assert reply.status == 201, reply.body
    return str(reply.body["order_id"])


def test_reconnected_merchant_terminal_lists_only_its_open_orders(world: World, client: Client) -> None:
    # GIVEN two merchants with orders placed while no terminal was connected
    _merchant_with_menu(world, client, "m1")
    _merchant_with_menu(world, client, "m2")
    mine = [_place(world, client, "m1"), _place(world, client, "m1")]
    _place(world, client, "m2")
    # WHEN a terminal of m1 connects and asks for its pending work
    token = world.token("merchant", "staff-1", merchant_id="m1")
    connected = client.lambda_.invoke("connect", _ws_event("conn-1", token=token))
    assert connected.payload["statusCode"] == 200
    client.lambda_.invoke("message", _ws_event("conn-1", json.dumps({"action": "list_pending"})))
    # THEN it receives exactly m1's open orders, with their deadlines and the server's time
    [reply] = world.push.to("conn-1", "orders.listed")
    assert sorted(item["order_id"] for item in reply["data"]["items"]) == sorted(mine)
    assert all("answer_deadline" in item for item in reply["data"]["items"]) and reply["server_time"]


def test_orders_whose_window_closed_are_not_listed_as_pending(world: World, client: Client) -> None:
    _merchant_with_menu(world, client, "m1")
    _place(world, client, "m1")
    token = world.token("merchant", "staff-1", merchant_id="m1")
    client.lambda_.invoke("connect", _ws_event("conn-1", token=token))
    world.clock.advance(61)
    client.lambda_.invoke("message", _ws_event("conn-1", json.dumps({"action": "list_pending"})))
    [reply] = world.push.to("conn-1", "orders.listed")
    assert reply["data"]["items"] == []


def test_a_role_with_no_pending_work_in_any_workflow_is_told_so(world: World, client: Client) -> None:
    # GIVEN a carrier, whose terminals no workflow lists work for, and an order waiting for its merchant
    _merchant_with_menu(world, client, "m1")
    _place(world, client, "m1")
    client.lambda_.invoke("connect", _ws_event("conn-9", token=world.token("carrier", "carrier-1")))
    # WHEN the carrier's terminal asks for its pending work
    client.lambda_.invoke("message", _ws_event("conn-9", json.dumps({"action": "list_pending"})))
    # THEN it gets the one generic answer with nothing in it, and no workflow's list
    [reply] = world.push.to("conn-9")
    assert (reply["type"], reply["data"]) == ("pending.listed", {"items": [], "part": 1, "parts": 1,
                                                                 "more": False})


def test_a_console_with_hundreds_of_pending_orders_gets_them_all_in_parts_each_under_the_push_limit(
        world: World, client: Client) -> None:
    # GIVEN a merchant with more pending orders (long notes, many lines) than one push can carry
    _merchant_with_menu(world, client, "m1")
    ops = Api(client, world.token("ops", "ops-1"))
    for n in range(2, 6):
        assert ops.post("/merchants/m1/products", {"product_id": f"p{n}", "name": f"Dish number {n}", "price": cny(900),
                                                   "stock": 50}).status == 201
    customer = Api(client, world.token("customer", "u1"))
    placed = set()
    for n in range(BUSY_ORDERS):
        reply = customer.post("/orders", {
            "merchant_id": "m1", "items": [{"product_id": f"p{k}", "quantity": 1} for k in range(1, 6)],
            "delivery_address": {"line1": f"{n} Road", "city": "Shanghai"}, "note": f"{n:03d} " + "x" * 495})
        assert reply.status == 201, reply.body
        placed.add(reply.body["order_id"])
    # WHEN its console asks for its pending work
    client.lambda_.invoke("connect", _ws_event("conn-1", token=world.token("merchant", "staff-1", merchant_id="m1")))
    client.lambda_.invoke("message", _ws_event("conn-1", json.dumps({"action": "list_pending"})))
    # THEN the list comes in several `orders.listed` parts, each under API Gateway's limit, together all
    sent = world.push.payloads_to("conn-1")
    assert len(sent) > 1 and all(len(payload) <= MAX_MESSAGE_BYTES for payload in sent)
    replies = [json.loads(payload) for payload in sent]
    calls = replies.pop()  # each workflow's list in registry order: the calls come last, none here
    assert (calls["type"], calls["data"]["items"]) == ("calls.listed", [])
    assert {r["type"] for r in replies} == {"orders.listed"}
    parts = len(replies)
    assert [(r["data"]["part"], r["data"]["parts"]) for r in replies] == [(n, parts) for n in range(1, parts + 1)]
    listed = [item["order_id"] for r in replies for item in r["data"]["items"]]
    assert len(listed) == len(set(listed)) and set(listed) == placed
    assert all(r["data"]["more"] is False for r in replies)
