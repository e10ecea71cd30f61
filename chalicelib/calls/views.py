"""How a call looks on the wire. A party sees its ICE settings while the call is live; the
customer sees the orders once sent, the merchant its drafts too (the service picks them)."""

from __future__ import annotations

from typing import Any

from chalicelib.calls.call import DETAIL_FIELDS, Call, CallStatus
from chalicelib.calls.ice import IceServers
from chalicelib.core.timefmt import iso, iso_or_none


def call_view(call: Call, now: int, you: str, ice: IceServers | None, orders: list[dict[str, Any]]) -> dict[str, Any]:
    ringing = call.status is CallStatus.RINGING
    return {
        "call_id": call.id, "status": call.status.value, "merchant_id": call.merchant_id,
        "customer_id": call.customer_id, "ring_deadline": iso(call.ring_deadline),
        "remaining_ms": max(0, call.ring_deadline - now) if ringing else 0, "created_at": iso(call.created_at),
        "answered_at": iso_or_none(call.answered_at), "ended_at": iso_or_none(call.ended_at),
        "end_cause": call.end_cause, "you": you,
        "ice_servers": [dict(server) for server in ice.servers] if ice is not None else [],
        "ice_expires_at": iso_or_none(ice.expires_at) if ice is not None else None,
        "details": {name: ({"value": call.details[name].value, "version": call.details[name].version}
                           if name in call.details else None) for name in DETAIL_FIELDS},
        "details_requested_at": iso_or_none(call.details_requested_at),
        "details_submitted_at": iso_or_none(call.details_submitted_at),
        "orders": orders, "server_time": iso(now),
    }
