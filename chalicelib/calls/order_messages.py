"""What call orders push to terminals (part of the calls package's `Contribution.messages`;
`docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.calls.order_view_models import CallOrderChangedView, CallOrderView
from chalicelib.http.responses import ResponseBody
from chalicelib.push.messages import Message


class CallOrderAlertView(ResponseBody):
    """Something managers must look at: `refund_due` (a payment after the order was cancelled or
    expired) or `payment_mismatch`, with the order concerned."""

    kind: str
    call_order: CallOrderView


ORDER_MESSAGES = (
    Message("call_order.created", CallOrderView, "The merchant sent an order drafted in the call: pay it on "
            "`payment.pay_url` before `payment_deadline`.", ("customer",)),
    Message("call_order.status_changed", CallOrderChangedView, "A call order was paid, expired or cancelled (a "
            "customer hears only of orders it was sent).",
            ("customer", "merchant")),
    Message("call_order.refund_due", CallOrderView, "A payment arrived for a call order already cancelled or "
            "expired: it will be refunded.", ("customer",)),
    Message("alert.raised", CallOrderAlertView, "A call order needs a manager.", ("ops",)),
)
