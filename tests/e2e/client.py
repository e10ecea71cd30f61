"""What an app or a console does with the running stack: REST calls as one party, and a terminal
(WebSocket) that keeps every message it receives and waits for the ones a test cares about."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from websockets.sync.client import ClientConnection, connect

Message = dict[str, Any]
WAIT_S = 15.0
"""Generous: a loaded 2-core machine may be slow, and a wait ends as soon as its message arrives."""


def epoch_s(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class StackUrls:
    rest: str
    ws: str
    aws: str


class Api:
    """REST calls as one party (or as nobody, with `token=None`)."""

    def __init__(self, rest_url: str, token: str | None, sub: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.token = token
        self.sub = sub
        self.http = httpx.Client(base_url=rest_url, headers=headers, timeout=WAIT_S, trust_env=False)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.post(path, json=body, **kw) if body is not None else self.http.post(path, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        return self.http.put(path, json=body, **kw) if body is not None else self.http.put(path, **kw)

    def close(self) -> None:
        self.http.close()


def issue_token(rest_url: str, **claims: str) -> str:
    response = httpx.post(f"{rest_url}/dev/tokens", json=claims, timeout=WAIT_S, trust_env=False)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


class Terminal:
    """A connected terminal. `received` keeps every message, in order, for later assertions."""

    def __init__(self, ws_url: str, token: str) -> None:
        self._exit = ExitStack()
        self._ws: ClientConnection = self._exit.enter_context(
            connect(f"{ws_url}/?token={token}", open_timeout=WAIT_S, proxy=None))  # connected when this returns
        self.received: list[Message] = []
        self._unread = 0  # index of the first message no `wait_for` has looked at yet

    def send(self, message: Message | str | bytes) -> None:
        """A message as JSON, or a text (or binary) frame as it is."""
        self._ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))

    def wait_for(self, wanted: Callable[[Message], bool], timeout_s: float = WAIT_S) -> Message:
        """The next message (after those already waited for) that `wanted` accepts."""
        deadline = time.monotonic() + timeout_s
        while True:
            while self._unread < len(self.received):
                message = self.received[self._unread]
                self._unread += 1
                if wanted(message):
                    return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no wanted message within {timeout_s} s; got {self.received}")
            try:
                raw = self._ws.recv(timeout=remaining)
            except TimeoutError:
                continue
            message = json.loads(raw)
            message["_received_at"] = time.time()
            self.received.append(message)

    def drain(self, quiet_s: float) -> None:
        """Read whatever arrives until nothing has for `quiet_s` (to assert that nothing more came)."""
        while True:
            try:
                raw = self._ws.recv(timeout=quiet_s)
            except TimeoutError:
                return
            message = json.loads(raw)
            message["_received_at"] = time.time()
            self.received.append(message)

    def about(self, order_id: str, message_type: str) -> list[Message]:
        return [m for m in self.received
                if m.get("type") == message_type and m.get("data", {}).get("order_id") == order_id]

    def close(self) -> None:
        self._exit.close()


def terminal_id(terminal: Terminal) -> str:
    """The terminal's own connection id, as its `hello` answers it (a call binds it by that id)."""
    terminal.send({"action": "hello"})
    connection_id: str = terminal.wait_for(lambda m: m.get("type") == "connection.identified")["data"]["connection_id"]
    return connection_id


def created(order_id: str) -> Callable[[Message], bool]:
    return lambda m: m.get("type") == "order.created" and m["data"].get("order_id") == order_id


def status_changed(order_id: str, status: str | None = None) -> Callable[[Message], bool]:
    def wanted(m: Message) -> bool:
        data = m.get("data", {})
        return (m.get("type") == "order.status_changed" and data.get("order_id") == order_id
                and (status is None or data.get("status") == status))

    return wanted
