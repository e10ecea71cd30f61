"""A listening WebSocket terminal that timestamps every push it receives.

Receipt times are wall-clock epoch milliseconds taken as soon as the message is read, so they
compare directly with the server's `answer_deadline` (same machine, same clock) and with the
client's send times.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect


def now_ms() -> float:
    return time.time() * 1000


@dataclass(frozen=True)
class Received:
    at_ms: float
    type: str
    data: dict[str, Any]
    message_id: str = ""
    """The push's `id`: a redelivered push has its first delivery's."""


OnPush = Callable[["Terminal", Received], Awaitable[None] | None]
K = TypeVar("K", bound=Hashable)


@dataclass
class Terminal:
    """One terminal of one party; `received` keeps (receipt time, type, data) of every push."""

    name: str
    ws_url: str
    token: str
    on_push: OnPush | None = None
    received: list[Received] = field(default_factory=list)
    _connection: ClientConnection | None = None
    _task: asyncio.Task[None] | None = None
    _handlers: set[asyncio.Task[Any]] = field(default_factory=set)

    async def open(self) -> None:
        self._connection = await connect(f"{self.ws_url}/?token={self.token}", open_timeout=30, ping_interval=None,
                                         max_queue=None)
        self._task = asyncio.create_task(self._listen(self._connection))

    async def _listen(self, connection: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for raw in connection:
                at = now_ms()
                message = json.loads(raw)
                received = Received(at, str(message.get("type")), message.get("data") or {},
                                    str(message.get("id") or ""))
                self.received.append(received)
                if self.on_push is not None:
                    outcome = self.on_push(self, received)
                    if asyncio.iscoroutine(outcome):
                        handler = asyncio.ensure_future(outcome)
                        self._handlers.add(handler)
                        handler.add_done_callback(self._handlers.discard)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._task, 5)
        for handler in list(self._handlers):
            handler.cancel()

    def of_type(self, message_type: str) -> list[Received]:
        return [r for r in self.received if r.type == message_type]


async def open_all(terminals: list[Terminal], concurrency: int = 10) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def open_one(terminal: Terminal) -> None:
        async with gate:
            await terminal.open()

    await asyncio.gather(*(open_one(t) for t in terminals))


async def close_all(terminals: list[Terminal]) -> None:
    await asyncio.gather(*(t.close() for t in terminals), return_exceptions=True)


def receipts_by(terminals: Iterable[Terminal], message_type: str,
                key: Callable[[Received], K | None]) -> dict[K, list[float]]:
    """Receipt times (epoch ms) of every `message_type` push at these terminals, grouped by
    `key(push)` (e.g. the entity and dispatch it is about); pushes whose key is None are left out.
    The number of receipts per key counts copies, its minimum is the first receipt."""
    grouped: dict[K, list[float]] = {}
    for terminal in terminals:
        for received in terminal.of_type(message_type):
            name = key(received)
            if name is not None:
                grouped.setdefault(name, []).append(received.at_ms)
    return grouped
