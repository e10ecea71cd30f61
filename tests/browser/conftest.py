"""The reference terminals in a real browser: Debian's Chromium driven by Playwright, against the
running local stack (the e2e tier's), each test with merchants of its own made through the API.

`./dev test` installs Chromium (`apt-get install chromium`, as CI's root) when it is missing; a
machine without it fails here, as a missing dependency should."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, ViewportSize, sync_playwright

from tests.e2e.client import WAIT_S, StackUrls, issue_token

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ("docs" if os.environ.get("ONTIME_UPDATE_SCREENSHOTS") == "1" else "build") / "screenshots"
"""Every run takes the pictures; `ONTIME_UPDATE_SCREENSHOTS=1 ./dev test tests/browser` puts them
in `docs/` for the README (otherwise `build/`: a test run leaves the tree as it was)."""
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
         "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns"]
PHONE = ViewportSize(width=390, height=800)
CONSOLE = ViewportSize(width=1100, height=760)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # This tier's only: Playwright's sync API holds an event loop in the thread while it runs, in
    # which no later test could `asyncio.run` (the WebRTC peers' tests do).
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Chromium is missing: ./dev test installs it (apt-get install chromium)"
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
    yield launched
    launched.close()


@dataclass
class Shop:
    """A merchant of the test's own, with one dish, and who uses the terminals."""

    merchant_id: str
    product_id: str
    staff: str
    customer: str


class Pages:
    def __init__(self, browser: Browser, stack: StackUrls) -> None:
        self._browser = browser
        self.stack = stack
        self._opened: list[Any] = []

    def open(self, terminal: str, *, viewport: ViewportSize, clock: bool = False,
             **query: str) -> Page:
        context = self._browser.new_context(viewport=viewport)
        self._opened.append(context)
        page = context.new_page()
        if clock:
            page.clock.install()
        # A terminal's own page (`customer`), or another page of it (`customer/groupbuy.html`).
        path = terminal if terminal.endswith(".html") else f"{terminal}/"
        page.goto(f"{self.stack.rest}/terminals/{path}?" + "&".join(f"{k}={v}" for k, v in query.items()))
        page.wait_for_selector('#state[data-state="online"]', timeout=WAIT_S * 1000)
        return page

    def call(self, method: str, path: str, body: dict[str, Any] | None, token: str) -> dict[str, Any]:
        """A REST call of the test's own set-up (as ops, a supplier, …) that must succeed."""
        answer = httpx.request(method, f"{self.stack.rest}{path}", json=body, timeout=WAIT_S, trust_env=False,
                               headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code in (200, 201), answer.text
        reply: dict[str, Any] = answer.json()
        return reply

    def close(self) -> None:
        for context in self._opened:
            context.close()


@pytest.fixture
def pages(browser: Browser, stack: StackUrls) -> Iterator[Pages]:
    opened = Pages(browser, stack)
    yield opened
    opened.close()


@pytest.fixture
def shop(stack: StackUrls) -> Shop:
    def ops_post(path: str, body: dict[str, Any]) -> None:
        answer = httpx.post(f"{stack.rest}{path}", json=body, timeout=WAIT_S, trust_env=False,
                            headers={"Authorization": f"Bearer {ops}"})
        assert answer.status_code == 201, answer.text

    ops = issue_token(stack.rest, role="ops", sub="ops-browser")
    tag = uuid.uuid4().hex[:8]
    made = Shop(f"m_b{tag}", "p_noodles", f"staff-{tag}", f"u_{tag}")
    ops_post("/merchants", {"merchant_id": made.merchant_id, "name": "Noodle Bar", "time_zone": "Asia/Shanghai",
                            "answer_window_s": 3})
    ops_post(f"/merchants/{made.merchant_id}/products", {"product_id": made.product_id, "name": "Beef noodles",
                                                         "price": {"amount": 2800, "currency": "CNY"}, "stock": 50})
    return made


def screenshot(page: Page, name: str) -> None:
    """A picture of the terminal (`SCREENSHOTS/<name>.png`), as the README shows it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
