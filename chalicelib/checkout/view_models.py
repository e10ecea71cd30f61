"""The models of the bodies `views.py` renders (purchases, supplier orders, parcels, coupons, the
checkout form), for the routes that answer them, the messages that carry them and the API
documents."""

from __future__ import annotations

from typing import Literal

from chalicelib.http.responses import AddressView, MoneyView, ResponseBody, Timestamp


class LineView(ResponseBody):
    product_id: str
    name: str
    unit_price: MoneyView
    quantity: int
    amount: MoneyView
    attributes: dict[str, str]


class SubOrderFields(ResponseBody):
    """A sub-order's goods and money (in the purchase's currency)."""

    kind: Literal["physical", "virtual"]
    category: str
    lines: list[LineView]
    subtotal: MoneyView
    shipping: MoneyView
    discount: MoneyView
    total: MoneyView


class PositionView(ResponseBody):
    lat: float
    lng: float
    at: Timestamp


class TrackingView(ResponseBody):
    method: str
    carrier_id: str | None
    shipped_at: Timestamp
    position: PositionView | None
    distance_km: float | None
    eta: Timestamp | None


class FulfilmentView(ResponseBody):
    code: str
    link: str


class ParcelView(SubOrderFields):
    sub_order_id: str
    status: str
    tracking: TrackingView | None
    delivered_at: Timestamp | None
    fulfilment: FulfilmentView | None


class SupplierOrderFields(ResponseBody):
    purchase_id: str
    status: str
    currency: str
    total: MoneyView
    shipping_address: AddressView | None
    sub_orders: list[ParcelView]
    created_at: Timestamp
    updated_at: Timestamp
    server_time: Timestamp


class RecordSupplier(ResponseBody):
    supplier_id: str
    name: str


class RecordView(SupplierOrderFields):
    """One panel of the customer's "my purchases"."""

    record_id: str
    supplier: RecordSupplier


class SupplierOrderView(SupplierOrderFields):
    """A supplier's own paid order: its goods, its prices, the shipping address."""

    order_id: str
    supplier_id: str
    customer_id: str


class CarriedParcelView(ResponseBody):
    """A parcel as its carrier sees it: what kind of goods and how it moves, not what it holds or costs."""

    sub_order_id: str
    status: str
    category: str
    tracking: TrackingView | None
    delivered_at: Timestamp | None


class CarrierParcelView(ResponseBody):
    """What a carrier may see: the parcel and where it goes, not the rest of the order."""

    order_id: str
    shipping_address: AddressView | None
    parcel: CarriedParcelView
    server_time: Timestamp


class CarrierOrderView(ResponseBody):
    """A supplier order as a carrier sees it: only the parcels it carries, and where they go."""

    order_id: str
    shipping_address: AddressView | None
    parcels: list[CarriedParcelView]
    server_time: Timestamp


class PaymentView(ResponseBody):
    provider: str
    payment_id: str
    pay_url: str | None
    """Where the customer pays, while the purchase waits for its payment."""


class GroupSubOrderView(SubOrderFields):
    sub_order_id: str
    status: str


class GroupView(ResponseBody):
    supplier_id: str
    supplier_name: str
    record_id: str
    shipping_address: AddressView | None
    total: MoneyView
    sub_orders: list[GroupSubOrderView]


class RefundView(ResponseBody):
    payment_id: str
    amount: MoneyView
    reason: str
    flagged_at: Timestamp


class PurchaseView(ResponseBody):
    purchase_id: str
    status: str
    currency: str
    subtotal: MoneyView
    shipping: MoneyView
    discount: MoneyView
    coupon: str | None
    total: MoneyView
    payment_deadline: Timestamp
    """Until when the customer may pay (the purchase's window); with `server_time` for the countdown."""
    payment: PaymentView
    groups: list[GroupView]
    records: list[RecordView] | None
    """Once paid (in a purchase's own answer, not in lists): one record per supplier group."""
    paid_at: Timestamp | None
    cancelled_at: Timestamp | None
    reason: str | None
    """Why it was cancelled (`customer`, `payment_timeout`, …)."""
    refund: RefundView | None
    created_at: Timestamp
    updated_at: Timestamp
    server_time: Timestamp


class PurchaseHistoryView(ResponseBody):
    at: Timestamp
    status: str
    cause: str


class OpsPurchaseView(PurchaseView):
    customer_id: str
    history: list[PurchaseHistoryView]


class CouponView(ResponseBody):
    code: str
    amount_off: MoneyView
    min_subtotal: MoneyView
    active: bool
    created_at: Timestamp


class FormAttributeView(ResponseBody):
    name: str
    options: list[str]
    value: str | None


class FormItemView(ResponseBody):
    product_id: str
    name: str
    unit_price: MoneyView
    quantity: int
    kind: Literal["physical", "virtual"]
    category: str
    in_stock: bool
    attributes: list[FormAttributeView]


class FormAddressView(ResponseBody):
    fields: list[str]
    required: list[str]
    value: dict[str, str | float | None] | None
    """Pre-filled from the customer's default saved address (`from_saved_address`), if any."""
    from_saved_address: str | None


class FormSectionView(ResponseBody):
    supplier_id: str
    supplier_name: str
    currency: str
    needs_address: bool
    address: FormAddressView | None
    items: list[FormItemView]


class FormActionView(ResponseBody):
    method: str
    href: str
    label: str


class CheckoutFormView(ResponseBody):
    """The edit form of a cart: one section per supplier; address fields where goods ship."""

    sections: list[FormSectionView]
    create: FormActionView
    server_time: Timestamp
