"""The split (groups, sub-orders, lines) and parcels as plain DynamoDB maps, and back.

Stored as nested maps rather than JSON strings, so an operator reading an item in the DynamoDB
console sees the purchase as it is.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from chalicelib.checkout.model import (
    Fulfilment,
    Parcel,
    Position,
    PurchaseGroup,
    SubStatus,
    Tracking,
)
from chalicelib.checkout.split import CartLine, Kind, ProductType, SubOrder, SupplierGroup
from chalicelib.checkout.tracking import Method
from chalicelib.core.address import Address
from chalicelib.persistence.mapping import float_or_none, int_or_none


def address_map(address: Address | None) -> dict[str, Any] | None:
    return None if address is None else address.as_map()


def address_from(data: dict[str, Any] | None) -> Address | None:
    return None if data is None else Address.from_map(data)


def sub_order_map(sub: SubOrder) -> dict[str, Any]:
    return {
        "kind": sub.product_type.kind.value, "category": sub.product_type.category, "shipping": sub.shipping,
        "discount": sub.discount,
        "lines": [{"product_id": line.product_id, "name": line.name, "unit_price": line.unit_price,
                   "quantity": line.quantity, "attributes": [[k, v] for k, v in line.attributes]}
                  for line in sub.lines],
    }


def sub_order_from(data: dict[str, Any], supplier_id: str) -> SubOrder:
    product_type = ProductType(Kind(data["kind"]), str(data["category"]))
    lines = tuple(CartLine(supplier_id, str(line["product_id"]), str(line["name"]), product_type,
                           int(line["unit_price"]), int(line["quantity"]),
                           tuple((str(k), str(v)) for k, v in line.get("attributes") or []))
                  for line in data["lines"])
    return SubOrder(supplier_id, product_type, lines, int(data["shipping"]), int(data["discount"]))


def group_map(group: PurchaseGroup) -> dict[str, Any]:
    return {"order_id": group.order_id, "supplier_id": group.supplier_id, "supplier_name": group.supplier_name,
            "address": address_map(group.address),
            "sub_orders": [sub_order_map(s) for s in group.group.sub_orders]}


def group_from(data: dict[str, Any]) -> PurchaseGroup:
    supplier_id = str(data["supplier_id"])
    subs = tuple(sub_order_from(s, supplier_id) for s in data["sub_orders"])
    return PurchaseGroup(str(data["order_id"]), str(data["supplier_name"]), address_from(data.get("address")),
                         SupplierGroup(supplier_id, subs))


def parcel_map(parcel: Parcel) -> dict[str, Any]:
    t = parcel.tracking
    return {
        "id": parcel.id, "status": parcel.status.value, "sub_order": sub_order_map(parcel.sub_order),
        "delivered_at": parcel.delivered_at,
        "fulfilment": None if parcel.fulfilment is None else asdict(parcel.fulfilment),
        "tracking": None if t is None else {
            "method": t.method.value, "shipped_at": t.shipped_at, "carrier_id": t.carrier_id,
            "position": None if t.position is None else asdict(t.position), "distance_km": t.distance_km,
            "eta": t.eta},
    }


def parcel_from(data: dict[str, Any], supplier_id: str) -> Parcel:
    t = data.get("tracking")
    f = data.get("fulfilment")
    tracking = None
    if t is not None:
        p = t.get("position")
        tracking = Tracking(
            Method(t["method"]), int(t["shipped_at"]), t.get("carrier_id"),
            None if p is None else Position(float(p["lat"]), float(p["lng"]), int(p["at"])),
            float_or_none(t.get("distance_km")), int_or_none(t.get("eta")))
    return Parcel(str(data["id"]), sub_order_from(data["sub_order"], supplier_id), SubStatus(data["status"]),
                  tracking, int_or_none(data.get("delivered_at")),
                  None if f is None else Fulfilment(str(f["code"]), str(f["link"])))
