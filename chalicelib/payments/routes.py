"""The payment provider's side: its signed callbacks (no bearer token: the signature is the auth)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.errors import PayloadTooLarge
from chalicelib.http.routing import Call, Routes
from chalicelib.payments.callbacks import PaymentCallbacks
from chalicelib.payments.signing import SIGNATURE_HEADER

routes = Routes(__name__, PaymentCallbacks)


@routes.route("/payments/callback", methods=["POST"], public=True)
def payment_callback(call: Call[PaymentCallbacks]) -> dict[str, Any]:
    """A provider tells the outcome of a payment (signed with `Payment-Signature`)."""
    body = call.request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > call.runtime.max_body_bytes:
        raise PayloadTooLarge("the callback is larger than this API accepts")
    return call.services.receive(raw, call.header(SIGNATURE_HEADER))
