"""Is this order genuine? Pure checks of a requested order against the catalogue (spec 01 §2).

Every reason is collected, so the customer app can show them all at once; prices always come
from the catalogue, never from the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.core.errors import FieldError
from chalicelib.core.money import Money, currency_errors
from chalicelib.orders.model import OrderLine
from chalicelib.orders.ports import OrderableMerchant, OrderableProduct


@dataclass(frozen=True)
class RequestedItem:
    product_id: str
    quantity: int
    expected_unit_price: Money | None = None


def price_lines(merchant: OrderableMerchant | None, products: Mapping[str, OrderableProduct],
                items: list[RequestedItem], now_ms: int, merchant_field: str = "merchant_id"
                ) -> tuple[tuple[OrderLine, ...], list[FieldError]]:
    errors: list[FieldError] = []
    if merchant is None:
        return (), [FieldError(merchant_field, "merchant does not exist")]
    if not merchant.verified:
        errors.append(FieldError(merchant_field, "merchant is not verified"))
    if merchant.paused:
        errors.append(FieldError(merchant_field, "store is paused"))
    elif not merchant.is_open_at(now_ms):
        errors.append(FieldError(merchant_field, "store is closed at this time"))
    lines: list[OrderLine] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"items[{index}]"
        product = products.get(item.product_id)
        if item.product_id in seen:
            errors.append(FieldError(f"{where}.product_id", "product is listed more than once"))
            continue
        seen.add(item.product_id)
        if product is None:
            errors.append(FieldError(f"{where}.product_id", "product does not exist at this merchant"))
            continue
        if not product.on_sale:
            errors.append(FieldError(f"{where}.product_id", "product is not on sale"))
        if item.quantity > product.max_per_order:
            errors.append(FieldError(f"{where}.quantity", f"at most {product.max_per_order} per order"))
        elif item.quantity > product.stock:
            errors.append(FieldError(f"{where}.quantity", f"only {product.stock} in stock"))
        expected = item.expected_unit_price
        wrong_currency = currency_errors(merchant.currency, "the merchant's", **{f"{where}.unit_price": expected})
        errors += wrong_currency
        if expected is not None and not wrong_currency and expected.amount != product.price:
            errors.append(FieldError(f"{where}.unit_price", f"price changed to {product.price} {merchant.currency}"))
        lines.append(OrderLine(product.id, product.name, product.price, item.quantity))
    return tuple(lines), errors
