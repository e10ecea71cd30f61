"""Purchases in DynamoDB, with the records that commit with them: stock reservations (create),
stock releases (cancellation) and the supplier orders of the fan-out (payment).

A reservation is a conditional add (`stock >= n`), so of two checkouts racing for the last unit
exactly one transaction commits; the other is cancelled as a whole — no purchase, no stock taken
— and learns which products were short.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.checkout.mapping import group_from, group_map
from chalicelib.checkout.model import Purchase, PurchaseHistory, PurchaseStatus
from chalicelib.checkout.ports import OutOfStock
from chalicelib.checkout.purchase_decider import NewSupplierOrder, StockRelease, StockReservation
from chalicelib.checkout.supplier_order_store import DynamoSupplierOrderStore
from chalicelib.checkout.tables import PurchaseModel, SupplierOrderModel, SupplierProductModel
from chalicelib.core.errors import AlreadyExists
from chalicelib.payments.port import PaymentRef, RefundDue
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import plain
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import HistoryMap


class DynamoPurchaseStore(PynamoEntityStore[Purchase, PurchaseModel]):
    model = PurchaseModel

    def __init__(self, shards: int) -> None:
        super().__init__(shards)
        self._orders = DynamoSupplierOrderStore(shards)  # maps the supplier orders a payment writes

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        match record:
            case StockReservation(hold=hold):
                transaction.update(SupplierProductModel(hold.supplier_id, hold.product_id),
                                   actions=[SupplierProductModel.stock.add(-hold.quantity)],
                                   condition=SupplierProductModel.stock >= hold.quantity)
            case StockRelease(hold=hold):
                # No condition: products are never deleted, and a release must not be refused.
                transaction.update(SupplierProductModel(hold.supplier_id, hold.product_id),
                                   actions=[SupplierProductModel.stock.add(hold.quantity)])
            case NewSupplierOrder(order=order):
                transaction.save(self._orders.to_item(order), condition=SupplierOrderModel.id.does_not_exist())
            case _:
                super().add_write(transaction, record)

    def insert(self, entity: Purchase, alarm_set_at: int | None, writes: tuple[object, ...] = ()) -> Purchase:
        try:
            return super().insert(entity, alarm_set_at, writes)
        except AlreadyExists as exc:
            cause = exc.__cause__
            if not isinstance(cause, TransactWriteError):
                raise
            # Reasons come in the transaction's order: the purchase first, then `writes`.
            reasons = list(cause.cancellation_reasons or [])
            if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                raise
            short = [record.hold for record, reason in zip(writes, reasons[1:], strict=False)
                     if isinstance(record, StockReservation) and reason is not None
                     and reason.code == "ConditionalCheckFailed"]
            if short:
                raise OutOfStock(short) from cause
            raise

    # ── mapping ─────────────────────────────────────────────────────────────────────────────

    def to_item(self, entity: Purchase) -> PurchaseModel:
        refund = entity.refund
        return PurchaseModel(
            id=entity.id, customer_id=entity.customer_id, status=entity.status.value, currency=entity.currency,
            groups=[group_map(g) for g in entity.groups], discount=entity.discount, total=entity.total,
            payment={"provider": entity.payment.provider, "payment_id": entity.payment.payment_id,
                     "pay_url": entity.payment.pay_url},
            payment_deadline=entity.payment_deadline, created_at=entity.created_at, updated_at=entity.updated_at,
            paid_at=entity.paid_at, cancelled_at=entity.cancelled_at, cancel_reason=entity.cancel_reason,
            refund=None if refund is None else {
                "payment_id": refund.payment_id, "amount": refund.amount, "currency": refund.currency,
                "reason": refund.reason, "flagged_at": refund.flagged_at},
            history=[HistoryMap(at=h.at, status=h.status, cause=h.cause) for h in entity.history],
            coupon=entity.coupon)

    def to_entity(self, item: PurchaseModel) -> Purchase:
        payment = plain(item.payment)
        refund = None if item.refund is None else plain(item.refund)
        return Purchase(
            id=item.id, customer_id=item.customer_id, status=PurchaseStatus(item.status), currency=item.currency,
            groups=tuple(group_from(plain(g)) for g in item.groups or []), discount=int(item.discount or 0),
            payment=PaymentRef(str(payment["provider"]), str(payment["payment_id"]), str(payment["pay_url"])),
            payment_deadline=int(item.payment_deadline), created_at=int(item.created_at),
            updated_at=int(item.updated_at), paid_at=None if item.paid_at is None else int(item.paid_at),
            cancelled_at=None if item.cancelled_at is None else int(item.cancelled_at),
            cancel_reason=item.cancel_reason,
            refund=None if refund is None else RefundDue(
                str(refund["payment_id"]), int(refund["amount"]), str(refund["currency"]), str(refund["reason"]),
                int(refund["flagged_at"])),
            history=tuple(PurchaseHistory(int(h.at), h.status, h.cause) for h in item.history or []),
            coupon=item.coupon, version=int(item.version or 0))

    # ── reads ───────────────────────────────────────────────────────────────────────────────

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Purchase]:
        return self.page(PurchaseModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))

    def refunds_due(self, limit: int, token: str | None) -> Page[Purchase]:
        """Payments to give back (ops): a filtered scan — a console list, not a hot path."""
        return self.page(PurchaseModel.scan(filter_condition=PurchaseModel.refund.exists(), limit=limit,
                                            last_evaluated_key=decode_token(token)))
