"""The payment provider's side: its signed callbacks (no bearer token: the signature is the auth)."""

from __future__ import annotations

from typing import Any

from chalicelib.checkout.signing import SIGNATURE_HEADER
from chalicelib.core.errors import PayloadTooLarge
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


@routes.route("/payments/callback", methods=["POST"], public=True)
def payment_callback(call: Call) -> dict[str, Any]:
    body = call.request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > call.app.settings.max_body_bytes:
        raise PayloadTooLarge("the callback is larger than this API accepts")
    return call.app.checkout.callback(raw, call.header(SIGNATURE_HEADER))
