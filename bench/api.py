"""The REST calls the benchmarks make, over one pooled `httpx.AsyncClient`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

ADDRESS = {"line1": "1 Bench Road", "city": "Shanghai"}
PRODUCT_ID = "p_bench"


class ApiError(RuntimeError):
    def __init__(self, method: str, path: str, response: httpx.Response) -> None:
        super().__init__(f"{method} {path} → {response.status_code}: {response.text[:300]}")
        self.status = response.status_code


def parse_iso_ms(text: str) -> int:
    """`2026-11-22T08:15:00.000Z` → epoch milliseconds."""
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp() * 1000)


class Api:
    def __init__(self, base_url: str, *, max_connections: int = 64, timeout_s: float = 30.0) -> None:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self.http = httpx.AsyncClient(base_url=base_url, limits=limits, timeout=timeout_s)
        self.requests_sent = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, token: str | None = None, body: Any = None,
                   headers: dict[str, str] | None = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        self.requests_sent += 1
        response = await self.http.request(method, path, json=body, headers=sent)
        if response.status_code not in expect:
            raise ApiError(method, path, response)
        return response.json() if response.content else None

    async def token(self, role: str, sub: str, merchant_id: str | None = None) -> str:
        body: dict[str, str] = {"role": role, "sub": sub}
        if merchant_id:
            body["merchant_id"] = merchant_id
        reply = await self.call("POST", "/dev/tokens", body=body)
        return str(reply["token"])

    async def create_merchant(self, ops_token: str, merchant_id: str, answer_window_s: int) -> None:
        await self.call("POST", "/merchants", ops_token, {
            "merchant_id": merchant_id, "name": f"Bench {merchant_id}", "time_zone": "Asia/Shanghai",
            "answer_window_s": answer_window_s})
        await self.call("POST", f"/merchants/{merchant_id}/products", ops_token, {
            "product_id": PRODUCT_ID, "name": "Bench noodles", "price": 1250, "stock": 1_000_000,
            "max_per_order": 99})

    async def place_order(self, customer_token: str, merchant_id: str, note: str | None = None,
                          idempotency_key: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"merchant_id": merchant_id, "items": [{"product_id": PRODUCT_ID, "quantity": 1}],
                                "delivery_address": ADDRESS}
        if note:
            body["note"] = note
        headers = {"Idempotency-Key": uuid.uuid4().hex} if idempotency_key else None
        reply: dict[str, Any] = await self.call("POST", "/orders", customer_token, body, headers, expect=(201,))
        return reply

    async def get_order(self, token: str, order_id: str) -> dict[str, Any]:
        reply: dict[str, Any] = await self.call("GET", f"/orders/{order_id}", token)
        return reply

    async def fetch_as_merchant(self, merchant_token: str, order_id: str) -> dict[str, Any]:
        reply: dict[str, Any] = await self.call("GET", f"/merchant/orders/{order_id}", merchant_token)
        return reply

    async def act(self, merchant_token: str, order_id: str, action: str) -> dict[str, Any]:
        reply: dict[str, Any] = await self.call("POST", f"/merchant/orders/{order_id}/actions", merchant_token,
                                                {"action": action}, expect=(200, 201, 409))
        return reply
