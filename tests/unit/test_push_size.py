"""Nothing the platform pushes is larger than API Gateway takes (128 KB a `PostToConnection`): a
list goes in parts, each under the limit, together all of it, in order; an oversize message is
logged and never sent."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.push.envelope import MAX_MESSAGE_BYTES, encode, listing
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from tests.fakes import RecordingPushSender
from tests.fakes.platform_ports import InMemoryConnectionRegistry

NOW = 1_795_000_000_000
MERCHANT = Party("merchant", "m1")


def items(count: int, size: int) -> list[dict[str, Any]]:
    return [{"order_id": f"ord_{n:04d}", "note": "x" * size} for n in range(count)]


def test_a_list_too_large_for_one_message_comes_in_parts_each_under_the_limit_together_all_in_order() -> None:
    orders = items(40, 300)
    split = listing("orders.listed", orders, NOW, {"next_token": None}, limit=4_000)
    assert len(split.messages) > 1 and split.left_out == 0
    assert all(len(encode(m)) <= 4_000 for m in split.messages)
    assert [item for m in split.messages for item in m["data"]["items"]] == orders
    parts = len(split.messages)
    numbers = [(m["data"]["part"], m["data"]["parts"]) for m in split.messages]
    assert numbers == [(n, parts) for n in range(1, parts + 1)]
    assert {m["type"] for m in split.messages} == {"orders.listed"}
    assert all(m["data"]["next_token"] is None for m in split.messages)
    assert len({m["id"] for m in split.messages}) == parts  # each part is its own message


def test_parts_are_filled_up_to_the_limit_not_split_early() -> None:
    split = listing("orders.listed", items(40, 300), NOW, limit=4_000)
    assert all(len(encode(m)) > 4_000 - 340 for m in split.messages[:-1])


def test_an_empty_list_is_one_part_with_no_items() -> None:
    [only] = listing("pending.listed", [], NOW).messages
    assert only["data"] == {"items": [], "part": 1, "parts": 1}


def test_an_item_too_large_for_any_message_is_left_out_and_counted_the_rest_still_go() -> None:
    orders = [*items(3, 100), {"order_id": "ord_huge", "note": "x" * 5_000}, *items(2, 100)]
    split = listing("orders.listed", orders, NOW, limit=4_000)
    assert split.left_out == 1
    assert "ord_huge" not in [i["order_id"] for m in split.messages for i in m["data"]["items"]]
    assert sum(len(m["data"]["items"]) for m in split.messages) == 5


def test_the_notifier_never_sends_a_push_larger_than_api_gateway_takes() -> None:
    registry, sender = InMemoryConnectionRegistry(), RecordingPushSender()
    registry.register("ws-1", MERCHANT, "staff-1", NOW)
    notifier = Notifier(registry, sender)
    assert notifier.push(MERCHANT, "order.created", {"note": "x" * MAX_MESSAGE_BYTES}, NOW) == 0
    notifier.reply("ws-1", "orders.listed", {"items": items(200, 1_000)}, NOW)
    assert sender.sent == [] and sender.too_large == []  # refused before sending, not by the gateway
    assert registry.connections_of(MERCHANT) == ["ws-1"]  # and the terminal is kept


def test_the_notifier_replies_with_a_long_list_in_parts_under_the_limit() -> None:
    registry, sender = InMemoryConnectionRegistry(), RecordingPushSender()
    registry.register("ws-1", MERCHANT, "staff-1", NOW)
    orders = items(300, 1_000)
    Notifier(registry, sender).reply_listing("ws-1", "orders.listed", orders, NOW, next_token="tok")
    payloads = sender.payloads_to("ws-1")
    assert len(payloads) == 3 and all(len(p) <= MAX_MESSAGE_BYTES for p in payloads)
    replies = [json.loads(p) for p in payloads]
    assert [i for r in replies for i in r["data"]["items"]] == orders
    assert {r["data"]["next_token"] for r in replies} == {"tok"}


def test_a_listing_stops_at_the_first_part_the_terminal_is_gone_for() -> None:
    registry, sender = InMemoryConnectionRegistry(), RecordingPushSender()
    registry.register("ws-1", MERCHANT, "staff-1", NOW)
    sender.gone.add("ws-1")
    Notifier(registry, sender).reply_listing("ws-1", "orders.listed", items(300, 1_000), NOW)
    assert registry.connections_of(MERCHANT) == [] and sender.sent == []
