"""The models of the bodies `views.py` renders (merchants and their products), for the routes
that answer them and the API documents."""

from __future__ import annotations

from chalicelib.http.responses import MoneyView, ResponseBody


class MerchantView(ResponseBody):
    merchant_id: str
    name: str
    time_zone: str
    business_hours: dict[str, list[list[str]]]
    """Opening intervals per weekday in local time (`[["11:00", "14:00"], …]`)."""
    paused: bool
    verified: bool
    answer_window_s: int
    """The merchant's own answer window, or the platform's default."""
    currency: str


class PublicProductView(ResponseBody):
    """A product on the menu as everyone sees it: whether it is in stock, not how many are left."""

    product_id: str
    merchant_id: str
    name: str
    price: MoneyView
    """In the merchant's currency."""
    on_sale: bool
    in_stock: bool
    max_per_order: int


class ProductView(PublicProductView):
    """With the units left: for ops and the merchant's staff."""

    stock: int
