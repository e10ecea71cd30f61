"""Coupons: ops create discount codes; a checkout may name one. The discount is a fixed amount off
the goods, capped at their total and spread over the sub-orders by `split.py`'s rule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.auth.principal import Principal, Role
from chalicelib.checkout.model import Coupon
from chalicelib.checkout.ports import CouponStore
from chalicelib.core.clock import Clock
from chalicelib.core.errors import AlreadyExists, AlreadyTaken, FieldError, NotFound, ValidationFailed
from chalicelib.core.money import currency_errors
from chalicelib.persistence.paging import Page

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.checkout.schemas import CouponIn


class Coupons:
    def __init__(self, store: CouponStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def create(self, caller: Principal, body: CouponIn) -> Coupon:
        caller.require(Role.OPS)
        currency = body.amount_off.currency
        minimum = None if body.min_subtotal is None else body.min_subtotal.to_money()
        wrong = currency_errors(currency, "the coupon's (amount_off)", min_subtotal=minimum)
        if wrong:
            raise ValidationFailed("a coupon has one currency", wrong)
        coupon = Coupon(body.code, body.amount_off.amount, currency, 0 if minimum is None else minimum.amount,
                        body.active, self._clock.now_ms())
        try:
            return self._store.create(coupon)
        except AlreadyExists:
            raise AlreadyTaken(f"coupon {body.code} already exists", code=body.code) from None

    def set_active(self, caller: Principal, code: str, active: bool) -> Coupon:
        caller.require(Role.OPS)
        changed = self._store.set_active(code, active)
        if changed is None:
            raise NotFound(f"coupon {code} not found")
        return changed

    def page(self, caller: Principal, limit: int, token: str | None) -> Page[Coupon]:
        caller.require(Role.OPS)
        return self._store.list(limit, token)

    def discount(self, code: str | None, currency: str | None, subtotal: int) -> tuple[int, list[FieldError]]:
        """The amount off for a checkout (0 without a code), or why the code does not apply.
        `currency` is None when the cart itself is invalid: then only the code's existence is checked."""
        if code is None:
            return 0, []
        coupon = self._store.get(code)
        if coupon is None:
            return 0, [FieldError("coupon", "no such coupon")]
        reason = None if currency is None else coupon.refusal(currency, subtotal)
        return (0, [FieldError("coupon", reason)]) if reason else (coupon.amount_off, [])
