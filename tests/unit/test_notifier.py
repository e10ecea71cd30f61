"""A push reaches every terminal of the party but the one it is told to skip (the terminal that
answered a call is told otherwise than its siblings)."""

from __future__ import annotations

from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from tests.fakes import RecordingPushSender
from tests.fakes.platform_ports import InMemoryConnectionRegistry

SHOP = party.merchant("m1")


def _shop_with_three_consoles() -> tuple[Notifier, RecordingPushSender]:
    registry, sender = InMemoryConnectionRegistry(), RecordingPushSender()
    for connection_id in ("c1", "c2", "c3"):
        registry.register(connection_id, SHOP, "staff", 0)
    registry.register("c9", party.customer("u1"), "u1", 0)
    return Notifier(registry, sender), sender


def test_a_push_skips_the_one_connection_it_is_told_to() -> None:
    notifier, sender = _shop_with_three_consoles()
    assert notifier.push(SHOP, "call.answered_elsewhere", {"call_id": "cal_1"}, 1_000, skip="c2") == 2
    assert [connection for connection, _ in sender.sent] == ["c1", "c3"]


def test_without_skip_or_skipping_another_partys_connection_every_terminal_gets_it() -> None:
    notifier, sender = _shop_with_three_consoles()
    assert notifier.push(SHOP, "call.ringing", {"call_id": "cal_1"}, 1_000) == 3
    assert notifier.push(SHOP, "call.ringing", {"call_id": "cal_1"}, 1_000, skip="c9") == 3
    assert [connection for connection, _ in sender.sent] == ["c1", "c2", "c3"] * 2
