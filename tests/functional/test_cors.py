"""Browser terminals on the stage's allowed origins may call the REST API (CORS): every path
answers a preflight with its methods and the headers a page may send, and every answer to an
allowed origin — problems too — is readable from the page, with the headers it needs exposed. Any
other origin gets no CORS headers at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client

from chalicelib import bootstrap
from tests.conftest import World, make_world
from tests.functional.api import Api, Reply
from tests.functional.shop import Shop

CONSOLE = "https://console.example.com"
TERMINAL = "http://127.0.0.1:8001"
ELSEWHERE = "https://evil.example"
CORS_HEADERS = {"access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
                "access-control-expose-headers", "access-control-max-age", "access-control-allow-credentials"}


@pytest.fixture
def world(aws: dict[str, str]) -> Iterator[World]:
    """The stage allows the console's origin and a terminal page's (written as an operator might)."""
    built = make_world(aws, ONTIME_CORS_ORIGINS=f"HTTPS://Console.Example.com:443/, {TERMINAL}")
    bootstrap.install(built.container)
    yield built
    bootstrap.install(None)


def lower(reply: Reply) -> dict[str, str]:
    return {k.lower(): v for k, v in reply.headers.items()}


def preflight(api: Api, path: str, origin: str, method: str = "POST") -> Reply:
    return api.call("OPTIONS", path, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                              "Access-Control-Request-Headers": "authorization,idempotency-key"})


def test_a_preflight_from_an_allowed_origin_gets_the_paths_methods_and_the_headers_a_page_may_send(
        shop: Shop) -> None:
    reply = preflight(Api(shop.client, None), "/orders", CONSOLE)
    headers = lower(reply)
    assert reply.status == 204 and not reply.body
    assert headers["access-control-allow-origin"] == CONSOLE
    assert set(headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "OPTIONS"}
    assert headers["access-control-allow-headers"].split(", ") == [
        "Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"]
    assert int(headers["access-control-max-age"]) > 0
    assert "Origin" in headers["vary"]
    assert "access-control-allow-credentials" not in headers  # bearer tokens, never cookies


def test_every_route_answers_its_own_preflight(client: Client) -> None:
    from app import app

    anonymous = Api(client, None)
    for path, methods in app.routes.items():
        reply = preflight(anonymous, path, TERMINAL, method=next(iter(methods)))
        assert reply.status == 204, path
        allowed = set(lower(reply)["access-control-allow-methods"].split(", "))
        assert allowed == set(methods), path


def test_an_answer_to_an_allowed_origin_is_readable_from_the_page(shop: Shop) -> None:
    reply = shop.customer.post("/orders", shop.order_body(), headers={"Origin": TERMINAL})
    headers = lower(reply)
    assert reply.status == 201
    assert headers["access-control-allow-origin"] == TERMINAL and headers["vary"] == "Origin"
    assert headers["access-control-expose-headers"].split(", ") == [
        "X-Request-Id", "Idempotent-Replayed", "Retry-After", "Location"]


@pytest.mark.parametrize(("method", "path", "token", "status"), [
    ("GET", "/orders/ord_nope", True, 404),     # a domain error
    ("GET", "/orders/ord_nope", False, 401),    # no token: refused before the view
    ("DELETE", "/orders", True, 405),           # Chalice's own error, rewritten
])
def test_a_problem_is_readable_from_an_allowed_origin_too(shop: Shop, method: str, path: str, token: bool,
                                                          status: int) -> None:
    caller = shop.customer if token else Api(shop.client, None)
    reply = caller.call(method, path, headers={"Origin": CONSOLE})
    assert reply.status == status and reply.is_problem
    assert lower(reply)["access-control-allow-origin"] == CONSOLE
    assert "X-Request-Id" in lower(reply)["access-control-expose-headers"]


@pytest.mark.parametrize("origin", [ELSEWHERE, "null", "https://console.example.com.evil.example",
                                    "http://console.example.com", "https://console.example.com:8443"])
def test_another_origin_gets_no_cors_headers(shop: Shop, origin: str) -> None:
    for reply in (preflight(Api(shop.client, None), "/orders", origin),
                  shop.customer.get("/orders/ord_nope", headers={"Origin": origin}),
                  shop.customer.post("/orders", shop.order_body(), headers={"Origin": origin})):
        assert not CORS_HEADERS & set(lower(reply)), reply.headers
        assert lower(reply)["vary"] == "Origin"  # and no cache hands this answer to an allowed origin


def test_a_request_from_no_browser_is_answered_as_before(shop: Shop) -> None:
    reply = shop.customer.post("/orders", shop.order_body())
    assert reply.status == 201 and not CORS_HEADERS & set(lower(reply))


def test_a_preflight_is_answered_without_a_token_and_changes_nothing(shop: Shop) -> None:
    before = shop.snapshot()
    reply = preflight(Api(shop.client, None), "/merchant/orders/{order_id}/actions".format(order_id="ord_1"), CONSOLE)
    assert reply.status == 204 and lower(reply)["access-control-allow-methods"] == "POST, OPTIONS"
    assert shop.snapshot() == before


def test_a_stage_with_no_origins_allows_no_browser(client: Client, world: World) -> None:
    bootstrap.install(make_world(world.queue_urls).container)
    reply = preflight(Api(client, None), "/orders", CONSOLE)
    assert reply.status == 204 and not CORS_HEADERS & set(lower(reply))
