"""Supplier orders (the suppliers' paid orders, the customers' paid records) in DynamoDB.

They are created inside the purchase's payment transaction (`purchase_store.py`), then changed
one conditional write at a time by the engine; they never wait on an alarm.
"""

from __future__ import annotations

from chalicelib.checkout.mapping import parcel_from, parcel_map
from chalicelib.checkout.model import SupplierOrder
from chalicelib.checkout.tables import SupplierOrderModel
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import plain
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import AddressMap
from chalicelib.waitstate.model import DueAlarm


class DynamoSupplierOrderStore(PynamoEntityStore[SupplierOrder, SupplierOrderModel]):
    model = SupplierOrderModel

    def to_item(self, entity: SupplierOrder) -> SupplierOrderModel:
        address = None if entity.address is None else AddressMap.of(entity.address)
        return SupplierOrderModel(
            id=entity.id, purchase_id=entity.purchase_id, customer_id=entity.customer_id,
            supplier_id=entity.supplier_id, supplier_name=entity.supplier_name, currency=entity.currency,
            address=address, parcels=[parcel_map(p) for p in entity.parcels], total=entity.total,
            status=entity.status, created_at=entity.created_at, updated_at=entity.updated_at)

    def to_entity(self, item: SupplierOrderModel) -> SupplierOrder:
        address = None if item.address is None else item.address.to_address()
        return SupplierOrder(
            id=item.id, purchase_id=item.purchase_id, customer_id=item.customer_id, supplier_id=item.supplier_id,
            supplier_name=item.supplier_name, currency=item.currency, address=address,
            parcels=tuple(parcel_from(plain(p), item.supplier_id) for p in item.parcels or []),
            created_at=int(item.created_at), updated_at=int(item.updated_at), version=int(item.version or 0))

    def due(self, shard: int, until_ms: int) -> list[DueAlarm]:
        return []  # supplier orders never set an alarm: nothing to sweep, no index to read

    def many(self, order_ids: list[str]) -> list[SupplierOrder]:
        """In the order asked (a purchase's records, panel by panel)."""
        found = {item.id: self.to_entity(item)
                 for item in SupplierOrderModel.batch_get(order_ids, consistent_read=True)}
        return [found[i] for i in order_ids if i in found]

    def for_supplier(self, supplier_id: str, status: str | None, limit: int, token: str | None
                     ) -> Page[SupplierOrder]:
        condition = None if status is None else SupplierOrderModel.status == status
        return self.page(SupplierOrderModel.by_supplier.query(
            supplier_id, filter_condition=condition, scan_index_forward=False, limit=limit,
            last_evaluated_key=decode_token(token)))

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[SupplierOrder]:
        return self.page(SupplierOrderModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))

