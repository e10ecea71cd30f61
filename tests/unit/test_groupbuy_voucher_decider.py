"""A voucher's redemption and expiry, decided without a clock or AWS."""

from __future__ import annotations

from chalicelib.core.errors import NotFound
from chalicelib.groupbuy.errors import VoucherExpired, VoucherUsed
from chalicelib.groupbuy.voucher import ExpiryDue, Redeem, Voucher, VoucherChanged, VoucherStatus
from chalicelib.groupbuy.voucher_decider import EXPIRED_UNUSED, decide
from tests.builders import T0

EXPIRY = T0 + 86_400_000


def active() -> Voucher:
    return Voucher(id="vch_1", order_id="gbo_1", customer_id="u1", deal_id="deal_1", shop_id="m1", title="Hotpot",
                   code="123456789012", price=9900, currency="CNY", payment_id="pay_1", status=VoucherStatus.ACTIVE,
                   expires_at=EXPIRY, created_at=T0)


def test_its_own_shop_redeems_an_active_voucher_once() -> None:
    used = decide(active(), Redeem("m1", "merchant:staff-1"), T0 + 1000)
    assert used.state.status is VoucherStatus.USED and used.state.used_at == T0 + 1000
    assert used.state.wake_at is None and isinstance(used.events[0], VoucherChanged)
    again = decide(used.state, Redeem("m1", "merchant:staff-1"), T0 + 2000)
    assert again.state == used.state and isinstance(again.refusal, VoucherUsed)


def test_another_shops_code_is_not_found_and_changes_nothing() -> None:
    decision = decide(active(), Redeem("m2", "merchant:staff-9"), T0 + 1000)
    assert decision.state == active() and isinstance(decision.refusal, NotFound)


def test_expiry_ends_an_unused_voucher_with_its_price_flagged_for_refund() -> None:
    expired = decide(active(), ExpiryDue(EXPIRY), EXPIRY)
    assert expired.state.status is VoucherStatus.EXPIRED and expired.state.wake_at is None
    assert expired.state.refund is not None and (expired.state.refund.amount, expired.state.refund.reason) == (
        9900, EXPIRED_UNUSED)


def test_a_redeem_after_the_expiry_settles_the_expiry_first_then_is_refused() -> None:
    decision = decide(active(), Redeem("m1", "merchant:staff-1"), EXPIRY + 1)
    assert decision.state.status is VoucherStatus.EXPIRED and isinstance(decision.refusal, VoucherExpired)


def test_a_late_or_duplicate_expiry_alarm_changes_nothing() -> None:
    used = decide(active(), Redeem("m1", "merchant:staff-1"), T0 + 1000).state
    assert decide(used, ExpiryDue(EXPIRY), EXPIRY + 5000).state == used
    expired = decide(active(), ExpiryDue(EXPIRY), EXPIRY).state
    assert decide(expired, ExpiryDue(EXPIRY), EXPIRY + 1).state == expired
