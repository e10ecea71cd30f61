"""One of every party and of every kind of resource, on the local stack's demo data: what a test
needs to call every route as every role on something that exists.

The demo data is each package's own seed (as the local stack starts with); on top of it the
customer places an order, requests an installation, saves an address and pays a split order, and
ops create a coupon. Each route's path is filled with these ids and its body is the first example
its model declares (the bodies the API document shows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from chalice.test import Client

from chalicelib.auth.principal import Role
from chalicelib.bootstrap import contributions
from chalicelib.http.openapi import request_examples
from chalicelib.http.routing import RouteSpec
from devstack.sandbox.provider import SandboxProvider
from tests.conftest import World
from tests.events import ws_connect
from tests.functional.api import Api, Reply

T = TypeVar("T")
CUSTOMER = "u_alice"


class ClientSeed:
    """The local stack's `SeedClient`, through the Chalice test client."""

    def __init__(self, world: World, client: Client) -> None:
        self._world = world
        self._client = client

    def call(self, method: str, path: str, body: Any = None, *, role: str = "ops", sub: str = "ontime-seed",
             expect: int = 201, **claims: str) -> Any:
        reply = Api(self._client, self._world.token(role, sub, **claims)).call(method, path, body)
        assert reply.status == expect, (method, path, reply.body)
        return reply.body

    def option(self, name: str, default: T) -> T:
        return default


@dataclass
class Everyone:
    """A token per role, and the id of one resource of each kind that every party of it can reach."""

    world: World
    client: Client
    ids: dict[str, str] = field(default_factory=dict)
    subs: dict[Role, dict[str, str]] = field(default_factory=dict)

    def api(self, role: Role) -> Api:
        claims = self.subs[role]
        return Api(self.client, self.world.token(role.value, **claims))

    def path(self, spec: RouteSpec) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if spec.path.startswith("/supplier/orders/") and name == "order_id":
                return self.ids["record_id"]  # a supplier's order is the customer's record
            if spec.path.startswith("/suppliers/") and name == "product_id":
                return self.ids["supplier_product_id"]
            return self.ids[name]

        return re.sub(r"{(\w+)}", fill, spec.path)

    def call(self, spec: RouteSpec, role: Role) -> Reply:
        body = None if spec.body is None else request_examples(spec.body)[0]
        return self.api(role).call(spec.methods[0], self.path(spec), body)


def everyone(world: World, client: Client) -> Everyone:
    for package in contributions():
        if package.seed is not None:
            list(package.seed(ClientSeed(world, client)))
    made = Everyone(world, client, subs={
        Role.CUSTOMER: {"sub": CUSTOMER},
        Role.MERCHANT: {"sub": "staff-1", "merchant_id": "m_demo"},
        Role.SUPPLIER: {"sub": "clerk-1", "supplier_id": "s_demo_books"},
        Role.CARRIER: {"sub": "carrier_1"},
        Role.OPS: {"sub": "ops-1"},
    })
    made.ids.update({"merchant_id": "m_demo", "product_id": "p_noodles", "area_id": "area_demo",
                     "supplier_id": "s_demo_books", "supplier_product_id": "p_novel",
                     "deal_id": "deal_demo_noodles", "shop_id": "m_demo"})
    customer = made.api(Role.CUSTOMER)
    made.ids["order_id"] = _created(customer.post("/orders", _example("/orders")))["order_id"]
    installation = _created(customer.post("/installations", _example("/installations")))
    made.ids["installation_id"] = installation["installation_id"]
    seen = made.api(Role.OPS).get(f"/ops/installations/{installation['installation_id']}").body
    assert seen["assignment"], "the demo installation is dispatched at once"
    installer_id = seen["assignment"]["installer"]["installer_id"]
    made.subs[Role.INSTALLER] = {"sub": installer_id}
    made.ids["installer_id"] = installer_id
    made.ids["address_id"] = _created(customer.post("/me/addresses", _example("/me/addresses")))["address_id"]
    made.ids["code"] = _created(made.api(Role.OPS).post("/coupons", _example("/coupons")))["code"]
    purchase = _created(customer.post("/purchases", _example("/purchases")))
    made.ids["purchase_id"] = purchase["purchase_id"]
    provider = world.container.payments
    assert isinstance(provider, SandboxProvider)
    paid = provider.pay(purchase["payment"]["payment_id"])
    assert Api(client, None).post("/payments/callback", raw=paid.body, headers=paid.headers).status == 200
    records = customer.get("/purchase-records").body["items"]
    books = next(r for r in records if r["supplier"]["supplier_id"] == "s_demo_books")
    made.ids["record_id"] = books["record_id"]
    made.ids["sub_order_id"] = books["sub_orders"][0]["sub_order_id"]
    bought = _created(customer.post("/group-buy/orders", _example("/group-buy/orders")))
    made.ids["group_order_id"] = bought["order_id"]
    paid = provider.pay(bought["payment"]["payment_id"])
    assert Api(client, None).post("/payments/callback", raw=paid.body, headers=paid.headers).status == 200
    unmatched = _created(customer.post("/purchases", _example("/purchases")))  # ops' list of mismatches
    refused = provider.pay(unmatched["payment"]["payment_id"], amount=unmatched["total"]["amount"] + 1)
    assert Api(client, None).post("/payments/callback", raw=refused.body, headers=refused.headers).status == 422
    voucher_id = customer.get(f"/group-buy/orders/{bought['order_id']}").body["voucher_ids"][0]
    made.ids["voucher_id"] = voucher_id
    slot = customer.get(f"/vouchers/{voucher_id}/slots").body["slots"][-1]["slot_id"]
    booked = customer.post(f"/vouchers/{voucher_id}/bookings", {"slot_ids": [slot]})
    assert booked.status == 200, booked.body
    made.ids["booking_id"] = booked.body["bookings"][0]["booking_id"]
    made.ids["video_id"] = "vid_none"
    _call(made, client)
    return made


def _call(made: Everyone, client: Client) -> None:
    """A connected call of the customer's with m_demo (the customer's terminal is the one the
    examples name) and an order drafted in it."""
    example = _example("/calls")
    for connection, role in ((example["connection_id"], Role.CUSTOMER), ("ws-demo-console", Role.MERCHANT)):
        assert client.lambda_.invoke("connect", ws_connect(connection, made.api(role).token)).payload[
            "statusCode"] == 200
    placed = _created(made.api(Role.CUSTOMER).post("/calls", example))
    made.ids["call_id"] = placed["call_id"]
    answered = made.api(Role.MERCHANT).post(f"/merchant/calls/{placed['call_id']}/answer",
                                            {"connection_id": "ws-demo-console"})
    assert answered.status == 200, answered.body
    drafted = made.api(Role.MERCHANT).post(f"/merchant/calls/{placed['call_id']}/orders",
                                           _example("/merchant/calls/{call_id}/orders"))
    made.ids["call_order_id"] = _created(drafted)["order_id"]


def _example(path: str) -> Any:
    spec = next(s for table in (r for c in contributions() for r in c.routes) for s in table.specs
                if s.path == path and s.methods == ("POST",))
    assert spec.body is not None
    return request_examples(spec.body)[0]


def _created(reply: Reply) -> dict[str, Any]:
    assert reply.status == 201, reply.body
    body: dict[str, Any] = reply.body
    return body
