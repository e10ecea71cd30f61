"""Who a push is for: a party owns terminals (a merchant's many consoles, a customer's phones)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Party:
    role: str
    id: str

    @property
    def key(self) -> str:
        return f"{self.role}#{self.id}"


def merchant(merchant_id: str) -> Party:
    return Party("merchant", merchant_id)


def customer(user_id: str) -> Party:
    return Party("customer", user_id)


OPS = Party("ops", "all")
