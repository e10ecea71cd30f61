"""The merchants' menus in memory: `CatalogueStore` as `chalicelib/catalogue/store.py` keeps it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate
from chalicelib.persistence.paging import Page
from tests.fakes.paging import page_of


class InMemoryCatalogueStore(CatalogueStore):
    """Merchants are versioned (a save from a stale version is a ConcurrentUpdate); products are
    created once, then changed field by field."""

    def __init__(self) -> None:
        self.merchants: dict[str, Merchant] = {}
        self.products: dict[tuple[str, str], Product] = {}

    def get_merchant(self, merchant_id: str) -> Merchant | None:
        return self.merchants.get(merchant_id)

    def save_merchant(self, merchant: Merchant, *, create: bool) -> Merchant:
        stored = self.merchants.get(merchant.id)
        if create and stored is not None:
            raise AlreadyExists(merchant.id)
        if not create and (stored is None or stored.version != merchant.version):
            raise ConcurrentUpdate(merchant.id)
        saved = replace(merchant, version=1 if create else merchant.version + 1)
        self.merchants[merchant.id] = saved
        return saved

    def list_merchants(self, limit: int, token: str | None) -> Page[Merchant]:
        listed = (m for m in self.merchants.values() if m.verified)
        return page_of(listed, limit, token, index="merchants.directory", position=lambda m: (m.name, m.id))

    def get_product(self, merchant_id: str, product_id: str) -> Product | None:
        return self.products.get((merchant_id, product_id))

    def products_by_id(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]:
        found = (self.products.get((merchant_id, product_id)) for product_id in dict.fromkeys(product_ids))
        return {product.id: product for product in found if product is not None}

    def list_products(self, merchant_id: str, limit: int, token: str | None) -> Page[Product]:
        menu = (p for (m, _), p in self.products.items() if m == merchant_id)
        return page_of(menu, limit, token, index="products", position=lambda p: (p.id,))

    def add_product(self, product: Product) -> Product:
        if (product.merchant_id, product.id) in self.products:
            raise AlreadyExists(product.id)
        self.products[(product.merchant_id, product.id)] = product
        return product

    def update_product(self, merchant_id: str, product_id: str, changes: Mapping[str, Any]) -> Product | None:
        stored = self.products.get((merchant_id, product_id))
        if stored is None:
            return None
        updated = replace(stored, **changes)
        self.products[(merchant_id, product_id)] = updated
        return updated
