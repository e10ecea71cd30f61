"""Push one message to every terminal of a party; forget the terminals that are gone."""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.core.observability import log
from chalicelib.push.envelope import encode, envelope
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

    def push(self, party: Party, message_type: str, data: dict[str, Any], now_ms: int) -> int:
        """Best effort, after the state is committed; returns how many terminals got it."""
        message = envelope(message_type, data, now_ms)
        payload = encode(message)
        delivered = 0
        for terminal in self._registry.terminals_of(party):
            outcome = self._sender.post(terminal.connection_id, payload)
            if outcome is Delivery.DELIVERED:
                delivered += 1
            elif outcome is Delivery.GONE and now_ms - terminal.connected_at > CONNECT_GRACE_MS:
                self._registry.unregister(terminal.connection_id)  # the stale one, never the sender's
        log("push.sent", party=party.key, type=message_type, message_id=message["id"], delivered=delivered)
        return delivered

    def reply(self, connection_id: str, message_type: str, data: dict[str, Any], now_ms: int) -> None:
        """A message to one terminal (answers to terminal → server messages)."""
        outcome = self._sender.post(connection_id, encode(envelope(message_type, data, now_ms)))
        if outcome is Delivery.GONE:
            self._registry.unregister(connection_id)
        elif outcome is Delivery.FAILED:
            log("push.reply_failed", logging.WARNING, connection_id=connection_id, type=message_type)
