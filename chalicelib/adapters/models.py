"""PynamoDB models: the persistence shape of each table, nothing else.

Table names are set by `configure_models` at first use (never at import). Every table and index
here is declared the same way in `infra/template.json`; `tests/integration/test_infra_matches_models.py`
keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib.settings import Settings


class DueIndex(GlobalSecondaryIndex[Model]):
    """Sparse: only entities with a pending alarm carry `due_shard` and `wake_at`."""

    class Meta:
        index_name = "due"
        projection = IncludeProjection(["alarm_set_at"])

    due_shard = NumberAttribute(hash_key=True)
    wake_at = NumberAttribute(range_key=True)


class WaitingEntityModel(Model):
    """Attributes every wait-state entity table carries (engine bookkeeping)."""

    version = VersionAttribute()
    wake_at = NumberAttribute(null=True)
    due_shard = NumberAttribute(null=True)
    alarm_set_at = NumberAttribute(null=True)


# ── orders ──────────────────────────────────────────────────────────────────────────────────

class OrderLineMap(MapAttribute[str, Any]):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    unit_price = NumberAttribute()
    quantity = NumberAttribute()


class AddressMap(MapAttribute[str, Any]):
    line1 = UnicodeAttribute()
    city = UnicodeAttribute()
    line2 = UnicodeAttribute(null=True)
    postcode = UnicodeAttribute(null=True)
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)


class HistoryMap(MapAttribute[str, Any]):
    at = NumberAttribute()
    status = UnicodeAttribute()
    cause = UnicodeAttribute()


class MerchantPendingIndex(GlobalSecondaryIndex["OrderModel"]):
    """Sparse: a merchant's orders that still wait for an answer, soonest deadline first."""

    class Meta:
        index_name = "merchant_pending"
        projection = AllProjection()

    pending_merchant_id = UnicodeAttribute(hash_key=True)
    answer_deadline = NumberAttribute(range_key=True)


