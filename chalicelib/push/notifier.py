"""Push one message to every terminal of a party; forget the terminals that are gone. Nothing
larger than API Gateway takes (`MAX_MESSAGE_BYTES`) is ever sent: a list goes in parts."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.core.observability import log
from chalicelib.push.envelope import MAX_MESSAGE_BYTES, encode, envelope, listing
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, Delivery, PushSender

CONNECT_GRACE_MS = 10_000
"""We register a terminal inside `$connect`, before API Gateway has finished accepting it; a push
in that gap gets 410 Gone from a connection that is about to be live. Only a terminal older than
this is forgotten on 410 (a younger one just misses that push and lists its pending work)."""


class Notifier:
    def __init__(self, registry: ConnectionRegistry, sender: PushSender) -> None:
        self._registry = registry
        self._sender = sender

    def push(self, party: Party, message_type: str, data: dict[str, Any], now_ms: int,
             skip: str | None = None) -> int:
        """Best effort, after the state is committed; returns how many terminals got it. `skip`: a
        connection of the party not to send it to (the terminal that answered a call is told
        otherwise than its siblings)."""
        message = envelope(message_type, data, now_ms)
        payload = encode(message)
        if not _fits(payload, message_type, party=party.key):
            return 0
        delivered = 0
        for terminal in self._registry.terminals_of(party):
            if terminal.connection_id == skip:
                continue
            outcome = self._sender.post(terminal.connection_id, payload)
            if outcome is Delivery.DELIVERED:
                delivered += 1
            elif outcome is Delivery.GONE and now_ms - terminal.connected_at > CONNECT_GRACE_MS:
                self._registry.unregister(terminal.connection_id)  # the stale one, never the sender's
        log("push.sent", party=party.key, type=message_type, message_id=message["id"], delivered=delivered)
        return delivered

    def reply(self, connection_id: str, message_type: str, data: dict[str, Any], now_ms: int) -> bool:
        """A message to one terminal (answers to terminal → server messages, a call's peer); whether
        that terminal is still there."""
        return self._reply(connection_id, envelope(message_type, data, now_ms))

    def reply_listing(self, connection_id: str, message_type: str, items: list[dict[str, Any]], now_ms: int,
                      **extra: Any) -> None:
        """A list for one terminal, in as many messages as keep each under the size limit:
        `{"items": […], "part": k, "parts": n, …extra}` each (see `envelope.listing`)."""
        split = listing(message_type, items, now_ms, extra)
        if split.left_out:
            log("push.items_too_large", logging.ERROR, connection_id=connection_id, type=message_type,
                left_out=split.left_out)
        for message in split.messages:
            if not self._reply(connection_id, message):
                return

    def _reply(self, connection_id: str, message: dict[str, Any]) -> bool:
        """Whether the terminal is still there."""
        payload = encode(message)
        if not _fits(payload, message["type"], connection_id=connection_id):
            return True
        outcome = self._sender.post(connection_id, payload)
        if outcome is Delivery.GONE:
            self._registry.unregister(connection_id)
            return False
        if outcome is Delivery.FAILED:
            log("push.reply_failed", logging.WARNING, connection_id=connection_id, type=message["type"])
        return True


def _fits(payload: bytes, message_type: str, **where: Any) -> bool:
    """API Gateway would refuse a larger message: it is a bug to build one, logged, never sent."""
    if len(payload) <= MAX_MESSAGE_BYTES:
        return True
    log("push.too_large", logging.ERROR, type=message_type, bytes=len(payload), limit=MAX_MESSAGE_BYTES, **where)
    return False
