"""The models of the bodies `views.py` renders (an order on the wire), for the routes that
answer them, the messages that carry them and the API documents."""

from __future__ import annotations

from chalicelib.http.responses import AddressView, MoneyView, ResponseBody, Timestamp


class OrderItemView(ResponseBody):
    product_id: str
    name: str
    unit_price: MoneyView
    quantity: int
    amount: MoneyView


class OrderHistoryView(ResponseBody):
    at: Timestamp
    status: str
    cause: str


class OrderView(ResponseBody):
    """An order, the same for the customer app and the merchant console."""

    order_id: str
    status: str
    merchant_id: str
    customer_id: str
    items: list[OrderItemView]
    total: MoneyView
    delivery_address: AddressView
    note: str | None
    answer_deadline: Timestamp
    answer_window_s: int
    """The length of this window (the merchant's `answer_window_s` when it opened)."""
    window_open: bool
    server_time: Timestamp
    round: int
    """1, and one more each time a returned order is resubmitted (a fresh window)."""
    created_at: Timestamp
    updated_at: Timestamp
    connected_at: Timestamp | None
    answered_at: Timestamp | None
    reason: str | None
    """The merchant's: a reject's code (`busy`, `out_of_stock`, `closing`, `other`), a return's text."""
    history: list[OrderHistoryView]
