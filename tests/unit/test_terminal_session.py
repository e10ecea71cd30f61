"""A terminal's messages as the session answers them: `hello` tells a terminal its own connection
id; an action a package declares reaches that package's handler once the connection's budget
allows it, and whatever the handler raises becomes an `error` reply; `list_pending` answers with
one listing per package that lists the role. Every reply is one the platform declares."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from chalicelib.core.clock import FakeClock
from chalicelib.core.errors import FieldError, InvalidTransition, ValidationFailed
from chalicelib.push import party
from chalicelib.push.messages import PLATFORM_MESSAGES, by_type, violation
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.terminal import (
    NOTHING_PENDING,
    PendingList,
    PendingWork,
    TerminalAction,
    TerminalMessage,
    TerminalSession,
)
from devstack.tokens import DevTokenIssuer
from tests.fakes import RecordingPushSender
from tests.fakes.platform_ports import InMemoryConnectionRegistry, InMemoryRateLimiter
from tests.log_lines import captured

SHOP = party.merchant("m1")
LIMIT, WINDOW_S = 3, 5


class Packages:
    """Two packages' pending work for merchants, and the actions they answer."""

    def __init__(self) -> None:
        self.received: list[TerminalMessage] = []
        self.pending: dict[str, list[PendingWork]] = {"merchant": [
            lambda p, now: PendingList("orders.listed", [{"order_id": "ord_1"}]),
            lambda p, now: PendingList("calls.listed", [], more=True)]}
        self.actions: dict[str, TerminalAction] = {"call.signal": self.received.append}

    def pending_work_of(self, role: str) -> Sequence[PendingWork]:
        return self.pending.get(role, [])

    def action(self, name: str) -> TerminalAction | None:
        return self.actions.get(name)


