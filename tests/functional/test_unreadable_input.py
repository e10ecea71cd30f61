"""JSON that no route can read — nested past `MAX_DEPTH`, not UTF-8, holding a lone surrogate — is
a 400 problem naming `body` on every route that reads a body, and a 400 naming `next_token` on
every list; never the `RecursionError` 500 that `json.loads` alone gives on a 2 KB body. The routes
come from the route tables themselves (every package's, and the local stage's `/dev/tokens`), so a
new route is covered as soon as it is declared."""

from __future__ import annotations

import base64
import inspect
import re
from collections.abc import Iterator

import pytest
from chalice.app import Chalice
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.core.jsontext import MAX_DEPTH
from chalicelib.http.middleware import problem_bodies_for_framework_errors
from chalicelib.http.routing import Routes, RouteSpec
from devstack import tokens
from tests.conftest import World, watched
from tests.functional.api import Api, Reply
from tests.functional.crew import Crew
from tests.functional.market import Market
from tests.functional.shop import Shop

TABLES: list[Routes[object]] = [r for c in bootstrap.contributions() for r in c.routes] + [tokens.routes]
BODY_ROUTES = [(spec, method) for table in TABLES for spec in table.specs if spec.body is not None
               for method in spec.methods]
LISTS = [(spec, method) for table in TABLES for spec, view in table.views
         if "call.page()" in inspect.getsource(view) for method in spec.methods]  # type: ignore[arg-type]

UNREADABLE_BODIES = {
    "1,000 nested arrays": b"[" * 1_000 + b"]" * 1_000,
    "objects nested 3,000 deep": b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
    "one level too deep": b'{"a":' * MAX_DEPTH + b"[]" + b"}" * MAX_DEPTH,
    "UTF-16": '{"name": "Tea"}'.encode("utf-16"),
    "a lone surrogate in a name": b'{"\\ud800": 1}',
    "a lone surrogate in a value": b'{"name": "\\udc00", "note": "\\udc00", "label": "\\udc00"}',
    "a surrogate encoded as UTF-8": b'{"name": "\xed\xa0\x80"}',
}


def route_id(route: tuple[RouteSpec, str]) -> str:
    return f"{route[1]} {route[0].path}"


@pytest.fixture
def every_route(world: World) -> Iterator[Client]:
    """The app's routes and the local stage's `/dev/tokens`, as the local stack serves them."""
    app = Chalice(app_name="ontime-every-route")
    app.register_middleware(problem_bodies_for_framework_errors, "http")
    for table in TABLES:
        app.register_blueprint(table.bound_to(bootstrap.container))
    with Client(app) as client:
        yield watched(client)


def refused(reply: Reply, field: str) -> bool:
    return reply.status == 400 and reply.is_problem and reply.error_fields == [field]


def test_the_tables_list_the_routes_this_file_is_about() -> None:
    assert {"POST /orders", "POST /purchases", "POST /dev/tokens", "PUT /installer/location"} <= set(
        map(route_id, BODY_ROUTES))
    assert len(LISTS) >= 17


@pytest.mark.parametrize("body", UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys())
@pytest.mark.parametrize("route", BODY_ROUTES, ids=map(route_id, BODY_ROUTES))
def test_a_body_no_route_can_read_is_a_400_problem_naming_the_body(
        world: World, every_route: Client, route: tuple[RouteSpec, str], body: bytes) -> None:
    spec, method = route
    path = re.sub(r"\{[^}]+\}", "x1", spec.path)  # every route reads its body before it looks anything up
    reply = Api(every_route, world.token("ops", "ops-1")).call(method, path, raw=body)
    assert refused(reply, "body"), reply.body


@pytest.fixture
def callers(world: World, client: Client, shop: Shop, crew: Crew) -> list[Api]:
    """Merchant m1, supplier s_shoes and installer i1 exist; one caller of each role."""
    Market(world, client).open()
    crew.hire("i1")
    return [Api(client, world.token(*claims[:2], **claims[2])) for claims in (
        ("ops", "ops-1", {}), ("customer", "u1", {}), ("merchant", "staff-1", {"merchant_id": "m1"}),
        ("installer", "i1", {}), ("supplier", "s_shoes-clerk", {"supplier_id": "s_shoes"}))]


PATH_VALUES = {"merchant_id": "m1", "supplier_id": "s_shoes", "installer_id": "i1", "deal_id": "deal_1"}
NESTED_TOKENS = {
    "1,000 nested arrays": base64.urlsafe_b64encode(b"[" * 1_000 + b"]" * 1_000).decode().rstrip("="),
    "a lone surrogate": base64.urlsafe_b64encode(b'{"pk": {"S": "\\ud800"}}').decode().rstrip("="),
}


@pytest.mark.parametrize("token", NESTED_TOKENS.values(), ids=NESTED_TOKENS.keys())
@pytest.mark.parametrize("route", LISTS, ids=map(route_id, LISTS))
def test_a_page_token_no_list_can_read_is_a_400_problem_naming_it(
        callers: list[Api], route: tuple[RouteSpec, str], token: str) -> None:
    spec, method = route
    path = spec.path.format(**PATH_VALUES)
    readers = [caller for caller in callers if caller.call(method, path).status == 200]
    assert readers, f"no caller here may read {path}"
    for caller in readers:
        reply = caller.call(method, f"{path}?next_token={token}")
        assert refused(reply, "next_token"), reply.body
