"""Ports of the video-call workflow: what its services need from each other and from storage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from chalicelib.auth.principal import Principal


@dataclass(frozen=True)
class CallParties:
    """A call as the order desk sees it: who is in it, whether it is live, what the customer typed."""

    call_id: str
    merchant_id: str
    customer_id: str
    status: str
    """A `CallStatus` value."""
    details: Mapping[str, str]
    """The customer's current text per field (`content`, `price`, `time`, `address`)."""


class CallLookup(Protocol):
    def call_for_order(self, caller: Principal, call_id: str) -> CallParties:
        """The call, if the caller may see it (else `NotFound`)."""
        ...
