"""Catalogue use cases: merchants (ops-managed, self-service open/pause/hours/window) and products."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.catalogue.cache import CatalogueCache
from chalicelib.catalogue.model import ALWAYS_OPEN, Merchant, Product
from chalicelib.catalogue.ports import CatalogueStore
from chalicelib.catalogue.settings import CatalogueSettings
from chalicelib.core.clock import Clock
from chalicelib.core.contention import retry_contended
from chalicelib.core.errors import (
    AlreadyExists,
    AlreadyTaken,
    ConcurrentUpdate,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from chalicelib.core.ids import new_id
from chalicelib.core.money import currency_errors
from chalicelib.persistence.paging import Page

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.catalogue.schemas import MerchantIn, MerchantPatch, ProductIn, ProductPatch
    from chalicelib.http.fields import MoneyIn


class CatalogueService:
    """Merchants and their menus. Orders read them through `merchant_for_order` and
    `products_for_order` (provided to other packages as `menus`)."""

    def __init__(self, store: CatalogueStore, clock: Clock, settings: CatalogueSettings) -> None:
        self.store = store
        self._for_orders = CatalogueCache(store, clock)
        self._clock = clock
        self._settings = settings

    @property
    def default_answer_window_s(self) -> int:
        return self._settings.default_answer_window_s

    def answer_window_ms(self, merchant: Merchant) -> int:
        return 1000 * (merchant.answer_window_s or self._settings.default_answer_window_s)

    def _check_window(self, seconds: int | None) -> None:
        low, high = self._settings.min_window_s, self._settings.max_window_s
        if seconds is not None and not low <= seconds <= high:
            raise ValidationFailed("the answer window is out of bounds",
                                   [FieldError("answer_window_s", f"between {low} and {high} seconds")])

    def create_merchant(self, caller: Principal, body: MerchantIn) -> Merchant:
        caller.require(Role.OPS)
        self._check_window(body.answer_window_s)
        merchant = Merchant(
            id=body.merchant_id or new_id("m"), name=body.name, time_zone=body.time_zone,
            business_hours=dict(ALWAYS_OPEN) if body.business_hours is None else body.business_hours,
            paused=body.paused, verified=body.verified,
            answer_window_s=body.answer_window_s, currency=body.currency, created_at=self._clock.now_ms(),
        )
        try:
            saved = self.store.save_merchant(merchant, create=True)
            self._for_orders.forget(merchant.id)  # an order may have cached "no such merchant"
            return saved
        except AlreadyExists:
            raise AlreadyTaken(f"merchant {merchant.id} already exists", merchant_id=merchant.id) from None

    def merchant(self, merchant_id: str) -> Merchant:
        merchant = self.store.get_merchant(merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} not found")
        return merchant

    def merchants(self, limit: int, token: str | None) -> Page[Merchant]:
        """Where a customer can order: the verified merchants by name (paused ones too, marked)."""
        return self.store.list_merchants(limit, token)

    def managed_merchant(self, caller: Principal, merchant_id: str) -> Merchant:
        """The merchant, if the caller manages it (ops, or that merchant's staff); else 404/403."""
        if caller.role not in (Role.OPS, Role.MERCHANT):
            raise Forbidden("only ops and the merchant's staff manage a merchant")
        if not caller.acts_for_merchant(merchant_id):
            raise NotFound(f"merchant {merchant_id} not found")
        return self.merchant(merchant_id)

    def patch_merchant(self, caller: Principal, merchant_id: str, patch: MerchantPatch) -> Merchant:
        merchant = self.managed_merchant(caller, merchant_id)
        changes: dict[str, Any] = patch.model_dump(exclude_unset=True)
        if "verified" in changes and caller.role is not Role.OPS:
            raise Forbidden("only ops verify merchants")
        for required in ("name", "time_zone", "paused", "verified"):
            if required in changes and changes[required] is None:
                raise ValidationFailed("a field cannot be cleared", [FieldError(required, "cannot be null")])
        self._check_window(changes.get("answer_window_s"))
        if "business_hours" in changes and changes["business_hours"] is None:
            changes["business_hours"] = dict(ALWAYS_OPEN)
        current = merchant

        def save() -> Merchant:
            nonlocal current
            try:
                return self.store.save_merchant(replace(current, **changes), create=False)
            except ConcurrentUpdate:
                # A patch sets fields: re-applied to the winner's version, it still holds.
                current = self.merchant(merchant_id)
                raise

        saved = retry_contended(save, sleep_ms=self._clock.sleep_ms)
        self._for_orders.forget(merchant_id)
        return saved

    def add_product(self, caller: Principal, merchant_id: str, body: ProductIn) -> Product:
        merchant = self.managed_merchant(caller, merchant_id)
        _check_currency(merchant, body.price)
        product = Product(merchant_id=merchant_id, id=body.product_id or new_id("p"), name=body.name,
                          price=body.price.amount, currency=merchant.currency, stock=body.stock, on_sale=body.on_sale,
                          max_per_order=body.max_per_order, created_at=self._clock.now_ms())
        try:
            saved = self.store.add_product(product)
            self._for_orders.forget(merchant_id)
            return saved
        except AlreadyExists:
            raise AlreadyTaken(f"product {product.id} already exists; PATCH it to change it",
                               product_id=product.id) from None

    def patch_product(self, caller: Principal, merchant_id: str, product_id: str, patch: ProductPatch) -> Product:
        merchant = self.managed_merchant(caller, merchant_id)
        changes = {k: v for k, v in patch.model_dump(exclude_unset=True).items()}
        if any(v is None for v in changes.values()):
            raise ValidationFailed("a field cannot be cleared",
                                   [FieldError(k, "cannot be null") for k, v in changes.items() if v is None])
        if patch.price is not None:
            _check_currency(merchant, patch.price)
            changes["price"] = patch.price.amount
        # Only the patched fields are written, in one update: concurrent patches of other fields hold.
        saved = self.store.update_product(merchant_id, product_id, changes)
        if saved is None:
            raise NotFound(f"product {product_id} not found")
        self._for_orders.forget(merchant_id)
        return saved

    def products(self, merchant_id: str, limit: int, token: str | None) -> Page[Product]:
        self.merchant(merchant_id)
        return self.store.list_products(merchant_id, limit, token)

    def merchant_for_order(self, merchant_id: str) -> Merchant | None:
        """The merchant as an order sees it (cached for a few seconds, see cache.py)."""
        return self._for_orders.merchant(merchant_id)

    def products_for_order(self, merchant_id: str, product_ids: list[str]) -> dict[str, Product]:
        return self._for_orders.products(merchant_id, product_ids)


def _check_currency(merchant: Merchant, price: MoneyIn) -> None:
    """A merchant sells in one currency (`Merchant.currency`, fixed at creation)."""
    errors = currency_errors(merchant.currency, "the merchant's", price=price.to_money())
    if errors:
        raise ValidationFailed("the price is not in the merchant's currency", errors)
