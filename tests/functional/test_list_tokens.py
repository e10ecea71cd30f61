"""Every list's `next_token` is ours, for that list and that caller: a client-made start key, another
list's token, another caller's or a stale one is a 400 naming `next_token` on every list route
(enumerated from the route tables), never a 500 and never a page."""

from __future__ import annotations

import base64
from string import Formatter
from typing import Any, get_args

import pytest
from chalice.test import Client

from chalicelib.bootstrap import contributions
from chalicelib.http.page_tokens import DEFAULT_MAX_AGE_S
from chalicelib.http.routing import RouteSpec
from chalicelib.persistence.paging import encode_token
from tests.conftest import World
from tests.functional.api import Api, Reply
from tests.functional.shop import Shop


def _pages(model: Any) -> bool:
    return any("next_token" in getattr(m, "model_fields", {}) for m in (get_args(model) or (model,)))


LISTS: list[RouteSpec] = [spec for c in contributions() for table in c.routes for spec in table.specs
                          if "GET" in spec.methods and _pages(spec.responses.get(spec.status))]
PATH_VALUES = {"merchant_id": "m1", "supplier_id": "sup-1", "installer_id": "i-near"}
CALLERS: dict[str, tuple[str, str, dict[str, str]]] = {
    "/merchant/": ("merchant", "staff-1", {"merchant_id": "m1"}),
    "/supplier/": ("supplier", "staff-2", {"supplier_id": "sup-1"}),
    "/installer/": ("installer", "i-near", {}),
    "/orders": ("customer", "u1", {}), "/installations": ("customer", "u1", {}),
    "/purchases": ("customer", "u1", {}), "/purchase-records": ("customer", "u1", {}),
}
"""Who may read each list (ops, for the others): the token is refused before any role check anyway."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = {
    "a raw start key": encode_token({"id": {"S": "ord_zzz"}}) or "",
    "a start key of another shape": encode_token({"x": {"N": "1"}, "merchant_id": {"S": "m2"}}) or "",
    "a signed-looking envelope": f"{encode_token({'id': {'S': 'a'}})}.1795000000.{_b64(bytes(32))}",
}


def test_the_route_tables_name_every_list() -> None:
    assert len(LISTS) >= 17
    assert {"/merchant/orders", "/orders", "/suppliers/{supplier_id}/products", "/ops/installations"} <= {
        s.path for s in LISTS}


def _reader(world: World, client: Client, path: str) -> Api:
    role, sub, claims = next((who for prefix, who in CALLERS.items() if path.startswith(prefix)), ("ops", "ops-1", {}))
    return Api(client, world.token(role, sub, **claims))


def _refused(reply: Reply) -> None:
    assert reply.status == 400, reply.body
    assert reply.is_problem and reply.error_fields == ["next_token"]


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize("spec", LISTS, ids=[s.path for s in LISTS])
def test_a_forged_next_token_is_a_400_on_every_list(world: World, client: Client, spec: RouteSpec,
                                                    forged: str) -> None:
    names = [name for _, name, _, _ in Formatter().parse(spec.path) if name]
    path = spec.path.format(**{name: PATH_VALUES.get(name, "x1") for name in names})
    _refused(_reader(world, client, spec.path).get(f"{path}?next_token={forged}"))


def _first_page(api: Api, path: str) -> str:
    sep = "&" if "?" in path else "?"
    page = api.get(f"{path}{sep}limit=1")
    assert page.status == 200 and page.body["next_token"], page.body
    token: str = page.body["next_token"]
    return token


def _next(api: Api, path: str, token: str) -> Reply:
    sep = "&" if "?" in path else "?"
    return api.get(f"{path}{sep}limit=1&next_token={token}")


@pytest.fixture
def three_orders(shop: Shop) -> list[str]:
    placed = []
    for _ in range(3):
        placed.append(shop.placed()["order_id"])
        shop.world.clock.advance(1)
    return placed


def test_a_list_is_walked_to_its_end_with_the_tokens_it_hands_out(shop: Shop, three_orders: list[str]) -> None:
    seen, token = [], None
    while True:
        page = shop.merchant.get("/merchant/orders?status=pending&limit=1" + (f"&next_token={token}" if token else ""))
        assert page.status == 200
        seen += [o["order_id"] for o in page.body["items"]]
        token = page.body["next_token"]
        if token is None:
            break
    assert seen == three_orders


def test_a_token_with_one_character_changed_is_refused(shop: Shop, three_orders: list[str]) -> None:
    token = _first_page(shop.customer, "/orders")
    edited = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    _refused(_next(shop.customer, "/orders", edited))


def test_a_token_from_one_list_is_refused_on_another(shop: Shop, three_orders: list[str]) -> None:
    orders = _first_page(shop.customer, "/orders")
    for other in ("/purchases", "/installations", "/purchase-records"):
        _refused(_next(shop.customer, other, orders))


def test_a_token_for_one_filter_is_refused_with_another(shop: Shop, three_orders: list[str]) -> None:
    pending = _first_page(shop.merchant, "/merchant/orders?status=pending")
    assert _next(shop.merchant, "/merchant/orders?status=pending", pending).status == 200
    _refused(_next(shop.merchant, "/merchant/orders?status=all", pending))
    _refused(_next(shop.merchant, "/merchant/orders", pending))


def test_another_customer_cannot_use_a_customers_token(shop: Shop, three_orders: list[str]) -> None:
    mine = _first_page(shop.customer, "/orders")
    _refused(_next(shop.party("customer", "u2"), "/orders", mine))


def test_another_member_of_the_same_merchants_staff_cannot_use_ones_token(shop: Shop, three_orders: list[str]) -> None:
    mine = _first_page(shop.merchant, "/merchant/orders?status=all")
    colleague = shop.party("merchant", "staff-9", merchant_id="m1")
    _refused(_next(colleague, "/merchant/orders?status=all", mine))
    assert _next(shop.merchant, "/merchant/orders?status=all", mine).status == 200


def test_a_token_older_than_a_day_is_refused_and_the_list_starts_again(shop: Shop, three_orders: list[str]) -> None:
    token = _first_page(shop.customer, "/orders")
    shop.world.clock.advance(DEFAULT_MAX_AGE_S - 60)
    assert _next(shop.customer, "/orders", token).status == 200
    shop.world.clock.advance(120)
    stale = _next(shop.customer, "/orders", token)
    _refused(stale)
    assert "expired" in stale.body["errors"][0]["message"]
    assert shop.customer.get("/orders?limit=1").status == 200


def test_a_token_signed_by_a_container_with_the_previous_secret_still_works(
        world: World, client: Client, shop: Shop, three_orders: list[str]) -> None:
    from chalicelib.http.page_tokens import PageTokens
    from tests.conftest import PAGE_TOKEN_SECRET

    token = _first_page(shop.customer, "/orders")
    world.container.page_tokens = PageTokens([b"the-rotated-in-page-token-secret-32-bytes", PAGE_TOKEN_SECRET.encode()])
    assert _next(shop.customer, "/orders", token).status == 200
