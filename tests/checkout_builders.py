"""Builders for workflow 03 (split orders): suppliers, products, a purchase split by the real
`split_cart`, and purchases and supplier orders moved along by the real deciders."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.checkout import purchase_decider, supplier_order_decider
from chalicelib.checkout.model import (
    AttributeOption,
    Fulfilment,
    Product,
    Purchase,
    PurchaseGroup,
    PurchaseStatus,
    Supplier,
    SupplierOrder,
)
from chalicelib.checkout.split import CartLine, Kind, ProductType, split_cart
from chalicelib.checkout.tracking import Method
from chalicelib.core.address import Address
from chalicelib.payments.port import PaymentRef
from tests.builders import T0

WINDOW_MS = 15 * 60_000
HOME = Address(line1="1 Bund Road", city="Shanghai", lat=31.2304, lng=121.4737)
SHOES = ProductType(Kind.PHYSICAL, "shoes")
BOOKS = ProductType(Kind.PHYSICAL, "books")
GIFT_CARDS = ProductType(Kind.VIRTUAL, "gift_cards")


def a_supplier(supplier_id: str = "s_shoes", **fields: object) -> Supplier:
    base = Supplier(supplier_id, supplier_id.removeprefix("s_").title(), "CNY", 1000, True, T0)
    return replace(base, **fields)  # type: ignore[arg-type]


def a_product(supplier_id: str = "s_shoes", product_id: str = "p_run", *, price: int = 5000, stock: int = 10,
              product_type: ProductType = SHOES, sizes: tuple[str, ...] = ("40", "41", "42"),
              on_sale: bool = True) -> Product:
    attributes = (AttributeOption("size", sizes),) if sizes else ()
    return Product(supplier_id, product_id, product_id.removeprefix("p_").title(), price, stock, product_type,
                   attributes, on_sale, T0)


def a_line(supplier_id: str, product_id: str, price: int, quantity: int = 1,
           product_type: ProductType = SHOES) -> CartLine:
    return CartLine(supplier_id, product_id, product_id, product_type, price, quantity)


def a_purchase(lines: list[CartLine] | None = None, fees: dict[str, int] | None = None, *,
               purchase_id: str = "pur_1", deadline: int = T0 + WINDOW_MS) -> Purchase:
    """Shoes (physical) and a gift card (virtual) from one supplier, a book from another."""
    lines = lines or [a_line("s_shoes", "p_run", 5000, 2), a_line("s_shoes", "p_card", 2000, 1, GIFT_CARDS),
                      a_line("s_books", "p_novel", 3000, 1, BOOKS)]
    split = split_cart(lines, fees if fees is not None else {"s_shoes": 1000, "s_books": 500})
    groups = tuple(PurchaseGroup(f"{purchase_id}-{n}", g.supplier_id.title(), HOME if g.ships else None, g)
                   for n, g in enumerate(split.groups, start=1))
    return Purchase(purchase_id, "u1", PurchaseStatus.PENDING_PAYMENT, "CNY", groups, split.discount,
                    PaymentRef("sandbox", "pay_1", "http://pay/pay_1"), deadline, T0, T0)


def codes_for(bought: Purchase) -> tuple[tuple[str, Fulfilment], ...]:
    return tuple((sid, Fulfilment(f"CODE{n}", f"https://redeem/CODE{n}"))
                 for n, sid in enumerate(bought.virtual_sub_order_ids()))


def payment_of(bought: Purchase, at: int = T0 + 1000, **fields: object) -> purchase_decider.PaymentSucceeded:
    event = purchase_decider.PaymentSucceeded("pay_1", bought.total, "CNY", at, codes_for(bought))
    return replace(event, **fields)  # type: ignore[arg-type]


def paid(bought: Purchase | None = None, now: int = T0 + 1000) -> tuple[Purchase, tuple[SupplierOrder, ...]]:
    bought = bought or a_purchase()
    decision = purchase_decider.decide(bought, payment_of(bought, at=now), now)
    return decision.state, tuple(w.order for w in decision.writes if isinstance(w, purchase_decider.NewSupplierOrder))


def shipped(order: SupplierOrder, parcel_id: str, now: int = T0 + 60_000, *, carrier_id: str | None = None,
            at: tuple[float, float] | None = None) -> SupplierOrder:
    ship = supplier_order_decider.Ship(parcel_id, Method.COURIER, carrier_id, at)
    decision = supplier_order_decider.decide(order, ship, now)
    assert decision.refusal is None, decision.refusal
    return decision.state
