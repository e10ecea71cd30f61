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

    @property
    def is_problem(self) -> bool:
        """An RFC 9457 problem: the media type and the members every problem has."""
        return (self.headers.get("Content-Type") == "application/problem+json" and isinstance(self.body, dict)
                and self.body.get("status") == self.status and str(self.body.get("type", "")).startswith("/problems/")
                and "title" in self.body and "detail" in self.body)

    @property
    def error_fields(self) -> list[str]:
        return sorted(e["field"] for e in self.body.get("errors", [])) if isinstance(self.body, dict) else []


class Api:
    def __init__(self, client: Client, token: str | None) -> None:
        self._client = client
        self._token = token

    @property
    def token(self) -> str:
        assert self._token is not None
        return self._token

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

    def put(self, path: str, body: Any = None, **kw: Any) -> Reply:
        return self.call("PUT", path, body, **kw)
