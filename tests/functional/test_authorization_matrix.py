"""Every route of the route table, called as every role on its own resource and on someone else's:
nothing leaks. Someone else's resource is 404; a role the route is not for is 403 (or 404, as for
others' resources); a caller it is for gets its answer, in which no id it may not see appears
(`Town.markers`) nor a member its role is never shown; no refused call changes anything; and no
push to any party's terminal, nor a terminal's pending work, shows it what is not its own.

`ROWS` says, for each route, who may call it and whose resource its path names; a route of the
table without a row fails here, so a new route cannot be added without its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.auth.principal import Role
from chalicelib.bootstrap import contributions
from chalicelib.contribution import Contribution, models_of
from chalicelib.persistence.idempotency import IdempotencyModel
from chalicelib.persistence.tables import short_name
from tests import figures
from tests.conftest import World
from tests.documents import member_names
from tests.functional import crew, market, shop
from tests.functional.api import Reply
from tests.functional.town import ANN, BOB, BOOK, SIDES, Town

ROLES = tuple(role.value for role in Role)
OPS, CUSTOMER, MERCHANT = Role.OPS.value, Role.CUSTOMER.value, Role.MERCHANT.value
INSTALLER, SUPPLIER, CARRIER = Role.INSTALLER.value, Role.SUPPLIER.value, Role.CARRIER.value
ROUTES = {f"{method} {spec.path}": c for c in contributions() for table in c.routes
          for spec in table.specs for method in spec.methods}
"""Every route of the route table, with the package that declares it."""

NEVER_SHOWN: dict[str, frozenset[str]] = {
    CARRIER: frozenset({"customer_id", "purchase_id", "lines", "unit_price", "subtotal", "shipping", "discount",
                        "total", "fulfilment", "sub_orders"}),
    INSTALLER: frozenset({"service_code", "customer_id"}),
    OPS: frozenset({"service_code"}),
}
"""Members a role never gets, whoever's resource it reads (the carrier: only its parcels and where
they go; installers and ops never the customer's service code)."""

Params = Callable[[Town, str], dict[str, str]]
Body = Callable[[Town, str], Any]


@dataclass(frozen=True)
class Row:
    who: frozenset[str]
    """The roles that may call it: on their own resource, ops on anyone's."""
    target: Params | None = None
    """The path parameters naming a side's resource (none: the route names none, it acts for the caller)."""
    body: Body | None = None
    query: Callable[[Town], str] | None = None
    """A query every caller sends (naming the other side: only ops may choose whose)."""
    builds: tuple[Callable[[Town, str], object], ...] = ()
    """What both sides own before the route is called (a list must not show the other side's)."""
    public: bool = False
    """Anyone signed in reads anyone's, in their view: only `who` on its own, and ops, see `private`."""
    private: frozenset[str] = frozenset()
    refused: frozenset[int] = frozenset({403, 404})
    """What a role the route is not for gets."""
    describes_the_api: bool = False
    """The answer is the API document: its member names are schemas' (`customer_id`), not data, so
    only the ids in it are checked."""


def row(*who: str, **fields: Any) -> Row:
    return Row(frozenset(who), **fields)


def public(*managers: str, private: tuple[str, ...] = (), **fields: Any) -> Row:
    return Row(frozenset(managers), public=True, private=frozenset(private), **fields)


def merchant(t: Town, s: str) -> dict[str, str]:
    return {"merchant_id": t.merchant(s)}


def order(t: Town, s: str) -> dict[str, str]:
    return {"order_id": t.order(s)}


def installation(t: Town, s: str) -> dict[str, str]:
    return {"installation_id": t.installation(s)}


def supplier(t: Town, s: str) -> dict[str, str]:
    return {"supplier_id": t.supplier(s)}


def product(t: Town, s: str) -> dict[str, str]:
    return {"supplier_id": t.supplier(s), "product_id": t.product(s)}


def parcel(t: Town, s: str) -> dict[str, str]:
    return {"sub_order_id": t.parcel(s)}


