"""What the relay accepts as a signal: an SDP offer or answer, or an ICE candidate, bounded."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.calls.errors import MalformedSignal
from chalicelib.calls.schemas import SignalAction
from chalicelib.calls.signals import MAX_CANDIDATE_BYTES, MAX_SDP_BYTES, signal_payload

CANDIDATE = {"type": "candidate", "candidate": "candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
             "sdpMid": "0", "sdpMLineIndex": 0}


@pytest.mark.parametrize("payload", [
    {"type": "offer", "sdp": "v=0\r\n"}, {"type": "answer", "sdp": "v=0\r\n"}, CANDIDATE,
    {**CANDIDATE, "candidate": ""}, {**CANDIDATE, "sdpMid": None, "sdpMLineIndex": None, "usernameFragment": "ab"},
])
def test_offers_answers_and_candidates_are_relayed_as_sent(payload: dict[str, Any]) -> None:
    assert signal_payload(payload) == payload
    SignalAction.model_validate({"action": "call.signal", "call_id": "cal_1", "payload": payload})  # as documented


@pytest.mark.parametrize("payload", [
    None, "offer", [], {}, {"type": "bye"}, {"type": "offer"}, {"type": "offer", "sdp": ""},
    {"type": "offer", "sdp": 5}, {"type": "offer", "sdp": "x" * (MAX_SDP_BYTES + 1)},
    {"type": "offer", "sdp": "v=0", "extra": 1}, {**CANDIDATE, "candidate": "x" * (MAX_CANDIDATE_BYTES + 1)},
    {**CANDIDATE, "candidate": None}, {**CANDIDATE, "sdpMLineIndex": True}, {**CANDIDATE, "sdpMLineIndex": -1},
    {**CANDIDATE, "sdpMLineIndex": "0"}, {**CANDIDATE, "sdpMid": 0}, {**CANDIDATE, "sdpMid": "m" * 65},
    {**CANDIDATE, "script": "<x>"}, {"type": "offer", "sdp": "é" * (MAX_SDP_BYTES // 2 + 1)},
])
def test_anything_else_is_refused_with_a_reason(payload: object) -> None:
    with pytest.raises(MalformedSignal) as refused:
        signal_payload(payload)
    assert refused.value.detail
