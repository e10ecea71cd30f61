"""Coupons in DynamoDB: created once by ops, then only switched on or off."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib.checkout.model import Coupon
from chalicelib.checkout.tables import CouponModel
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import lost_condition, save_new


class DynamoCouponStore:
    def create(self, coupon: Coupon) -> Coupon:
        save_new(_item(coupon), coupon.code)
        return coupon

    def get(self, code: str) -> Coupon | None:
        item = get_or_none(CouponModel, code, consistent=True)
        return None if item is None else _coupon(item)

    def set_active(self, code: str, active: bool) -> Coupon | None:
        item = CouponModel(code)
        try:
            item.update(actions=[CouponModel.active.set(active)], condition=CouponModel.code.exists())
        except UpdateError as exc:
            if lost_condition(exc):
                return None
            raise
        return _coupon(item)

    def list(self, limit: int, token: str | None) -> Page[Coupon]:
        return run_page(CouponModel.scan(limit=limit, last_evaluated_key=decode_token(token)), _coupon)


def _item(coupon: Coupon) -> CouponModel:
    return CouponModel(coupon.code, amount_off=coupon.amount_off, currency=coupon.currency,
                       min_subtotal=coupon.min_subtotal, active=coupon.active, created_at=coupon.created_at)


def _coupon(item: CouponModel) -> Coupon:
    return Coupon(item.code, int(item.amount_off), item.currency, int(item.min_subtotal or 0), bool(item.active),
                  int(item.created_at))