def purchase(t: Town, s: str) -> dict[str, str]:
    return {"purchase_id": t.purchase(s)}


def address(t: Town, s: str) -> dict[str, str]:
    return {"address_id": t.address(s)}


def body(value: Any) -> Body:
    return lambda t, s: value


HERE = body({"lat": 31.2394, "lng": 121.4737})
DETAILS = body({"fields": {"content": {"value": "2 kg apples", "version": 1}}})


def ringing_call(t: Town, s: str) -> dict[str, str]:
    return {"call_id": t.ringing_call(s)}


def connected_call(t: Town, s: str) -> dict[str, str]:
    return {"call_id": t.connected_call(s)}


def call_order(t: Town, s: str) -> dict[str, str]:
    return {"call_order_id": t.call_order(s)}


def sent_call_order(t: Town, s: str) -> dict[str, str]:
    return {"call_order_id": t.sent_call_order(s)}


def terminal(role: str) -> str:
    """The caller's own terminal (`connected` connects one for every party): a call binds it."""
    return f"ws-{role}-{ANN}"

ROWS: dict[str, Row] = {
    # ── the platform ───────────────────────────────────────────────────────────────────────
    "GET /health": public(),
    "GET /openapi.json": public(describes_the_api=True),
    "POST /payments/callback": row(body=body({"event_id": "evt_1"}), refused=frozenset({401})),  # the signature
    # ── catalogue ──────────────────────────────────────────────────────────────────────────
    "POST /merchants": row(OPS, body=body({"name": "Tea House", "time_zone": "UTC"})),
    "GET /merchants": public(builds=(Town.merchant,)),
    "GET /merchants/{merchant_id}": public(MERCHANT, target=merchant),
    "PATCH /merchants/{merchant_id}": row(MERCHANT, OPS, target=merchant, body=body({"paused": False})),
    "POST /merchants/{merchant_id}/products": row(MERCHANT, OPS, target=merchant, body=body(
        {"name": "Tea", "price": {"amount": 500, "currency": "CNY"}, "stock": 5})),
    "GET /merchants/{merchant_id}/products": public(MERCHANT, private=("stock",), target=merchant),
    "PATCH /merchants/{merchant_id}/products/{product_id}": row(
        MERCHANT, OPS, target=lambda t, s: {**merchant(t, s), "product_id": shop.MENU[0]["product_id"]},
        body=body({"on_sale": True})),
    # ── orders ─────────────────────────────────────────────────────────────────────────────
    "POST /orders": row(CUSTOMER, body=lambda t, s: shop.Shop.order_body(merchant_id=t.merchant(s))),
    "GET /orders": row(CUSTOMER, builds=(Town.order,)),
    "GET /orders/{order_id}": row(CUSTOMER, MERCHANT, OPS, target=order),
    "POST /orders/{order_id}/cancel": row(CUSTOMER, target=order),
    "POST /orders/{order_id}/resubmit": row(
        CUSTOMER, target=lambda t, s: {"order_id": t.returned_order(s)},
        body=body({"items": [{"product_id": "p1", "quantity": 3}], "delivery_address": shop.ADDRESS})),
    "GET /merchant/orders": row(MERCHANT, builds=(Town.order,)),
    "GET /merchant/orders/{order_id}": row(MERCHANT, target=order),
    "POST /merchant/orders/{order_id}/actions": row(MERCHANT, target=order, body=body({"action": "accept"})),
    # ── installer dispatch ─────────────────────────────────────────────────────────────────
    "POST /installations": row(CUSTOMER, OPS, body=lambda t, s: crew.Crew.request_body(
        area_id=t.area(s), customer_id=t.customer_id(s)), builds=(Town.installer,)),
    "GET /installations": row(CUSTOMER, builds=(Town.installation,)),
    "GET /installations/{installation_id}": row(CUSTOMER, INSTALLER, OPS, target=installation),
    "POST /installations/{installation_id}/cancel": row(CUSTOMER, OPS, target=installation),
    "GET /installer/me": row(INSTALLER, builds=(Town.installer,)),
    "PUT /installer/location": row(INSTALLER, body=HERE, builds=(Town.installer,)),
    "GET /installer/dispatches": row(INSTALLER, builds=(Town.installation,)),
    "GET /installer/dispatches/{installation_id}": row(INSTALLER, target=installation),
    "POST /installer/dispatches/{installation_id}/actions": row(INSTALLER, target=installation,
                                                                body=body({"action": "confirm"})),
    "POST /installer/dispatches/{installation_id}/photos": row(
        INSTALLER, target=lambda t, s: {"installation_id": t.started_installation(s)},
        body=body({"content_type": "image/jpeg", "size_bytes": 10})),
    "GET /installer/ledger": row(INSTALLER, builds=(Town.installer,)),
    "POST /areas": row(OPS, body=body({"name": "East"})),
    "GET /areas": row(OPS, builds=(Town.area,)),
    "GET /areas/{area_id}": row(OPS, target=lambda t, s: {"area_id": t.area(s)}),
    "PATCH /areas/{area_id}": row(OPS, target=lambda t, s: {"area_id": t.area(s)}, body=body({"name": "Renamed"})),
    "POST /installers": row(OPS, body=lambda t, s: {"installer_id": "inst-new", "name": "New",
                                                    "phone": "+86 138 0000 0009", "areas": [t.area(s)]}),
    "GET /installers": row(OPS, builds=(Town.installer,)),
    "GET /installers/{installer_id}": row(INSTALLER, OPS, target=lambda t, s: {"installer_id": t.installer(s)}),
    "PATCH /installers/{installer_id}": row(OPS, target=lambda t, s: {"installer_id": t.installer(s)},
                                            body=body({"name": "Renamed"})),
    "GET /installers/{installer_id}/ledger": row(INSTALLER, OPS,
                                                 target=lambda t, s: {"installer_id": t.installer(s)}),
    "GET /ops/installations": row(OPS, builds=(Town.installation,)),
    "GET /ops/installations/{installation_id}": row(OPS, target=installation),
    "POST /ops/installations/{installation_id}/assign": row(
        OPS, target=installation, body=lambda t, s: {"installer_id": t.spare_installer(s), "attempt": 1}),
    "POST /ops/installations/{installation_id}/cancel": row(OPS, target=installation),
    # ── split orders: the customer ─────────────────────────────────────────────────────────
    "POST /checkout/form": row(CUSTOMER, body=lambda t, s: {"items": [
        {"supplier_id": t.supplier(s), "product_id": t.product(s)}]}),
    "POST /purchases": row(CUSTOMER, body=lambda t, s: {"sections": [t.section(s)]}),
    "GET /purchases": row(CUSTOMER, builds=(Town.purchase, Town.unpaid_purchase)),
    "GET /purchases/{purchase_id}": row(CUSTOMER, OPS, target=purchase),
    "POST /purchases/{purchase_id}/cancel": row(CUSTOMER, OPS,
                                                target=lambda t, s: {"purchase_id": t.unpaid_purchase(s)}),
    "POST /purchases/{purchase_id}/reconcile": row(CUSTOMER, OPS, target=purchase),
    "GET /purchase-records": row(CUSTOMER, builds=(Town.purchase,)),
    "GET /purchase-records/{record_id}": row(CUSTOMER, OPS, target=lambda t, s: {"record_id": t.record(s)}),
    "GET /me/addresses": row(CUSTOMER, builds=(Town.address,)),
    "POST /me/addresses": row(CUSTOMER, body=body({"label": "Work", "address": market.HOME})),
    "PUT /me/addresses/{address_id}": row(CUSTOMER, target=address,
                                          body=body({"label": "Home", "address": market.HOME})),
    "DELETE /me/addresses/{address_id}": row(CUSTOMER, target=address),
    "POST /me/addresses/{address_id}/default": row(CUSTOMER, target=address),
    # ── split orders: suppliers and carriers ───────────────────────────────────────────────
    "GET /supplier/orders": row(SUPPLIER, OPS, query=lambda t: f"supplier_id={t.supplier(BOB)}",
                                builds=(Town.purchase,)),
    "GET /supplier/orders/{order_id}": row(SUPPLIER, CARRIER, OPS,
                                           target=lambda t, s: {"order_id": t.supplier_order(s)}),
    "POST /parcels/{sub_order_id}/ship": row(SUPPLIER, OPS, target=parcel, body=body({"method": "courier"})),
    "POST /parcels/{sub_order_id}/positions": row(SUPPLIER, CARRIER, OPS, target=parcel, body=HERE),
    "POST /parcels/{sub_order_id}/delivered": row(SUPPLIER, CARRIER, OPS, target=parcel),
    "POST /suppliers": row(OPS, body=body({"name": "New", "currency": "CNY"})),
    "GET /suppliers": public(SUPPLIER, private=("shipping_fee", "active", "created_at"), builds=(Town.supplier,)),
    "GET /suppliers/{supplier_id}": public(SUPPLIER, private=("shipping_fee", "active", "created_at"),
                                           target=supplier),
    "PATCH /suppliers/{supplier_id}": row(OPS, target=supplier, body=body({"name": "Renamed"})),
    "GET /suppliers/{supplier_id}/products": public(SUPPLIER, private=("stock", "on_sale", "shipping_fee", "active"),
                                                    target=supplier),
    "GET /suppliers/{supplier_id}/products/{product_id}": public(SUPPLIER, private=("stock", "on_sale"),
                                                                 target=product),
    "PUT /suppliers/{supplier_id}/products/{product_id}": row(SUPPLIER, OPS, target=product, body=body(BOOK)),
    "POST /suppliers/{supplier_id}/products/{product_id}/restock": row(SUPPLIER, OPS, target=product,
                                                                       body=body({"delta": 1})),
    # ── split orders: the console ──────────────────────────────────────────────────────────
    "POST /coupons": row(OPS, body=body({"code": "NEW10", "amount_off": {"amount": 100, "currency": "CNY"}})),
    "GET /coupons": row(OPS, builds=(Town.coupon,)),
    "PATCH /coupons/{code}": row(OPS, target=lambda t, s: {"code": t.coupon(s)}, body=body({"active": False})),
    "GET /ops/purchases/{purchase_id}": row(OPS, target=purchase),
    "GET /ops/refunds": row(OPS, builds=(Town.purchase,)),
    "GET /ops/payment-mismatches": row(OPS, builds=(Town.payment_mismatch,)),
    # ── group-buy: deals and shop settings ─────────────────────────────────────────────────
    "POST /deals": row(MERCHANT, OPS, body=Town.deal_body),
    "GET /deals": public(builds=(Town.deal,)),
    "GET /deals/{deal_id}": public(MERCHANT, target=lambda t, s: {"deal_id": t.deal(s)}),
    "PATCH /deals/{deal_id}": row(MERCHANT, OPS, target=lambda t, s: {"deal_id": t.deal(s)},
                                  body=body({"title": "Renamed"})),
    "GET /shops/{shop_id}/group-buy-settings": public(MERCHANT, target=lambda t, s: {"shop_id": t.merchant(s)}),
    "PUT /shops/{shop_id}/group-buy-settings": row(MERCHANT, OPS, target=lambda t, s: {"shop_id": t.merchant(s)},
                                                   body=body({"days": 2})),
    # ── group-buy: orders, vouchers, bookings, the shop, videos ────────────────────────────
    "POST /group-buy/orders": row(CUSTOMER, body=lambda t, s: {"deal_id": t.deal(s)}),
    "GET /group-buy/orders": row(CUSTOMER, builds=(Town.group_order,)),
    "GET /group-buy/orders/{group_order_id}": row(CUSTOMER, OPS,
                                                 target=lambda t, s: {"group_order_id": t.group_order(s)}),
    "POST /group-buy/orders/{group_order_id}/cancel": row(
        CUSTOMER, OPS, target=lambda t, s: {"group_order_id": t.unpaid_group_order(s)}),
    "POST /group-buy/orders/{group_order_id}/reconcile": row(
        CUSTOMER, OPS, target=lambda t, s: {"group_order_id": t.group_order(s)}),
    "GET /vouchers": row(CUSTOMER, builds=(Town.voucher,)),
    "GET /vouchers/{voucher_id}": row(CUSTOMER, MERCHANT, OPS,
                                      target=lambda t, s: {"voucher_id": t.redeemed_voucher(s)}),
    "GET /vouchers/{voucher_id}/slots": row(CUSTOMER, OPS, target=lambda t, s: {"voucher_id": t.voucher(s)}),
    "POST /vouchers/{voucher_id}/bookings": row(CUSTOMER, target=lambda t, s: {"voucher_id": t.voucher(s)},
                                                body=lambda t, s: {"slot_ids": [t.later_slot(s)]}),
    "POST /vouchers/{voucher_id}/bookings/{booking_id}/cancel": row(CUSTOMER, OPS, target=Town.booking),
    "POST /vouchers/{voucher_id}/video-upload": row(CUSTOMER,
                                                    target=lambda t, s: {"voucher_id": t.redeemed_voucher(s)}),
    "POST /vouchers/{voucher_id}/videos/{video_id}/retry": row(CUSTOMER, OPS, target=Town.failed_video),
    "GET /shops/{shop_id}/queue": public(target=lambda t, s: {"shop_id": t.merchant(s)}),
    "GET /deals/{deal_id}/videos": public(target=lambda t, s: {"deal_id": t.deal(s)}),
    "POST /merchant/vouchers/redeem": row(MERCHANT, body=lambda t, s: {"code": t.code(s)}),
    "PUT /merchant/queue": row(MERCHANT, body=body({"waiting": 3}), builds=(Town.merchant,)),
    # ── video calls ────────────────────────────────────────────────────────────────────────
    "POST /calls": row(CUSTOMER, body=lambda t, s: {"merchant_id": t.merchant(s), "connection_id": terminal(CUSTOMER)}),
    "GET /calls/{call_id}": row(CUSTOMER, MERCHANT, OPS, target=connected_call),
    "POST /calls/{call_id}/cancel": row(CUSTOMER, target=ringing_call),
    "POST /calls/{call_id}/hangup": row(CUSTOMER, target=connected_call),
    "POST /calls/{call_id}/rejoin": row(CUSTOMER, target=connected_call,
                                        body=body({"connection_id": terminal(CUSTOMER)})),
    "PATCH /calls/{call_id}/details": row(CUSTOMER, target=connected_call, body=DETAILS),
    "POST /calls/{call_id}/details/submit": row(CUSTOMER, target=connected_call, body=DETAILS),
    "POST /merchant/calls/{call_id}/answer": row(MERCHANT, target=ringing_call,
                                                 body=body({"connection_id": terminal(MERCHANT)})),
    "POST /merchant/calls/{call_id}/decline": row(MERCHANT, target=ringing_call),
    "POST /merchant/calls/{call_id}/hangup": row(MERCHANT, target=connected_call),
    "POST /merchant/calls/{call_id}/rejoin": row(MERCHANT, target=connected_call,
                                                 body=body({"connection_id": terminal(MERCHANT)})),
    "POST /merchant/calls/{call_id}/details-request": row(MERCHANT, target=connected_call),
    "GET /merchant/call-settings": row(MERCHANT, builds=(Town.merchant,)),
    "PUT /merchant/call-settings": row(MERCHANT, body=body({"ring_s": 20}), builds=(Town.merchant,)),
    "POST /merchant/calls/{call_id}/orders": row(MERCHANT, target=connected_call,
                                                 body=body({"content": "apples", "price": {"amount": 900,
                                                                                           "currency": "CNY"}})),
    "PATCH /merchant/call-orders/{call_order_id}": row(MERCHANT, target=call_order, body=body({"note": "ring twice"})),
    "POST /merchant/call-orders/{call_order_id}/send": row(MERCHANT, target=call_order),
    "POST /merchant/call-orders/{call_order_id}/cancel": row(MERCHANT, target=call_order),
    "GET /merchant/call-orders": row(MERCHANT, builds=(Town.call_order,)),
    "GET /call-orders": row(CUSTOMER, builds=(Town.sent_call_order,)),
    "GET /call-orders/{call_order_id}": row(CUSTOMER, MERCHANT, OPS, target=sent_call_order),
    "POST /call-orders/{call_order_id}/cancel": row(CUSTOMER, target=sent_call_order),
    "POST /call-orders/{call_order_id}/reconcile": row(CUSTOMER, target=sent_call_order),
}


