"""What a terminal's WebSocket connection does: register on connect, answer its messages.

The platform answers `ping`, `hello` and `list_pending` itself; any other action goes to the
workflow package that declares it (`Contribution.actions`), after the connection's budget of
package actions (`RateLimiter`) allows it. Whatever a package's handler raises becomes an `error`
reply on the connection: API Gateway never tells a terminal that its message failed. AWS failing
a call after its retries (`core/transient.py`) refuses a connection with a 503 (the terminal
connects again, as after any refusal), and answers a message with a `service-unavailable` error
carrying `retry_after_s` (the terminal sends it again then: API Gateway retries no message).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.auth.tokens import TokenVerifier
from chalicelib.core import jsontext
from chalicelib.core.clock import Clock
from chalicelib.core.errors import DomainError, MalformedRequest, ValidationFailed
from chalicelib.core.observability import log
from chalicelib.core.transient import retry_after_s, transient_failure
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.ports import ConnectionRegistry, RateLimiter

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


@dataclass(frozen=True)
class TerminalMessage:
    """A terminal's message for a package's action."""

    connection_id: str
    action: str
    message: dict[str, Any]
    """The whole parsed JSON object the terminal sent (its `action` included)."""
    now_ms: int


TerminalAction = Callable[[TerminalMessage], None]
"""A package's answer to one action: it replies (or pushes) through the Notifier itself."""


class PackageTerminals(Protocol):
    """What the workflow packages do for terminals (`bootstrap.Packages`, building them on demand)."""

    def pending_work_of(self, role: str) -> Sequence[PendingWork]:
        """Every package's pending work for `role`, in registry order (none: no package lists it)."""
        ...

    def action(self, name: str) -> TerminalAction | None:
        """The handler of the package that declares the action `name` (None: no package does)."""
        ...


PLATFORM_ACTIONS = frozenset({"ping", "hello", "list_pending"})
"""Answered by the session itself: a package may not declare these."""


