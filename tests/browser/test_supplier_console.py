"""Split orders (spec 03) in the supplier console, in Chromium: a purchase paid through the
sandbox's pay page arrives in the supplier's console as it is paid, is shipped with a method, and a
reported position shows the parcel's distance from the customer."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import CONSOLE, Pages, screenshot
from tests.e2e.client import WAIT_S, issue_token

WAIT_MS = 15_000
HOME = {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}



def test_a_paid_order_arrives_live_in_the_supplier_console_is_shipped_and_shows_its_distance(pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    supplier, clerk = f"s_books_{tag}", f"clerk-{tag}"
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    pages.call("POST", "/suppliers", {"supplier_id": supplier, "name": "Books", "currency": "CNY",
                                       "shipping_fee": {"amount": 500, "currency": "CNY"}}, ops)
    staff = issue_token(pages.stack.rest, role="supplier", sub=clerk, supplier_id=supplier)
    pages.call("PUT", f"/suppliers/{supplier}/products/p_novel", {
        "name": "Novel", "price": {"amount": 3000, "currency": "CNY"}, "stock": 5, "kind": "physical",
        "category": "books"}, staff)
    console = pages.open("supplier", viewport=CONSOLE, supplier_id=supplier, sub=clerk)

    customer = issue_token(pages.stack.rest, role="customer", sub=f"u_{tag}")
    purchase = pages.call("POST", "/purchases", {"sections": [{"supplier_id": supplier, "address": HOME, "items": [
        {"product_id": "p_novel", "quantity": 2, "unit_price": {"amount": 3000, "currency": "CNY"}}]}]}, customer)
    pay_url = purchase["payment"]["pay_url"]
    paid = httpx.post(str(pay_url), json={"outcome": "succeeded"}, timeout=WAIT_S, trust_env=False)
    assert paid.status_code == 200, paid.text

    card = console.locator("article[data-order]").first
    expect(card).to_contain_text("65.00 CNY", timeout=WAIT_MS)  # 2 × 30.00 + 5.00 shipping
    parcel = card.locator("section[data-parcel]")
    expect(parcel).to_have_attribute("data-status", "paid")
    card.get_by_label("shipping method").select_option("courier")
    card.get_by_role("button", name="Ship").click()
    expect(console.locator("article[data-order] section[data-parcel]")).to_have_attribute(
        "data-status", "shipped", timeout=WAIT_MS)

    shipped = console.locator("article[data-order]").first
    shipped.get_by_label("latitude").fill("31.2664")  # 4 km north of the customer
    shipped.get_by_label("longitude").fill("121.4737")
    shipped.get_by_role("button", name="Report position").click()
    expect(console.locator("article[data-order] .tracking")).to_contain_text("4.0 km away", timeout=WAIT_MS)
    screenshot(console, "supplier-console")
