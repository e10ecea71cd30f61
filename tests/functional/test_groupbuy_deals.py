"""Group-buy deals and shop settings through the app: ops create deals for any shop, a merchant for
its own only; customers browse what is on sale now, newest first, page by page; a shop's settings
are the spec's defaults in its zone until it puts its own; bad input of every shape is a 4xx problem
naming its fields, and stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.builders import cny
from tests.conftest import World
from tests.functional.api import Reply
from tests.functional.levers import AppLevers

NOW = "2026-11-18T11:06:40.000Z"
"""The tests' clock (`FakeClock`'s start)."""
SHANGHAI, LONDON = "m_sh", "m_ldn"
DEAL = {"title": "Noodles for two", "price": cny(4900), "valid_until": "2026-12-31T16:00:00Z"}
DEFAULT_MEALS = [{"name": "lunch", "start": "11:00", "end": "14:00"},
                 {"name": "dinner", "start": "17:00", "end": "21:00"}]
DAY_S = 24 * 3600


class Deals(AppLevers):
    tables = ("deals", "shop_settings", "idempotency")

    def __init__(self, world: World, client: Client) -> None:
        super().__init__(world, client)
        self.ops = self.party("ops", "ops-1")
        self.shanghai = self.party("merchant", "staff-sh", merchant_id=SHANGHAI)
        self.london = self.party("merchant", "staff-ldn", merchant_id=LONDON)
        self.customer = self.party("customer", "u1")

    def shops(self) -> None:
        for merchant_id, zone, currency in ((SHANGHAI, "Asia/Shanghai", "CNY"), (LONDON, "Europe/London", "GBP")):
            created = self.ops.post("/merchants", {"merchant_id": merchant_id, "name": f"Shop {merchant_id}",
                                                   "time_zone": zone, "currency": currency})
            assert created.status == 201, created.body

    def deal(self, shop_id: str = SHANGHAI, **fields: Any) -> dict[str, Any]:
        created = self.ops.post("/deals", {**DEAL, "shop_id": shop_id, **fields})
        assert created.status == 201, created.body
        return dict(created.body)


@pytest.fixture
def deals(world: World, client: Client) -> Deals:
    ready = Deals(world, client)
    ready.shops()
    return ready


def deal_ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [item["deal_id"] for item in reply.body["items"]]


# ── creating ────────────────────────────────────────────────────────────────────────────────

def test_ops_create_a_deal_for_a_shop_priced_in_its_currency(deals: Deals) -> None:
    created = deals.deal(description="  Two bowls.  ", original_price=cny(6800), max_per_order=4)
    assert created["deal_id"].startswith("deal_")
    assert created["shop"] == {"shop_id": SHANGHAI, "name": f"Shop {SHANGHAI}"}
    assert (created["title"], created["description"]) == ("Noodles for two", "Two bowls.")
    assert created["price"] == cny(4900) and created["original_price"] == cny(6800)
    assert created["valid_from"] == created["created_at"] == created["server_time"] == NOW
    assert created["valid_until"] == created["voucher_expires_at"] == "2026-12-31T16:00:00.000Z"
    assert (created["max_per_order"], created["active"], created["on_sale"]) == (4, True, True)
    assert deals.customer.get(f"/deals/{created['deal_id']}").body == created


def test_a_deals_vouchers_may_outlive_its_sale(deals: Deals) -> None:
    created = deals.deal(vouchers_expire_at="2027-03-01T00:00:00Z")
    assert created["voucher_expires_at"] == "2027-03-01T00:00:00.000Z"
    assert created["valid_until"] == "2026-12-31T16:00:00.000Z"


def test_a_merchant_creates_deals_for_its_own_shop_only(deals: Deals) -> None:
    own = deals.shanghai.post("/deals", DEAL)
    assert own.status == 201 and own.body["shop"]["shop_id"] == SHANGHAI, own.body
    named = deals.shanghai.post("/deals", {**DEAL, "shop_id": SHANGHAI})
    assert named.status == 201, named.body
    before = deals.snapshot()
    other = deals.shanghai.post("/deals", {**DEAL, "shop_id": LONDON, "price": {"amount": 900, "currency": "GBP"}})
    assert other.status == 403 and other.is_problem, other.body
    assert deals.customer.post("/deals", {**DEAL, "shop_id": SHANGHAI}).status == 403
    assert deals.snapshot() == before


def test_a_taken_deal_id_is_a_conflict(deals: Deals) -> None:
    deals.deal(deal_id="deal_one")
    again = deals.ops.post("/deals", {**DEAL, "shop_id": SHANGHAI, "deal_id": "deal_one"})
    assert again.status == 409 and again.body["deal_id"] == "deal_one"


# ── changing ────────────────────────────────────────────────────────────────────────────────

def test_the_shops_merchant_or_ops_change_a_deal_and_another_merchant_finds_none(deals: Deals) -> None:
    deal_id = deals.deal()["deal_id"]
    patched = deals.shanghai.patch(f"/deals/{deal_id}", {"price": cny(4500), "title": "Noodles, two bowls"})
    assert patched.status == 200, patched.body
    assert patched.body["price"] == cny(4500) and patched.body["title"] == "Noodles, two bowls"
    assert deals.ops.patch(f"/deals/{deal_id}", {"active": False}).body["on_sale"] is False
    before = deals.snapshot()
    assert deals.london.patch(f"/deals/{deal_id}", {"active": True}).status == 404
    assert deals.customer.patch(f"/deals/{deal_id}", {"active": True}).status == 403
    assert deals.ops.patch("/deals/deal_nope", {"active": True}).status == 404
    assert deals.snapshot() == before


def test_a_patch_is_checked_against_the_whole_deal(deals: Deals) -> None:
    deal_id = deals.deal()["deal_id"]
    before = deals.snapshot()
    reply = deals.ops.patch(f"/deals/{deal_id}", {"valid_until": "2026-11-01T00:00:00Z",
                                                   "price": {"amount": 100, "currency": "EUR"}})
    assert reply.status == 422 and reply.error_fields == ["price.currency", "valid_until"], reply.body
    cleared = deals.ops.patch(f"/deals/{deal_id}", {"title": None, "price": None})
    assert cleared.status == 422 and cleared.error_fields == ["price", "title"], cleared.body
    assert deals.snapshot() == before
    optional = deals.ops.patch(f"/deals/{deal_id}", {"description": None, "original_price": None,
                                                      "vouchers_expire_at": None})
    assert optional.status == 200 and optional.body["description"] is None, optional.body


# ── browsing ────────────────────────────────────────────────────────────────────────────────

def test_customers_browse_the_deals_on_sale_now_newest_first_page_by_page(deals: Deals) -> None:
    made = []
    for n in range(5):
        made.append(deals.deal(title=f"Deal {n}")["deal_id"])
        deals.world.clock.advance(1)
    later = deals.deal(title="Not yet", valid_from="2026-12-01T00:00:00Z")["deal_id"]
    off = deals.deal(title="Off", active=False)["deal_id"]
    london = deals.deal(LONDON, title="Fish and chips", price={"amount": 900, "currency": "GBP"})["deal_id"]

    first = deals.customer.get("/deals?limit=3")
    assert deal_ids(first) == [london, made[4], made[3]] and first.body["server_time"]
    second = deals.customer.get(f"/deals?limit=3&next_token={first.body['next_token']}")
    assert deal_ids(second) == [made[2], made[1], made[0]]
    assert second.body["next_token"] is None or deal_ids(
        deals.customer.get(f"/deals?limit=3&next_token={second.body['next_token']}")) == []
    assert later not in deal_ids(deals.customer.get("/deals")) and off not in deal_ids(deals.customer.get("/deals"))
    assert deal_ids(deals.customer.get(f"/deals?shop_id={LONDON}")) == [london]
    assert deal_ids(deals.customer.get("/deals?shop_id=m_nowhere")) == []

    deals.world.clock.set(deals.world.clock.now_ms() + 14 * DAY_S * 1000)  # 2 Dec: `later` on sale
    assert deal_ids(deals.customer.get(f"/deals?shop_id={SHANGHAI}&limit=2"))[0] == later
    deals.world.clock.set(deals.world.clock.now_ms() + 60 * DAY_S * 1000)  # the sales ended
    assert deal_ids(deals.customer.get("/deals")) == []
    ended = deals.customer.get(f"/deals/{made[0]}")
    assert ended.status == 200 and ended.body["on_sale"] is False


@pytest.mark.parametrize("shop_id", ["x" * 3000, "a%20b", "%F0%9F%8D%9C"])
def test_a_shop_filter_that_is_no_id_is_a_400_naming_it(deals: Deals, shop_id: str) -> None:
    reply = deals.customer.get(f"/deals?shop_id={shop_id}")
    assert reply.status == 400 and reply.is_problem and reply.error_fields == ["shop_id"], reply.body


def test_an_unknown_deal_is_404(deals: Deals) -> None:
    reply = deals.customer.get("/deals/deal_nope")
    assert reply.status == 404 and reply.is_problem


def test_a_next_token_of_another_list_is_refused(deals: Deals) -> None:
    for n in range(3):
        deals.deal(title=f"Deal {n}")
    token = deals.customer.get("/deals?limit=1").body["next_token"]
    reply = deals.customer.get(f"/deals?limit=1&shop_id={SHANGHAI}&next_token={token}")
    assert reply.status == 400 and reply.error_fields == ["next_token"]


# ── shop settings ───────────────────────────────────────────────────────────────────────────

def test_a_shops_settings_are_the_specs_defaults_in_its_merchants_zone(deals: Deals) -> None:
    reply = deals.customer.get(f"/shops/{LONDON}/group-buy-settings")
    assert reply.status == 200, reply.body
    assert reply.body == {"shop_id": LONDON, "time_zone": "Europe/London", "follows_shop_time_zone": True,
                          "meals": DEFAULT_MEALS, "days": 3, "lead_s": 1800, "interval_s": 3600, "capacity": None,
                          "minutes_per_person_default": 5.0, "defaults": True, "updated_at": None}
    assert deals.customer.get("/shops/m_nowhere/group-buy-settings").status == 404


def test_the_shops_merchant_or_ops_put_its_settings(deals: Deals) -> None:
    body = {"meals": [{"name": "brunch", "start": "10:00", "end": "12:30"},
                      {"name": "dinner", "start": "18:00", "end": "22:00"}], "days": 5, "capacity": 12,
            "lead_s": 2700, "interval_s": 1200, "minutes_per_person_default": 3.5}
    put = deals.shanghai.put(f"/shops/{SHANGHAI}/group-buy-settings", body)
    assert put.status == 200, put.body
    assert put.body == {**body, "shop_id": SHANGHAI, "time_zone": "Asia/Shanghai", "follows_shop_time_zone": True,
                        "defaults": False, "updated_at": NOW}
    assert deals.customer.get(f"/shops/{SHANGHAI}/group-buy-settings").body == put.body
    zoned = deals.ops.put(f"/shops/{SHANGHAI}/group-buy-settings", {"time_zone": "Asia/Tokyo"})
    assert zoned.status == 200, zoned.body
    assert (zoned.body["time_zone"], zoned.body["follows_shop_time_zone"], zoned.body["meals"]) == (
        "Asia/Tokyo", False, DEFAULT_MEALS)
    before = deals.snapshot()
    assert deals.london.put(f"/shops/{SHANGHAI}/group-buy-settings", body).status == 404
    assert deals.customer.put(f"/shops/{SHANGHAI}/group-buy-settings", body).status == 403
    assert deals.ops.put("/shops/m_nowhere/group-buy-settings", body).status == 404
    assert deals.snapshot() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"time_zone": "Mars/Olympus"}, ["time_zone"]),
    ({"time_zone": "America"}, ["time_zone"]),
    ({"meals": [{"name": "lunch", "start": "11:00", "end": "14:00"},
                {"name": "brunch", "start": "13:00", "end": "15:00"}]}, ["meals"]),
    ({"meals": [{"name": "lunch", "start": "14:00", "end": "11:00"}]}, ["meals"]),
    ({"meals": [{"name": "lunch", "start": "11:00", "end": "12:00"},
                {"name": "lunch", "start": "17:00", "end": "18:00"}]}, ["meals"]),
    ({"time_zone": "Nowhere/Land", "meals": [{"name": "x", "start": "10:00", "end": "10:00"}]}, ["meals", "time_zone"]),
])
def test_settings_that_cannot_hold_are_a_422_naming_each_field(deals: Deals, body: dict[str, Any],
                                                                 fields: list[str]) -> None:
    before = deals.snapshot()
    reply = deals.ops.put(f"/shops/{SHANGHAI}/group-buy-settings", body)
    assert reply.status == 422 and reply.is_problem and reply.error_fields == fields, reply.body
    assert deals.snapshot() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"meals": []}, ["meals"]),
    ({"meals": [{"name": "Lunch!", "start": "11", "end": "25:00"}]},
     ["meals[0].end", "meals[0].name", "meals[0].start"]),
    ({"days": 0, "lead_s": -1, "interval_s": "3600", "capacity": 0, "minutes_per_person_default": 0},
     ["capacity", "days", "interval_s", "lead_s", "minutes_per_person_default"]),
    ({"days": 15, "minutes_per_person_default": 121, "time_zone": 8, "surprise": 1},
     ["days", "minutes_per_person_default", "surprise", "time_zone"]),
])
def test_malformed_settings_are_a_400_naming_each_field(deals: Deals, body: dict[str, Any],
                                                         fields: list[str]) -> None:
    before = deals.snapshot()
    reply = deals.ops.put(f"/shops/{SHANGHAI}/group-buy-settings", body)
    assert reply.status == 400 and reply.is_problem and reply.error_fields == fields, reply.body
    assert deals.snapshot() == before


# ── bad deals ───────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize(("body", "fields"), [
    ({"title": 5, "price": "49", "valid_until": 1_800_000_000, "max_per_order": "2", "active": "yes",
      "shop_id": "a b", "description": ["x"], "original_price": 6800, "valid_from": True,
      "vouchers_expire_at": "tomorrow"},
     ["active", "description", "max_per_order", "original_price", "price", "shop_id", "title", "valid_from",
      "valid_until", "vouchers_expire_at"]),
    ({}, ["price", "title", "valid_until"]),
    ({**DEAL, "title": "x" * 121}, ["title"]),
    ({**DEAL, "title": "   "}, ["title"]),
    ({**DEAL, "description": "x" * 2001}, ["description"]),
    ({**DEAL, "price": {"amount": -100, "currency": "CNY"}}, ["price.amount"]),
    ({**DEAL, "price": {"amount": 0, "currency": "CNY"}}, ["price.amount"]),
    ({**DEAL, "price": {"amount": 100_000_001, "currency": "CNY"}}, ["price.amount"]),
    ({**DEAL, "price": {"amount": 49.5, "currency": "yuan"}}, ["price.amount", "price.currency"]),
    ({**DEAL, "max_per_order": 0}, ["max_per_order"]),
    ({**DEAL, "max_per_order": 101}, ["max_per_order"]),
    ({**DEAL, "valid_until": "2026-12-31T16:00:00"}, ["valid_until"]),  # no zone
    ({**DEAL, "deal_id": "deal one"}, ["deal_id"]),
    ({**DEAL, "colour": "red"}, ["colour"]),
])
def test_a_malformed_deal_is_a_400_naming_each_field(deals: Deals, body: dict[str, Any], fields: list[str]) -> None:
    before = deals.snapshot()
    reply = deals.shanghai.post("/deals", body)
    assert reply.status == 400 and reply.is_problem and reply.error_fields == fields, reply.body
    assert deals.snapshot() == before


@pytest.mark.parametrize(("body", "fields"), [
    ({"price": {"amount": 4900, "currency": "GBP"}}, ["price.currency"]),
    ({"original_price": {"amount": 100, "currency": "CNY"}}, ["original_price.amount"]),
    ({"original_price": {"amount": 9900, "currency": "USD"}}, ["original_price.currency"]),
    ({"valid_from": "2027-01-01T00:00:00Z"}, ["valid_until"]),
    ({"valid_from": "2026-01-01T00:00:00Z", "valid_until": "2026-02-01T00:00:00Z"}, ["valid_until"]),
    ({"vouchers_expire_at": "2026-12-01T00:00:00Z"}, ["vouchers_expire_at"]),
    ({"valid_until": "9999-12-31T00:00:00Z", "valid_from": "1900-01-01T00:00:00+08:00"},
     ["valid_from", "valid_until"]),
])
def test_a_deal_that_cannot_hold_is_a_422_naming_each_field(deals: Deals, body: dict[str, Any],
                                                            fields: list[str]) -> None:
    before = deals.snapshot()
    reply = deals.shanghai.post("/deals", {**DEAL, **body})
    assert reply.status == 422 and reply.is_problem and reply.error_fields == fields, reply.body
    assert deals.snapshot() == before


def test_ops_must_name_the_shop_and_it_must_exist(deals: Deals) -> None:
    before = deals.snapshot()
    unnamed = deals.ops.post("/deals", DEAL)
    assert unnamed.status == 422 and unnamed.error_fields == ["shop_id"], unnamed.body
    unknown = deals.ops.post("/deals", {**DEAL, "shop_id": "m_nowhere"})
    assert unknown.status == 422 and unknown.error_fields == ["shop_id"], unknown.body
    assert deals.snapshot() == before


@pytest.mark.parametrize("raw", ["{", "[]", "null", '"deal"', json.dumps({**DEAL, "title": "x" * 70_000})])
def test_an_unreadable_or_huge_body_is_a_4xx_problem(deals: Deals, raw: str) -> None:
    before = deals.snapshot()
    for reply in (deals.shanghai.post("/deals", raw=raw),
                  deals.shanghai.put(f"/shops/{SHANGHAI}/group-buy-settings", raw=raw)):
        assert reply.status in (400, 413) and reply.is_problem, reply.body
    assert deals.snapshot() == before
