"""What timed orders push to terminals (`Contribution.messages`; `docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.orders.view_models import OrderView
from chalicelib.push.messages import Listed, Message


class OrderStatusChangedView(OrderView):
    """The order after a transition, with the status it left and what moved it."""

    previous_status: str
    cause: str
    """`accept`, `reject`, `timeout`, `cancel`, … (the event that moved it)."""


MESSAGES = (
    Message("order.created", OrderView, "A new order for the merchant to answer before its `answer_deadline`.",
            ("merchant",)),
    Message("order.status_changed", OrderStatusChangedView, "An order moved to another status (every transition, "
            "to both sides).", ("customer", "merchant")),
    Message("orders.listed", Listed[OrderView], "The answer to a merchant console's `list_pending`: the orders it can "
            "still answer.", ("merchant",), reply=True),
)
