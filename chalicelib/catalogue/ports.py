"""What the catalogue's services need stored (DynamoDB: `store.py`; in memory: tests' fakes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.persistence.paging import Page


class CatalogueStore(Protocol):
    def get_merchant(self, merchant_id: str) -> Merchant | None: ...

    def save_merchant(self, merchant: Merchant, *, create: bool) -> Merchant:
        """Create-only (`AlreadyExists`), or an update if the stored version is still the
        merchant's (`ConcurrentUpdate` otherwise); the saved merchant has its new version."""
        ...

    def list_merchants(self, limit: int, token: str | None) -> Page[Merchant]:
        """The verified merchants (those that may take orders), by name, one page at a time."""
        ...

    def get_product(self, merchant_id: str, product_id: str) -> Product | None: ...

    def products_by_id(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]: ...

    def list_products(self, merchant_id: str, limit: int, token: str | None) -> Page[Product]:
        """A merchant's products by id, one page at a time."""
        ...

    def add_product(self, product: Product) -> Product:
        """Create-only (`AlreadyExists`)."""
        ...

    def update_product(self, merchant_id: str, product_id: str, changes: Mapping[str, Any]) -> Product | None:
        """Set these of `name`, `price`, `stock`, `on_sale`, `max_per_order` (and no other field) in
        one write; the product as it then is, or None if there is no such product."""
        ...
