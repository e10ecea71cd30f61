"""Ports of the video-call workflow: what its services need from each other and from storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.auth.principal import Principal
from chalicelib.calls.call import Call
from chalicelib.waitstate.model import EntityStore


@dataclass(frozen=True)
class CallParties:
    """A call as the order desk sees it: who is in it, whether it is live, what the customer typed."""

    call_id: str
    merchant_id: str
    customer_id: str
    status: str
    """A `CallStatus` value."""
    details: Mapping[str, str]
    """The customer's current text per field (`content`, `price_proposal`, `when`, `address`)."""


class CallLookup(Protocol):
    def call_for_order(self, caller: Principal, call_id: str) -> CallParties:
        """The call, if the caller may see it (else `NotFound`)."""
        ...


class CallStore(EntityStore[Call], Protocol):
    def get(self, entity_id: str) -> Call | None: ...

    def live_for_merchant(self, merchant_id: str, limit: int) -> list[Call]:
        """The merchant's ringing and connected calls, newest first."""
        ...

    def live_for_customer(self, customer_id: str, limit: int) -> list[Call]: ...


class CallSettingsStore(Protocol):
    def ring_s(self, merchant_id: str) -> int | None:
        """The merchant's ring deadline in seconds, None: the default."""
        ...

    def save_ring_s(self, merchant_id: str, ring_s: int, now_ms: int) -> None: ...


class Merchants(Protocol):
    """The catalogue's service as calls need it (`platform.need("menus")`)."""

    def merchant_for_order(self, merchant_id: str) -> Any: ...
