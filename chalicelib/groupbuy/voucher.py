"""A voucher: one unit of a paid group-buy order, redeemed at the shop with its code.

It is a waiting entity: its one alarm is its expiry while it is unused. Its bookings (the slots it
is booked into) are entities of their own (`booking.py`); redeeming or expiring the voucher stops
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from chalicelib.payments.port import RefundDue
from chalicelib.push.party import Party, customer, merchant


class VoucherStatus(StrEnum):
    ACTIVE = "active"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class VoucherHistory:
    at: int
    status: str
    cause: str


@dataclass(frozen=True)
class Voucher:
    id: str
    order_id: str
    customer_id: str
    deal_id: str
    shop_id: str
    title: str
    code: str
    """What the shop scans or types: digits only (a keypad and any QR reader handle it)."""
    price: int
    currency: str
    payment_id: str
    status: VoucherStatus
    expires_at: int
    created_at: int
    used_at: int | None = None
    redeemed_by: str | None = None
    refund: RefundDue | None = None
    history: tuple[VoucherHistory, ...] = field(default=())
    version: int = 0

    @property
    def wake_at(self) -> int | None:
        return self.expires_at if self.status is VoucherStatus.ACTIVE else None

    @property
    def parties(self) -> tuple[Party, ...]:
        """Who may see it: its buyer, and the shop once it redeemed it."""
        return (customer(self.customer_id),) if self.used_at is None else (
            customer(self.customer_id), merchant(self.shop_id))

    @property
    def qr_payload(self) -> str:
        """What the voucher's QR code encodes: the code behind a scheme the merchant console reads."""
        return f"ontime:voucher:{self.code}"


# ── events in ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ExpiryDue:
    wake_at: int


@dataclass(frozen=True)
class Redeem:
    shop_id: str
    by: str


VoucherEvent = ExpiryDue | Redeem

# ── events out ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class VoucherChanged:
    voucher: Voucher
    previous: VoucherStatus
    cause: str
