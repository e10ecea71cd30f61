"""Ordering over a video call (spec 05) between two browser pages with fake cameras, in Chromium:
the customer's phone calls, the merchant's console rings with the ring deadline and answers, the
two pages' own WebRTC connections (signalled only through the stack's WebSocket, loopback host
candidates, no STUN/TURN) carry each one's camera to the other, the merchant asks for details and
the order form fills as the customer types, the drafted order is sent to the phone, paid on the
sandbox's pay page, and both screens show it paid."""

from __future__ import annotations

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import CONSOLE, PHONE, Pages, Shop, screenshot
from tests.e2e.client import WAIT_S, issue_token

WAIT_MS = 15_000
RING_S = 25

FRAMES_ADVANCE = """video => new Promise((resolve, reject) => {
  // Two presented frames of the remote stream, the second after the first: video is moving.
  setTimeout(() => reject(new Error("no new frame in 10 s")), 10000);
  video.requestVideoFrameCallback((_, first) =>
    video.requestVideoFrameCallback((__, second) =>
      resolve({ width: video.videoWidth, first: first.presentedFrames, second: second.presentedFrames })));
})"""


def remote_video_plays(page: Page, video: Locator) -> None:
    expect(video).to_be_visible(timeout=WAIT_MS)
    page.wait_for_function("v => v.videoWidth > 0 && v.srcObject && v.srcObject.getVideoTracks().length > 0",
                           arg=video.element_handle(), timeout=WAIT_MS)
    frames = video.evaluate(FRAMES_ADVANCE)
    assert frames["width"] > 0 and frames["second"] > frames["first"], frames


def test_a_video_call_between_two_browser_pages_with_fake_cameras_syncs_the_details_and_its_order_is_paid(
        pages: Pages, shop: Shop) -> None:
    staff = issue_token(pages.stack.rest, role="merchant", sub=shop.staff, merchant_id=shop.merchant_id)
    answer = httpx.put(f"{pages.stack.rest}/merchant/call-settings", json={"ring_s": RING_S}, timeout=WAIT_S,
                       trust_env=False, headers={"Authorization": f"Bearer {staff}"})
    assert answer.status_code == 200, answer.text
    console = pages.open("merchant", viewport=CONSOLE, merchant_id=shop.merchant_id, sub=shop.staff)
    phone = pages.open("customer/call.html", viewport=PHONE, sub=shop.customer, merchant_id=shop.merchant_id)

    phone.get_by_role("button", name="Call", exact=True).click()
    ring = phone.get_by_role("progressbar", name="ring time")
    expect(ring).to_be_visible(timeout=WAIT_MS)
    expect(ring).to_have_attribute("aria-valuemax", str(RING_S))
    incoming = console.locator('#calls article[data-status="ringing"]')
    expect(incoming).to_contain_text(shop.customer, timeout=WAIT_MS)
    expect(incoming).to_have_class("card alerting")  # the visual alert; the chime rings beside it
    expect(incoming.get_by_role("progressbar", name="ring time")).to_have_attribute("aria-valuemax", str(RING_S))
    expect(console.locator("#alerts")).to_contain_text("Incoming call")

    incoming.get_by_role("button", name="Answer").click()
    expect(phone.get_by_role("heading", name="In a call")).to_be_visible(timeout=WAIT_MS)
    remote_video_plays(phone, phone.get_by_label("the shop's video"))
    remote_video_plays(console, console.get_by_label("the customer's video"))

    console.get_by_role("button", name="Request details").click()
    window = phone.get_by_role("form", name="The shop asks for your details")
    expect(window).to_be_visible(timeout=WAIT_MS)
    window.get_by_label("What you need").press_sequentially("2 kg mangoes, ripe")  # a PATCH per pause
    window.get_by_label("Price you propose").fill("12.50")
    window.get_by_label("When").fill("tomorrow 10:00")
    window.get_by_label("Address").fill("1 Bund Road")

    form = console.get_by_role("form", name=f"order for {shop.customer}")
    expect(form.get_by_label("Content")).to_have_value("2 kg mangoes, ripe", timeout=WAIT_MS)
    expect(form.get_by_label("Price")).to_have_value("12.50", timeout=WAIT_MS)
    expect(form.get_by_label("When")).to_have_value("tomorrow 10:00", timeout=WAIT_MS)
    expect(form.get_by_label("Address")).to_have_value("1 Bund Road", timeout=WAIT_MS)
    expect(form).to_contain_text("the customer proposes 12.50")
    screenshot(phone, "customer-call")
    window.get_by_role("button", name="Send the details").click()
    expect(form).to_contain_text("The customer sent these details.", timeout=WAIT_MS)
    expect(window).to_be_hidden()
    screenshot(console, "merchant-call")

    form.get_by_role("button", name="Draft order").click()
    draft = console.locator('#calls article[data-order][data-status="draft"]')
    expect(draft).to_contain_text("12.50 CNY", timeout=WAIT_MS)
    draft.get_by_role("button", name="Send to the customer").click()
    expect(console.locator('#calls article[data-order][data-status="awaiting_payment"]')).to_be_visible(
        timeout=WAIT_MS)

    order = phone.locator('article[data-order][data-status="awaiting_payment"]')
    expect(order).to_contain_text("2 kg mangoes, ripe", timeout=WAIT_MS)
    expect(order.get_by_role("progressbar", name="payment window")).to_be_visible()
    with phone.context.expect_page() as opened:
        order.get_by_role("link", name="Pay").click()
    pay_page = opened.value
    expect(pay_page.locator(".amount")).to_have_text("12.50 CNY", timeout=WAIT_MS)
    pay_page.get_by_role("button", name="Pay").click()
    expect(pay_page.get_by_role("heading", name="Paid")).to_be_visible(timeout=WAIT_MS)

    expect(phone.locator('article[data-order][data-status="paid"] .status')).to_have_text("Paid", timeout=WAIT_MS)
    expect(console.locator('#calls article[data-order][data-status="paid"]')).to_contain_text("paid",
                                                                                             timeout=WAIT_MS)

    phone.get_by_role("button", name="Hang up").click()
    expect(phone.get_by_role("status").filter(has_text="You hung up")).to_be_visible(timeout=WAIT_MS)
    expect(console.locator("#calls")).to_contain_text("the customer hung up", timeout=WAIT_MS)
    expect(phone.locator('article[data-order][data-status="paid"]')).to_be_visible()  # the order outlives the call
    for screen in (phone, console):
        expect(screen.locator("#error")).to_be_hidden()