# ── the cases ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Case:
    role: str
    side: str
    """Whose resource the path names (the caller is always on side `ann`)."""
    expect: str
    """`answered`, `not_found` (someone else's) or `refused` (not a route for this role)."""

    def __str__(self) -> str:
        return f"{self.role} on {'its own' if self.side == ANN else 'someone else’s'}"


def cases(entry: Row) -> list[Case]:
    """Every role on both sides' resource (on its own only, for a route that names none): the
    refusals first, then the callers it is for, ops last (a second caller may find it moved on)."""
    sides = SIDES if entry.target is not None else (ANN,)
    found: list[Case] = []
    for role in ROLES:
        for side in sides:
            if entry.public:
                expect = "answered"
            elif role not in entry.who:
                expect = "refused"
            else:
                expect = "answered" if side == ANN or role == OPS else "not_found"
            found.append(Case(role, side, expect))
    order = {"refused": 0, "not_found": 0, "answered": 1}
    return sorted(found, key=lambda c: (order[c.expect], c.role == OPS, c.side == ANN))


def case_count() -> int:
    return sum(len(cases(entry)) for entry in ROWS.values())


def test_every_route_of_the_table_has_a_row_and_every_row_a_route() -> None:
    assert sorted(set(ROUTES) - set(ROWS)) == [], "add the route's row to ROWS"
    assert sorted(set(ROWS) - set(ROUTES)) == [], "this route is gone: remove its row"
    assert all(len(cases(entry)) >= len(ROLES) for entry in ROWS.values())  # every role, on every route
    figures.note(f"authorization matrix: {case_count()} cases over {len(ROWS)} routes")


