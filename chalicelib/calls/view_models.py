"""The models of the bodies `views.py` renders (calls, their details, ICE settings), for the
routes that answer them, the messages that carry them and the API documents."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from chalicelib.calls.order_view_models import CallOrderView
from chalicelib.http.responses import ResponseBody, Timestamp


class IceServerView(ResponseBody):
    """An `RTCIceServer` as `RTCPeerConnection` takes it: STUN with `urls` only, TURN with the
    short-lived `username` (`<expiry s>:<party>`) and `credential` (the TURN REST scheme)."""

    urls: list[str]
    username: str | None = None
    credential: str | None = None


class DetailFieldView(ResponseBody):
    value: str
    version: int


class DetailsView(ResponseBody):
    """What the customer typed into the input window, field by field (null: nothing yet)."""

    content: DetailFieldView | None
    price_proposal: DetailFieldView | None
    """A proposal: the order's price is the merchant's."""
    when: DetailFieldView | None
    """When to deliver or serve, as typed."""
    address: DetailFieldView | None


class CallView(ResponseBody):
    call_id: str
    status: str
    """`ringing` → `connected` → `ended`; or `missed`, `declined`, `cancelled`."""
    merchant_id: str
    customer_id: str
    ring_deadline: Timestamp
    remaining_ms: int
    """Until the ring deadline, while ringing."""
    created_at: Timestamp
    answered_at: Timestamp | None
    ended_at: Timestamp | None
    end_cause: str | None
    you: str
    """Which side the caller is: `customer`, `merchant` (or `ops`)."""
    ice_servers: list[IceServerView]
    """For a party of a live call: what its `RTCPeerConnection` uses (the local stage: none)."""
    ice_expires_at: Timestamp | None
    """When the TURN credential stops working: fetch the call again before it does."""
    details: DetailsView
    details_requested_at: Timestamp | None
    details_submitted_at: Timestamp | None
    orders: list[CallOrderView]
    """The orders drafted in the call (the customer sees the sent ones)."""
    server_time: Timestamp


class CallChangedView(CallView):
    previous_status: str
    cause: str
    """`ring_deadline_elapsed`, `declined_by_merchant`, `cancelled_by_customer`, `hung_up_by_customer`,
    `hung_up_by_merchant`, `both_terminals_gone`."""


class AnsweredElsewhereView(ResponseBody):
    call_id: str
    answered_at: Timestamp | None


class RejoinedView(ResponseBody):
    call_id: str
    side: str
    """The side whose terminal rejoined: it sends a new offer next."""


class DetailsRequestedView(ResponseBody):
    call_id: str
    fields: list[str]


class DetailsUpdatedView(ResponseBody):
    call_id: str
    fields: dict[str, DetailFieldView]
    """Only the fields this update changed."""


class DetailsSubmittedView(ResponseBody):
    call_id: str
    details: DetailsView


class SignalView(ResponseBody):
    call_id: str
    from_: str = Field(alias="from")
    """The side that sent it: `customer` or `merchant`."""
    payload: dict[str, Any]
    """As the other terminal sent it: `{"type": "offer"|"answer", "sdp"}` or a `candidate`."""


class RingSettingsView(ResponseBody):
    ring_s: int
