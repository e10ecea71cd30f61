"""Checking a submitted checkout against the catalogue, and the edit form the app renders. Pure.

`check` finds *every* reason a checkout cannot be created (changed price, not enough stock, an
attribute not offered, a missing address for physical goods…), each with the field it concerns,
so the app can show them all at once; the caller creates nothing unless the list is empty.
The stock seen here is a snapshot: the reservation's conditional write is what prevents
overselling, and its failure is reported with the same field names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.checkout.model import Product, SavedAddress, Supplier
from chalicelib.checkout.split import CartLine, Kind
from chalicelib.core.address import Address
from chalicelib.core.errors import FieldError
from chalicelib.core.money import Money, currency_errors, money_of

ProductKey = tuple[str, str]


@dataclass(frozen=True)
class SubmittedItem:
    product_id: str
    quantity: int
    unit_price: Money | None = None
    """What the app showed; another price now means the customer must look again."""
    attributes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SubmittedSection:
    supplier_id: str
    items: tuple[SubmittedItem, ...]
    address: Address | None = None


@dataclass(frozen=True)
class CheckedCart:
    lines: tuple[CartLine, ...]
    currency: str
    addresses: Mapping[str, Address]
    """The shipping address of each section with physical goods."""


def wanted_keys(sections: Sequence[SubmittedSection]) -> list[ProductKey]:
    return list(dict.fromkeys((s.supplier_id, i.product_id) for s in sections for i in s.items))


def check(sections: Sequence[SubmittedSection], products: Mapping[ProductKey, Product],
          suppliers: Mapping[str, Supplier]) -> tuple[CheckedCart | None, list[FieldError]]:
    errors: list[FieldError] = []
    lines: list[CartLine] = []
    addresses: dict[str, Address] = {}
    seen_suppliers: set[str] = set()
    wanted: dict[ProductKey, int] = {}
    for si, section in enumerate(sections):
        at = f"sections[{si}]"
        supplier = suppliers.get(section.supplier_id)
        if section.supplier_id in seen_suppliers:
            errors.append(FieldError(f"{at}.supplier_id", "one section per supplier: this one comes twice"))
        seen_suppliers.add(section.supplier_id)
        if supplier is None or not supplier.active:
            errors.append(FieldError(f"{at}.supplier_id", "no such supplier (or it is not selling now)"))
            continue
        physical = False
        for ii, item in enumerate(section.items):
            line = _checked_line(f"{at}.items[{ii}]", supplier, item, products.get((supplier.id, item.product_id)),
                                 errors)
            if line is None:
                continue
            lines.append(line)
            physical = physical or line.product_type.kind is Kind.PHYSICAL
            wanted[(supplier.id, item.product_id)] = wanted.get((supplier.id, item.product_id), 0) + item.quantity
        if physical:
            _check_address(f"{at}.address", section.address, errors)
            if section.address is not None:
                addresses[supplier.id] = section.address
    for (supplier_id, product_id), quantity in wanted.items():
        product = products.get((supplier_id, product_id))
        if product is not None and quantity > product.stock:
            errors.append(stock_error(sections, (supplier_id, product_id), product.stock))
    currencies = {suppliers[s].currency for s in seen_suppliers if s in suppliers}
    if len(currencies) > 1:
        errors.append(FieldError("sections", f"one payment takes one currency; this cart mixes {sorted(currencies)}"))
    if errors or not lines:
        return None, errors
    return CheckedCart(tuple(lines), currencies.pop(), addresses), []


def stock_error(sections: Sequence[SubmittedSection], key: ProductKey, left: int | None) -> FieldError:
    """The reason for a product that is short, on the first item that asks for it."""
    supplier_id, product_id = key
    for si, section in enumerate(sections):
        for ii, item in enumerate(section.items):
            if section.supplier_id == supplier_id and item.product_id == product_id:
                detail = "out of stock" if not left else f"only {left} left"
                return FieldError(f"sections[{si}].items[{ii}].quantity", detail)
    return FieldError("sections", f"{product_id} is out of stock")


def _checked_line(at: str, supplier: Supplier, item: SubmittedItem, product: Product | None,
                  errors: list[FieldError]) -> CartLine | None:
    if product is None or not product.on_sale:
        errors.append(FieldError(f"{at}.product_id", "no such product on sale from this supplier"))
        return None
    wrong_currency = currency_errors(supplier.currency, "the supplier's", **{f"{at}.unit_price": item.unit_price})
    errors += wrong_currency
    if item.unit_price is not None and not wrong_currency and item.unit_price.amount != product.price:
        errors.append(FieldError(f"{at}.unit_price", f"the price changed: now {product.price} {supplier.currency}"))
    chosen = dict(item.attributes)
    offered = {a.name: a.values for a in product.attributes}
    for name, value in chosen.items():
        if name not in offered:
            errors.append(FieldError(f"{at}.attributes.{name}", "not an attribute of this product"))
        elif value not in offered[name]:
            errors.append(FieldError(f"{at}.attributes.{name}", f"choose one of {', '.join(offered[name])}"))
    for name, values in offered.items():
        if name not in chosen:
            errors.append(FieldError(f"{at}.attributes.{name}", f"required: one of {', '.join(values)}"))
    ordered = tuple((a.name, chosen[a.name]) for a in product.attributes if a.name in chosen)
    return CartLine(supplier.id, product.product_id, product.name, product.product_type, product.price,
                    item.quantity, ordered)


def _check_address(at: str, address: Address | None, errors: list[FieldError]) -> None:
    if address is None:
        errors.append(FieldError(at, "required: this section holds physical goods"))
    elif address.lat is None or address.lng is None:
        errors.append(FieldError(at, "needs lat and lng (the point on the map), so the parcel can be tracked"))


# ── the edit form ───────────────────────────────────────────────────────────────────────────

ADDRESS_FIELDS = ("line1", "line2", "city", "postcode", "lat", "lng")


def edit_form(cart: Sequence[tuple[str, str, int]], products: Mapping[ProductKey, Product],
              suppliers: Mapping[str, Supplier], default: SavedAddress | None
              ) -> tuple[dict[str, Any], list[FieldError]]:
    """The form for a cart of (supplier_id, product_id, quantity): one section per supplier, in the
    cart's order, with address fields only where the section holds a physical product (pre-filled
    with the default address, editable) and one attribute field per offered attribute."""
    errors: list[FieldError] = []
    sections: dict[str, dict[str, Any]] = {}
    for n, (supplier_id, product_id, quantity) in enumerate(cart):
        supplier, product = suppliers.get(supplier_id), products.get((supplier_id, product_id))
        if supplier is None or not supplier.active or product is None or not product.on_sale:
            errors.append(FieldError(f"items[{n}].product_id", "no such product on sale from this supplier"))
            continue
        section = sections.setdefault(supplier_id, {
            "supplier_id": supplier_id, "supplier_name": supplier.name, "currency": supplier.currency,
            "needs_address": False, "address": None, "items": []})
        physical = product.product_type.kind is Kind.PHYSICAL
        section["needs_address"] = section["needs_address"] or physical
        section["items"].append({
            "product_id": product_id, "name": product.name, "unit_price": money_of(product.price, supplier.currency),
            "quantity": quantity,
            "kind": product.product_type.kind.value, "category": product.product_type.category,
            "in_stock": product.stock >= quantity,
            "attributes": [{"name": a.name, "options": list(a.values), "value": None} for a in product.attributes],
        })
    for section in sections.values():
        if section["needs_address"]:
            prefill = default.address if default is not None else None
            section["address"] = {"fields": list(ADDRESS_FIELDS), "required": ["line1", "city", "lat", "lng"],
                                  "value": None if prefill is None else _address_value(prefill),
                                  "from_saved_address": None if default is None else default.address_id}
    return {"sections": list(sections.values()),
            "create": {"method": "POST", "href": "/purchases", "label": "Create order"}}, errors


def _address_value(address: Address) -> dict[str, Any]:
    return {name: getattr(address, name) for name in ADDRESS_FIELDS}
