"""schemathesis fuzzes the running local stack from the OpenAPI document it serves: every operation,
called as a role it declares (`x-roles`) on the demo data and on resources made for the run, with
bodies and queries generated from its schemas, answers no 5xx, and every answer is what the
document says (its status, content type and schema). Bounded (a few examples per operation) and
derandomized, so that a run takes about a minute and gives the same cases every time."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import figures
from tests.e2e.client import WAIT_S, StackUrls, Terminal, issue_token, terminal_id

MAX_EXAMPLES = 8
"""Per operation: ~75 operations × 8 cases ≈ 600 requests, about a minute on a loaded 2-core machine."""
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
CLAIMS: dict[str, dict[str, str]] = {
    "customer": {"sub": "u_contract"},
    "merchant": {"sub": "staff-contract", "merchant_id": "m_demo"},
    "supplier": {"sub": "clerk-contract", "supplier_id": "s_demo_books"},
    "carrier": {"sub": "carrier_1"},  # the carrier the ship example names
    "ops": {"sub": "ops-contract"},
}


class Resources:
    """A token per role and one resource of every kind, made through the API from the document's
    own request examples (on top of the demo data)."""

    def __init__(self, urls: StackUrls, document: dict[str, Any]) -> None:
        self.urls = urls
        self.document = document
        self.tokens = {role: issue_token(urls.rest, role=role, **claims) for role, claims in CLAIMS.items()}
        self.ids: dict[str, str] = {"merchant_id": "m_demo", "product_id": "p_noodles", "area_id": "area_demo",
                                    "supplier_id": "s_demo_books", "installer_id": "i_demo_1",
                                    "deal_id": "deal_demo_noodles", "shop_id": "m_demo"}
        self.supplier_product_id = "p_novel"

    def call(self, role: str, method: str, path: str, body: Any = None) -> Any:
        reply = httpx.request(method, self.urls.rest + path, json=body, timeout=WAIT_S, trust_env=False,
                              headers={"Authorization": f"Bearer {self.tokens[role]}"})
        assert reply.status_code < 300, (method, path, reply.text)
        return reply.json()

    def example(self, path: str) -> Any:
        media = self.document["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        return media["examples"]["example1"]["value"]

    def make(self) -> None:
        self.ids["order_id"] = self.call("customer", "POST", "/orders", self.example("/orders"))["order_id"]
        made = self.call("customer", "POST", "/installations", self.example("/installations"))
        self.ids["installation_id"] = made["installation_id"]
        seen = self.call("ops", "GET", f"/ops/installations/{made['installation_id']}")
        installer = seen["assignment"]["installer"]["installer_id"]
        self.tokens["installer"] = issue_token(self.urls.rest, role="installer", sub=installer)
        self.ids["address_id"] = self.call("customer", "POST", "/me/addresses",
                                           self.example("/me/addresses"))["address_id"]
        self.ids["code"] = self.call("ops", "POST", "/coupons", self.example("/coupons"))["code"]
        purchase = self.call("customer", "POST", "/purchases", self.example("/purchases"))
        self.ids["purchase_id"] = purchase["purchase_id"]
        paid = httpx.post(purchase["payment"]["pay_url"], json={"outcome": "succeeded"}, timeout=WAIT_S,
                          trust_env=False)
        assert paid.status_code < 300, paid.text
        unmatched = self.call("customer", "POST", "/purchases", self.example("/purchases"))  # ops' mismatches
        refused = httpx.post(unmatched["payment"]["pay_url"], json={
            "outcome": "succeeded", "amount": unmatched["total"]["amount"] + 1}, timeout=WAIT_S, trust_env=False)
        assert refused.status_code < 300 and refused.json()["callback_status"] == 422, refused.text
        records = self.call("customer", "GET", "/purchase-records")["items"]
        books = next(r for r in records if r["supplier"]["supplier_id"] == "s_demo_books")
        self.ids["record_id"] = books["record_id"]
        self.ids["sub_order_id"] = books["sub_orders"][0]["sub_order_id"]
        bought = self.call("customer", "POST", "/group-buy/orders", self.example("/group-buy/orders"))
        self.ids["group_order_id"] = bought["order_id"]
        paid = httpx.post(bought["payment"]["pay_url"], json={"outcome": "succeeded"}, timeout=WAIT_S,
                          trust_env=False)
        assert paid.status_code < 300, paid.text
        order = self.call("customer", "GET", f"/group-buy/orders/{bought['order_id']}")
        voucher_id = order["voucher_ids"][0]
        self.ids["voucher_id"] = voucher_id
        slots = self.call("customer", "GET", f"/vouchers/{voucher_id}/slots")["slots"]
        booked = self.call("customer", "POST", f"/vouchers/{voucher_id}/bookings", {"slot_ids": [slots[-1]["slot_id"]]})
        self.ids["booking_id"] = booked["bookings"][0]["booking_id"]
        self.ids["video_id"] = "vid_none"
        self._call()

    def _call(self) -> None:
        """A connected call of the customer's with m_demo, its terminals kept open for the module,
        and an order drafted in it."""
        phone, console = (Terminal(self.urls.ws, self.tokens[role]) for role in ("customer", "merchant"))
        self.terminals = (phone, console)
        phone_id, console_id = (terminal_id(t) for t in self.terminals)
        placed = self.call("customer", "POST", "/calls", {"merchant_id": "m_demo", "connection_id": phone_id})
        self.ids["call_id"] = placed["call_id"]
        self.call("merchant", "POST", f"/merchant/calls/{placed['call_id']}/answer", {"connection_id": console_id})
        drafted = self.call("merchant", "POST", f"/merchant/calls/{placed['call_id']}/orders",
                            self.example("/merchant/calls/{call_id}/orders"))
        self.ids["call_order_id"] = drafted["order_id"]

    def path_parameters(self, path: str) -> dict[str, str]:
        found = {}
        for name in re.findall(r"{(\w+)}", path):
            if path.startswith("/supplier/orders/") and name == "order_id":
                found[name] = self.ids["record_id"]  # a supplier's order is the customer's record
            elif path.startswith("/suppliers/") and name == "product_id":
                found[name] = self.supplier_product_id
            else:
                found[name] = self.ids[name]
        return found

    def headers(self, operation: dict[str, Any]) -> dict[str, str]:
        roles = operation.get("x-roles") or []
        return {"Authorization": f"Bearer {self.tokens[roles[0]]}"} if roles else {}


@pytest.fixture(scope="module")
def resources(seeded_stack: StackUrls) -> Iterator[Resources]:
    document = httpx.get(f"{seeded_stack.rest}/openapi.json", timeout=WAIT_S, trust_env=False).json()
    made = Resources(seeded_stack, document)
    made.make()
    yield made
    for terminal in made.terminals:
        terminal.close()


def test_every_operation_answers_what_the_document_says_and_never_a_server_error(resources: Resources) -> None:
    schema = schemathesis.openapi.from_dict(resources.document)
    cases: Counter[str] = Counter()
    served: Counter[str] = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document is valid: every operation loads
        operation = result.ok()
        raw = resources.document["paths"][operation.path][operation.method.lower()]
        label = f"{operation.method.upper()} {operation.path}"
        strategy = operation.as_strategy(path_parameters=resources.path_parameters(operation.path) or None)
        fuzz(strategy, label, resources.headers(raw), resources.urls.rest, (cases, served), failures)
    total, reached = sum(cases.values()), sum(served.values())
    figures.note(f"schemathesis: {total} cases over {len(cases)} operations ({reached} answered 2xx, "
                 f"{len(served)} operations served at least once), {len(failures)} failures")
    assert len(cases) == sum(len(item) for item in resources.document["paths"].values())
    assert not failures, "\n".join(dict.fromkeys(failures))
    # Most operations reach a real resource as a role that may use it (not only 400s and 404s).
    assert len(served) >= 0.7 * len(cases), sorted(set(cases) - set(served))


def fuzz(strategy: Any, label: str, headers: dict[str, str], base_url: str,
         counters: tuple[Counter[str], Counter[str]], failures: list[str]) -> None:
    """Up to `MAX_EXAMPLES` cases of one operation, the same ones every run (`derandomize`)."""

    @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Any) -> None:
        cases, served = counters
        cases[label] += 1
        response = case.call(base_url=base_url, headers=headers, timeout=WAIT_S)
        if response.status_code < 300:
            served[label] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as failure:  # one failed check, or several
            failures.append(f"{label}: {str(failure).splitlines()[0]} ({response.status_code})")

    check()
