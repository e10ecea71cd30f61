"""Payment mismatches (the payments every selling workflow settles) in the ops console, in Chromium:
the sandbox takes another amount than a purchase's, the platform refuses it, and the console shows
it as it happens — the alert and the mismatch's row — and lists it again after a reload, from the
API that kept it."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import CONSOLE, Pages, screenshot
from tests.e2e.client import WAIT_S, issue_token

WAIT_MS = 15_000
HOME = {"line1": "1 Bund Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}



def test_a_payment_of_another_amount_appears_in_the_ops_console_live_and_after_a_reload(pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    supplier = f"s_books_{tag}"
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    pages.call("POST", "/suppliers", {"supplier_id": supplier, "name": "Books", "currency": "CNY",
                                       "shipping_fee": {"amount": 500, "currency": "CNY"}}, ops)
    staff = issue_token(pages.stack.rest, role="supplier", sub=f"clerk-{tag}", supplier_id=supplier)
    pages.call("PUT", f"/suppliers/{supplier}/products/p_novel", {
        "name": "Novel", "price": {"amount": 3000, "currency": "CNY"}, "stock": 5, "kind": "physical",
        "category": "books"}, staff)
    console = pages.open("ops", viewport=CONSOLE, sub=f"ops-{tag}")

    customer = issue_token(pages.stack.rest, role="customer", sub=f"u_{tag}")
    purchase = pages.call("POST", "/purchases", {"sections": [{"supplier_id": supplier, "address": HOME, "items": [
        {"product_id": "p_novel", "quantity": 1, "unit_price": {"amount": 3000, "currency": "CNY"}}]}]}, customer)
    reference = str(purchase["purchase_id"])
    # The sandbox takes 1.00 CNY less than the purchase's 35.00: the platform refuses it (422).
    taken = httpx.post(str(purchase["payment"]["pay_url"]), json={"outcome": "succeeded", "amount": 3400},
                       timeout=WAIT_S, trust_env=False)
    assert taken.status_code == 200 and taken.json()["callback_status"] == 422, taken.text

    expect(console.locator(f'#alerts article[data-kind="payment_mismatch"][data-about="{reference}"]')).to_be_visible(
        timeout=WAIT_MS)
    row = console.locator(f'#mismatches article[data-mismatch="{reference}"]')
    expect(row).to_contain_text("paid 34.00 CNY · expected 35.00 CNY", timeout=WAIT_MS)
    screenshot(console, "ops-mismatches")

    console.reload()  # the alert is gone with the page; the mismatch is the API's
    expect(console.locator("#state")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    expect(console.locator(f'#alerts article[data-about="{reference}"]')).to_have_count(0)
    expect(row).to_contain_text("paid 34.00 CNY · expected 35.00 CNY", timeout=WAIT_MS)
    expect(console.locator("#mismatches-none")).to_be_hidden()
