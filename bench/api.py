"""The REST calls the benchmarks make, over one pooled `httpx.AsyncClient`, and the open-loop
pacing of a series of them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

ADDRESS = {"line1": "1 Bench Road", "city": "Shanghai"}
PRODUCT_ID = "p_bench"
SITE = {"line1": "1 Bench Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}
"""Where every benchmark installation takes place (installation addresses need coordinates)."""

T = TypeVar("T")


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
            "product_id": PRODUCT_ID, "name": "Bench noodles", "price": {"amount": 1250, "currency": "CNY"},
            "stock": 1_000_000,
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

    # ── installer dispatch (workflow 02) ───────────────────────────────────────────────────

    async def create_area(self, ops_token: str, area_id: str, remind_after_s: int, revoke_after_s: int,
                          deduction: tuple[int, str] | None = (500, "CNY")) -> dict[str, Any]:
        body: dict[str, Any] = {"area_id": area_id, "name": f"Bench {area_id}", "remind_after_s": remind_after_s,
                                "revoke_after_s": revoke_after_s,
                                "deduction": None if deduction is None else {"amount": deduction[0],
                                                                             "currency": deduction[1]}}
        reply: dict[str, Any] = await self.call("POST", "/areas", ops_token, body, expect=(201,))
        return reply

    async def create_installer(self, ops_token: str, installer_id: str, areas: list[str], max_open_jobs: int,
                               phone: str = "+8613800000000") -> dict[str, Any]:
        body = {"installer_id": installer_id, "name": f"Bench {installer_id}", "phone": phone, "areas": areas,
                "max_open_jobs": max_open_jobs}
        reply: dict[str, Any] = await self.call("POST", "/installers", ops_token, body, expect=(201,))
        return reply

    async def create_installation(self, ops_token: str, area_id: str, customer_id: str,
                                  product: str = "Bench air conditioner") -> dict[str, Any]:
        """`POST /installations` as ops (with an `Idempotency-Key`); the reply is the ops view."""
        body = {"area_id": area_id, "product": product, "address": SITE, "customer_id": customer_id}
        reply: dict[str, Any] = await self.call("POST", "/installations", ops_token, body,
                                                {"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))
        return reply

    async def ops_installation(self, ops_token: str, installation_id: str) -> dict[str, Any]:
        """`GET /ops/installations/{id}`: the ops view, with the full history."""
        reply: dict[str, Any] = await self.call("GET", f"/ops/installations/{installation_id}", ops_token)
        return reply

    async def installer_ledger(self, ops_token: str, installer_id: str) -> list[dict[str, Any]]:
        """Every entry of an installer's ledger (all pages)."""
        entries: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            query = {"limit": 100, **({"next_token": token} if token else {})}
            path = f"/installers/{installer_id}/ledger?{urlencode(query)}"
            page = await self.call("GET", path, ops_token)
            entries += page["items"]
            token = page.get("next_token")
            if not token:
                return entries


async def paced(count: int, start_ms: float, gap_ms: float, send: Callable[[int], Coroutine[Any, Any, T]]) -> list[T]:
    """Open loop: `send(i)` is started at `start_ms + i·gap_ms` (epoch ms) whatever happened to the
    earlier ones; returns every result, in order."""
    tasks: list[asyncio.Task[T]] = []
    for index in range(count):
        delay = (start_ms + index * gap_ms - time.time() * 1000) / 1000
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(index)))
    return list(await asyncio.gather(*tasks))
