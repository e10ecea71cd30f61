"""Split orders in DynamoDB (persistence shape only): suppliers and their products, coupons,
customers' saved addresses, purchases (the waiting entity) and supplier orders."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.persistence.tables import AddressMap, DueIndex, HistoryMap, StageModel, WaitingEntityModel

PURCHASE_KIND = "purchase"
"""The wait-state engine's name for the entities of this table (in alarm messages and the sweep)."""


class SupplierModel(StageModel):
    class Meta:
        table_name = "suppliers"

    supplier_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    currency = UnicodeAttribute()
    shipping_fee = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)
    created_at = NumberAttribute()
    version = VersionAttribute()


class SupplierProductModel(StageModel):
    """A supplier's product. `stock` moves only by conditional adds (reservations, releases,
    restocks), never by overwriting, so concurrent checkouts cannot oversell."""

    class Meta:
        table_name = "supplier_products"

    supplier_id = UnicodeAttribute(hash_key=True)
    product_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    price = NumberAttribute()
    stock = NumberAttribute()
    kind = UnicodeAttribute()
    category = UnicodeAttribute()
    attributes = ListAttribute(default=list)  # type: ignore[var-annotated]  # [{name, values}]
    on_sale = BooleanAttribute(default=True)
    created_at = NumberAttribute()
    restock_token = UnicodeAttribute(null=True)
    """The last restock's write token: its retry after a lost answer adds nothing again."""


class CouponModel(StageModel):
    class Meta:
        table_name = "coupons"

    code = UnicodeAttribute(hash_key=True)
    amount_off = NumberAttribute()
    currency = UnicodeAttribute()
    min_subtotal = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)
    created_at = NumberAttribute()


class AddressModel(StageModel):
    """A customer's saved shipping addresses (at most one has `is_default`)."""

    class Meta:
        table_name = "addresses"

    customer_id = UnicodeAttribute(hash_key=True)
    address_id = UnicodeAttribute(range_key=True)
    label = UnicodeAttribute()
    address = AddressMap()
    is_default = BooleanAttribute(default=False)
    created_at = NumberAttribute()


class CustomerPurchasesIndex(GlobalSecondaryIndex["PurchaseModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class PurchaseModel(WaitingEntityModel):
    """The order a checkout creates; `groups` is the split as plain maps (see `mapping.py`)."""

    class Meta:
        table_name = "purchases"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    status = UnicodeAttribute()
    currency = UnicodeAttribute()
    groups = ListAttribute(default=list)  # type: ignore[var-annotated]
    discount = NumberAttribute(default=0)
    total = NumberAttribute()
    payment = MapAttribute[str, Any]()
    payment_deadline = NumberAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    paid_at = NumberAttribute(null=True)
    cancelled_at = NumberAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    refund = MapAttribute[str, Any](null=True)
    history = ListAttribute(of=HistoryMap, default=list)
    coupon = UnicodeAttribute(null=True)

    due = DueIndex()
    by_customer = CustomerPurchasesIndex()


class SupplierOrdersIndex(GlobalSecondaryIndex["SupplierOrderModel"]):
    class Meta:
        index_name = "by_supplier"
        projection = AllProjection()

    supplier_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerRecordsIndex(GlobalSecondaryIndex["SupplierOrderModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class SupplierOrderModel(WaitingEntityModel):
    """A paid supplier order (the customer's paid record); it never has an alarm."""

    class Meta:
        table_name = "supplier_orders"

    id = UnicodeAttribute(hash_key=True)
    purchase_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    supplier_id = UnicodeAttribute()
    supplier_name = UnicodeAttribute()
    currency = UnicodeAttribute()
    address = AddressMap(null=True)
    parcels = ListAttribute(default=list)  # type: ignore[var-annotated]
    total = NumberAttribute()
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()

    by_supplier = SupplierOrdersIndex()
    by_customer = CustomerRecordsIndex()
