"""The sandbox's pages on the local REST front: paying there POSTs the provider's signed callback, over
real HTTP, to the platform's callback URL (here a tiny HTTP server that records what it receives)."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from starlette.applications import Starlette

with warnings.catch_warnings():
    # Starlette now suggests `httpx2` for its test client; its requests are what we need here
    # (httpx's own clients cannot call an ASGI app synchronously).
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*httpx2", category=UserWarning)
    from starlette.testclient import TestClient

from chalicelib.core.clock import FakeClock
from chalicelib.http.problems import PROBLEM_JSON
from chalicelib.payments.port import PaymentOutcome, parse_callback
from chalicelib.payments.signing import SIGNATURE_HEADER, verify
from devstack.sandbox.pages import major_units, sandbox_routes
from devstack.sandbox.provider import SandboxProvider

SECRET = b"sandbox-pages-secret"
T0 = 1_795_000_000_000


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Platform:
    """Stands in for the platform's `POST /payments/callback`: records each request, answers `status`."""

    url: str
    received: list[Received] = field(default_factory=list)
    status: int = 200
    retry_after: str | None = None


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # a developer's proxy must not catch the callback
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    state = Platform("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.received.append(Received("POST", self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            if state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/payments/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def provider(platform: Platform, clock: FakeClock) -> SandboxProvider:
    return SandboxProvider(SECRET, "http://testserver", platform.url, clock)


@pytest.fixture
def client(provider: SandboxProvider) -> Iterator[TestClient]:
    with TestClient(Starlette(routes=sandbox_routes(provider))) as client:
        yield client


def test_the_pay_page_shows_the_amount_in_major_units_the_reference_and_both_buttons(
        provider: SandboxProvider, client: TestClient) -> None:
    intent = provider.create_payment("pur_42", 12345, "CNY", "Noodles <and> dumplings")

    response = client.get(f"/sandbox/pay/{intent.payment_id}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "123.45 CNY" in response.text
    assert "pur_42" in response.text
    assert "Noodles &lt;and&gt; dumplings" in response.text  # escaped, not markup
    assert 'value="succeeded">Pay</button>' in response.text
    assert 'value="failed">Decline</button>' in response.text


def test_a_page_paid_with_a_return_path_links_back_to_it_after_paying(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")
    back = "/terminals/customer/checkout.html?purchase_id=pur_42"

    page = client.get(f"/sandbox/pay/{intent.payment_id}", params={"return_to": back})
    paid = client.post(f"/sandbox/pay/{intent.payment_id}", params={"return_to": back}, data={"outcome": "succeeded"})

    assert '<form method="post">' in page.text  # posts to the page's own URL, its return path with it
    assert "Paid" in paid.text
    assert '<a href="/terminals/customer/checkout.html?purchase_id=pur_42">Back to the shop</a>' in paid.text
    assert "Back to the shop" in client.get(f"/sandbox/pay/{intent.payment_id}", params={"return_to": back}).text


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil.example",
                                       "/\t/evil.example", "checkout.html"])
def test_a_return_path_off_this_server_is_ignored(
        provider: SandboxProvider, client: TestClient, platform: Platform, elsewhere: str) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    paid = client.post(f"/sandbox/pay/{intent.payment_id}", params={"return_to": elsewhere}, data={"outcome": "failed"})

    assert "Declined" in paid.text and "Back to the shop" not in paid.text and "evil" not in paid.text


def test_amounts_are_shown_in_the_currency_s_own_major_units() -> None:
    assert major_units(12345, "CNY") == "123.45 CNY"
    assert major_units(5, "EUR") == "0.05 EUR"
    assert major_units(1200, "JPY") == "1200 JPY"
    assert major_units(1234, "KWD") == "1.234 KWD"


def test_paying_delivers_the_signed_callback_the_provider_describes_and_reports_the_platform_s_status(
        provider: SandboxProvider, client: TestClient, platform: Platform, clock: FakeClock) -> None:
    intent = provider.create_payment("pur_42", 12345, "CNY", "noodles")
    clock.advance(20)
    platform.status = 202

    response = client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "succeeded"})

    assert response.status_code == 200
    assert response.json() == {"payment_id": intent.payment_id, "outcome": "succeeded",
                               "event_id": f"evt_{intent.payment_id}_succeeded", "callback_status": 202}
    [received] = platform.received
    assert received.path == "/payments/callback"
    assert received.headers["Content-Type"] == "application/json"
    now_s = clock.now_ms() // 1000
    assert verify(SECRET, received.body, received.headers[SIGNATURE_HEADER], now_s) == now_s
    event_id, payment = parse_callback(received.body)
    assert event_id == f"evt_{intent.payment_id}_succeeded"
    assert payment == provider.payment(intent.payment_id)
    assert (payment.reference, payment.amount, payment.currency, payment.outcome) == (
        "pur_42", 12345, "CNY", PaymentOutcome.SUCCEEDED)


