"""Installer dispatch (spec 02) from confirmation to completion, in Chromium: once the installer
confirms, the customer's installations page shows who comes and the service code, as it is pushed;
the installer starts, types the code the customer reads out, takes photos (real PNG and JPEG files,
uploaded from the page straight to the stack's S3 with presigned POSTs) and completes — the
customer's page shows it installed and ops see the photos kept."""

from __future__ import annotations

import io
import re
import uuid

from PIL import Image
from playwright.sync_api import FilePayload, expect

from tests.browser.conftest import PHONE, Pages, screenshot
from tests.e2e.client import issue_token

WAIT_MS = 15_000
ADDRESS = {"line1": "8 Garden Road", "city": "Shanghai", "lat": 31.2304, "lng": 121.4737}



def photo(name: str, image_format: str, mime_type: str) -> FilePayload:
    """A small real image, as the phone's camera would hand it to the page."""
    encoded = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(encoded, format=image_format)
    return FilePayload(name=name, mimeType=mime_type, buffer=encoded.getvalue())


def test_a_confirmed_installation_shows_the_installer_and_code_to_the_customer_and_completes_with_photos(
        pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    area, installer, customer = f"area_{tag}", f"i_{tag}", f"u_{tag}"
    pages.call("POST", "/areas", {"area_id": area, "name": f"Browser {tag}", "remind_after_s": 600,
                                  "revoke_after_s": 1200}, ops)
    pages.call("POST", "/installers", {"installer_id": installer, "name": "Wang Wei", "phone": "+86 138 0000 0000",
                                       "areas": [area], "max_open_jobs": 3}, ops)
    pages.call("PUT", "/installer/location", {"lat": 31.2394, "lng": 121.4737},
        issue_token(pages.stack.rest, role="installer", sub=installer))

    home = pages.open("customer/installations.html", viewport=PHONE, sub=customer)
    phone = pages.open("installer", viewport=PHONE, sub=installer)
    request = pages.call("POST", "/installations", {
        "area_id": area, "product": "Water heater JSQ-30", "address": ADDRESS, "customer_id": customer,
        "preferred_time": "2026-11-23T09:00:00Z"}, ops)
    job = str(request["installation_id"])

    mine = home.locator(f'article[data-installation="{job}"]')
    expect(mine.locator(".status")).to_have_text("Sent to an installer", timeout=WAIT_MS)
    card = phone.locator(f'article[data-job="{job}"]')
    card.get_by_role("button", name="Confirm").click()
    expect(mine.locator(".installer")).to_contain_text("Wang Wei", timeout=WAIT_MS)  # pushed, not reloaded
    expect(mine.locator(".installer")).to_contain_text("+86 138 0000 0000")
    code = mine.locator(".service-code")
    expect(code).to_have_text(re.compile(r"^\d{6}$"))
    screenshot(home, "customer-installations")

    card.get_by_role("button", name="Start").click()
    expect(card).to_have_attribute("data-status", "in_progress", timeout=WAIT_MS)
    card.get_by_role("button", name="Complete").click()  # no photo yet: said on the page, nothing sent
    expect(phone.locator("#error")).to_contain_text("at least one photo")
    card.get_by_label("service code").fill(code.inner_text())
    card.get_by_label("photos of the installed product").set_input_files([
        photo("heater-front.png", "PNG", "image/png"), photo("heater-pipes.jpg", "JPEG", "image/jpeg")])
    expect(phone.locator("#error")).to_be_hidden()  # picking photos clears the earlier refusal
    screenshot(phone, "installer-completion")
    card.get_by_role("button", name="Complete").click()
    expect(card).to_have_attribute("data-status", "completed", timeout=WAIT_MS)
    expect(card).to_contain_text("2 photos sent")

    expect(mine.locator(".status")).to_have_text("Installed", timeout=WAIT_MS)
    kept = pages.call("GET", f"/ops/installations/{job}", None, ops)
    assert len(kept["photos"]) == 2 and not kept["flagged"]


def test_a_refused_photo_upload_is_shown_from_the_problem_body(pages: Pages) -> None:
    tag = uuid.uuid4().hex[:8]
    ops = issue_token(pages.stack.rest, role="ops", sub=f"ops-{tag}")
    area, installer = f"area_{tag}", f"i_{tag}"
    pages.call("POST", "/areas", {"area_id": area, "name": f"Browser {tag}", "remind_after_s": 600,
                                  "revoke_after_s": 1200}, ops)
    pages.call("POST", "/installers", {"installer_id": installer, "name": "Li Na", "phone": "+86 139 0000 0000",
                                       "areas": [area], "max_open_jobs": 3}, ops)
    token = issue_token(pages.stack.rest, role="installer", sub=installer)
    pages.call("PUT", "/installer/location", {"lat": 31.2394, "lng": 121.4737}, token)
    job = str(pages.call("POST", "/installations", {"area_id": area, "product": "Sofa", "address": ADDRESS,
                                                    "customer_id": f"u_{tag}"}, ops)["installation_id"])
    for action in ("confirm", "start"):
        pages.call("POST", f"/installer/dispatches/{job}/actions", {"action": action}, token)

    phone = pages.open("installer", viewport=PHONE, sub=installer)
    card = phone.locator(f'article[data-job="{job}"]')
    card.get_by_label("photos of the installed product").set_input_files(
        [FilePayload(name="notes.gif", mimeType="image/gif", buffer=b"GIF89a")])  # image/*, yet not accepted
    card.get_by_role("button", name="Complete").click()
    expect(phone.locator("#error")).to_contain_text("content_type", timeout=WAIT_MS)
    expect(card).to_have_attribute("data-status", "in_progress")
