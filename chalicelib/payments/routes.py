"""The payment provider's side: its signed callbacks (no bearer token: the signature is the auth)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from chalicelib.core.errors import PayloadTooLarge
from chalicelib.http.responses import ResponseBody
from chalicelib.http.routing import Call, Routes
from chalicelib.payments.callbacks import PaymentCallbacks
from chalicelib.payments.signing import SIGNATURE_HEADER

routes = Routes(__name__, PaymentCallbacks)


class CallbackAnswer(ResponseBody):
    """Whether the callback changed anything (`ignored`: a retry, or a reference nobody knows, with
    the `reason`); the workflow that settles the reference adds what it settled (`purchase_id`, …)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    status: Literal["processed", "ignored"]
    reason: str | None = None


@routes.route("/payments/callback", methods=["POST"], public=True, response=CallbackAnswer,
              problems=(400, 401, 413, 422))
def payment_callback(call: Call[PaymentCallbacks]) -> dict[str, Any]:
    """A provider tells the outcome of a payment (signed with `Payment-Signature`)."""
    body = call.request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > call.runtime.max_body_bytes:
        raise PayloadTooLarge("the callback is larger than this API accepts")
    return call.services.receive(raw, call.header(SIGNATURE_HEADER))
