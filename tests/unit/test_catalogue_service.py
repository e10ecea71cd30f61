"""The catalogue's rules on fakes: ops create merchants, a merchant's staff run their own store
(open/pause, hours, answer window within the stage's bounds, products), nobody else may; and
the menus orders read are cached, but forgotten at once by a write through the same container.
(Those named as in tests/functional/test_catalogue.py were moved here: they only drove this
logic over HTTP.)"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.catalogue.cache import DEFAULT_TTL_MS
from chalicelib.catalogue.schemas import MerchantIn, MerchantPatch, ProductIn, ProductPatch
from chalicelib.core.errors import AlreadyTaken, Forbidden, NotFound, ValidationFailed
from chalicelib.orders.model import Order
from tests.builders import cny
from tests.fakes.platform import FakeWorld, caller, fake_container
from tests.unit.arrange import CUSTOMER, OPS, STAFF, an_order, body, open_shop


@pytest.fixture
def shop(world: FakeWorld) -> FakeWorld:
    open_shop(world)
    return world


def patch(world: FakeWorld, who: Any = STAFF, merchant_id: str = "m1", /, **fields: Any) -> Any:
    return world.catalogue.patch_merchant(who, merchant_id, body(MerchantPatch, fields))


def place(world: FakeWorld, **changes: Any) -> Order | list[str]:
    """The order, or the fields it was refused on."""
    try:
        return world.orders.place(CUSTOMER, an_order(**changes))
    except ValidationFailed as refused:
        return sorted(e.field for e in refused.errors)


def stored(world: FakeWorld) -> tuple[dict[str, Any], dict[Any, Any]]:
    return dict(world.stores.catalogue.merchants), dict(world.stores.catalogue.products)


# ── merchants ───────────────────────────────────────────────────────────────────────────────

def test_a_merchant_created_with_only_a_name_and_zone_gets_the_defaults(world: FakeWorld) -> None:
    merchant = world.catalogue.create_merchant(OPS, body(MerchantIn, name="Noodles", time_zone="Asia/Shanghai"))
    assert merchant.id.startswith("m_") and merchant.answer_window_s is None
    assert world.catalogue.answer_window_ms(merchant) == 120_000
    assert (merchant.paused, merchant.verified, merchant.currency) == (False, True, "CNY")
    assert merchant.created_at == world.clock.now_ms() and world.catalogue.merchant(merchant.id) == merchant


def test_a_merchant_id_is_taken_once_and_only_ops_create_merchants(shop: FakeWorld) -> None:
    before = stored(shop)
    with pytest.raises(AlreadyTaken):
        shop.catalogue.create_merchant(OPS, body(MerchantIn, merchant_id="m1", name="Impostor", time_zone="UTC"))
    for who in (STAFF, CUSTOMER):
        with pytest.raises(Forbidden):
            shop.catalogue.create_merchant(who, body(MerchantIn, name="Mine", time_zone="UTC"))
    assert stored(shop) == before


def test_staff_open_and_pause_their_own_store(shop: FakeWorld) -> None:
    assert patch(shop, paused=True).paused is True
    assert place(shop) == ["merchant_id"]
    assert patch(shop, paused=False).paused is False
    assert isinstance(place(shop), Order)


def test_staff_change_their_hours_and_an_interval_may_run_past_midnight(shop: FakeWorld) -> None:
    # Now is Wednesday 19:06 in Shanghai.
    assert patch(shop, business_hours={"tue": [["20:00", "02:00"]]}).business_hours == {"tue": [["20:00", "02:00"]]}
    assert place(shop) == ["merchant_id"]
    patch(shop, business_hours={"wed": [["11:00", "14:00"], ["18:00", "02:00"]]})
    assert isinstance(place(shop), Order)
    shop.clock.advance(6 * 3600)  # Thursday 01:06, still Wednesday's evening
    assert isinstance(place(shop), Order)
    shop.clock.advance(3600)  # 02:06: closed
    assert place(shop) == ["merchant_id"]


def test_clearing_the_hours_means_always_open(shop: FakeWorld) -> None:
    patch(shop, business_hours={})
    assert place(shop) == ["merchant_id"]
    patch(shop, business_hours=None)
    assert isinstance(place(shop), Order)


@pytest.mark.parametrize(("window", "accepted"), [(1, True), (900, True), (0, False), (901, False), (-5, False)])
def test_the_local_stage_accepts_windows_from_1_to_900_seconds(shop: FakeWorld, window: int, accepted: bool) -> None:
    if accepted:
        assert patch(shop, answer_window_s=window).answer_window_s == window
        return
    with pytest.raises(ValidationFailed) as refused:
        patch(shop, answer_window_s=window)
    assert [e.field for e in refused.value.errors] == ["answer_window_s"]


@pytest.mark.parametrize(("window", "accepted"), [(29, False), (30, True), (900, True), (901, False), (1, False)])
def test_other_stages_accept_windows_from_30_to_900_seconds(window: int, accepted: bool) -> None:
    dev = fake_container(ONTIME_STAGE="dev", ONTIME_JWT_ISSUER="https://issuer.example/pool")
    new = body(MerchantIn, merchant_id="m1", name="N", time_zone="UTC", answer_window_s=window)
    if accepted:
        assert dev.catalogue.create_merchant(OPS, new).answer_window_s == window
        return
    with pytest.raises(ValidationFailed) as refused:
        dev.catalogue.create_merchant(OPS, new)
    assert [e.field for e in refused.value.errors] == ["answer_window_s"]
    assert dev.stores.catalogue.merchants == {}


def test_merchants_cannot_verify_themselves_but_ops_can(shop: FakeWorld) -> None:
    patch(shop, OPS, verified=False)
    with pytest.raises(Forbidden):
        patch(shop, verified=True)
    assert shop.catalogue.merchant("m1").verified is False
    assert patch(shop, OPS, verified=True).verified is True


def test_another_merchants_staff_get_404_and_change_nothing(shop: FakeWorld) -> None:
    rival = caller("merchant", "staff-9", merchant_id="m2")
    before = stored(shop)
    for attempt in (lambda: patch(shop, rival, paused=True),
                    lambda: shop.catalogue.add_product(rival, "m1", body(ProductIn, name="Spam", price=cny(1),
                                                                         stock=1)),
                    lambda: shop.catalogue.patch_product(rival, "m1", "p1", body(ProductPatch, price=cny(1)))):
        with pytest.raises(NotFound):
            attempt()
    assert stored(shop) == before


@pytest.mark.parametrize("field", ["name", "time_zone", "paused", "verified"])
def test_a_required_merchant_field_cannot_be_cleared(shop: FakeWorld, field: str) -> None:
    before = stored(shop)
    with pytest.raises(ValidationFailed) as refused:
        patch(shop, OPS, **{field: None})
    assert [e.field for e in refused.value.errors] == [field]
    assert stored(shop) == before


def test_an_unknown_merchant_is_not_found(shop: FakeWorld) -> None:
    with pytest.raises(NotFound):
        shop.catalogue.merchant("m404")
    with pytest.raises(NotFound):
        shop.catalogue.products("m404", 10, None)
    with pytest.raises(NotFound):
        patch(shop, OPS, "m404", paused=True)


# ── products ────────────────────────────────────────────────────────────────────────────────

def test_a_product_gets_the_defaults_and_a_patch_changes_only_the_fields_it_names(shop: FakeWorld) -> None:
    added = shop.catalogue.add_product(STAFF, "m1", body(ProductIn, name="Tea", price=cny(500), stock=9))
    assert added.max_per_order == 20 and added.on_sale is True and added.id.startswith("p_")
    changed = shop.catalogue.patch_product(STAFF, "m1", added.id, body(ProductPatch, price=cny(600), on_sale=False))
    assert (changed.price, changed.on_sale, changed.name, changed.stock) == (600, False, "Tea", 9)
    assert place(shop, items=[{"product_id": added.id, "quantity": 1}]) == ["items[0].product_id"]


def test_a_product_id_is_taken_once(shop: FakeWorld) -> None:
    with pytest.raises(AlreadyTaken):
        shop.catalogue.add_product(STAFF, "m1", body(ProductIn, product_id="p1", name="Coffee", price=cny(1), stock=5))
    assert shop.stores.catalogue.products[("m1", "p1")].name == "Beef noodles"


def test_patching_an_unknown_product_is_not_found(shop: FakeWorld) -> None:
    with pytest.raises(NotFound):
        shop.catalogue.patch_product(STAFF, "m1", "p404", body(ProductPatch, price=cny(1)))


def test_no_product_field_can_be_cleared_and_each_one_is_named(shop: FakeWorld) -> None:
    with pytest.raises(ValidationFailed) as refused:
        shop.catalogue.patch_product(STAFF, "m1", "p1", body(ProductPatch, price=None, stock=None, name="Ok"))
    assert sorted(e.field for e in refused.value.errors) == ["price", "stock"]
    assert shop.stores.catalogue.products[("m1", "p1")].name == "Beef noodles"


def test_customers_may_read_the_menu_but_not_change_it(shop: FakeWorld) -> None:
    assert [p.id for p in shop.catalogue.products("m1", 20, None).items] == ["p1", "p2", "p3", "p4"]
    with pytest.raises(Forbidden):
        shop.catalogue.patch_product(CUSTOMER, "m1", "p1", body(ProductPatch, price=cny(1)))


# ── the menus as orders read them ───────────────────────────────────────────────────────────

def test_a_price_change_applies_to_the_next_order_only(shop: FakeWorld) -> None:
    before = place(shop)
    shop.catalogue.patch_product(STAFF, "m1", "p1", body(ProductPatch, price=cny(3000)))
    after = place(shop)
    assert isinstance(before, Order) and isinstance(after, Order)
    assert (before.total.amount, after.total.amount) == (5600, 6000)
    assert shop.orders.get(CUSTOMER, before.id).total.amount == 5600


def test_orders_read_a_cached_menu_that_a_write_through_this_container_forgets_at_once(shop: FakeWorld) -> None:
    assert shop.catalogue.merchant_for_order("m1") is not None  # cached now
    patch(shop, paused=True)
    cached = shop.catalogue.merchant_for_order("m1")
    assert cached is not None and cached.paused is True
    shop.catalogue.patch_product(STAFF, "m1", "p1", body(ProductPatch, stock=1))
    assert shop.catalogue.products_for_order("m1", ["p1"])["p1"].stock == 1


def test_a_merchant_created_after_an_order_asked_for_it_is_seen_at_once(shop: FakeWorld) -> None:
    assert shop.catalogue.merchant_for_order("m2") is None  # "no such merchant" is cached too
    shop.catalogue.create_merchant(OPS, body(MerchantIn, merchant_id="m2", name="Dumplings", time_zone="UTC"))
    assert shop.catalogue.merchant_for_order("m2") is not None


def test_a_change_made_by_another_container_is_seen_once_the_cache_expires(shop: FakeWorld) -> None:
    product = shop.catalogue.products_for_order("m1", ["p1"])["p1"]
    shop.stores.catalogue.update_product("m1", product.id, {"price": 100})  # not through this container
    assert shop.catalogue.products_for_order("m1", ["p1"])["p1"].price == 2800
    shop.clock.advance(DEFAULT_TTL_MS / 1000)
    assert shop.catalogue.products_for_order("m1", ["p1"])["p1"].price == 100
