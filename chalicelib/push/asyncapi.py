"""The AsyncAPI 3.0 document of the terminals' WebSocket, generated from the message declarations
(`push/messages.py`, each package's `Contribution.messages`) and their models, as the OpenAPI
document is from the routes (`http/openapi.py`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.http.openapi import API_VERSION
from chalicelib.push.messages import ACTIONS, Action, Message, by_type, data_of, envelope_model

if TYPE_CHECKING:
    from chalicelib.contribution import Contribution

ASYNCAPI_VERSION = "3.0.0"
REF = "#/components/schemas/{model}"
CHANNEL = "terminal"
DESCRIPTION = """A terminal (customer app, merchant or supplier console, installer app, ops console)
connects with its token as a query parameter (`?token=<JWT>`; browsers cannot set headers on a
WebSocket); an invalid or missing token refuses the connection. Every server → terminal message
has one envelope, `{"type", "id", "server_time", "data"}`: de-duplicate by `id`. A terminal sends
`{"action": "<name>", …}`; an unknown or malformed one is answered with an `error` message on the
same connection, never a dropped socket. Pushes are not replayed: after a (re)connect, send
`list_pending` (or GET the pending work over REST)."""


def asyncapi_document(messages: Iterable[Message], actions: Iterable[Action] = ACTIONS, *,
                      title: str = "ontime terminals") -> dict[str, Any]:
    declared = by_type(messages)
    envelopes = {kind: envelope_model(kind, data_of(found)) for kind, found in declared.items()}
    actions = tuple(actions)
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "serialization") for m in envelopes.values()]
    wanted += [(a.body, "validation") for a in actions]
    keys, schemas = models_json_schema(wanted, ref_template=REF)  # type: ignore[arg-type]
    components: dict[str, Any] = {}
    for kind, found in declared.items():
        components[kind] = {
            "name": kind,
            "title": kind,
            "summary": " ".join(dict.fromkeys(m.summary for m in found)),
            "description": f"To: {', '.join(dict.fromkeys(role for m in found for role in m.to))}"
                           + (" (a reply to the terminal that asked)." if all(m.reply for m in found) else "."),
            "payload": keys[(envelopes[kind], "serialization")],
        }
    for action in actions:
        components[action.name] = {"name": action.name, "title": action.name, "summary": action.summary,
                                   "payload": keys[(action.body, "validation")],
                                   "examples": [{"payload": example} for example in _examples(action.body)]}
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "info": {"title": title, "version": API_VERSION, "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "127.0.0.1:8001", "protocol": "ws",
                              "description": "The local stack (`./dev up`); in AWS, the stack's `WebSocketUrl` "
                                             "output (wss).",
                              "security": [{"$ref": "#/components/securitySchemes/token"}]}},
        "channels": {CHANNEL: {
            "address": "/",
            "title": "A terminal's connection",
            "description": "One connection per terminal; pushes reach every terminal of the party.",
            "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in components},
        }},
        "operations": _operations(declared, actions),
        "components": {
            "messages": components,
            "schemas": dict(sorted(schemas.get("$defs", {}).items())),
            "securitySchemes": {"token": {"type": "httpApiKey", "in": "query", "name": "token",
                                          "description": "The same JWT as the REST API's bearer token."}},
        },
    }


def _operations(declared: dict[str, list[Message]], actions: tuple[Action, ...]) -> dict[str, Any]:
    channel = {"$ref": f"#/channels/{CHANNEL}"}
    operations: dict[str, Any] = {}
    for kind, found in declared.items():
        if all(m.reply for m in found):
            continue  # answered within its action's operation
        operations[f"receive.{kind}"] = {"action": "receive", "channel": channel, "summary": found[0].summary,
                                         "messages": [_message_ref(kind)]}
    for action in actions:
        replies = [kind for kind in declared if kind in action.replies
                   or any(r.startswith("*.") and kind.endswith(r[1:]) and declared[kind][0].reply
                          for r in action.replies)]
        operations[f"send.{action.name}"] = {"action": "send", "channel": channel, "summary": action.summary,
                                             "messages": [_message_ref(action.name)],
                                             "reply": {"channel": channel,
                                                       "messages": [_message_ref(k) for k in [*replies, "error"]]}}
    return operations


def _message_ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/channels/{CHANNEL}/messages/{name}"}


def _examples(model: type[BaseModel]) -> list[Any]:
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return list(examples) if isinstance(examples, list) else []


def terminals_document(packages: Iterable[Contribution]) -> dict[str, Any]:
    """The document of the platform's and these packages' messages and actions (`docs/asyncapi.json`)."""
    packages = tuple(packages)
    return asyncapi_document((m for p in packages for m in p.messages),
                             (*ACTIONS, *(a for p in packages for a in p.action_models)))


__all__ = ["asyncapi_document", "terminals_document"]
