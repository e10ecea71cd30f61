"""Group-buy (spec 04) in the customer app and the merchant console, in Chromium: a customer opens a
deal, buys it, pays on the sandbox's pay page and books two slots of its voucher at once; the shop
reports its queue in the console and the phone shows it as the next scheduled update pushes it; the
shop redeems the customer's code. The shop's slots are a minute long and its updates come every
2 s (a real shop's every hour): the pushes are the stack's timers, on the server's clock."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import CONSOLE, PHONE, Pages, Shop, screenshot
from tests.builders import cny
from tests.e2e.client import issue_token
from tests.e2e.test_groupbuy_flow import wall, zone_near_noon

WAIT_MS = 15_000
PROCESSING_MS = 45_000
"""Transcoding a few seconds of the fake camera takes well under a second; a loaded machine, more."""
INTERVAL_S = 2
"""Queue updates every 2 s, from the first grid moment after the booking until the slot ends."""



def deal_of_the_shop(pages: Pages, shop: Shop) -> tuple[str, str]:
    """A deal of the shop on sale (its title, and a token of the shop's staff), with today's lunch
    and dinner a minute each, starting 40 s from now (their first updates would be before now: the
    updates run from the booking on)."""
    staff = issue_token(pages.stack.rest, role="merchant", sub=shop.staff, merchant_id=shop.merchant_id)
    title = f"Noodles for two {uuid.uuid4().hex[:4]}"
    pages.call("POST", "/deals", {"title": title, "price": cny(4900), "original_price": cny(6800),
                                   "valid_until": _iso(datetime.now(UTC) + timedelta(days=2))}, staff)
    now = datetime.now(UTC).replace(microsecond=0)
    zone = zone_near_noon(now)
    meals = {"lunch": (40, 100), "dinner": (110, 170)}
    pages.call("PUT", f"/shops/{shop.merchant_id}/group-buy-settings", {
        "time_zone": zone, "days": 1, "lead_s": 120, "interval_s": INTERVAL_S,
        "meals": [{"name": name, "start": wall(now + timedelta(seconds=start), zone),
                   "end": wall(now + timedelta(seconds=end), zone)} for name, (start, end) in meals.items()]}, staff)
    return title, staff


def buy_and_pay(phone: Page, title: str) -> None:
    phone.get_by_role("button", name=f"Open {title}").click()
    expect(phone.get_by_role("heading", name=title)).to_be_visible()
    phone.get_by_label("Quantity").fill("1")
    phone.get_by_role("button", name="Buy").click()
    order = phone.locator("article[data-group-order]").first
    expect(order).to_have_attribute("data-status", "pending_payment", timeout=WAIT_MS)
    expect(order.get_by_role("progressbar", name="payment window")).to_be_visible()
    with phone.context.expect_page() as opened:
        order.get_by_role("link", name="Pay 49.00 CNY on the payment page").click()
    pay_page = opened.value
    expect(pay_page.locator(".amount")).to_have_text("49.00 CNY")
    pay_page.get_by_role("button", name="Pay").click()
    expect(pay_page.get_by_role("heading", name="Paid")).to_be_visible(timeout=WAIT_MS)
    pay_page.close()
    expect(order).to_have_attribute("data-status", "paid", timeout=WAIT_MS)  # the payment's push


def test_a_group_buy_slot_booked_and_a_queue_update_shown(pages: Pages, shop: Shop) -> None:
    title, _staff = deal_of_the_shop(pages, shop)
    phone = pages.open("customer/groupbuy.html", viewport=PHONE, sub=shop.customer)
    console = pages.open("merchant", viewport=CONSOLE, merchant_id=shop.merchant_id, sub=shop.staff)
    expect(console.get_by_role("heading", name="Group-buy")).to_be_visible()

    buy_and_pay(phone, title)
    voucher = phone.locator("article[data-voucher]").first
    expect(voucher).to_have_attribute("data-status", "active", timeout=WAIT_MS)
    code = voucher.locator("[data-code]").get_attribute("data-code")
    assert code and code.isdigit()
    expect(voucher.get_by_role("img", name=f"QR code of voucher code {code}")).to_be_visible()

    voucher.get_by_role("checkbox", name=re.compile(r"^lunch ")).check()
    voucher.get_by_role("checkbox", name=re.compile(r"^dinner ")).check()
    voucher.get_by_role("button", name="Book the picked slots").click()
    bookings = voucher.locator("ul.bookings li[data-status=booked]")
    expect(bookings).to_have_count(2, timeout=WAIT_MS)
    expect(voucher.get_by_role("checkbox", name=re.compile(r"^lunch .*booked$"))).to_be_disabled()

    console.get_by_label("People waiting").fill("7")
    console.get_by_role("button", name="Report queue").click()
    expect(console.locator(".queue-now")).to_have_attribute("data-waiting", "7", timeout=WAIT_MS)
    queue = voucher.get_by_label("queue at the shop")
    expect(queue).to_have_attribute("data-waiting", "7", timeout=WAIT_MS)  # the next update, every 2 s
    expect(queue).to_have_attribute("data-source", "pushed")
    expect(queue).to_contain_text("7 waiting, about")
    expect(queue).to_contain_text("update for your")
    screenshot(phone, "customer-group-buy")

    console.get_by_label("Voucher code").fill(f"ontime:voucher:{code}")  # as a scanner types the QR's payload
    console.get_by_role("button", name="Redeem").click()
    expect(console.locator("ul.redeemed li").first).to_contain_text(f"{title}: used", timeout=WAIT_MS)
    screenshot(console, "merchant-group-buy")
    expect(voucher).to_have_attribute("data-status", "used", timeout=WAIT_MS)  # the redemption's push
    expect(voucher.get_by_role("region", name="on-site video")).to_be_visible()
    expect(voucher.locator("ul.bookings li[data-status=used]")).to_have_count(2)


def test_an_on_site_video_filmed_on_the_phone_is_processed_and_plays_on_the_deal_page(pages: Pages, shop: Shop) -> None:
    title, staff = deal_of_the_shop(pages, shop)
    phone = pages.open("customer/groupbuy.html", viewport=PHONE, sub=shop.customer)
    buy_and_pay(phone, title)
    voucher = phone.locator("article[data-voucher]").first
    code = voucher.locator("[data-code]").get_attribute("data-code")
    pages.call("POST", "/merchant/vouchers/redeem", {"code": code}, staff)  # the console's part is the test above
    expect(voucher).to_have_attribute("data-status", "used", timeout=WAIT_MS)

    film = voucher.get_by_role("region", name="on-site video")
    film.get_by_role("button", name="Record video").click()  # Chromium's fake camera and microphone
    expect(film.locator(".video-status")).to_contain_text("Recording… 3 s", timeout=WAIT_MS)
    film.get_by_role("button", name="Stop recording").click()
    expect(film).to_have_attribute("data-state", "recorded", timeout=WAIT_MS)
    film.get_by_role("button", name="Upload video").click()
    expect(film).to_have_attribute("data-state", "published", timeout=PROCESSING_MS)  # the platform's push

    shown = phone.locator("#deal-videos figure[data-video] video")  # the deal's page, still open, lists it
    expect(shown).to_have_count(1, timeout=WAIT_MS)
    expect(phone.locator("#deal-videos figcaption")).to_contain_text("Noodle Bar")
    shown.evaluate("video => { video.muted = true; return video.play(); }")
    phone.wait_for_function("video => video.currentTime > 0.5 && video.videoWidth === 640",
                            arg=shown.element_handle(), timeout=WAIT_MS)
    phone.locator("#deal").evaluate("deal => deal.scrollIntoView({block: 'start'})")  # the deal's page, playing
    screenshot(phone, "customer-group-buy-video")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
