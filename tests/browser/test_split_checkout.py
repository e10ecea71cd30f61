"""Split orders (spec 03) in the customer app, in Chromium: a cart of two suppliers' goods — one
shipping a book, one selling a gift card — is checked out in one form (the address asked only in
the book's section), paid once by clicking on the sandbox's pay page, and the customer's "my
purchases" shows one panel per supplier; when the book's supplier ships it and reports a position,
the panel shows the distance and ETA as they are pushed."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Pages, screenshot
from tests.e2e.client import issue_token
from tests.e2e.conftest import PAYMENT_WINDOW_S

WAIT_MS = 15_000
CNY = "CNY"



def add_supplier(pages: Pages, ops: str, supplier: str, name: str, product: str, fields: dict[str, object]) -> str:
    pages.call("POST", "/suppliers", {"supplier_id": supplier, "name": name, "currency": CNY,
                                       "shipping_fee": {"amount": 500, "currency": CNY}}, ops)
    staff = issue_token(pages.stack.rest, role="supplier", sub=f"clerk-{supplier}", supplier_id=supplier)
    pages.call("PUT", f"/suppliers/{supplier}/products/{product}", fields, staff)
    return staff


def test_a_split_checkout_is_paid_on_the_sandbox_page_and_its_parcel_is_tracked_live(pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    books, cards, customer = f"s_books_{tag}", f"s_cards_{tag}", f"u_{tag}"
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    books_staff = add_supplier(pages, ops, books, "Book barn", "p_atlas", {
        "name": "Atlas", "price": {"amount": 3000, "currency": CNY}, "stock": 5, "kind": "physical",
        "category": "books", "attributes": {"cover": ["paperback", "hardback"]}})
    add_supplier(pages, ops, cards, "Gift cards", "p_gift", {
        "name": "Gift card", "price": {"amount": 10000, "currency": CNY}, "stock": 5, "kind": "virtual",
        "category": "gift_cards"})
    me = issue_token(pages.stack.rest, role="customer", sub=customer)
    pages.call("POST", "/me/addresses", {"label": "Home", "address": {"line1": "1 Bund Road", "city": "Shanghai"},
                                          "default": True}, me)

    phone = pages.open("customer", viewport=PHONE, sub=customer)
    phone.goto(f"{pages.stack.rest}/terminals/customer/checkout.html?suppliers={books},{cards}")
    expect(phone.locator("#state")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    phone.get_by_label("quantity of Atlas").fill("2")
    phone.get_by_label("quantity of Gift card").fill("1")
    phone.get_by_role("button", name="Check out").click()

    book_section = phone.locator(f'fieldset[data-supplier="{books}"]')
    card_section = phone.locator(f'fieldset[data-supplier="{cards}"]')
    expect(book_section.get_by_label("Address", exact=True)).to_have_value("1 Bund Road", timeout=WAIT_MS)  # pre-filled
    expect(card_section.get_by_role("textbox")).to_have_count(0)  # a gift card ships nowhere
    expect(card_section).to_contain_text("no address needed")
    book_section.get_by_label("cover").select_option("hardback")
    book_section.get_by_label("Latitude").fill("31.2304")
    book_section.get_by_label("Longitude").fill("121.4737")
    screenshot(phone, "customer-checkout")
    phone.get_by_role("button", name="Create order").click()

    payment = phone.locator("#payment")
    expect(payment).to_have_attribute("data-status", "pending_payment", timeout=WAIT_MS)
    expect(payment).to_contain_text("165.00 CNY")  # 2 × 30.00 + 5.00 shipping, and 100.00 + 5.00
    expect(payment.get_by_role("progressbar", name="payment window")).to_have_attribute(
        "aria-valuemax", str(PAYMENT_WINDOW_S))  # the test stack's short window: pay at once
    payment.get_by_role("link", name="Pay 165.00 CNY").click()

    expect(phone.locator(".amount")).to_have_text("165.00 CNY", timeout=WAIT_MS)  # the sandbox's own page
    phone.get_by_role("button", name="Pay", exact=True).click()
    expect(phone.get_by_role("heading", name="Paid")).to_be_visible(timeout=WAIT_MS)
    phone.get_by_role("link", name="Back to the shop").click()

    expect(phone.locator("#payment")).to_have_attribute("data-status", "paid", timeout=WAIT_MS)
    expect(phone.get_by_label("quantity of Atlas")).to_be_visible()  # back on the same shop, its suppliers kept
    book_panel = phone.locator("article[data-record]", has_text="Book barn")
    card_panel = phone.locator("article[data-record]", has_text="Gift cards")
    expect(book_panel.locator("section[data-parcel]")).to_have_attribute("data-status", "paid", timeout=WAIT_MS)
    expect(book_panel).to_contain_text("2 × Atlas (hardback)")
    expect(card_panel.locator("section[data-parcel]")).to_have_attribute("data-status", "fulfilled")
    expect(card_panel.locator(".fulfilment code")).not_to_be_empty()

    ship_and_report(pages, phone, book_panel.locator("section[data-parcel]"), books_staff)
    tracking = book_panel.locator(".tracking")
    expect(tracking).to_contain_text("4.0 km away", timeout=WAIT_MS)  # pushed: the page was not reloaded
    expect(tracking).to_contain_text("courier")
    expect(tracking).to_contain_text("ETA")
    tracking.scroll_into_view_if_needed()
    screenshot(phone, "customer-purchases")


def test_without_a_link_the_shop_lists_the_active_suppliers_a_page_at_a_time(pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    shown, hidden = f"s_tea_{tag}", f"s_closed_{tag}"
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    add_supplier(pages, ops, shown, "Tea house", "p_tea", {
        "name": f"Green tea {tag}", "price": {"amount": 2000, "currency": CNY}, "stock": 5, "kind": "physical",
        "category": "tea"})
    add_supplier(pages, ops, hidden, "Closed shop", "p_gone", {
        "name": "Gone", "price": {"amount": 100, "currency": CNY}, "stock": 1, "kind": "virtual",
        "category": "gift_cards"})
    pages.call("PATCH", f"/suppliers/{hidden}", {"active": False}, ops)

    phone = pages.open("customer", viewport=PHONE, sub=f"u_{tag}")
    phone.goto(f"{pages.stack.rest}/terminals/customer/checkout.html")
    expect(phone.locator("#state")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
    shelf = phone.locator(f'#shelves [data-supplier="{shown}"]')
    more = phone.get_by_role("button", name="More suppliers")
    for _ in range(50):  # the stack's other tests add suppliers too: page on until ours is shown
        expect(shelf.or_(more).first).to_be_visible(timeout=WAIT_MS)
        if shelf.count():
            break
        more.click()
    expect(shelf).to_contain_text("Tea house")
    expect(phone.get_by_label(f"quantity of Green tea {tag}")).to_be_visible(timeout=WAIT_MS)
    expect(phone.locator(f'[data-supplier="{hidden}"]')).to_have_count(0)  # inactive: not in the directory


def ship_and_report(pages: Pages, phone: Page, parcel: object, staff: str) -> None:
    """The supplier ships the book by courier and reports it 4 km north of the customer."""
    sub_order_id = phone.locator("article[data-record] section[data-parcel][data-status='paid']").get_attribute(
        "data-parcel")
    assert sub_order_id
    pages.call("POST", f"/parcels/{sub_order_id}/ship", {"method": "courier"}, staff)
    expect(phone.locator(f'section[data-parcel="{sub_order_id}"]')).to_have_attribute("data-status", "shipped",
                                                                                    timeout=WAIT_MS)
    pages.call("POST", f"/parcels/{sub_order_id}/positions", {"lat": 31.2664, "lng": 121.4737}, staff)
