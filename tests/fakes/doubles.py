"""Recording doubles of the platform's outbound ports: the push sender, the alarm queue, and a
clock that lets something happen while the engine waits."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.core.clock import FakeClock
from chalicelib.push.envelope import MAX_MESSAGE_BYTES
from chalicelib.push.ports import Delivery, PushSender
from chalicelib.waitstate.model import AlarmMessage, AlarmQueue, Trigger


class RecordingPushSender(PushSender):
    """Delivers into a list per connection; connections in `gone` answer 410, and a payload larger
    than API Gateway takes is refused as it refuses it (413: not delivered, `too_large`)."""

    def __init__(self, inspect: Callable[[bytes], object] | None = None) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.payloads: list[tuple[str, bytes]] = []
        self.too_large: list[tuple[str, int]] = []
        self.gone: set[str] = set()
        self._inspect = inspect

    def post(self, connection_id: str, payload: bytes) -> Delivery:
        if self._inspect is not None:
            self._inspect(payload)
        if connection_id in self.gone:
            return Delivery.GONE
        if len(payload) > MAX_MESSAGE_BYTES:
            self.too_large.append((connection_id, len(payload)))
            return Delivery.FAILED
        self.sent.append((connection_id, json.loads(payload)))
        self.payloads.append((connection_id, payload))
        return Delivery.DELIVERED

    def payloads_to(self, connection_id: str) -> list[bytes]:
        """The bytes delivered to one connection, in order."""
        return [p for c, p in self.payloads if c == connection_id]

    def to(self, connection_id: str, message_type: str | None = None) -> list[dict[str, Any]]:
        return [m for c, m in self.sent if c == connection_id and (message_type is None or m["type"] == message_type)]


class HookedClock(FakeClock):
    """A FakeClock that can let something happen while the engine waits (`sleep_ms`)."""

    def __init__(self, now_ms: int = 1_795_000_000_000) -> None:
        super().__init__(now_ms)
        self._during_sleep: list[Callable[[], object]] = []
        self.slept: list[int] = []

    def during_next_sleep(self, happening: Callable[[], object]) -> None:
        self._during_sleep.append(happening)

    def sleep_ms(self, ms: int) -> None:
        self.slept.append(ms)
        if self._during_sleep:
            self._during_sleep.pop(0)()
        super().sleep_ms(ms)


class SqsUnavailable(ConnectionError):
    """What a failed SendMessage looks like to the engine: any exception from the transport."""


class RecordingAlarmQueue(AlarmQueue):
    """Keeps every trigger with its delay; `fail_sends = n` makes the next n sends raise."""

    def __init__(self) -> None:
        self.sent: list[tuple[AlarmMessage, int]] = []
        self.fail_sends = 0
        self.batches: list[int] = []
        """The size of each `send_batch` call."""
        self.guarded: list[tuple[list[str], int]] = []
        """Each `redeliver_unless_done`: the receipts, and after how many seconds."""

    def send(self, message: AlarmMessage, delay_s: int) -> None:
        if self.fail_sends:
            self.fail_sends -= 1
            raise SqsUnavailable("SendMessage failed")
        self.sent.append((message, delay_s))

    def send_batch(self, triggers: Sequence[Trigger]) -> list[Trigger]:
        """Each entry takes one of `fail_sends` (refused, as SQS's `Failed` entries) until none is left."""
        self.batches.append(len(triggers))
        refused: list[Trigger] = []
        for message, delay_s in triggers:
            try:
                self.send(message, delay_s)
            except SqsUnavailable:
                refused.append((message, delay_s))
        return refused

    def redeliver_unless_done(self, receipts: Sequence[str], after_s: int) -> None:
        self.guarded.append((list(receipts), after_s))

    def take(self) -> list[AlarmMessage]:
        taken = [m for m, _ in self.sent]
        self.sent.clear()
        return taken