def test_a_phone_and_a_console_reloaded_during_a_call_rejoin_it_and_the_video_comes_back_both_ways(
        pages: Pages, shop: Shop) -> None:
    console = pages.open("merchant", viewport=CONSOLE, merchant_id=shop.merchant_id, sub=shop.staff)
    phone = pages.open("customer/call.html", viewport=PHONE, sub=shop.customer, merchant_id=shop.merchant_id)
    phone.get_by_role("button", name="Call", exact=True).click()
    console.locator('#calls article[data-status="ringing"]').get_by_role("button", name="Answer").click(
        timeout=WAIT_MS)
    remote_video_plays(phone, phone.get_by_label("the shop's video"))

    phone.reload()  # the phone's socket and its peer connection are gone; the tab keeps the sign-in
    expect(phone.get_by_role("heading", name="In a call")).to_be_visible(timeout=WAIT_MS)
    remote_video_plays(phone, phone.get_by_label("the shop's video"))
    remote_video_plays(console, console.get_by_label("the customer's video"))

    console.reload()  # a console that lost its call offers to take it again
    console.locator('#calls article[data-status="connected"]').get_by_role("button", name="Rejoin").click(
        timeout=WAIT_MS)
    remote_video_plays(console, console.get_by_label("the customer's video"))
    remote_video_plays(phone, phone.get_by_label("the shop's video"))

    console.get_by_role("button", name="Hang up").click()
    expect(phone.get_by_role("status").filter(has_text="The shop hung up")).to_be_visible(timeout=WAIT_MS)
    for screen in (phone, console):
        expect(screen.locator("#error")).to_be_hidden()


def test_a_call_nobody_answers_counts_down_on_the_phone_and_is_missed_on_both_screens(pages: Pages, shop: Shop) -> None:
    staff = issue_token(pages.stack.rest, role="merchant", sub=shop.staff, merchant_id=shop.merchant_id)
    answer = httpx.put(f"{pages.stack.rest}/merchant/call-settings", json={"ring_s": 3}, timeout=WAIT_S,
                       trust_env=False, headers={"Authorization": f"Bearer {staff}"})
    assert answer.status_code == 200, answer.text
    console = pages.open("merchant", viewport=CONSOLE, merchant_id=shop.merchant_id, sub=shop.staff)
    phone = pages.open("customer/call.html", viewport=PHONE, clock=True, sub=shop.customer,
                       merchant_id=shop.merchant_id)
    phone.get_by_role("button", name="Call", exact=True).click()
    ring = phone.get_by_role("progressbar", name="ring time")
    expect(ring).to_have_attribute("aria-valuenow", "3", timeout=WAIT_MS)
    expect(console.locator('#calls article[data-status="ringing"]')).to_be_visible(timeout=WAIT_MS)
    phone.clock.run_for(1_200)  # the ring deadline counts down on the page's clock, not by waiting
    expect(ring).to_have_attribute("aria-valuetext", "2 s left")

    expect(phone.get_by_role("status").filter(has_text="No answer")).to_be_visible(timeout=WAIT_MS)
    expect(console.locator('#calls article[data-status="ringing"]')).to_have_count(0, timeout=WAIT_MS)
    expect(console.locator("#calls")).to_contain_text("missed")
    expect(phone.get_by_role("button", name="Call", exact=True)).to_be_visible()  # ready to call again
