"""Orders in DynamoDB: mapping between `Order` and `OrderModel`, and the list queries."""

from __future__ import annotations

from chalicelib.orders.model import HistoryEntry, Order, OrderLine, Status
from chalicelib.orders.tables import OrderLineMap, OrderModel
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import int_or_none
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import AddressMap, HistoryMap


class DynamoOrderStore(PynamoEntityStore[Order, OrderModel]):
    model = OrderModel

    def to_item(self, entity: Order) -> OrderModel:
        return OrderModel(
            id=entity.id,
            customer_id=entity.customer_id,
            merchant_id=entity.merchant_id,
            status=entity.status.value,
            lines=[OrderLineMap(product_id=x.product_id, name=x.name, unit_price=x.unit_price, quantity=x.quantity)
                   for x in entity.lines],
            currency=entity.currency,
            address=AddressMap.of(entity.address),
            note=entity.note,
            created_at=entity.created_at,
            updated_at=entity.updated_at,
            window_ms=entity.window_ms,
            window_started_at=entity.window_started_at,
            answer_deadline=entity.answer_deadline,
            round=entity.round,
            connected_at=entity.connected_at,
            answered_at=entity.answered_at,
            reason=entity.reason,
            history=[HistoryMap(at=h.at, status=h.status.value, cause=h.cause) for h in entity.history],
            pending_merchant_id=entity.merchant_id if entity.is_waiting else None,
        )

    def to_entity(self, item: OrderModel) -> Order:
        return Order(
            id=item.id,
            customer_id=item.customer_id,
            merchant_id=item.merchant_id,
            status=Status(item.status),
            lines=tuple(OrderLine(x.product_id, x.name, int(x.unit_price), int(x.quantity)) for x in item.lines),
            currency=item.currency,
            address=item.address.to_address(),
            note=item.note,
            created_at=int(item.created_at),
            updated_at=int(item.updated_at),
            window_ms=int(item.window_ms),
            window_started_at=int(item.window_started_at),
            answer_deadline=int(item.answer_deadline),
            round=int(item.round),
            connected_at=int_or_none(item.connected_at),
            answered_at=int_or_none(item.answered_at),
            reason=item.reason,
            history=tuple(HistoryEntry(int(h.at), Status(h.status), h.cause) for h in item.history or []),
            version=int(item.version or 0),
        )

    def pending_for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[Order]:
        return self.page(OrderModel.merchant_pending.query(
            merchant_id, limit=limit, last_evaluated_key=decode_token(token)))

    def for_merchant(self, merchant_id: str, status: Status | None, limit: int, token: str | None) -> Page[Order]:
        condition = None if status is None else OrderModel.status == status.value
        return self.page(OrderModel.by_merchant.query(
            merchant_id, filter_condition=condition, scan_index_forward=False, limit=limit,
            last_evaluated_key=decode_token(token)))

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Order]:
        return self.page(OrderModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))
