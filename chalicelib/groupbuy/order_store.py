"""Group-buy orders in DynamoDB, with the vouchers (and their code claims) a payment creates."""

from __future__ import annotations

from pynamodb.transactions import TransactWrite

from chalicelib.groupbuy.order import GroupOrder, OrderHistory, OrderStatus
from chalicelib.groupbuy.order_decider import NewVoucher
from chalicelib.groupbuy.tables import GroupOrderModel, VoucherCodeModel, VoucherModel
from chalicelib.groupbuy.voucher_store import DynamoVoucherStore, refund_from, refund_map
from chalicelib.payments.port import PaymentRef
from chalicelib.persistence.entity_store import PynamoEntityStore
from chalicelib.persistence.mapping import int_or_none, plain
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import HistoryMap


class DynamoOrderStore(PynamoEntityStore[GroupOrder, GroupOrderModel]):
    model = GroupOrderModel

    def __init__(self, shards: int) -> None:
        super().__init__(shards)
        self._vouchers = DynamoVoucherStore(shards)

    def add_write(self, transaction: TransactWrite, record: object) -> None:
        match record:
            case NewVoucher(voucher=voucher):
                transaction.save(self._vouchers.new_item(voucher), condition=VoucherModel.id.does_not_exist())
                # A code drawn twice (1 in 10^12 per pair) cancels the payment's transaction: the
                # provider's retry draws new codes.
                transaction.save(VoucherCodeModel(voucher.code, voucher_id=voucher.id),
                                 condition=VoucherCodeModel.code.does_not_exist())
            case _:
                super().add_write(transaction, record)

    def to_item(self, entity: GroupOrder) -> GroupOrderModel:
        return GroupOrderModel(
            id=entity.id, customer_id=entity.customer_id, deal_id=entity.deal_id, shop_id=entity.shop_id,
            title=entity.title, quantity=entity.quantity, unit_price=entity.unit_price, currency=entity.currency,
            status=entity.status.value,
            payment={"provider": entity.payment.provider, "payment_id": entity.payment.payment_id,
                     "pay_url": entity.payment.pay_url},
            payment_deadline=entity.payment_deadline, vouchers_expire_at=entity.vouchers_expire_at,
            created_at=entity.created_at, updated_at=entity.updated_at, paid_at=entity.paid_at,
            cancelled_at=entity.cancelled_at, cancel_reason=entity.cancel_reason, voucher_ids=list(entity.voucher_ids),
            refund=refund_map(entity.refund),
            history=[HistoryMap(at=h.at, status=h.status, cause=h.cause) for h in entity.history])

    def to_entity(self, item: GroupOrderModel) -> GroupOrder:
        payment = plain(item.payment)
        return GroupOrder(
            id=item.id, customer_id=item.customer_id, deal_id=item.deal_id, shop_id=item.shop_id, title=item.title,
            quantity=int(item.quantity), unit_price=int(item.unit_price), currency=item.currency,
            status=OrderStatus(item.status),
            payment=PaymentRef(str(payment["provider"]), str(payment["payment_id"]), str(payment["pay_url"])),
            payment_deadline=int(item.payment_deadline), vouchers_expire_at=int(item.vouchers_expire_at),
            created_at=int(item.created_at), updated_at=int(item.updated_at), paid_at=int_or_none(item.paid_at),
            cancelled_at=int_or_none(item.cancelled_at), cancel_reason=item.cancel_reason,
            voucher_ids=tuple(str(v) for v in item.voucher_ids or ()), refund=refund_from(item.refund),
            history=tuple(OrderHistory(int(h.at), h.status, h.cause) for h in item.history or []),
            version=int(item.version or 0))

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[GroupOrder]:
        return self.page(GroupOrderModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))