class TerminalSession:
    def __init__(self, verifier: TokenVerifier, registry: ConnectionRegistry, notifier: Notifier,
                 clock: Clock, packages: PackageTerminals, limiter: RateLimiter) -> None:
        self._verifier = verifier
        self._registry = registry
        self._notifier = notifier
        self._clock = clock
        self._packages = packages
        self._limiter = limiter

    def connect(self, connection_id: str, token: str | None) -> int:
        """The HTTP status for API Gateway: 200 registers the terminal, 401 refuses it, 503 when AWS
        failed the registration (nothing registered that the terminal's next attempt would repeat)."""
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
        try:
            self._registry.register(connection_id, principal.party, principal.sub, self._clock.now_ms())
        except Exception as exc:
            failure = transient_failure(exc)
            if failure is None:
                raise
            log("ws.refused", logging.WARNING, connection_id=connection_id, reason=failure.reason, error=repr(exc))
            return 503
        log("ws.connected", connection_id=connection_id, party=principal.party.key)
        return 200

    def receive(self, connection_id: str, body: str | None) -> None:
        now = self._clock.now_ms()
        try:
            self._answer(connection_id, body, now)
        except Exception as exc:
            failure = transient_failure(exc)
            if failure is None:
                raise
            log("ws.unavailable", logging.WARNING, connection_id=connection_id, reason=failure.reason, error=repr(exc))
            self._notifier.reply(connection_id, "error", _unavailable(None, failure.reason), now)

    def _answer(self, connection_id: str, body: str | None, now: int) -> None:
        try:
            message = _message_of(body)
        except ValueError as exc:
            self._notifier.reply(connection_id, "error", {"problem": "malformed-message", "detail": str(exc)}, now)
            return
        action: str = message["action"]
        if action == "ping":
            self._notifier.reply(connection_id, "pong", {}, now)
            return
        if action == "hello":
            # API Gateway never tells a client its connection id: a terminal learns it here, to
            # name this connection in a REST call (the terminal that answers a call).
            party = self._registry.party_of(connection_id)
            self._notifier.reply(connection_id, "connection.identified", {
                "connection_id": connection_id, "role": None if party is None else party.role,
                "party_id": None if party is None else party.id}, now)
            return
        if action == "list_pending":
            self._list_pending(connection_id, now)
            return
        handler = self._packages.action(action)
        if handler is None:
            log("ws.unknown_action", logging.INFO, connection_id=connection_id, action=action)
            self._notifier.reply(connection_id, "error", {
                "problem": "unknown-action", "detail": f"unknown action {action!r}", "action": action}, now)
            return
        self._run(handler, TerminalMessage(connection_id, action, message, now))

    def _list_pending(self, connection_id: str, now: int) -> None:
        # API Gateway cannot push during $connect, so a (re)connected terminal asks here (or over
        # REST) for the work that waits for it; pushes are never replayed.
        party = self._registry.party_of(connection_id)
        listings = [] if party is None else [work(party, now) for work in self._packages.pending_work_of(party.role)]
        # One listing per package that lists the role (a merchant: its orders, then its calls);
        # a busy console's list is larger than API Gateway takes in one message: it comes in
        # parts (`part` k of `parts`), each under the limit.
        for pending in listings or [PendingList(NOTHING_PENDING, [])]:
            self._notifier.reply_listing(connection_id, pending.message_type, pending.items, now,
                                         more=pending.more)

    def _run(self, handler: TerminalAction, message: TerminalMessage) -> None:
        connection_id, action, now = message.connection_id, message.action, message.now_ms
        try:
            wait_s = self._limiter.allow(connection_id, now)
            if wait_s:
                log("ws.rate_limited", logging.INFO, connection_id=connection_id, action=action, retry_after_s=wait_s)
                self._notifier.reply(connection_id, "error", {
                    "problem": "rate-limited", "action": action, "retry_after_s": wait_s,
                    "detail": f"this connection sent more actions than it may: try again in {wait_s} s"}, now)
                return
            handler(message)
        except DomainError as error:
            self._notifier.reply(connection_id, "error", _refusal(error, action), now)
        except Exception as exc:  # noqa: BLE001 - the terminal is told; API Gateway would tell it nothing
            failure = transient_failure(exc)
            if failure is not None:
                log("ws.unavailable", logging.WARNING, connection_id=connection_id, action=action,
                    reason=failure.reason, error=repr(exc))
                self._notifier.reply(connection_id, "error", _unavailable(action, failure.reason), now)
                return
            log("ws.action_failed", logging.ERROR, exc_info=True, connection_id=connection_id, action=action,
                error=repr(exc))
            self._notifier.reply(connection_id, "error", {
                "problem": "internal", "detail": "the server failed to handle this message", "action": action}, now)

    def disconnect(self, connection_id: str) -> None:
        self._registry.unregister(connection_id)
        log("ws.disconnected", connection_id=connection_id)


def _unavailable(action: str | None, reason: str) -> dict[str, Any]:
    return {"problem": "service-unavailable", "action": action, "retry_after_s": retry_after_s(),
            "detail": f"a service this message needs is busy or failing ({reason}): send it again in a moment"}


def _refusal(error: DomainError, action: str) -> dict[str, Any]:
    """A package's refusal as the `error` reply's data: the problem, its detail and extensions, as
    a REST problem body carries them."""
    extensions = dict(error.extensions)
    if isinstance(error, (MalformedRequest, ValidationFailed)):
        extensions["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    return {**{k: v for k, v in extensions.items() if v is not None},
            "problem": error.problem, "detail": error.detail, "action": action}


def _message_of(body: str | None) -> dict[str, Any]:
    """A terminal's message, with its `action`; a ValueError says what is wrong with it."""
    # Counted with surrogates let through: a frame holding one is refused below, with a reason.
    if body is None or len(body.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ValueError(f"messages are JSON objects of at most {MAX_MESSAGE_BYTES} bytes")
    try:
        message = jsontext.loads(body)
    except jsontext.UnreadableJson as exc:
        raise ValueError(f"the message cannot be read: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("action"), str):
        raise ValueError('messages look like {"action": "<name>", …}')
    return message
