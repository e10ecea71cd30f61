"""The catalogue in DynamoDB.

A merchant is saved whole, conditioned on its version (the service re-applies a patch to the
winner's version). A product is created whole, then changed field by field in one update, so two
patches of different fields at the same moment both hold and no read is needed to write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.catalogue.model import Merchant, Product
from chalicelib.catalogue.tables import DIRECTORY, MerchantModel, ProductModel
from chalicelib.persistence.entity_store import get_or_none
from chalicelib.persistence.paging import Page, decode_token, run_page
from chalicelib.persistence.writes import lost_condition, save_new, save_versioned

_PRODUCT_FIELDS = ("name", "price", "stock", "on_sale", "max_per_order")


class DynamoCatalogueStore:
    def get_merchant(self, merchant_id: str) -> Merchant | None:
        item = get_or_none(MerchantModel, merchant_id)
        return None if item is None else _merchant(item)

    def save_merchant(self, merchant: Merchant, *, create: bool) -> Merchant:
        item = MerchantModel(
            merchant_id=merchant.id, name=merchant.name, time_zone=merchant.time_zone,
            business_hours=merchant.business_hours, paused=merchant.paused, verified=merchant.verified,
            answer_window_s=merchant.answer_window_s, currency=merchant.currency, created_at=merchant.created_at,
            directory_partition=DIRECTORY if merchant.verified else None,
        )
        if create:
            save_new(item, merchant.id)  # no version yet: the save also requires the item's absence
            return _merchant(item)
        item.version = merchant.version  # save() checks it, then bumps it
        save_versioned(item, merchant.id)
        return _merchant(item)

    def list_merchants(self, limit: int, token: str | None) -> Page[Merchant]:
        return run_page(MerchantModel.directory.query(DIRECTORY, limit=limit, last_evaluated_key=decode_token(token)),
                        _merchant)

    def get_product(self, merchant_id: str, product_id: str) -> Product | None:
        item = get_or_none(ProductModel, merchant_id, product_id)
        return None if item is None else _product(item)

    def products_by_id(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]:
        keys = [(merchant_id, product_id) for product_id in dict.fromkeys(product_ids)]
        return {item.product_id: _product(item) for item in ProductModel.batch_get(keys)}

    def list_products(self, merchant_id: str, limit: int, token: str | None) -> Page[Product]:
        return run_page(ProductModel.query(merchant_id, limit=limit, last_evaluated_key=decode_token(token)), _product)

    def add_product(self, product: Product) -> Product:
        save_new(_product_item(product), product.id)
        return product

    def update_product(self, merchant_id: str, product_id: str, changes: Mapping[str, Any]) -> Product | None:
        m = ProductModel
        unknown = set(changes) - set(_PRODUCT_FIELDS)
        if unknown:
            raise ValueError(f"not product fields: {sorted(unknown)}")
        item = m(merchant_id=merchant_id, product_id=product_id)
        if not changes:
            return self.get_product(merchant_id, product_id)
        try:
            item.update(actions=[getattr(m, name).set(value) for name, value in changes.items()],
                        condition=m.product_id.exists())
        except UpdateError as exc:
            if lost_condition(exc):
                return None
            raise
        return _product(item)

def _product_item(product: Product) -> ProductModel:
    return ProductModel(
        merchant_id=product.merchant_id, product_id=product.id, name=product.name, price=product.price,
        currency=product.currency, stock=product.stock, on_sale=product.on_sale,
        max_per_order=product.max_per_order, created_at=product.created_at,
    )


def _merchant(item: MerchantModel) -> Merchant:
    hours = item.business_hours.as_dict() if hasattr(item.business_hours, "as_dict") else dict(item.business_hours)
    return Merchant(
        id=item.merchant_id, name=item.name, time_zone=item.time_zone,
        business_hours={day: [[str(a), str(b)] for a, b in spans] for day, spans in hours.items()},
        paused=bool(item.paused), verified=bool(item.verified),
        answer_window_s=None if item.answer_window_s is None else int(item.answer_window_s),
        currency=item.currency, created_at=int(item.created_at), version=int(item.version or 0),
    )


def _product(item: ProductModel) -> Product:
    return Product(
        merchant_id=item.merchant_id, id=item.product_id, name=item.name, price=int(item.price),
        currency=item.currency, stock=int(item.stock), on_sale=bool(item.on_sale),
        max_per_order=int(item.max_per_order), created_at=int(item.created_at),
    )
