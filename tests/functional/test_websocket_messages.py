"""The WebSocket does what `docs/asyncapi.json` says: every declared action is answered with one of
its declared replies, and the messages a flow pushes pass the check every functional test's pushes
go through (`tests/pushes.py`)."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

from chalicelib.push.messages import ACTIONS, Action
from tests import pushes
from tests.conftest import World
from tests.events import ws_connect, ws_message
from tests.functional.shop import Shop


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
def test_every_declared_action_is_answered_with_one_of_its_declared_replies(
        world: World, client: Client, action: Action) -> None:
    token = world.token("merchant", "staff-1", merchant_id="m1")
    client.lambda_.invoke("connect", ws_connect("conn-1", token))
    client.lambda_.invoke("message", ws_message("conn-1", json.dumps({"action": action.name})))
    reply = world.push.to("conn-1")[-1]
    assert reply["type"] != "error"
    assert reply["type"] in action.replies or any(r.startswith("*.") and reply["type"].endswith(r[1:])
                                                   for r in action.replies)


def test_an_order_flows_pushes_are_each_checked_against_their_declaration(shop: Shop) -> None:
    before = dict(pushes.checked)
    shop.connect("console", shop.merchant)
    shop.connect("phone", shop.customer)
    order = shop.placed()
    assert shop.act(order["order_id"], "accept").status == 200
    assert pushes.checked["order.created"] > before.get("order.created", 0)
    assert pushes.checked["order.status_changed"] >= before.get("order.status_changed", 0) + 2
    assert pushes.violations() == []