class Terminals:
    def __init__(self) -> None:
        self.clock = FakeClock()
        self.registry = InMemoryConnectionRegistry()
        self.sender = RecordingPushSender()
        self.packages = Packages()
        self.limiter = InMemoryRateLimiter(LIMIT, WINDOW_S)
        self.session = TerminalSession(DevTokenIssuer("a-fake-issuers-secret"), self.registry,
                                       Notifier(self.registry, self.sender), self.clock, self.packages, self.limiter)

    def connected(self, connection_id: str, owner: Party = SHOP) -> str:
        self.registry.register(connection_id, owner, "staff-1", self.clock.now_ms())
        return connection_id

    def send(self, connection_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """The last reply (checked against the platform's declarations)."""
        self.session.receive(connection_id, json.dumps(message))
        return self.replies(connection_id)[-1]

    def replies(self, connection_id: str) -> list[dict[str, Any]]:
        declared = by_type([*PLATFORM_MESSAGES])
        for sent_to, payload in self.sender.payloads:
            kind = json.loads(payload)["type"]
            if sent_to == connection_id and kind in declared:
                assert violation(payload, declared) is None
        return self.sender.to(connection_id)


@pytest.fixture
def terminals() -> Terminals:
    return Terminals()


@pytest.mark.parametrize(("owner", "role", "party_id"), [
    (SHOP, "merchant", "m1"), (party.customer("u1"), "customer", "u1"), (party.OPS, "ops", "all")])
def test_hello_tells_a_terminal_its_connection_id_role_and_party(
        terminals: Terminals, owner: Party, role: str, party_id: str) -> None:
    reply = terminals.send(terminals.connected("conn-1", owner), {"action": "hello"})
    assert (reply["type"], reply["data"]) == ("connection.identified", {"connection_id": "conn-1", "role": role,
                                                        "party_id": party_id})


def test_hello_on_a_connection_no_longer_registered_says_it_has_no_party(terminals: Terminals) -> None:
    reply = terminals.send("conn-gone", {"action": "hello"})
    assert reply["data"] == {"connection_id": "conn-gone", "role": None, "party_id": None}


def test_an_action_a_package_declares_reaches_its_handler_with_the_whole_message(terminals: Terminals) -> None:
    sent = {"action": "call.signal", "call_id": "cal_1", "payload": {"type": "offer", "sdp": "v=0"}}
    terminals.session.receive(terminals.connected("conn-1"), json.dumps(sent))
    assert terminals.packages.received == [TerminalMessage("conn-1", "call.signal", sent, terminals.clock.now_ms())]
    assert terminals.replies("conn-1") == []  # the handler replies itself, when it has something to say


def test_an_action_no_package_declares_is_still_an_unknown_action_and_spends_nothing(terminals: Terminals) -> None:
    reply = terminals.send(terminals.connected("conn-1"), {"action": "call.dance"})
    assert (reply["type"], reply["data"]["problem"], reply["data"]["action"]) == ("error", "unknown-action",
                                                                                   "call.dance")
    assert terminals.limiter.spent == {}


def test_a_connection_over_its_budget_is_refused_with_when_to_try_again(terminals: Terminals) -> None:
    conn = terminals.connected("conn-1")
    terminals.clock.set(1_795_000_001_000)  # one second into a five-second window
    for _ in range(LIMIT):
        terminals.session.receive(conn, json.dumps({"action": "call.signal"}))
    reply = terminals.send(conn, {"action": "call.signal", "call_id": "cal_1"})
    assert reply["type"] == "error" and reply["data"] == {
        "problem": "rate-limited", "action": "call.signal", "retry_after_s": 4,
        "detail": "this connection sent more actions than it may: try again in 4 s"}
    assert len(terminals.packages.received) == LIMIT
    assert terminals.send(terminals.connected("conn-2"), {"action": "hello"})["type"] == "connection.identified"
    terminals.session.receive("conn-2", json.dumps({"action": "call.signal"}))
    assert len(terminals.packages.received) == LIMIT + 1  # another terminal's budget is its own


def test_the_platforms_own_actions_are_never_rate_limited(terminals: Terminals) -> None:
    conn = terminals.connected("conn-1")
    for _ in range(LIMIT * 3):
        terminals.send(conn, {"action": "ping"})
    assert terminals.send(conn, {"action": "hello"})["type"] == "connection.identified"
    assert terminals.limiter.spent == {}


def test_a_packages_refusal_is_an_error_reply_with_its_problem_and_extensions(terminals: Terminals) -> None:
    def refuse(message: TerminalMessage) -> None:
        raise InvalidTransition("the call is ringing", current_status="ringing", call_id=None)

    terminals.packages.actions["call.signal"] = refuse
    reply = terminals.send(terminals.connected("conn-1"), {"action": "call.signal"})
    assert reply["type"] == "error" and reply["data"] == {
        "problem": InvalidTransition.problem, "detail": "the call is ringing", "action": "call.signal",
        "current_status": "ringing"}


def test_a_refusal_naming_bad_fields_lists_them_as_a_rest_problem_does(terminals: Terminals) -> None:
    def refuse(message: TerminalMessage) -> None:
        raise ValidationFailed("bad signal", [FieldError("payload.sdp", "at most 24 KiB")])

    terminals.packages.actions["call.signal"] = refuse
    reply = terminals.send(terminals.connected("conn-1"), {"action": "call.signal"})
    assert reply["data"]["errors"] == [{"field": "payload.sdp", "message": "at most 24 KiB"}]


def test_a_handler_that_crashes_is_logged_and_answered_internal_never_raised(terminals: Terminals) -> None:
    def crash(message: TerminalMessage) -> None:
        raise KeyError("peer")

    terminals.packages.actions["call.signal"] = crash
    with captured() as lines:
        reply = terminals.send(terminals.connected("conn-1"), {"action": "call.signal"})
    assert reply["type"] == "error" and reply["data"]["problem"] == "internal"
    assert reply["data"]["action"] == "call.signal" and "peer" not in reply["data"]["detail"]
    [failed] = lines.events("ws.action_failed")
    assert failed["action"] == "call.signal" and "KeyError" in failed["exception"]


def test_list_pending_answers_with_one_listing_per_package_in_order(terminals: Terminals) -> None:
    conn = terminals.connected("conn-1")
    terminals.session.receive(conn, json.dumps({"action": "list_pending"}))
    replies = terminals.replies(conn)
    assert [(r["type"], r["data"]["items"], r["data"]["more"]) for r in replies] == [
        ("orders.listed", [{"order_id": "ord_1"}], False), ("calls.listed", [], True)]


@pytest.mark.parametrize("connection", ["conn-customer", "conn-unregistered"])
def test_list_pending_for_a_role_nobody_lists_is_an_empty_pending_listed(terminals: Terminals, connection: str) -> None:
    if connection == "conn-customer":
        terminals.connected(connection, party.customer("u1"))
    reply = terminals.send(connection, {"action": "list_pending"})
    assert (reply["type"], reply["data"]["items"]) == (NOTHING_PENDING, [])
    assert len(terminals.replies(connection)) == 1


def _throttled() -> Exception:
    from botocore.exceptions import ClientError
    from pynamodb.exceptions import PutError

    return PutError("failed", ClientError({"Error": {"Code": "ThrottlingException", "Message": "…"}}, "PutItem"))


def test_a_throttled_action_is_answered_service_unavailable_with_when_to_send_it_again(terminals: Terminals) -> None:
    def throttled(message: TerminalMessage) -> None:
        raise _throttled()

    terminals.packages.actions["call.signal"] = throttled
    reply = terminals.send(terminals.connected("conn-1"), {"action": "call.signal"})
    assert reply["type"] == "error" and reply["data"]["problem"] == "service-unavailable"
    assert reply["data"]["action"] == "call.signal" and 1 <= reply["data"]["retry_after_s"] <= 3


def test_a_throttled_platform_action_is_answered_service_unavailable_too(
        terminals: Terminals, monkeypatch: pytest.MonkeyPatch) -> None:
    def throttled(connection_id: str) -> Party | None:
        raise _throttled()

    conn = terminals.connected("conn-1")
    monkeypatch.setattr(terminals.registry, "party_of", throttled)
    reply = terminals.send(conn, {"action": "list_pending"})
    assert (reply["type"], reply["data"]["problem"]) == ("error", "service-unavailable")


def test_a_connection_whose_registration_is_throttled_is_refused_with_503_and_nothing_registered(
        terminals: Terminals, monkeypatch: pytest.MonkeyPatch) -> None:
    def throttled(*args: Any) -> None:
        raise _throttled()

    monkeypatch.setattr(terminals.registry, "register", throttled)
    token = DevTokenIssuer("a-fake-issuers-secret").issue({"role": "merchant", "sub": "staff-1", "merchant_id": "m1"})
    with captured() as lines:
        assert terminals.session.connect("conn-1", token) == 503
    assert terminals.registry.party_of("conn-1") is None
    assert lines.events("ws.refused")[0]["reason"] == "ThrottlingException"
