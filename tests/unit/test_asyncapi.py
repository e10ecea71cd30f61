"""The AsyncAPI document of the WebSocket is generated from the message declarations: its required
members are there, every schema in it is a JSON Schema whose references resolve, every declared
message and action is in it, and a real envelope is valid against it. A pushed message that is
not what its package declares is named (the functional tier fails on any: `tests/pushes.py`)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from chalicelib.bootstrap import contributions
from chalicelib.orders.views import order_view
from chalicelib.push.asyncapi import terminals_document
from chalicelib.push.envelope import encode, envelope
from chalicelib.push.messages import ACTIONS, by_type, violation
from infra.generate import ASYNCAPI_DOC
from tests.builders import T0, an_order

MESSAGES = [m for c in contributions() for m in c.messages]
DECLARED = by_type(MESSAGES)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return terminals_document(contributions())


def validator(document: dict[str, Any], schema_name: str) -> Draft202012Validator:
    """Validates against one of the document's schemas, its `$ref`s resolved within the document."""
    registry: Registry[Any] = Registry().with_resource("urn:asyncapi", DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": f"urn:asyncapi#/components/schemas/{schema_name}"}, registry=registry)


def test_the_committed_document_is_the_generated_one(document: dict[str, Any]) -> None:
    assert json.loads(ASYNCAPI_DOC.read_text()) == document, "run ./dev infra and commit docs/asyncapi.json"


def test_the_document_has_asyncapi_3s_required_members(document: dict[str, Any]) -> None:
    assert document["asyncapi"] == "3.0.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["channels"]["terminal"]["address"] == "/"
    for name, operation in document["operations"].items():
        assert operation["action"] in ("send", "receive"), name
        assert operation["channel"] == {"$ref": "#/channels/terminal"}
        for ref in operation["messages"] + operation.get("reply", {}).get("messages", []):
            assert ref["$ref"].removeprefix("#/channels/terminal/messages/") in document["channels"]["terminal"][
                "messages"], ref


def test_every_schema_is_a_json_schema_whose_references_resolve(document: dict[str, Any]) -> None:
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for ref in set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(document))):
        node: Any = document
        for key in ref.removeprefix("#/").split("/"):
            node = node[key]


def test_every_declared_message_and_action_is_in_the_document(document: dict[str, Any]) -> None:
    messages = document["components"]["messages"]
    actions = (*ACTIONS, *(a for c in contributions() for a in c.action_models))
    assert set(DECLARED) | {a.name for a in actions} == set(messages)
    assert not set(DECLARED) & {a.name for a in actions}, "a message and an action would share one component"
    for kind in ("order.created", "order.status_changed", "dispatch.reminded", "orders.listed", "pending.listed",
                 "pong", "error", "ping", "list_pending", "call.signal", "call.signalled"):
        assert kind in messages
    pushed = {name.removeprefix("receive.") for name in document["operations"] if name.startswith("receive.")}
    assert pushed == {kind for kind, found in DECLARED.items() if not all(m.reply for m in found)}


def test_a_type_two_packages_push_takes_either_packages_data(document: dict[str, Any]) -> None:
    alert = document["components"]["schemas"]["AlertRaisedMessage"]["properties"]["data"]
    assert {s["$ref"].rsplit("/", 1)[-1] for s in alert["anyOf"]} == {
        "InstallationAlertView", "PurchaseAlertView", "GroupBuyAlertView", "CallOrderAlertView"}


def test_a_real_push_is_valid_against_the_document(document: dict[str, Any]) -> None:
    message = envelope("order.created", order_view(an_order(), T0), T0)
    errors = list(validator(document, "OrderCreatedMessage").iter_errors(json.loads(encode(message))))
    assert not errors
    broken = {**message, "data": {k: v for k, v in message["data"].items() if k != "answer_deadline"}}
    assert list(validator(document, "OrderCreatedMessage").iter_errors(json.loads(encode(broken))))


def test_a_push_that_is_not_its_declaration_is_named() -> None:
    good = envelope("order.created", order_view(an_order(), T0), T0)
    assert violation(encode(good), DECLARED) is None
    missing = {**good, "data": {k: v for k, v in good["data"].items() if k != "status"}}
    assert "order.created does not match" in str(violation(encode(missing), DECLARED))
    assert "undeclared message type 'order.teleported'" in str(
        violation(encode({**good, "type": "order.teleported"}), DECLARED))
