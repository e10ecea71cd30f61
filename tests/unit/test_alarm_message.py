"""Alarm messages on the queue: what is sent is read back; anything else is refused."""

from __future__ import annotations

import pytest

from chalicelib.waitstate.model import MAX_SQS_DELAY_S, AlarmMessage, DueAlarm


def test_a_message_round_trips_through_its_json_body() -> None:
    message = AlarmMessage("order", "ord_1", 1_795_000_120_000)
    assert AlarmMessage.from_json(message.to_json()) == message


def test_a_redelivered_message_round_trips_with_its_count_and_a_first_one_carries_none() -> None:
    message = AlarmMessage("order", "ord_1", 1_795_000_120_000, redelivery=2)
    assert AlarmMessage.from_json(message.to_json()) == message
    assert "redelivery" not in AlarmMessage("order", "ord_1", 1).to_json()


@pytest.mark.parametrize("body", [
    "", "not json", "[]", '"order"', "{}",
    '{"kind": "order", "entity_id": "ord_1"}',
    '{"kind": "order", "entity_id": "ord_1", "wake_at": "1795000120000"}',
    '{"kind": "order", "entity_id": 1, "wake_at": 1795000120000}',
    '{"kind": null, "entity_id": "ord_1", "wake_at": 1795000120000}',
    '{"kind": "order", "entity_id": "ord_1", "wake_at": 1.5}',
    '{"kind": "order", "entity_id": "ord_1", "wake_at": 1795000120000, "redelivery": -1}',
    '{"kind": "order", "entity_id": "ord_1", "wake_at": 1795000120000, "redelivery": true}',
])
def test_a_malformed_body_is_refused_with_a_value_error(body: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the handler treats every ValueError as poison
        AlarmMessage.from_json(body)


def test_an_alarm_set_within_the_sqs_delay_limit_had_its_trigger_sent_at_write() -> None:
    set_at = 1_795_000_000_000
    assert DueAlarm("ord_1", set_at + MAX_SQS_DELAY_S * 1000, set_at).trigger_sent_at_write
    assert not DueAlarm("ord_1", set_at + MAX_SQS_DELAY_S * 1000 + 1, set_at).trigger_sent_at_write
    assert not DueAlarm("ord_1", set_at, None).trigger_sent_at_write
