"""Whatever text reaches us, what we send or write with it in — a push, a reply to a terminal, a log
line — still encodes: a lone surrogate is sent escaped, never an exception in the middle of a push."""

from __future__ import annotations

import io
import json
import logging

from chalicelib.core.observability import configure_logging, log
from chalicelib.push import party
from chalicelib.push.envelope import encode, envelope
from chalicelib.push.notifier import Notifier
from tests.fakes import RecordingPushSender
from tests.fakes.platform_ports import InMemoryConnectionRegistry

NOW = 1_795_000_000_000


def test_an_envelope_echoing_a_lone_surrogate_is_sent_as_utf8() -> None:
    payload = encode(envelope("error", {"action": "\ud800", "detail": "unknown action '\\ud800'"}, NOW))
    assert json.loads(payload.decode("utf-8"))["data"]["action"] == "\ud800"


def test_an_envelope_keeps_other_text_as_it_is() -> None:
    assert "茶".encode() in encode(envelope("order.created", {"note": "少冰 茶"}, NOW))


def test_a_push_and_a_reply_with_text_that_is_not_unicode_reach_the_terminal() -> None:
    registry, sender = InMemoryConnectionRegistry(), RecordingPushSender()
    registry.register("conn-1", party.customer("u1"), "u1", NOW)
    notifier = Notifier(registry, sender)

    assert notifier.push(party.customer("u1"), "order.created", {"note": "\udc00"}, NOW) == 1
    notifier.reply("conn-1", "error", {"action": "\ud83d"}, NOW)

    assert [m["data"] for m in sender.to("conn-1")] == [{"note": "\udc00"}, {"action": "\ud83d"}]


def test_a_log_line_with_any_text_is_one_json_line_of_ascii() -> None:
    stream = io.StringIO()
    configure_logging()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("ontime")
    logger.addHandler(handler)
    try:
        log("ws.unknown_action", action="\ud800茶", path="/orders/\udfff")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert line.isascii() and line.count("\n") == 1
    assert json.loads(line)["action"] == "\ud800茶"
