"""Timed orders (spec 01) in the customer app and the merchant console, in Chromium: an order
placed on the phone rings in the console with its answer window counting down, is fetched and
accepted, and the phone shows it accepted; an order nobody fetches ends `not_connected` on both
screens. Countdowns advance on Playwright's clock; the outcomes are the server's pushes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import CONSOLE, PHONE, Pages, Shop, screenshot

WAIT_MS = 10_000


def place_order(phone: Page, shop: Shop) -> str:
    phone.get_by_label("quantity of Beef noodles").fill("2")
    phone.get_by_label("quantity of Beef noodles").dispatch_event("change")
    phone.get_by_role("button", name="Place order").click()
    card = phone.locator("article[data-order]").first
    expect(card).to_be_visible(timeout=WAIT_MS)
    order_id = card.get_attribute("data-order")
    assert order_id and order_id.startswith("ord_")
    return order_id


def test_an_order_placed_in_the_app_rings_in_the_console_with_its_countdown_and_its_acceptance_reaches_the_app(
        pages: Pages, shop: Shop) -> None:
    console = pages.open("merchant", viewport=CONSOLE, merchant_id=shop.merchant_id, sub=shop.staff)
    phone = pages.open("customer", viewport=PHONE, sub=shop.customer, merchant_id=shop.merchant_id)
    expect(phone.get_by_role("heading", name="Noodle Bar")).to_be_visible(timeout=WAIT_MS)

    order_id = place_order(phone, shop)
    expect(phone.locator(f'article[data-order="{order_id}"] .status')).to_have_text("Waiting for the merchant")

    card = console.locator(f'article[data-order="{order_id}"]')
    expect(card).to_be_visible(timeout=WAIT_MS)
    expect(card).to_have_class("card alerting")  # the visual alert (the chime plays beside it)
    bar = card.get_by_role("progressbar", name="answer window")
    expect(bar).to_have_attribute("aria-valuemax", "3")
    expect(console.locator("#alerts")).to_contain_text(order_id)
    screenshot(console, "merchant-console")
    screenshot(phone, "customer-app")

    card.get_by_role("button", name="Fetch").click()
    expect(card.locator(".status")).to_have_text("connected", timeout=WAIT_MS)
    card.get_by_role("button", name="Accept").click()
    expect(console.locator(f'article[data-order="{order_id}"] .status')).to_have_text("accepted", timeout=WAIT_MS)
    expect(phone.locator(f'article[data-order="{order_id}"] .status')).to_have_text("Accepted", timeout=WAIT_MS)


def test_an_order_nobody_fetches_counts_down_on_both_screens_and_ends_not_connected_on_both(
        pages: Pages, shop: Shop) -> None:
    console = pages.open("merchant", viewport=CONSOLE, clock=True, merchant_id=shop.merchant_id, sub=shop.staff)
    phone = pages.open("customer", viewport=PHONE, clock=True, sub=shop.customer, merchant_id=shop.merchant_id)
    expect(phone.get_by_role("heading", name="Noodle Bar")).to_be_visible(timeout=WAIT_MS)
    order_id = place_order(phone, shop)

    bars = [screen.locator(f'article[data-order="{order_id}"]').get_by_role("progressbar")
            for screen in (phone, console)]
    for bar in bars:
        expect(bar).to_have_attribute("aria-valuenow", "3", timeout=WAIT_MS)
    for screen in (phone, console):
        screen.clock.run_for(1_200)  # the stopwatch moves on the page's clock, not by waiting
    for bar in bars:
        expect(bar).to_have_attribute("aria-valuenow", "2")
        expect(bar).to_have_attribute("aria-valuetext", "2 s left")

    expect(phone.locator(f'article[data-order="{order_id}"] .status')).to_have_text(
        "Not connected: the merchant never received it", timeout=WAIT_MS)
    expect(console.locator(f'article[data-order="{order_id}"] .status')).to_have_text("not connected",
                                                                                   timeout=WAIT_MS)
    expect(console.locator(f'article[data-order="{order_id}"]').get_by_role("button")).to_have_count(0)