@pytest.fixture
def town(world: World, client: Client) -> Town:
    return Town(world, client)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_route_shows_anyone_what_is_not_theirs(town: Town, route: str) -> None:
    entry = ROWS[route]
    method, path = route.split(" ", 1)
    for build in entry.builds:
        for side in SIDES:
            build(town, side)
    paths = {side: _path(path, entry, town, side) for side in SIDES}
    bodies = {side: None if entry.body is None else entry.body(town, side) for side in SIDES}
    terminals = connected(town)
    tables = _tables_of(ROUTES[route])
    before = town.snapshot(tables)
    refusals = [case for case in cases(entry) if case.expect != "answered"]
    failures = _run(town, entry, method, paths, bodies, refusals)
    if town.snapshot(tables) != before:
        failures.append("a refused call changed what is stored")
    failures += _run(town, entry, method, paths, bodies, [case for case in cases(entry) if case not in refusals])
    failures += pushed_leaks(town, terminals)
    assert not failures, "\n".join(failures)


def test_no_terminal_lists_pending_work_that_is_not_its_own(town: Town) -> None:
    for side in SIDES:
        town.order(side)
        town.installation(side)
        town.connected_call(side)
    town.purchase(ANN)
    terminals = connected(town)
    for connection in terminals.values():
        town.list_pending(connection)
    assert pushed_leaks(town, terminals) == []
    listed = {party: {m["type"]: m["data"]["items"] for m in town.pushed(c) if m["type"].endswith(".listed")}
              for party, c in terminals.items()}
    assert listed[MERCHANT, ANN].keys() == {"orders.listed", "calls.listed"}  # one list per workflow
    assert len(listed[MERCHANT, ANN]["orders.listed"]) == len(listed[MERCHANT, ANN]["calls.listed"]) == 1
    assert [c["call_id"] for c in listed[CUSTOMER, BOB]["calls.listed"]] == [town.connected_call(BOB)]
    assert len(listed[INSTALLER, ANN]["dispatches.listed"]) == 1
    assert len(listed[SUPPLIER, BOB]["supplier_orders.listed"]) == 2
    assert listed[CARRIER, ANN] == {"pending.listed": []}


