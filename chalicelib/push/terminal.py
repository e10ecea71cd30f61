"""What a terminal's WebSocket connection does: register on connect, answer its messages."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.auth.tokens import TokenVerifier
from chalicelib.core import jsontext
from chalicelib.core.clock import Clock
from chalicelib.core.errors import DomainError
from chalicelib.core.observability import log
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry

MAX_MESSAGE_BYTES = 32 * 1024


@dataclass(frozen=True)
class PendingList:
    """What a party still has to act on, as views, and the message type that carries them
    (`orders.listed` for a merchant console, `dispatches.listed` for an installer app)."""

    message_type: str
    items: list[dict[str, Any]]
    more: bool = False
    """True when there is more pending work than one `list_pending` lists: the terminal reads the
    whole list over REST (a page token is bound to a REST list and caller, so none is given here)."""


PendingWork = Callable[[Party, int], PendingList]
"""One role's pending work (contributed by the workflow whose terminals that role uses)."""
NOTHING_PENDING = "pending.listed"
"""The reply type for a role whose terminals have no pending work in any workflow."""


class TerminalSession:
    def __init__(self, verifier: TokenVerifier, registry: ConnectionRegistry, notifier: Notifier,
                 clock: Clock, pending_work: Mapping[str, PendingWork]) -> None:
        self._verifier = verifier
        self._registry = registry
        self._notifier = notifier
        self._clock = clock
        self._pending_work = pending_work

    def connect(self, connection_id: str, token: str | None) -> int:
        """The HTTP status for API Gateway: 200 registers the terminal, 401 refuses it."""
        if not token:
            log("ws.refused", connection_id=connection_id, reason="no token")
            return 401
        try:
            principal = self._verifier.verify(token)
        except DomainError as error:
            log("ws.refused", connection_id=connection_id, reason=error.detail)
            return 401
        except Exception as exc:  # noqa: BLE001 - a verifier's own failure refuses the connection, as on REST
            log("ws.refused", logging.ERROR, connection_id=connection_id, reason="verifier failed", error=repr(exc))
            return 401
        self._registry.register(connection_id, principal.party, principal.sub, self._clock.now_ms())
        log("ws.connected", connection_id=connection_id, party=principal.party.key)
        return 200

    def receive(self, connection_id: str, body: str | None) -> None:
        now = self._clock.now_ms()
        try:
            action = _action_of(body)
        except ValueError as exc:
            self._notifier.reply(connection_id, "error", {"problem": "malformed-message", "detail": str(exc)}, now)
            return
        if action == "ping":
            self._notifier.reply(connection_id, "pong", {}, now)
            return
        if action == "list_pending":
            # API Gateway cannot push during $connect, so a (re)connected terminal asks here
            # (or over REST) for the work that waits for it; pushes are never replayed.
            party = self._registry.party_of(connection_id)
            work = None if party is None else self._pending_work.get(party.role)
            pending = PendingList(NOTHING_PENDING, []) if party is None or work is None else work(party, now)
            # A busy console's list is larger than API Gateway takes in one message: it comes in
            # parts (`part` k of `parts`), each under the limit.
            self._notifier.reply_listing(connection_id, pending.message_type, pending.items, now,
                                         more=pending.more)
            return
        log("ws.unknown_action", logging.INFO, connection_id=connection_id, action=action)
        self._notifier.reply(connection_id, "error",
                             {"problem": "unknown-action", "detail": f"unknown action {action!r}", "action": action},
                             now)

    def disconnect(self, connection_id: str) -> None:
        self._registry.unregister(connection_id)
        log("ws.disconnected", connection_id=connection_id)


def _action_of(body: str | None) -> str:
    """The `action` of a terminal's message; a ValueError says what is wrong with it."""
    # Counted with surrogates let through: a frame holding one is refused below, with a reason.
    if body is None or len(body.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ValueError(f"messages are JSON objects of at most {MAX_MESSAGE_BYTES} bytes")
    try:
        message = jsontext.loads(body)
    except jsontext.UnreadableJson as exc:
        raise ValueError(f"the message cannot be read: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        raise ValueError('messages look like {"action": "<name>", …}')
    action: str = message["action"]
    return action
