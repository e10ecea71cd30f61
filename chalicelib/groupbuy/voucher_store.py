"""Vouchers in DynamoDB, found by id or, at the shop, by their redeem code."""

from __future__ import annotations

from typing import Any

from chalicelib.groupbuy.tables import VoucherCodeModel, VoucherModel
from chalicelib.groupbuy.voucher import Voucher, VoucherHistory, VoucherStatus
from chalicelib.payments.port import RefundDue
from chalicelib.persistence.entity_store import PynamoEntityStore, get_or_none
from chalicelib.persistence.mapping import int_or_none, plain
from chalicelib.persistence.paging import Page, decode_token
from chalicelib.persistence.tables import HistoryMap


def refund_map(refund: RefundDue | None) -> dict[str, Any] | None:
    return None if refund is None else {
        "payment_id": refund.payment_id, "amount": refund.amount, "currency": refund.currency,
        "reason": refund.reason, "flagged_at": refund.flagged_at}


def refund_from(value: Any) -> RefundDue | None:
    if value is None:
        return None
    raw = plain(value)
    return RefundDue(str(raw["payment_id"]), int(raw["amount"]), str(raw["currency"]), str(raw["reason"]),
                     int(raw["flagged_at"]))


class DynamoVoucherStore(PynamoEntityStore[Voucher, VoucherModel]):
    model = VoucherModel

    def to_item(self, entity: Voucher) -> VoucherModel:
        return VoucherModel(
            id=entity.id, order_id=entity.order_id, customer_id=entity.customer_id, deal_id=entity.deal_id,
            shop_id=entity.shop_id, title=entity.title, code=entity.code, price=entity.price,
            currency=entity.currency, payment_id=entity.payment_id, status=entity.status.value,
            expires_at=entity.expires_at, created_at=entity.created_at, used_at=entity.used_at,
            redeemed_by=entity.redeemed_by, refund=refund_map(entity.refund),
            history=[HistoryMap(at=h.at, status=h.status, cause=h.cause) for h in entity.history])

    def to_entity(self, item: VoucherModel) -> Voucher:
        return Voucher(
            id=item.id, order_id=item.order_id, customer_id=item.customer_id, deal_id=item.deal_id,
            shop_id=item.shop_id, title=item.title, code=item.code, price=int(item.price), currency=item.currency,
            payment_id=item.payment_id, status=VoucherStatus(item.status), expires_at=int(item.expires_at),
            created_at=int(item.created_at), used_at=int_or_none(item.used_at), redeemed_by=item.redeemed_by,
            refund=refund_from(item.refund),
            history=tuple(VoucherHistory(int(h.at), h.status, h.cause) for h in item.history or []),
            version=int(item.version or 0))

    def by_code(self, code: str) -> Voucher | None:
        claim = get_or_none(VoucherCodeModel, code, consistent=True)
        return None if claim is None else self.get(claim.voucher_id)

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Voucher]:
        return self.page(VoucherModel.by_customer.query(
            customer_id, scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)))
