"""Installer dispatch (spec 02) in the installer app and the ops console, in Chromium: a dispatch
nobody confirms counts down on the installer's phone, rings with the deduction it will cost, is
revoked (the phone shows it is no longer theirs) and the ops console is alerted as it happens."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import CONSOLE, PHONE, Pages, screenshot
from tests.e2e.client import issue_token

WAIT_MS = 15_000
ADDRESS = {"line1": "8 Garden Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}



def test_an_unconfirmed_dispatch_counts_down_rings_with_its_deduction_is_revoked_and_ops_see_the_alert(
        pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    area, installer = f"area_{tag}", f"i_{tag}"
    pages.call("POST", "/areas", {"area_id": area, "name": f"Browser {tag}", "remind_after_s": 2,
                                       "revoke_after_s": 3, "deduction": {"amount": 500, "currency": "CNY"}}, ops)
    pages.call("POST", "/installers", {"installer_id": installer, "name": "Wang Wei", "phone": "+86 138 0000 0000",
                                            "areas": [area], "max_open_jobs": 3}, ops)
    app_token = issue_token(pages.stack.rest, role="installer", sub=installer)
    pages.call("PUT", "/installer/location", {"lat": 31.2394, "lng": 121.4737}, app_token)

    console = pages.open("ops", viewport=CONSOLE, sub=f"ops-{tag}")
    phone = pages.open("installer", viewport=PHONE, clock=True, sub=installer)
    request = pages.call("POST", "/installations", {
        "area_id": area, "product": "Air conditioner KFR-35", "address": ADDRESS, "customer_id": f"u_{tag}",
        "preferred_time": "2026-11-23T09:00:00Z"}, ops)
    job = str(request["installation_id"])

    card = phone.locator(f'article[data-job="{job}"]')
    expect(card.locator(".status")).to_have_text("dispatched", timeout=WAIT_MS)
    bar = card.get_by_role("progressbar", name="time to confirm")
    expect(bar).to_have_attribute("aria-valuemax", "5")
    phone.clock.run_for(1_500)  # the confirmation countdown moves on the page's clock
    expect(bar).to_have_attribute("aria-valuenow", "4")

    banner = phone.get_by_role("alert").filter(has_text="Confirm now")
    expect(banner).to_contain_text("5.00 CNY will be deducted", timeout=WAIT_MS)  # the reminder rings
    screenshot(phone, "installer-app")

    expect(phone.locator(f'article[data-job="{job}"] .status')).to_have_text("Revoked", timeout=WAIT_MS)
    expect(phone.locator(f'article[data-job="{job}"]')).to_contain_text("no longer yours")
    expect(banner).to_have_count(0)  # it stops ringing
    alert = console.locator(f'article[data-kind="dispatch_revoked"][data-about="{job}"]')
    expect(alert).to_be_visible(timeout=WAIT_MS)
    row = console.locator(f'article[data-installation="{job}"]')  # the list, kept live by the pushes
    expect(row).to_contain_text(f"lapsed: {installer}", timeout=WAIT_MS)
    screenshot(console, "ops-console")