def connected(town: Town) -> dict[tuple[str, str], str]:
    """A terminal for every party (one for ops), before anything happens."""
    terminals = {(role, side): f"ws-{role}-{side}" for role in ROLES for side in (SIDES if role != OPS else (ANN,))}
    for (role, side), connection in terminals.items():
        assert town.connect(connection, town.caller(role, side)) == 200
    return terminals


def pushed_leaks(town: Town, terminals: dict[tuple[str, str], str]) -> list[str]:
    return [f"{message['type']} to {role} {side}: {problem} — {message['data']}"
            for (role, side), connection in terminals.items() for message in town.pushed(connection)
            if (problem := _leak(town, role, side, message["data"]))]


def _run(town: Town, entry: Row, method: str, paths: dict[str, str], bodies: dict[str, Any],
         run: list[Case]) -> list[str]:
    """Each case's call, and what is wrong with its answer."""
    failures: list[str] = []
    acted: set[str] = set()
    for case in run:
        reply = town.caller(case.role, ANN).call(method, paths[case.side], bodies[case.side])
        problem = _judge(town, entry, case, reply, again=method != "GET" and case.side in acted)
        if problem:
            failures.append(f"{case}: {problem} — {reply.status} {reply.body}")
        elif case.expect == "answered":
            acted.add(case.side)
    return failures


