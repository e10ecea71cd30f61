"""Test doubles of the real ports (push sender, alarm queue)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.push.ports import Delivery
from chalicelib.waitstate.model import AlarmMessage


class RecordingPushSender:
    """Delivers into a list per connection; connections in `gone` answer 410."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.gone: set[str] = set()

    def post(self, connection_id: str, payload: bytes) -> Delivery:
        if connection_id in self.gone:
            return Delivery.GONE
        self.sent.append((connection_id, json.loads(payload)))
        return Delivery.DELIVERED

    def to(self, connection_id: str, message_type: str | None = None) -> list[dict[str, Any]]:
        return [m for c, m in self.sent if c == connection_id and (message_type is None or m["type"] == message_type)]


class RecordingAlarmQueue:
    def __init__(self) -> None:
        self.sent: list[tuple[AlarmMessage, int]] = []

    def send(self, message: AlarmMessage, delay_s: int) -> None:
        self.sent.append((message, delay_s))

    def take(self) -> list[AlarmMessage]:
        taken = [m for m, _ in self.sent]
        self.sent.clear()
        return taken
