"""The running local stack, started once per session as a subprocess, and the parties that use it.

Tests drive it only as clients would: REST over httpx, terminals over WebSocket, tokens from
`POST /dev/tokens`; and, for the alarm tests, the alarm queue through boto3 at the stack's moto
endpoint, as an operator with console access could.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.builders import cny
from tests.e2e.client import WAIT_S, Api, StackUrls, Terminal, issue_token

ROOT = Path(__file__).resolve().parents[2]
READY_PREFIX = "READY "
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
SWEEP_INTERVAL_S = 1
PAYMENT_WINDOW_S = 6
"""Short, so an unpaid order's window elapses within a test; the paying test pays within a second."""


def start_stack(log_path: Path, *, seed: bool = False,
                args: Sequence[str] = ()) -> tuple[subprocess.Popen[bytes], StackUrls]:
    """The stack as a subprocess (`seed`: with the demo data; `args`: more of its options, such as
    `--faults`), once it printed its READY line."""
    # Port 0 everywhere: the stack binds free ports and prints them, so a developer's running
    # stack (8000/8001/5000) never collides with the tests.
    command = [sys.executable, "-m", "devstack.stack", "--rest-port", "0", "--ws-port", "0",
               "--aws-port", "0", "--sweep-interval", str(SWEEP_INTERVAL_S), *([] if seed else ["--no-seed"]),
               "--payment-window", str(PAYMENT_WINDOW_S), *args,
               *os.environ.get("ONTIME_E2E_STACK_ARGS", "").split()]  # e.g. "--aws-transport http"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        ready = [line for line in log_path.read_text(errors="replace").splitlines() if line.startswith(READY_PREFIX)]
        if ready:
            fields = dict(part.split("=", 1) for part in ready[0].removeprefix(READY_PREFIX).split())
            return process, StackUrls(fields["rest"], fields["ws"], fields["aws"])
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
    raise AssertionError(f"the stack did not print its READY line within {READY_TIMEOUT_S} s:\n{tail}")


def stop_stack(process: subprocess.Popen[bytes], log_path: Path) -> None:
    """SIGTERM, as Ctrl-C would: the stack must stop cleanly and promptly."""
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError(f"the stack did not stop within {STOP_TIMEOUT_S} s of SIGTERM") from None
    assert code == 0, f"the stack exited with {code}; log: {log_path}"


@dataclass
class Shop:
    """A merchant of the test's own, with one product, and one of its staff."""

    merchant_id: str
    product_id: str
    window_s: int
    staff: Api


@dataclass
class Parties:
    """Makes merchants, customers and terminals for one test, and closes them afterwards."""

    urls: StackUrls
    ops: Api
    _opened: list[Any] = field(default_factory=list)

    def token(self, **claims: str) -> str:
        return issue_token(self.urls.rest, **claims)

    def api(self, token: str | None, sub: str | None = None) -> Api:
        api = Api(self.urls.rest, token, sub)
        self._opened.append(api)
        return api

    def shop(self, window_s: int) -> Shop:
        merchant_id = f"m_{uuid.uuid4().hex[:12]}"
        made = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": "e2e noodles",
                                            "time_zone": "Asia/Shanghai", "answer_window_s": window_s})
        assert made.status_code == 201, made.text
        product = self.ops.post(f"/merchants/{merchant_id}/products",
                                {"product_id": "p_noodles", "name": "Beef noodles", "price": cny(2800), "stock": 1000})
        assert product.status_code == 201, product.text
        staff = self.api(self.token(role="merchant", sub=f"staff-{merchant_id}", merchant_id=merchant_id))
        return Shop(merchant_id, "p_noodles", window_s, staff)

    def customer(self) -> Api:
        sub = f"u_{uuid.uuid4().hex[:12]}"
        return self.api(self.token(role="customer", sub=sub), sub)

    def terminal(self, api: Api) -> Terminal:
        assert api.token is not None
        terminal = Terminal(self.urls.ws, api.token)
        self._opened.append(terminal)
        return terminal

    def place(self, customer: Api, shop: Shop, quantity: int = 1) -> dict[str, Any]:
        placed = customer.post("/orders", order_body(shop, quantity))
        assert placed.status_code == 201, placed.text
        order: dict[str, Any] = placed.json()
        return order

    def close(self) -> None:
        for opened in reversed(self._opened):
            opened.close()


def order_body(shop: Shop, quantity: int = 1) -> dict[str, Any]:
    return {"merchant_id": shop.merchant_id, "items": [{"product_id": shop.product_id, "quantity": quantity}],
            "delivery_address": {"line1": "1 Century Avenue", "city": "Shanghai"}}


@pytest.fixture
def parties(stack: StackUrls) -> Iterator[Parties]:
    ops = Api(stack.rest, issue_token(stack.rest, role="ops", sub="ops-e2e"))
    made = Parties(stack, ops)
    try:
        yield made
    finally:
        made.close()
        ops.close()


__all__ = ["PAYMENT_WINDOW_S", "WAIT_S", "Parties", "Shop", "order_body"]
