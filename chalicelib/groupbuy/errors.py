"""Group-buy's own refusals (each maps to its problem type through `DomainError`)."""

from __future__ import annotations

from chalicelib.core.errors import InvalidTransition, WindowClosed


class VoucherUsed(InvalidTransition):
    problem = "voucher-used"
    title = "Voucher already used"


class VoucherExpired(WindowClosed):
    problem = "voucher-expired"
    title = "Voucher expired"


class SlotFull(InvalidTransition):
    problem = "slot-full"
    title = "Slot full"


class NotRedeemed(InvalidTransition):
    """A video is asked for a voucher the shop has not redeemed yet (or the upload is not retryable)."""

    problem = "voucher-not-redeemed"
    title = "Voucher not redeemed"
