"""Scoping and bad input over the wire: problem bodies (RFC 9457) for every 4xx, never a 500, and
a WebSocket that refuses bad tokens but survives bad messages."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.e2e.client import Api, StackUrls, Terminal
from tests.e2e.conftest import Parties, Shop, order_body

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, problem_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("/problems/")
    if problem_type is not None:
        assert body["type"] == problem_type, body
    return body


def test_merchant_acting_on_another_merchants_order_gets_not_found(parties: Parties) -> None:
    mine, theirs = parties.shop(window_s=3), parties.shop(window_s=3)
    customer = parties.customer()
    order_id = parties.place(customer, theirs)["order_id"]

    assert_problem(mine.staff.get(f"/merchant/orders/{order_id}"), 404, "/problems/not-found")
    assert_problem(mine.staff.post(f"/merchant/orders/{order_id}/actions", {"action": "accept"}), 404)
    assert_problem(mine.staff.get(f"/orders/{order_id}"), 404)
    assert_problem(parties.customer().get(f"/orders/{order_id}"), 404)  # nor another customer's
    # And nothing changed: the real merchant still finds it new.
    assert theirs.staff.get(f"/orders/{order_id}").json()["status"] == "new"


def _place(customer: Api, body: bytes, content_type: str = "application/json") -> httpx.Response:
    return customer.post("/orders", content=body, headers={"Content-Type": content_type})


def _bad_requests(shop: Shop) -> list[tuple[str, bytes, int, str, set[str]]]:
    """(what, body, status, problem type, fields the problem must name)."""
    good = order_body(shop)

    def with_(**changes: Any) -> bytes:
        return json.dumps({**good, **changes}).encode()

    return [
        ("bad JSON", b'{"merchant_id": "m1", "items": [', 400, "/problems/malformed-request", {"body"}),
        ("not an object", b"[1, 2, 3]", 400, "/problems/malformed-request", {"body"}),
        ("empty", b"", 400, "/problems/malformed-request", set()),
        ("wrong types", with_(items=[{"product_id": shop.product_id, "quantity": "2"}], note=7), 400,
         "/problems/malformed-request", {"items[0].quantity", "note"}),
        ("missing fields", b"{}", 400, "/problems/malformed-request", {"merchant_id", "items", "delivery_address"}),
        ("200 KB", with_(note="x" * 200_000), 413, "/problems/payload-too-large", set()),
        ("2 MiB", b"{" + b" " * (2 * 1024 * 1024) + b"}", 413, "/problems/payload-too-large", set()),
        ("unknown merchant", with_(merchant_id="m_nobody"), 422, "/problems/validation-failed", set()),
        ("unknown product", with_(items=[{"product_id": "p_nothing", "quantity": 1}]), 422,
         "/problems/validation-failed", set()),
    ]


def test_malformed_order_bodies_get_problem_bodies_and_never_a_server_error(parties: Parties) -> None:
    shop = parties.shop(window_s=3)
    customer = parties.customer()
    for what, body, status, problem_type, fields in _bad_requests(shop):
        problem = assert_problem(_place(customer, body), status, problem_type)
        named = {error["field"] for error in problem.get("errors", [])}
        assert fields <= named, (what, problem)
    assert_problem(_place(customer, json.dumps(order_body(shop)).encode(), "text/plain"), 415)
    # None of it made an order.
    assert customer.get("/orders").json()["items"] == []


def test_unknown_ids_missing_and_bad_tokens_get_problem_bodies(parties: Parties, stack: StackUrls) -> None:
    shop = parties.shop(window_s=3)
    customer = parties.customer()
    assert_problem(customer.get("/orders/ord_00000000000000000000"), 404, "/problems/not-found")
    assert_problem(shop.staff.post("/merchant/orders/ord_nope/actions", {"action": "accept"}), 404)
    assert_problem(shop.staff.post("/merchant/orders/ord_nope/actions", {"action": "eat"}), 400)
    assert_problem(customer.get("/no/such/route"), 404, "/problems/not-found")
    assert_problem(customer.get("/merchant/orders"), 403, "/problems/forbidden")  # a customer is no merchant
    assert_problem(shop.staff.get("/merchant/orders", params={"limit": "many"}), 400)

    nobody = parties.api(None)
    assert_problem(nobody.post("/orders", order_body(shop)), 401, "/problems/unauthenticated")
    forged = parties.api("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwicm9sZSI6Im9wcyJ9.c2lnbmF0dXJl")
    assert_problem(forged.post("/orders", order_body(shop)), 401, "/problems/unauthenticated")
    garbage = parties.api("not-a-jwt")
    assert_problem(garbage.get("/merchant/orders"), 401, "/problems/unauthenticated")
    assert nobody.get("/health").status_code == 200  # the one public route

    for method in ("HEAD", "PUT", "DELETE"):
        reply = customer.http.request(method, "/orders")
        assert 400 <= reply.status_code < 500, (method, reply.status_code)
    # OPTIONS is a method of every path (browsers' preflights): it names the others and does nothing.
    options = customer.http.request("OPTIONS", "/orders")
    assert options.status_code == 204 and options.headers["allow"] == "POST, GET, OPTIONS"


def test_a_list_is_walked_with_its_own_tokens_and_a_forged_or_foreign_one_is_a_400(parties: Parties) -> None:
    shop, customer = parties.shop(window_s=60), parties.customer()
    placed = [parties.place(customer, shop)["order_id"] for _ in range(3)]
    seen: list[str] = []
    token = None
    while True:
        page = customer.get("/orders", params={"limit": "1", **({"next_token": token} if token else {})})
        assert page.status_code == 200, page.text
        seen += [o["order_id"] for o in page.json()["items"]]
        token = page.json()["next_token"]
        if token is None:
            break
    assert seen == placed[::-1]
    first = customer.get("/orders", params={"limit": "1"}).json()["next_token"]
    raw_start_key = "eyJpZCI6eyJTIjoib3JkX3p6eiJ9fQ"  # {"id":{"S":"ord_zzz"}}, what a token used to be
    for who, path, sent in ((parties.customer(), "/orders", first), (customer, "/purchases", first),
                            (customer, "/orders", raw_start_key)):
        body = assert_problem(who.get(path, params={"next_token": sent}), 400, "/problems/malformed-request")
        assert [e["field"] for e in body["errors"]] == ["next_token"]


@pytest.mark.parametrize("token", ["", "not-a-jwt"], ids=["no token", "bad token"])
def test_websocket_without_a_valid_token_is_refused(stack: StackUrls, token: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        Terminal(stack.ws, token)
    assert refused.value.response.status_code == 401


def test_unknown_or_malformed_websocket_messages_get_an_error_and_the_socket_stays_open(parties: Parties) -> None:
    terminal = parties.terminal(parties.customer())

    terminal.send({"action": "teleport"})
    error = terminal.wait_for(lambda m: m["type"] == "error")
    assert error["data"]["problem"] == "unknown-action"
    terminal.send("{not json")
    assert terminal.wait_for(lambda m: m["type"] == "error")["data"]["problem"] == "malformed-message"

    terminal.send({"action": "ping"})
    assert terminal.wait_for(lambda m: m["type"] == "pong")["server_time"].endswith("Z")


def test_frames_nested_too_deep_holding_a_lone_surrogate_or_not_text_get_an_error_envelope_and_the_socket_stays(
        parties: Parties) -> None:
    terminal = parties.terminal(parties.customer())

    for frame in ('{"action": "\\ud800"}', "[" * 1_000 + "]" * 1_000, '{"a":' * 3_000 + "1" + "}" * 3_000,
                  b"\xff\xfe\x00"):
        terminal.send(frame)
        # Not the gateway's `{"message": "Internal server error"}` of a crashed handler: our envelope.
        error = terminal.wait_for(lambda m: "message" in m or m.get("type") == "error")
        assert error["type"] == "error" and error["id"] and error["server_time"].endswith("Z"), error
        assert error["data"]["problem"] == "malformed-message" and error["data"]["detail"]

    terminal.send({"action": "ping"})
    assert terminal.wait_for(lambda m: m.get("type") == "pong")["server_time"].endswith("Z")


UNREADABLE_BODIES = {
    "1,000 nested arrays": b"[" * 1_000 + b"]" * 1_000,
    "objects nested 3,000 deep": b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
    "a lone surrogate": b'{"note": "\\ud800"}',
    "a lone surrogate in a name": b'{"\\udc00": 1}',
    "UTF-16": '{"note": "m"}'.encode("utf-16"),
}


@pytest.mark.parametrize("body", UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys())
def test_a_body_nested_too_deep_or_not_utf8_text_is_a_400_naming_the_body_over_the_wire(
        parties: Parties, body: bytes) -> None:
    customer = parties.customer()
    problem = assert_problem(_place(customer, body), 400, "/problems/malformed-request")
    assert [error["field"] for error in problem["errors"]] == ["body"]


@pytest.mark.parametrize("path", ["/orders/%ED%A0%80", "/orders/%F0%9F%98%80", "/orders/%E2%80%AE%00x", "/orders/%FF"])
def test_a_path_with_odd_unicode_or_bytes_that_are_not_utf8_is_a_404_problem(parties: Parties, path: str) -> None:
    assert_problem(parties.customer().get(path), 404, "/problems/not-found")
