"""A thin JSON client over `chalice.test.Client`, speaking as one party."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalice.test import Client


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, client: Client, token: str | None) -> None:
        self._client = client
        self._token = token

    def call(self, method: str, path: str, body: Any = None, *, raw: str | bytes | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if self._token:
            sent["Authorization"] = f"Bearer {self._token}"
        payload = raw if raw is not None else (json.dumps(body) if body is not None else b"")
        if isinstance(payload, str):
            payload = payload.encode()
        response = self._client.http.request(method, path, body=payload, headers=sent)
        text = response.body.decode() if isinstance(response.body, bytes) else response.body
        return Reply(response.status_code, json.loads(text) if text else None, dict(response.headers))

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("POST", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PATCH", path, body, **kw)