def _tables_of(package: Contribution) -> tuple[str, ...]:
    """What a refused call could have changed: its package's tables and the idempotency records."""
    return (*(short_name(m) for m in models_of([package])), short_name(IdempotencyModel))


def _path(template: str, entry: Row, town: Town, side: str) -> str:
    path = template.format(**entry.target(town, side)) if entry.target is not None else template
    return f"{path}?{entry.query(town)}" if entry.query is not None else path


def _judge(town: Town, entry: Row, case: Case, reply: Reply, *, again: bool) -> str | None:
    """What is wrong with this answer (None: nothing)."""
    if case.expect == "refused":
        return None if reply.status in entry.refused and reply.is_problem else f"expected {sorted(entry.refused)}"
    if case.expect == "not_found":
        return None if reply.status == 404 and reply.is_problem else "expected 404 for someone else's"
    if reply.status == 409 and again:
        return None  # the first of its callers already moved it on: still theirs to act on
    if reply.status not in (200, 201, 204):
        return "expected an answer"
    manages = case.role == OPS or (case.role in entry.who and case.side == ANN)
    private = entry.private if not manages else frozenset()
    return _leak(town, case.role, ANN, reply.body, private, members=not entry.describes_the_api)


def _leak(town: Town, role: str, side: str, body: Any, private: frozenset[str] = frozenset(), *,
          members: bool = True) -> str | None:
    """What this party is shown that it may not see (None: nothing)."""
    leaked = _values(body) & town.markers(role, side)
    if leaked:
        return f"shows ids it may not see: {sorted(leaked)}"
    if not members:
        return None
    shown = member_names(body) & (NEVER_SHOWN.get(role, frozenset()) | private)
    return f"shows members it may not see: {sorted(shown)}" if shown else None


def _values(tree: Any) -> set[str]:
    if isinstance(tree, dict):
        return {v for value in tree.values() for v in _values(value)}
    if isinstance(tree, list):
        return {v for value in tree for v in _values(value)}
    return {tree} if isinstance(tree, str) else set()


