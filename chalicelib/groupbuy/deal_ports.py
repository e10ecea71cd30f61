"""What deals and shop settings need stored (DynamoDB: `deal_store.py`; in memory: the tests' fakes)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.groupbuy.deal import Deal, ShopSettings
from chalicelib.persistence.paging import Page


class DealStore(Protocol):
    """Deals, each written whole and conditioned on its version, and the shops' settings."""

    def create(self, deal: Deal) -> Deal:
        """Create-only (`AlreadyExists` when the id is taken); the stored deal has version 1."""
        ...

    def get(self, deal_id: str) -> Deal | None: ...

    def save(self, deal: Deal) -> Deal:
        """Replace the stored deal read at `deal.version`; `ConcurrentUpdate` when another write came
        first (or it is gone). The stored deal's version is one more."""
        ...

    def of_shop(self, shop_id: str, limit: int, token: str | None, *, on_sale_at: int | None = None) -> Page[Deal]:
        """A shop's deals, newest first; with `on_sale_at`, only those on sale at that moment."""
        ...

    def on_sale(self, now_ms: int, limit: int, token: str | None) -> Page[Deal]:
        """Every shop's deals on sale at `now_ms`, newest first."""
        ...

    def get_settings(self, shop_id: str, merchant_zone: str) -> ShopSettings | None:
        """The shop's stored settings (None: none stored); without a zone of their own they are in
        `merchant_zone`."""
        ...

    def put_settings(self, settings: ShopSettings) -> ShopSettings:
        """Replace the settings read at `settings.version` (0: none stored, create them);
        `ConcurrentUpdate` when another write came first. The zone is stored only when
        `zone_overridden`. The stored settings' version is one more."""
        ...
