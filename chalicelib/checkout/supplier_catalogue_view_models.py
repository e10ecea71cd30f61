"""The models of the bodies `supplier_catalogue_views.py` renders (suppliers, their products and
shelves, saved addresses), for the routes that answer them and the API documents."""

from __future__ import annotations

from typing import Literal

from chalicelib.http.responses import AddressView, MoneyView, ResponseBody, Timestamp


class PublicSupplierView(ResponseBody):
    """A supplier's card, as every customer sees it."""

    supplier_id: str
    name: str
    currency: str


class SupplierView(PublicSupplierView):
    """A supplier as ops and the supplier itself see it."""

    shipping_fee: MoneyView
    active: bool
    created_at: Timestamp


class AttributeView(ResponseBody):
    name: str
    values: list[str]


class PublicProductView(ResponseBody):
    supplier_id: str
    product_id: str
    name: str
    price: MoneyView
    kind: Literal["physical", "virtual"]
    category: str
    attributes: list[AttributeView]
    in_stock: bool


class ProductView(PublicProductView):
    """With the stock and off-sale products: for ops and the supplier itself."""

    stock: int
    on_sale: bool
    created_at: Timestamp


class PublicShelfView(ResponseBody):
    supplier: PublicSupplierView
    items: list[PublicProductView]
    next_token: str | None


class ShelfView(ResponseBody):
    supplier: SupplierView
    items: list[ProductView]
    next_token: str | None


class SavedAddressView(ResponseBody):
    address_id: str
    label: str
    address: AddressView
    default: bool
    created_at: Timestamp
