"""A deployed stage's sign-in (`config.signIn` "oidc", `terminals/shared/oidc.js`) in Chromium,
without AWS: the page's config names a hosted login whose two endpoints this test plays. The
authorize endpoint checks the PKCE challenge and sends the browser back to `signed-in.html` with
a code; the token endpoint checks the code's verifier against that challenge (S256) and answers
with an ID token the local stack's issuer minted. The merchant console then goes online as the
token's user and gets that merchant's orders pushed."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Browser, BrowserContext, Route, expect

from tests.browser.conftest import CONSOLE, Shop, screenshot
from tests.e2e.client import Api, StackUrls, issue_token

WAIT_MS = 10_000
LOGIN = "https://login.ontime.test"
CLIENT_ID = "terminals-test"
CODE = "code-from-the-login"


def _one(query: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


class HostedLogin:
    """The login's authorize and token endpoints, as routes of a browser context. What either saw
    wrong is kept in `problems` (a route handler's exception would not fail the test)."""

    def __init__(self, stack: StackUrls, id_token: Callable[[], str]) -> None:
        self.redirect = f"{stack.rest}/terminals/signed-in.html"
        self.origin = stack.rest
        self.config = {"rest": stack.rest, "ws": stack.ws, "signIn": "oidc", "oidc": {
            "authorize": f"{LOGIN}/oauth2/authorize", "token": f"{LOGIN}/oauth2/token", "clientId": CLIENT_ID,
            "redirect": self.redirect, "scopes": ["openid", "profile"]}}
        self._id_token = id_token
        self.problems: list[str] = []
        self.challenge: str | None = None
        self.exchanged = 0

    def install(self, context: BrowserContext, config_url: str) -> None:
        context.route(config_url, lambda route: route.fulfill(json=self.config, headers={"Cache-Control": "no-store"}))
        context.route(f"{LOGIN}/oauth2/authorize?*", self._authorize)
        context.route(f"{LOGIN}/oauth2/token", self._token)

    def _expect(self, what: str, got: Any, wanted: Any) -> bool:
        matches = bool(got == wanted)
        if not matches:
            self.problems.append(f"{what}: {got!r}, not {wanted!r}")
        return matches

    def _authorize(self, route: Route) -> None:
        query = _one(urlsplit(route.request.url).query)
        ok = all([self._expect("response_type", query.get("response_type"), "code"),
                  self._expect("client_id", query.get("client_id"), CLIENT_ID),
                  self._expect("redirect_uri", query.get("redirect_uri"), self.redirect),
                  self._expect("scope", query.get("scope"), "openid profile"),
                  self._expect("code_challenge_method", query.get("code_challenge_method"), "S256"),
                  self._expect("challenge length", len(query.get("code_challenge", "")), 43),
                  self._expect("has state", bool(query.get("state")), True)])
        self.challenge = query.get("code_challenge")
        back = {"code": CODE, "state": query.get("state", "")} if ok else {"error": "invalid_request"}
        route.fulfill(status=302, headers={"Location": f"{self.redirect}?{urlencode(back)}"})

    def _token(self, route: Route) -> None:
        cors = {"Access-Control-Allow-Origin": self.origin}
        form = _one(route.request.post_data or "")
        verifier = form.get("code_verifier", "")
        s256 = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        ok = all([self._expect("method", route.request.method, "POST"),
                  self._expect("grant_type", form.get("grant_type"), "authorization_code"),
                  self._expect("code", form.get("code"), CODE),
                  self._expect("client_id", form.get("client_id"), CLIENT_ID),
                  self._expect("redirect_uri", form.get("redirect_uri"), self.redirect),
                  self._expect("S256(code_verifier)", s256, self.challenge)])
        if not ok:
            route.fulfill(status=400, headers=cors, json={"error": "invalid_grant"})
            return
        self.exchanged += 1
        route.fulfill(headers=cors, json={"id_token": self._id_token(), "access_token": "not-used",
                                          "token_type": "Bearer", "expires_in": 3600})


def test_the_merchant_console_signs_in_through_the_hosted_login_with_pkce_and_goes_online_as_that_user(
        browser: Browser, stack: StackUrls, shop: Shop) -> None:
    login = HostedLogin(stack, lambda: issue_token(stack.rest, role="merchant", sub=shop.staff,
                                                   merchant_id=shop.merchant_id))
    context = browser.new_context(viewport=CONSOLE)
    try:
        login.install(context, f"{stack.rest}/terminals/config.json")
        page = context.new_page()
        page.goto(f"{stack.rest}/terminals/merchant/")
        sign_in = page.get_by_role("button", name="Sign in")
        expect(sign_in).to_be_visible()
        expect(page.get_by_label("Merchant")).to_be_hidden()  # who signs in is the login's to say
        screenshot(page, "merchant-hosted-sign-in")

        sign_in.click()
        expect(page.locator("#state")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
        assert login.problems == []
        assert login.exchanged == 1
        assert urlsplit(page.url).path == "/terminals/merchant/" and "code=" not in page.url
        expect(page.locator("#who")).to_have_text(f"{shop.merchant_id} · {shop.staff}")
        expect(page.locator("#sign-in")).to_be_hidden()

        customer = Api(stack.rest, issue_token(stack.rest, role="customer", sub=shop.customer))
        placed = customer.post("/orders", {
            "merchant_id": shop.merchant_id, "items": [{"product_id": shop.product_id, "quantity": 1}],
            "delivery_address": {"line1": "1 Century Avenue", "city": "Shanghai"}})
        assert placed.status_code == 201, placed.text
        expect(page.locator(f'article[data-order="{placed.json()["order_id"]}"]')).to_be_visible(timeout=WAIT_MS)
        customer.close()

        page.reload()  # the tab keeps its token: no second trip to the login
        expect(page.locator("#state")).to_have_attribute("data-state", "online", timeout=WAIT_MS)
        assert login.exchanged == 1
    finally:
        context.close()


def test_a_return_from_the_login_this_tab_did_not_start_is_refused(browser: Browser, stack: StackUrls) -> None:
    login = HostedLogin(stack, lambda: "never-asked")
    context = browser.new_context(viewport=CONSOLE)
    try:
        login.install(context, f"{stack.rest}/terminals/config.json")
        page = context.new_page()
        page.goto(f"{login.redirect}?{urlencode({'code': CODE, 'state': 'forged'})}")
        expect(page.get_by_role("alert")).to_contain_text("not started in this tab", timeout=WAIT_MS)
        assert login.exchanged == 0
    finally:
        context.close()


def test_cognito_claims_name_the_terminals_role_and_merchant_as_the_api_reads_them(
        browser: Browser, stack: StackUrls) -> None:
    def unsigned(payload: dict[str, Any]) -> str:
        part = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        return f"eyJhbGciOiJub25lIn0.{part}."

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{stack.rest}/terminals/")
        claims = page.evaluate("""async (token) => (await import("/terminals/shared/oidc.js")).claimsOf(token)""",
                               unsigned({"sub": "4f1c-…", "cognito:groups": ["staff", "merchant"],
                                         "custom:merchant_id": "m_noodles", "exp": 2_000_000_000, "名": "✓"}))
        assert claims == {"sub": "4f1c-…", "role": "merchant", "merchant_id": "m_noodles", "exp": 2_000_000_000}
    finally:
        context.close()
