"""What timed orders need from outside: their store, and the merchants' menus (which the
catalogue provides as `menus`; orders never import the catalogue)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, TypeVar

from chalicelib.orders.model import Order, Status
from chalicelib.persistence.paging import Page
from chalicelib.waitstate.model import EntityStore


class OrderStore(EntityStore[Order], Protocol):
    def get(self, order_id: str) -> Order | None: ...

    def pending_for_merchant(self, merchant_id: str, limit: int, token: str | None) -> Page[Order]:
        """A merchant's orders still waiting for an answer, soonest deadline first."""
        ...

    def for_merchant(self, merchant_id: str, status: Status | None, limit: int, token: str | None) -> Page[Order]:
        """A merchant's orders, newest first (only those in `status`, if given)."""
        ...

    def for_customer(self, customer_id: str, limit: int, token: str | None) -> Page[Order]:
        """A customer's orders, newest first."""
        ...


class OrderableMerchant(Protocol):
    """A merchant as an order sees it."""

    @property
    def id(self) -> str: ...

    @property
    def currency(self) -> str: ...

    @property
    def verified(self) -> bool: ...

    @property
    def paused(self) -> bool: ...

    def is_open_at(self, now_ms: int) -> bool: ...


class OrderableProduct(Protocol):
    """A product as an order prices it."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def price(self) -> int: ...

    @property
    def stock(self) -> int: ...

    @property
    def on_sale(self) -> bool: ...

    @property
    def max_per_order(self) -> int: ...


M = TypeVar("M", bound=OrderableMerchant)


class Menus(Protocol[M]):
    """The merchants' menus as orders read them (a few seconds stale at most)."""

    def merchant_for_order(self, merchant_id: str) -> M | None: ...

    def products_for_order(self, merchant_id: str, product_ids: list[str]) -> Mapping[str, OrderableProduct]: ...

    def answer_window_ms(self, merchant: M) -> int:
        """The merchant's answer window, or the platform's default."""
        ...
