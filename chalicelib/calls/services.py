"""What the calls package's routes use: the call service and the order desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.calls.call_orders import CallOrderService
    from chalicelib.calls.calls import CallService


@dataclass(frozen=True)
class CallServices:
    calls: CallService
    orders: CallOrderService
