"""A voucher's rules: `decide(voucher, event, now) -> Decision`. Pure: no clock, no AWS.

* **Redeemed** by its own shop while active and unexpired → `used` (its bookings stop, and the
  buyer is asked for the on-site video). A code of another shop is not found there; a used or
  expired voucher is refused with what it is.
* **Its expiry** while active → `expired`; the unused voucher's price is flagged for refund (the
  platform refunds expired group-buy vouchers rather than keeping the money, as the big group-buy
  platforms do), and ops are told.

A redeem that reaches the voucher after its expiry settles the expiry first, then is refused.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.core.errors import DomainError, NotFound
from chalicelib.core.timefmt import iso
from chalicelib.groupbuy.errors import VoucherExpired, VoucherUsed
from chalicelib.groupbuy.voucher import (
    ExpiryDue,
    Redeem,
    Voucher,
    VoucherChanged,
    VoucherEvent,
    VoucherHistory,
    VoucherStatus,
)
from chalicelib.payments.port import RefundDue
from chalicelib.waitstate.model import Decision

EXPIRED_UNUSED = "expired_unused"


def decide(voucher: Voucher, event: VoucherEvent, now: int) -> Decision[Voucher]:
    if voucher.status is VoucherStatus.ACTIVE and now >= voucher.expires_at:
        expired = _expired(voucher, now)
        if isinstance(event, Redeem):
            return Decision(expired.state, expired.events, _refusal(expired.state, event))
        return expired
    match event:
        case ExpiryDue():
            return Decision(voucher)
        case Redeem():
            refusal = _refusal(voucher, event)
            if refusal is not None:
                return Decision(voucher, refusal=refusal)
            used = replace(voucher, status=VoucherStatus.USED, used_at=now, redeemed_by=event.by,
                           history=(*voucher.history, VoucherHistory(now, VoucherStatus.USED.value, "redeemed")))
            return Decision(used, (VoucherChanged(used, voucher.status, "redeemed"),))
    raise TypeError(f"unknown voucher event {event!r}")


def _refusal(voucher: Voucher, redeem: Redeem) -> DomainError | None:
    if redeem.shop_id != voucher.shop_id:
        return NotFound("no voucher of this shop has that code")
    if voucher.status is VoucherStatus.USED:
        return VoucherUsed(f"the voucher was used at {iso(voucher.used_at or 0)}", current_status=voucher.status.value,
                           used_at=iso(voucher.used_at or 0))
    if voucher.status is VoucherStatus.EXPIRED:
        return VoucherExpired(f"the voucher expired at {iso(voucher.expires_at)}", current_status=voucher.status.value,
                              expires_at=iso(voucher.expires_at))
    return None


def _expired(voucher: Voucher, now: int) -> Decision[Voucher]:
    expired = replace(voucher, status=VoucherStatus.EXPIRED,
                      refund=RefundDue(voucher.payment_id, voucher.price, voucher.currency, EXPIRED_UNUSED, now),
                      history=(*voucher.history, VoucherHistory(now, VoucherStatus.EXPIRED.value, EXPIRED_UNUSED)))
    return Decision(expired, (VoucherChanged(expired, voucher.status, EXPIRED_UNUSED),))
