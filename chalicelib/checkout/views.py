"""How purchases and supplier orders look on the wire. Money is integer minor units with its currency.

* The customer sees the purchase (totals, payment, status) and one **panel** per paid record:
  that supplier's sub-orders, each with its status, tracking (method, distance, ETA) or code.
* A supplier sees only its own supplier order: its goods, its prices, the shipping address —
  never the purchase's other groups, totals or payment.
* A carrier sees only the parcels it carries and where they go: no goods, prices, totals, codes,
  customer, nor the order's other parcels.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.checkout.mapping import address_map
from chalicelib.checkout.model import Coupon, Parcel, Purchase, PurchaseStatus, SupplierOrder, Tracking
from chalicelib.checkout.purchase_decider import sub_status
from chalicelib.checkout.split import SubOrder
from chalicelib.core.money import money_of
from chalicelib.core.timefmt import iso, iso_or_none


def _sub_order(sub: SubOrder, currency: str) -> dict[str, Any]:
    return {
        "kind": sub.product_type.kind.value, "category": sub.product_type.category,
        "lines": [{"product_id": line.product_id, "name": line.name, "unit_price": money_of(line.unit_price, currency),
                   "quantity": line.quantity, "amount": money_of(line.amount, currency),
                   "attributes": dict(line.attributes)}
                  for line in sub.lines],
        "subtotal": money_of(sub.subtotal, currency), "shipping": money_of(sub.shipping, currency),
        "discount": money_of(sub.discount, currency), "total": money_of(sub.total, currency),
    }


def tracking_view(tracking: Tracking | None) -> dict[str, Any] | None:
    if tracking is None:
        return None
    position = tracking.position
    return {
        "method": tracking.method.value, "carrier_id": tracking.carrier_id, "shipped_at": iso(tracking.shipped_at),
        "position": None if position is None else {"lat": position.lat, "lng": position.lng, "at": iso(position.at)},
        "distance_km": tracking.distance_km, "eta": iso_or_none(tracking.eta),
    }


def parcel_view(parcel: Parcel, currency: str) -> dict[str, Any]:
    return {
        "sub_order_id": parcel.id, "status": parcel.status.value, **_sub_order(parcel.sub_order, currency),
        "tracking": tracking_view(parcel.tracking), "delivered_at": iso_or_none(parcel.delivered_at),
        "fulfilment": None if parcel.fulfilment is None else asdict(parcel.fulfilment),
    }


def _order(order: SupplierOrder, now: int) -> dict[str, Any]:
    return {
        "purchase_id": order.purchase_id, "status": order.status, "currency": order.currency,
        "total": money_of(order.total, order.currency), "shipping_address": address_map(order.address),
        "sub_orders": [parcel_view(p, order.currency) for p in order.parcels],
        "created_at": iso(order.created_at), "updated_at": iso(order.updated_at), "server_time": iso(now),
    }


def record_view(order: SupplierOrder, now: int) -> dict[str, Any]:
    """One panel of the customer's "my purchases"."""
    return {"record_id": order.id, "supplier": {"supplier_id": order.supplier_id, "name": order.supplier_name},
            **_order(order, now)}


def supplier_order_view(order: SupplierOrder, now: int) -> dict[str, Any]:
    return {"order_id": order.id, "supplier_id": order.supplier_id, "customer_id": order.customer_id,
            **_order(order, now)}


def carried_parcel_view(parcel: Parcel) -> dict[str, Any]:
    return {"sub_order_id": parcel.id, "status": parcel.status.value,
            "category": parcel.sub_order.product_type.category, "tracking": tracking_view(parcel.tracking),
            "delivered_at": iso_or_none(parcel.delivered_at)}


def carrier_parcel_view(order: SupplierOrder, parcel: Parcel, now: int) -> dict[str, Any]:
    """The answer to a parcel's position or delivery, whoever reported it."""
    return {"order_id": order.id, "shipping_address": address_map(order.address),
            "parcel": carried_parcel_view(parcel), "server_time": iso(now)}


def carrier_order_view(order: SupplierOrder, carrier_id: str, now: int) -> dict[str, Any]:
    return {"order_id": order.id, "shipping_address": address_map(order.address),
            "parcels": [carried_parcel_view(p) for p in order.carried_by(carrier_id)], "server_time": iso(now)}


def purchase_view(purchase: Purchase, records: list[SupplierOrder] | None, now: int) -> dict[str, Any]:
    pending = purchase.status is PurchaseStatus.PENDING_PAYMENT
    status = sub_status(purchase).value
    currency = purchase.currency
    refund = purchase.refund
    return {
        "purchase_id": purchase.id, "status": purchase.status.value, "currency": currency,
        "subtotal": money_of(purchase.subtotal, currency), "shipping": money_of(purchase.shipping, currency),
        "discount": money_of(purchase.discount, currency), "coupon": purchase.coupon,
        "total": money_of(purchase.total, currency), "payment_deadline": iso(purchase.payment_deadline),
        "payment": {"provider": purchase.payment.provider, "payment_id": purchase.payment.payment_id,
                    "pay_url": purchase.payment.pay_url if pending else None},
        "groups": [{"supplier_id": g.supplier_id, "supplier_name": g.supplier_name, "record_id": g.order_id,
                    "shipping_address": address_map(g.address), "total": money_of(g.group.total, currency),
                    "sub_orders": [{"sub_order_id": sid, "status": status, **_sub_order(s, currency)}
                                   for sid, s in zip(g.sub_order_ids(), g.group.sub_orders, strict=True)]}
                   for g in purchase.groups],
        "records": None if records is None else [record_view(r, now) for r in records],
        "paid_at": iso_or_none(purchase.paid_at), "cancelled_at": iso_or_none(purchase.cancelled_at),
        "reason": purchase.cancel_reason,
        "refund": None if refund is None else {"payment_id": refund.payment_id,
                                               "amount": money_of(refund.amount, refund.currency),
                                               "reason": refund.reason, "flagged_at": iso(refund.flagged_at)},
        "created_at": iso(purchase.created_at), "updated_at": iso(purchase.updated_at), "server_time": iso(now),
    }


def ops_purchase_view(purchase: Purchase, now: int) -> dict[str, Any]:
    return {**purchase_view(purchase, None, now), "customer_id": purchase.customer_id,
            "history": [{"at": iso(h.at), "status": h.status, "cause": h.cause} for h in purchase.history]}


def coupon_view(coupon: Coupon) -> dict[str, Any]:
    return {"code": coupon.code, "amount_off": money_of(coupon.amount_off, coupon.currency),
            "min_subtotal": money_of(coupon.min_subtotal, coupon.currency), "active": coupon.active,
            "created_at": iso(coupon.created_at)}
