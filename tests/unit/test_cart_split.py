"""The split of one cart into supplier groups and product-type sub-orders, and the allocation of
shipping and the discount: for any cart, every line lands in exactly one sub-order of one supplier
and one type, and every total adds up exactly."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.checkout.split import CartLine, Kind, ProductType, split_cart

TYPES = [ProductType(Kind.PHYSICAL, "appliance"), ProductType(Kind.PHYSICAL, "clothing"),
         ProductType(Kind.VIRTUAL, "gift_card"), ProductType(Kind.VIRTUAL, "e_ticket")]
SUPPLIERS = ["s1", "s2", "s3", "s4"]

lines = st.lists(st.builds(
    CartLine, supplier_id=st.sampled_from(SUPPLIERS), product_id=st.uuids().map(str), name=st.just("item"),
    product_type=st.sampled_from(TYPES), unit_price=st.integers(0, 500_000), quantity=st.integers(1, 20)),
    min_size=1, max_size=30)
fees = st.dictionaries(st.sampled_from(SUPPLIERS), st.integers(0, 5_000))


@given(cart=lines, shipping=fees, discount=st.integers(-100, 5_000_000))
def test_every_line_is_in_exactly_one_sub_order_of_its_supplier_and_type(
        cart: list[CartLine], shipping: dict[str, int], discount: int) -> None:
    split = split_cart(cart, shipping, discount)
    placed = [line for sub in split.sub_orders for line in sub.lines]
    assert Counter(map(id, placed)) == Counter(map(id, cart))
    for group in split.groups:
        for sub in group.sub_orders:
            assert {line.supplier_id for line in sub.lines} == {group.supplier_id} == {sub.supplier_id}
            assert {line.product_type for line in sub.lines} == {sub.product_type}
    keys = [(s.supplier_id, s.product_type) for s in split.sub_orders]
    assert len(keys) == len(set(keys)), "one sub-order per supplier and type"
    assert len(split.groups) == len({line.supplier_id for line in cart})


@given(cart=lines, shipping=fees, discount=st.integers(-100, 5_000_000))
def test_totals_add_up_exactly(cart: list[CartLine], shipping: dict[str, int], discount: int) -> None:
    split = split_cart(cart, shipping, discount)
    goods = sum(line.amount for line in cart)
    assert split.subtotal == goods
    assert split.discount == min(max(discount, 0), goods)
    shipped = {line.supplier_id for line in cart if line.product_type.kind is Kind.PHYSICAL}
    assert split.shipping == sum(shipping.get(s, 0) for s in shipped)
    assert split.total == goods + split.shipping - split.discount
    assert split.total == sum(group.total for group in split.groups)
    for sub in split.sub_orders:
        assert 0 <= sub.discount <= sub.subtotal and sub.total >= 0
        if sub.product_type.kind is Kind.VIRTUAL:
            assert sub.shipping == 0


def test_shipping_is_spread_over_a_suppliers_physical_sub_orders_by_their_goods() -> None:
    ac = CartLine("s1", "p1", "Air conditioner", TYPES[0], 300_00, 1)
    shirt = CartLine("s1", "p2", "Shirt", TYPES[1], 100_00, 1)
    card = CartLine("s1", "p3", "Gift card", TYPES[2], 50_00, 1)
    split = split_cart([ac, shirt, card], {"s1": 1_001})
    assert [(s.product_type.key, s.shipping) for s in split.sub_orders] == [
        ("physical/appliance", 751), ("physical/clothing", 250), ("virtual/gift_card", 0)]


def test_a_virtual_only_group_pays_no_shipping_and_the_discount_is_spread_by_goods() -> None:
    card = CartLine("s1", "p1", "Gift card", TYPES[2], 100_00, 1)
    ac = CartLine("s2", "p2", "Air conditioner", TYPES[0], 300_00, 1)
    split = split_cart([card, ac], {"s1": 800, "s2": 1_500}, discount=1_000)
    assert [(g.supplier_id, g.ships) for g in split.groups] == [("s1", False), ("s2", True)]
    assert [(s.shipping, s.discount) for s in split.sub_orders] == [(0, 250), (1_500, 750)]
    assert split.total == 400_00 + 1_500 - 1_000


def test_a_cart_of_one_supplier_is_one_group() -> None:
    split = split_cart([CartLine("s1", "p1", "Gift card", TYPES[2], 100, 2)], {})
    assert len(split.groups) == 1 and split.total == 200
