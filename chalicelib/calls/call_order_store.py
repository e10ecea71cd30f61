"""Call orders in DynamoDB: each change one conditional write on the order's item (no side records)."""

from __future__ import annotations

from typing import Any

from chalicelib.calls.call_order import CallOrder, CallOrderStatus, OrderHistory, OrderTerms
from chalicelib.calls.order_tables import CallOrderModel
from chalicelib.payments.port import PaymentRef, RefundDue
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import int_or_none, plain
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import HistoryMap

CALL_ORDERS_READ = 100
"""A call's orders are read in one query page: far more than one call ever drafts."""


class DynamoCallOrderStore(PynamoEntityStore[CallOrder, CallOrderModel]):
    model = CallOrderModel

    def to_item(self, entity: CallOrder) -> CallOrderModel:
        terms, payment = entity.terms, entity.payment
        return CallOrderModel(
            id=entity.id, call_id=entity.call_id, merchant_id=entity.merchant_id, customer_id=entity.customer_id,
            status=entity.status.value, content=terms.content, price=terms.price, currency=terms.currency,
            time=terms.time, address=terms.address, note=terms.note,
            payment=None if payment is None else {"provider": payment.provider, "payment_id": payment.payment_id,
                                                  "pay_url": payment.pay_url},
            payment_deadline=entity.payment_deadline, created_at=entity.created_at, updated_at=entity.updated_at,
            sent_at=entity.sent_at, paid_at=entity.paid_at, cancelled_at=entity.cancelled_at,
            cancel_reason=entity.cancel_reason, refund=_refund_map(entity.refund),
            history=[HistoryMap(at=h.at, status=h.status, cause=h.cause) for h in entity.history])

    def to_entity(self, item: CallOrderModel) -> CallOrder:
        return CallOrder(
            id=item.id, call_id=item.call_id, merchant_id=item.merchant_id, customer_id=item.customer_id,
            status=CallOrderStatus(item.status),
            terms=OrderTerms(content=item.content, price=int(item.price), currency=item.currency,
                             time=int_or_none(item.time), address=item.address, note=item.note),
            created_at=int(item.created_at), updated_at=int(item.updated_at), payment=_payment_from(item.payment),
            payment_deadline=int_or_none(item.payment_deadline), sent_at=int_or_none(item.sent_at),
            paid_at=int_or_none(item.paid_at), cancelled_at=int_or_none(item.cancelled_at),
            cancel_reason=item.cancel_reason, refund=_refund_from(item.refund),
            history=tuple(OrderHistory(int(h.at), h.status, h.cause) for h in item.history or []),
            version=int(item.version or 0))

    def of_call(self, call_id: str) -> list[CallOrder]:
        return self.page(CallOrderModel.by_call.query(call_id, limit=CALL_ORDERS_READ)).items

    def for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        return self.page(CallOrderModel.by_merchant.query(
            merchant_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[CallOrder]:
        return self.page(CallOrderModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))


def _payment_from(value: Any) -> PaymentRef | None:
    if value is None:
        return None
    raw = plain(value)
    return PaymentRef(str(raw["provider"]), str(raw["payment_id"]), str(raw["pay_url"]))


def _refund_map(refund: RefundDue | None) -> dict[str, Any] | None:
    return None if refund is None else {
        "payment_id": refund.payment_id, "amount": refund.amount, "currency": refund.currency,
        "reason": refund.reason, "flagged_at": refund.flagged_at}


def _refund_from(value: Any) -> RefundDue | None:
    if value is None:
        return None
    raw = plain(value)
    return RefundDue(str(raw["payment_id"]), int(raw["amount"]), str(raw["currency"]), str(raw["reason"]),
                     int(raw["flagged_at"]))