def test_the_form_s_decline_button_delivers_a_failed_payment_and_answers_a_page(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    response = client.post(f"/sandbox/pay/{intent.payment_id}", data={"outcome": "failed"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Declined" in response.text
    assert "HTTP 200" in response.text
    [received] = platform.received
    assert parse_callback(received.body)[1].outcome is PaymentOutcome.FAILED


def test_a_pay_post_without_a_body_pays(provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    response = client.post(f"/sandbox/pay/{intent.payment_id}")

    assert response.json()["outcome"] == "succeeded"
    assert len(platform.received) == 1


def test_the_platform_s_error_status_is_reported_not_raised(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")
    platform.status = 401

    response = client.post(f"/sandbox/pay/{intent.payment_id}", json={})

    assert response.status_code == 200
    assert response.json()["callback_status"] == 401


def test_a_busy_platform_s_retry_after_is_reported_with_its_status(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")
    platform.status, platform.retry_after = 503, "2"

    answer = client.post(f"/sandbox/pay/{intent.payment_id}", json={}).json()

    assert (answer["callback_status"], answer["callback_retry_after"]) == (503, "2")
    platform.status, platform.retry_after = 200, None
    redelivered = client.post(f"/sandbox/payments/{intent.payment_id}/redeliver").json()
    assert redelivered["callback_status"] == 200 and "callback_retry_after" not in redelivered


def test_redeliver_sends_the_same_event_again_signed_now(
        provider: SandboxProvider, client: TestClient, platform: Platform, clock: FakeClock) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")
    client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "succeeded"})
    clock.advance(3600)

    response = client.post(f"/sandbox/payments/{intent.payment_id}/redeliver")

    assert response.status_code == 200
    assert response.json() == {"payment_id": intent.payment_id, "outcome": "succeeded",
                               "event_id": f"evt_{intent.payment_id}_succeeded", "callback_status": 200}
    first, again = platform.received
    assert again.body == first.body
    assert parse_callback(again.body)[0] == parse_callback(first.body)[0]
    now_s = clock.now_ms() // 1000
    assert verify(SECRET, again.body, again.headers[SIGNATURE_HEADER], now_s) == now_s


def test_paying_a_paid_payment_again_sends_the_same_event(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "succeeded"})
    response = client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "failed"})

    assert response.json()["outcome"] == "succeeded"
    first, again = platform.received
    assert again.body == first.body


def test_the_payment_can_be_read_as_json(provider: SandboxProvider, client: TestClient) -> None:
    intent = provider.create_payment("pur_42", 12345, "CNY", "noodles")

    response = client.get(f"/sandbox/payments/{intent.payment_id}")

    assert response.status_code == 200
    assert response.json() == {
        "payment_id": intent.payment_id, "reference": "pur_42", "amount": 12345, "currency": "CNY",
        "description": "noodles", "outcome": "pending", "at": T0, "last_event_id": None,
        "pay_url": intent.pay_url,
    }


def test_a_callback_that_cannot_be_delivered_keeps_the_outcome_and_says_why(
        clock: FakeClock, platform: Platform) -> None:
    unreachable = SandboxProvider(SECRET, "http://testserver", "http://127.0.0.1:9/payments/callback", clock)
    intent = unreachable.create_payment("pur_42", 100, "CNY", "")

    with TestClient(Starlette(routes=sandbox_routes(unreachable))) as client:
        response = client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "succeeded"})

    assert response.status_code == 200
    assert response.json()["callback_status"] is None
    assert response.json()["callback_error"]
    assert unreachable.last_event_id(intent.payment_id) == f"evt_{intent.payment_id}_succeeded"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/sandbox/pay/pay_nope"),
    ("POST", "/sandbox/pay/pay_nope"),
    ("POST", "/sandbox/payments/pay_nope/redeliver"),
    ("GET", "/sandbox/payments/pay_nope"),
])
def test_an_unknown_payment_is_a_404_problem(client: TestClient, platform: Platform, method: str, path: str) -> None:
    response = client.request(method, path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["status"] == 404
    assert "pay_nope" in response.json()["detail"]
    assert platform.received == []


def test_a_pending_payment_has_nothing_to_redeliver(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    response = client.post(f"/sandbox/payments/{intent.payment_id}/redeliver")

    assert response.status_code == 409
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert platform.received == []


def test_an_unknown_outcome_is_a_400_problem_and_pays_nothing(
        provider: SandboxProvider, client: TestClient, platform: Platform) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    response = client.post(f"/sandbox/pay/{intent.payment_id}", json={"outcome": "pending"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert platform.received == []
    assert provider.last_event_id(intent.payment_id) is None


@pytest.mark.parametrize("body", [b"[" * 1_000 + b"]" * 1_000, b'{"outcome":' * 1_000 + b'"failed"' + b"}" * 1_000,
                                  b'{"outcome": "\\ud800"}', '{"outcome": "failed"}'.encode("utf-16")])
def test_a_pay_body_nested_too_deep_or_not_utf8_is_a_400_problem_and_pays_nothing(
        provider: SandboxProvider, client: TestClient, platform: Platform, body: bytes) -> None:
    intent = provider.create_payment("pur_42", 100, "CNY", "")

    response = client.post(f"/sandbox/pay/{intent.payment_id}", content=body,
                           headers={"content-type": "application/json"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert [error["field"] for error in response.json()["errors"]] == ["body"]
    assert platform.received == [] and provider.last_event_id(intent.payment_id) is None


def test_the_rest_front_serves_the_sandbox_before_the_app_s_catch_all() -> None:
    from starlette.routing import Route

    from devstack import rest

    class NoApp:
        routes: dict[str, object] = {}

    class Runtime:
        app = NoApp()

    provider = SandboxProvider(SECRET, "http://testserver", "http://127.0.0.1:9/x", FakeClock(T0))
    intent = provider.create_payment("pur_42", 100, "CNY", "")
    app = rest.rest_app(Runtime(), extra_routes=sandbox_routes(provider))  # type: ignore[arg-type]

    assert isinstance(app.routes[-1], Route)
    assert app.routes[-1].path == "/{path:path}"
    with TestClient(app) as client:
        assert client.get(f"/sandbox/payments/{intent.payment_id}").json()["reference"] == "pur_42"
        missing = client.get("/nowhere")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith(PROBLEM_JSON)
