"""Over the wire, as a browser page on the stack's own origins sees it: preflights answered, answers
readable cross-origin, foreign origins refused; `X-Request-Id` echoed, and a push names the REST
call that caused it."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.client import StackUrls, created
from tests.e2e.conftest import Parties, order_body

pytestmark = pytest.mark.e2e


def own_origins(stack: StackUrls) -> list[str]:
    rest, ws = urlsplit(stack.rest), urlsplit(stack.ws)
    return [f"http://127.0.0.1:{rest.port}", f"http://localhost:{rest.port}", f"http://localhost:{ws.port}"]


def test_a_page_on_the_stacks_own_origins_may_call_the_api(stack: StackUrls, parties: Parties) -> None:
    customer = parties.customer()
    for origin in own_origins(stack):
        asked = customer.http.options("/orders", headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,idempotency-key,x-request-id"})
        assert asked.status_code == 204
        assert asked.headers["access-control-allow-origin"] == origin
        assert "POST" in asked.headers["access-control-allow-methods"]
        assert "Idempotency-Key" in asked.headers["access-control-allow-headers"]
        problem = customer.get("/orders/ord_nope", headers={"Origin": origin})
        assert problem.status_code == 404 and problem.headers["access-control-allow-origin"] == origin
        assert "X-Request-Id" in problem.headers["access-control-expose-headers"]


def test_a_page_elsewhere_gets_no_cors_headers(parties: Parties) -> None:
    customer = parties.customer()
    asked = customer.http.options("/orders", headers={"Origin": "https://evil.example",
                                                      "Access-Control-Request-Method": "POST"})
    got = customer.get("/orders/ord_nope", headers={"Origin": "https://evil.example"})
    for answer in (asked, got):
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_a_push_names_the_rest_call_that_caused_it(parties: Parties) -> None:
    shop = parties.shop(window_s=30)
    console = parties.terminal(shop.staff)
    trace = f"e2e-{uuid.uuid4().hex}"
    placed = parties.customer().post("/orders", order_body(shop), headers={"X-Request-Id": trace})
    assert placed.status_code == 201 and placed.headers["x-request-id"] == trace
    pushed = console.wait_for(created(placed.json()["order_id"]))
    assert pushed["correlation_id"] == trace


def test_a_request_id_is_generated_when_none_is_sent(stack: StackUrls) -> None:
    answer = httpx.get(f"{stack.rest}/health", trust_env=False)
    problem = httpx.get(f"{stack.rest}/orders/ord_nope", trust_env=False)
    assert answer.headers["x-request-id"] != problem.headers["x-request-id"]
    assert problem.json()["request_id"] == problem.headers["x-request-id"]
