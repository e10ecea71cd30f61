"""What travels over a terminal's WebSocket, declared: every server → terminal message type with
the model of its `data`, and every terminal → server action.

Each package declares the messages it pushes in its `Contribution.messages`; the platform declares
its own (`pong`, `hello`, `error`, `pending.listed`) and the actions every terminal may send
(`ping`, `hello`, `list_pending`). `docs/asyncapi.json` is generated from these declarations (`push/asyncapi.py`),
and the tests check every message pushed against them (`tests/conftest.py`), so a push whose data
drifts from its declaration fails the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError, create_model

from chalicelib.http.fields import Strict
from chalicelib.http.responses import ResponseBody, Timestamp
from chalicelib.push.terminal import NOTHING_PENDING

T = TypeVar("T")


@dataclass(frozen=True)
class Message:
    """One server → terminal message type."""

    type: str
    """`<noun>.<past-tense verb>`: `order.created`."""
    data: Any
    """The model of its `data` (a response model, or a union of them)."""
    summary: str
    to: tuple[str, ...]
    """The roles whose terminals get it (`merchant`, `customer`)."""
    reply: bool = False
    """Sent to the one terminal that asked (an action's answer), not pushed to a party."""


@dataclass(frozen=True)
class Action:
    """One terminal → server message: `{"action": name, …}`, answered on the same connection."""

    name: str
    body: type[BaseModel]
    summary: str
    replies: tuple[str, ...]
    """The message types that can answer it (`*.listed`: each package's own pending-work type)."""


class Envelope(ResponseBody):
    """Every server → terminal message: a type, an id to de-duplicate by, the server's time, what
    caused it (the REST request's `X-Request-Id`, the terminal's message, or the alarm
    `alarm:<kind>:<entity id>:<wake_at>`; null outside all of them), and its data."""

    type: str
    id: str
    server_time: Timestamp
    correlation_id: str | None
    data: dict[str, Any]


class Empty(ResponseBody):
    """No data."""


class Listed(ResponseBody, Generic[T]):
    """One part of the answer to `list_pending`: a list is sent in as many messages (parts 1 … n)
    as keep each under API Gateway's 128 KB; `more` says there is more than one `list_pending`
    lists, to read over the REST list."""

    items: list[T]
    part: int
    parts: int
    more: bool


class ErrorData(ResponseBody):
    """`problem`: `malformed-message`, `unknown-action`, `rate-limited` and `service-unavailable`
    (both with `retry_after_s`), `internal`, or the problem type of a package's refusal of its
    action (`not-a-party`), with that problem's extensions as further members."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"problem": "rate-limited", "detail": "this connection sent more actions than it may: try again in 3 s",
         "action": "call.signal", "retry_after_s": 3}]})

    problem: str
    detail: str
    action: str | None = None
    retry_after_s: int | None = None
    """Only for `rate-limited` (when this connection's next window starts) and `service-unavailable`
    (when to send the message again)."""


class HelloData(ResponseBody):
    """Who this connection is: its id (API Gateway never tells a client), the role and party it
    was registered under (null when the connection is not registered, or no longer)."""

    connection_id: str
    role: str | None
    party_id: str | None


class PingAction(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "ping"}]})

    action: Literal["ping"]


class HelloAction(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "hello"}]})

    action: Literal["hello"]


class ListPendingAction(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"action": "list_pending"}]})

    action: Literal["list_pending"]


ANY_TERMINAL = ("customer", "merchant", "installer", "supplier", "carrier", "ops")
PLATFORM_MESSAGES = (
    Message("pong", Empty, "The answer to a `ping`.", ANY_TERMINAL, reply=True),
    Message("connection.identified", HelloData, "The answer to `hello`: this connection's id, role and party.",
            ANY_TERMINAL, reply=True),
    Message("error", ErrorData, "A terminal's message was not JSON, too large, named no known action, exceeded "
            "the connection's budget of package actions, or its package refused or failed it; the connection stays "
            "open.", ANY_TERMINAL, reply=True),
    Message(NOTHING_PENDING, Listed[dict[str, Any]], "The answer to `list_pending` for a role with no pending work "
            "in any workflow (always no items).", ANY_TERMINAL, reply=True),
)
ACTIONS = (
    Action("ping", PingAction, "Keep the connection alive; answered with `pong`.", ("pong",)),
    Action("hello", HelloAction, "This connection's id (to name it in a REST call), role and party; answered "
           "with `connection.identified`.", ("connection.identified",)),
    Action("list_pending", ListPendingAction, "After a (re)connect: the work that waits for this terminal's "
           "party (pushes are never replayed), one listing per package that lists its role.",
           (NOTHING_PENDING, "*.listed")),
)


def by_type(messages: Iterable[Message]) -> dict[str, list[Message]]:
    """Declarations by message type (a type two packages push, `alert.raised`, has two)."""
    found: dict[str, list[Message]] = {}
    for message in messages:
        found.setdefault(message.type, []).append(message)
    return found


def envelope_model(message_type: str, data: Any) -> type[BaseModel]:
    """The model of a whole message of one type: the envelope with its `type` and its `data`."""
    name = "".join(part.title() for part in message_type.replace("_", ".").split(".")) + "Message"
    kind: Any = Literal[message_type]
    return create_model(name, __base__=Envelope, type=(kind, ...), data=(data, ...))


def data_of(declared: list[Message]) -> Any:
    """The model of `data` for one type: one declaration's, or the union of several packages'."""
    models = list(dict.fromkeys(m.data for m in declared))
    union: Any = models[0]
    for model in models[1:]:
        union = union | model
    return union


def violation(payload: bytes | str, declared: Mapping[str, list[Message]]) -> str | None:
    """Why a pushed payload is not a declared message (None when it is one)."""
    message = json.loads(payload)
    kind = message.get("type") if isinstance(message, dict) else None
    if not isinstance(kind, str) or kind not in declared:
        return f"undeclared message type {kind!r} (declare it in the package's Contribution.messages)"
    try:
        _adapter(kind, data_of(declared[kind])).validate_python(message)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        return f"{kind} does not match its declaration: {details}"
    return None


@cache
def _adapter(kind: str, data: Any) -> TypeAdapter[Any]:
    return TypeAdapter(envelope_model(kind, data))
