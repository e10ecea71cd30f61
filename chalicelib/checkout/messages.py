"""What split orders push to terminals (`Contribution.messages`; `docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.checkout.view_models import OpsPurchaseView, PurchaseView, RecordView, SupplierOrderView
from chalicelib.http.responses import ResponseBody
from chalicelib.push.messages import Listed, Message


class PurchaseStatusChangedView(PurchaseView):
    """A purchase after a transition, with the status it left and what moved it."""

    previous_status: str
    cause: str


class RecordUpdatedView(RecordView):
    """A record after one of its parcels changed (`ship`, `position`, `deliver`)."""

    sub_order_id: str
    cause: str


class SupplierOrderUpdatedView(SupplierOrderView):
    """A supplier's order after one of its parcels changed (`ship`, `position`, `deliver`)."""

    sub_order_id: str
    cause: str


class PurchaseAlertView(ResponseBody):
    """Something managers must look at: `refund_due`, `payment_mismatch`."""

    kind: str
    purchase: OpsPurchaseView


MESSAGES = (
    Message("purchase.status_changed", PurchaseStatusChangedView, "A purchase moved to another status (paid, "
            "cancelled, expired).", ("customer",)),
    Message("purchase.payment_failed", PurchaseView, "The provider declined the payment; the window is still open.",
            ("customer",)),
    Message("purchase.refund_due", PurchaseView, "A payment arrived for a purchase already cancelled: it will be "
            "refunded.", ("customer",)),
    Message("record.created", RecordView, "A paid purchase's record (one per supplier) for \"my purchases\".",
            ("customer",)),
    Message("record.updated", RecordUpdatedView, "A parcel of the record was shipped, moved or delivered.",
            ("customer",)),
    Message("supplier_order.created", SupplierOrderView, "A paid order for this supplier to ship.", ("supplier",)),
    Message("supplier_order.updated", SupplierOrderUpdatedView, "A parcel of the order was shipped, moved or "
            "delivered.", ("supplier",)),
    Message("alert.raised", PurchaseAlertView, "A purchase needs a manager.", ("ops",)),
    Message("supplier_orders.listed", Listed[SupplierOrderView], "The answer to a supplier console's `list_pending`: "
            "its orders still to ship.", ("supplier",), reply=True),
)