class MerchantOrdersIndex(GlobalSecondaryIndex["OrderModel"]):
    class Meta:
        index_name = "by_merchant"
        projection = AllProjection()

    merchant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerOrdersIndex(GlobalSecondaryIndex["OrderModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class OrderModel(WaitingEntityModel):
    class Meta:
        table_name = "orders"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    merchant_id = UnicodeAttribute()
    status = UnicodeAttribute()
    lines = ListAttribute(of=OrderLineMap)
    currency = UnicodeAttribute()
    address = AddressMap()
    note = UnicodeAttribute(null=True)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    window_ms = NumberAttribute()
    window_started_at = NumberAttribute()
    answer_deadline = NumberAttribute()
    round = NumberAttribute(default=1)
    connected_at = NumberAttribute(null=True)
    answered_at = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    merchant_note = UnicodeAttribute(null=True)
    history = ListAttribute(of=HistoryMap, default=list)
    pending_merchant_id = UnicodeAttribute(null=True)

    due = DueIndex()
    merchant_pending = MerchantPendingIndex()
    by_merchant = MerchantOrdersIndex()
    by_customer = CustomerOrdersIndex()


# ── installer dispatch ──────────────────────────────────────────────────────────────────────

class AssignmentMap(MapAttribute[str, Any]):
    attempt = NumberAttribute()
    installer_id = UnicodeAttribute()
    installer_name = UnicodeAttribute()
    installer_phone = UnicodeAttribute()
    installer_photo_url = UnicodeAttribute(null=True)
    dispatched_at = NumberAttribute()
    remind_at = NumberAttribute()
    revoke_at = NumberAttribute()
    deduction_amount = NumberAttribute(null=True)
    deduction_currency = UnicodeAttribute(null=True)
    assigned_by = UnicodeAttribute()


class DispatchHistoryMap(MapAttribute[str, Any]):
    at = NumberAttribute()
    kind = UnicodeAttribute()
    attempt = NumberAttribute(default=0)
    installer_id = UnicodeAttribute(null=True)
    detail = UnicodeAttribute(null=True)


class InstallerJobsIndex(GlobalSecondaryIndex["InstallationModel"]):
    """Sparse: the requests currently (or last) assigned to an installer, newest first."""

    class Meta:
        index_name = "by_installer"
        projection = AllProjection()

    assigned_installer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class AreaInstallationsIndex(GlobalSecondaryIndex["InstallationModel"]):
    class Meta:
        index_name = "by_area"
        projection = AllProjection()

    area_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CustomerInstallationsIndex(GlobalSecondaryIndex["InstallationModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class AwaitingInstallerIndex(GlobalSecondaryIndex["InstallationModel"]):
    """Sparse: requests of an area that wait for an installer, oldest first (retried when one frees up)."""

    class Meta:
        index_name = "awaiting_installer"
        projection = AllProjection()

    pending_area_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class InstallationModel(WaitingEntityModel):
    class Meta:
        table_name = "installations"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    area_id = UnicodeAttribute()
    product = UnicodeAttribute()
    address = AddressMap()
    preferred_time = NumberAttribute(null=True)
    note = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    created_by = UnicodeAttribute()
    retry_ms = NumberAttribute()
    order_id = UnicodeAttribute(null=True)
    attempt = NumberAttribute(default=0)
    assignment = AssignmentMap(null=True)
    lapsed = ListAttribute(default=list)  # type: ignore[var-annotated]
    retry_at = NumberAttribute(null=True)
    awaiting_installer_since = NumberAttribute(null=True)
    confirmed_at = NumberAttribute(null=True)
    started_at = NumberAttribute(null=True)
    completed_at = NumberAttribute(null=True)
    cancelled_at = NumberAttribute(null=True)
    service_code = UnicodeAttribute(null=True)
    photos = ListAttribute(default=list)  # type: ignore[var-annotated]
    flag = UnicodeAttribute(null=True)
    revocations = NumberAttribute(default=0)
    history = ListAttribute(of=DispatchHistoryMap, default=list)
    assigned_installer_id = UnicodeAttribute(null=True)
    pending_area_id = UnicodeAttribute(null=True)

    due = DueIndex()
    by_installer = InstallerJobsIndex()
    by_area = AreaInstallationsIndex()
    by_customer = CustomerInstallationsIndex()
    awaiting_installer = AwaitingInstallerIndex()


class InstallerModel(Model):
    class Meta:
        table_name = "installers"

    installer_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    photo_url = UnicodeAttribute(null=True)
    areas = ListAttribute(default=list)  # type: ignore[var-annotated]
    open_jobs = NumberAttribute(default=0)
    max_open_jobs = NumberAttribute(default=5)
    active = BooleanAttribute(default=True)
    lat = NumberAttribute(null=True)
    lng = NumberAttribute(null=True)
    located_at = NumberAttribute(null=True)
    created_at = NumberAttribute()


class CoverageModel(Model):
    """Which installers cover an area: one item per (area, installer), so choosing is one query."""

    class Meta:
        table_name = "coverage"

    area_id = UnicodeAttribute(hash_key=True)
    installer_id = UnicodeAttribute(range_key=True)


class AreaModel(Model):
    class Meta:
        table_name = "areas"

    area_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    remind_after_s = NumberAttribute()
    revoke_after_s = NumberAttribute()
    deduction_amount = NumberAttribute(null=True)
    deduction_currency = UnicodeAttribute(null=True)
    created_at = NumberAttribute()


class LedgerModel(Model):
    """An installer's deductions; the range key is deterministic per dispatch (written once)."""

    class Meta:
        table_name = "ledger"

    installer_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    request_id = UnicodeAttribute()
    attempt = NumberAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    at = NumberAttribute()


# ── catalogue ───────────────────────────────────────────────────────────────────────────────

class MerchantModel(Model):
    class Meta:
        table_name = "merchants"

    merchant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    business_hours = MapAttribute[str, Any]()
    paused = BooleanAttribute(default=False)
    verified = BooleanAttribute(default=True)
    answer_window_s = NumberAttribute(null=True)
    currency = UnicodeAttribute()
    created_at = NumberAttribute()
    version = VersionAttribute()


class ProductModel(Model):
    class Meta:
        table_name = "products"

    merchant_id = UnicodeAttribute(hash_key=True)
    product_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    price = NumberAttribute()
    stock = NumberAttribute()
    on_sale = BooleanAttribute(default=True)
    max_per_order = NumberAttribute(default=20)
    created_at = NumberAttribute()


# ── split orders: suppliers, their products, addresses, purchases, supplier orders ─────────

class SupplierModel(Model):
    class Meta:
        table_name = "suppliers"

    supplier_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    currency = UnicodeAttribute()
    shipping_fee = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)
    created_at = NumberAttribute()
    version = VersionAttribute()


class SupplierProductModel(Model):
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


class CouponModel(Model):
    class Meta:
        table_name = "coupons"

    code = UnicodeAttribute(hash_key=True)
    amount_off = NumberAttribute()
    currency = UnicodeAttribute()
    min_subtotal = NumberAttribute(default=0)
    active = BooleanAttribute(default=True)
    created_at = NumberAttribute()


class AddressModel(Model):
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
    """The order a checkout creates; `groups` is the split as plain maps (see purchase_store)."""

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


# ── push connections ────────────────────────────────────────────────────────────────────────

class PartyIndex(GlobalSecondaryIndex["ConnectionModel"]):
    """All live terminals of one party (`merchant#m_…`, `customer#u_…`), without a scan."""

    class Meta:
        index_name = "by_party"
        projection = AllProjection()

    party = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)


class ConnectionModel(Model):
    class Meta:
        table_name = "connections"

    connection_id = UnicodeAttribute(hash_key=True)
    party = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    connected_at = NumberAttribute()
    expires_at = TTLAttribute()

    by_party = PartyIndex()


# ── idempotency ─────────────────────────────────────────────────────────────────────────────

class IdempotencyModel(Model):
    class Meta:
        table_name = "idempotency"

    key = UnicodeAttribute(hash_key=True)
    request_hash = UnicodeAttribute()
    state = UnicodeAttribute()  # in_progress | completed
    status_code = NumberAttribute(null=True)
    response_body = UnicodeAttribute(null=True)
    started_at = NumberAttribute()
    expires_at = TTLAttribute()


ALL_MODELS: dict[str, type[Model]] = {
    "orders": OrderModel,
    "merchants": MerchantModel,
    "products": ProductModel,
    "connections": ConnectionModel,
    "idempotency": IdempotencyModel,
    "installations": InstallationModel,
    "installers": InstallerModel,
    "coverage": CoverageModel,
    "areas": AreaModel,
    "ledger": LedgerModel,
    "suppliers": SupplierModel,
    "supplier_products": SupplierProductModel,
    "addresses": AddressModel,
    "coupons": CouponModel,
    "purchases": PurchaseModel,
    "supplier_orders": SupplierOrderModel,
}


def configure_models(settings: Settings) -> None:
    """Point every model at this stage's tables; drops cached connections so tests can re-point."""
    for short_name, model in ALL_MODELS.items():
        model.Meta.table_name = settings.table_name(short_name)
        model.Meta.region = settings.region
        model._connection = None
