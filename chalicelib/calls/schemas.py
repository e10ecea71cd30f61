"""Request bodies of the video-call workflow's calls: placing one, answering or rejoining it with a
terminal, the customer's details, and the merchant's ring deadline."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.calls.signals import MAX_CANDIDATE_BYTES, MAX_SDP_BYTES
from chalicelib.http.fields import Id, Strict, example

ConnectionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_=+\-]{1,128}$")]
"""A terminal's WebSocket connection id, as its `hello` returned it."""
MAX_VERSION = 2 ** 53 - 1
"""A field's versions are numbers a browser's JavaScript counts exactly."""


_TYPED = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
"""Typed text is kept as typed (no stripping: the field is mid-edit); control characters are refused."""
Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]


class PlaceCallIn(Strict):
    model_config = example({"merchant_id": "m_demo", "connection_id": "L0SM9cOFvHcCIhw="})

    merchant_id: Id
    connection_id: ConnectionId
    """The customer's terminal that will show the call (its `hello`'s `connection_id`)."""


class TerminalIn(Strict):
    model_config = example({"connection_id": "L0SM9cOFvHcCIhw="})

    connection_id: ConnectionId


class ContentField(Strict):
    value: Annotated[str, StringConstraints(max_length=2000, pattern=_TYPED)]
    version: Version


class PriceField(Strict):
    value: Annotated[str, StringConstraints(max_length=64, pattern=_TYPED)]
    version: Version


class WhenField(Strict):
    value: Annotated[str, StringConstraints(max_length=200, pattern=_TYPED)]
    version: Version


class AddressField(Strict):
    value: Annotated[str, StringConstraints(max_length=500, pattern=_TYPED)]
    version: Version


class DetailFields(Strict):
    content: ContentField | None = None
    price_proposal: PriceField | None = None
    """What the customer proposes to pay, as typed: the merchant sets the order's price."""
    when: WhenField | None = None
    """When to deliver or serve, as typed (`tomorrow 10:00`; an ISO time becomes the order's `time`)."""
    address: AddressField | None = None


class DetailsIn(Strict):
    model_config = example({"fields": {"content": {"value": "2 kg of the red apples", "version": 7},
                                       "address": {"value": "12 Nanjing Rd", "version": 3}}})

    fields: DetailFields
    """The fields that changed, each with the number of its edit (higher is newer)."""


class RingSettingsIn(Strict):
    model_config = example({"ring_s": 30})

    ring_s: Annotated[int, Field(ge=1, le=120)]
    """How long a call rings before it is missed (AWS stages: at least 5 s)."""


class SessionDescription(Strict):
    type: Literal["offer", "answer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=MAX_SDP_BYTES)]
    """At most `MAX_SDP_BYTES` in UTF-8 (the relay counts bytes)."""


class IceCandidate(Strict):
    type: Literal["candidate"]
    candidate: Annotated[str, StringConstraints(max_length=MAX_CANDIDATE_BYTES)]
    """As `RTCIceCandidate.candidate` (`""`: the end of the candidates)."""
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=63)] | None = None
    usernameFragment: Annotated[str, StringConstraints(max_length=256)] | None = None


class SignalAction(Strict):
    """What `calls/signals.py` relays (the document's model of it; the relay checks the same bounds)."""

    model_config = example({"action": "call.signal", "call_id": "cal_5f0c3a9e2b7d4e1f8a6b9c0d",
                            "payload": {"type": "candidate", "candidate": "candidate:1 1 udp 2130706431 "
                                        "192.168.1.7 50000 typ host", "sdpMid": "0", "sdpMLineIndex": 0}})

    action: Literal["call.signal"]
    call_id: Id
    payload: SessionDescription | IceCandidate
