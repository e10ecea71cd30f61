"""Coordinates are JSON numbers — integers too —, finite and in range, on every route that takes
one: `{"lat": true}` used to be stored as 1.0 and `{"lat": "31.2"}` as 31.2. The routes are found
in the route tables by walking their body models, so a new route with a point is covered too."""

from __future__ import annotations

import json
import re

import pytest

from chalicelib.bootstrap import contributions
from chalicelib.http.routing import RouteSpec
from tests.conftest import World
from tests.functional.api import Api
from tests.functional.crew import NEAR, Crew
from tests.schema_walk import Path, body_with, field_name, scalar_fields

COORDINATE_ROUTES = [(spec, method, path) for c in contributions() for routes in c.routes for spec in routes.specs
                     if spec.body is not None for method in spec.methods
                     for path, kind in scalar_fields(spec.body) if kind is float and path[-1] in ("lat", "lng")]
NOT_COORDINATES = {"true": "true", "false": "false", "a numeric string": '"31.2"', "an integer string": '"31"',
                   "infinite": "1e999", "out of range": "-181", "an array": "[31, 121]"}


def route_id(route: tuple[RouteSpec, str, Path]) -> str:
    return f"{route[1]} {route[0].path} {field_name(route[2])}"


def test_the_routes_with_coordinates_are_found() -> None:
    routes = {f"{method} {spec.path}" for spec, method, _ in COORDINATE_ROUTES}
    assert {"PUT /installer/location", "POST /parcels/{sub_order_id}/positions", "POST /parcels/{sub_order_id}/ship",
            "POST /installations", "POST /me/addresses", "PUT /me/addresses/{address_id}", "POST /orders",
            "POST /orders/{order_id}/resubmit", "POST /purchases"} <= routes


@pytest.mark.parametrize("raw", NOT_COORDINATES.values(), ids=NOT_COORDINATES.keys())
@pytest.mark.parametrize("route", COORDINATE_ROUTES, ids=map(route_id, COORDINATE_ROUTES))
def test_a_coordinate_that_is_not_a_finite_json_number_in_range_is_refused_at_its_field(
        crew: Crew, route: tuple[RouteSpec, str, Path], raw: str) -> None:
    spec, method, path = route
    body = json.dumps(body_with(path, "SENTINEL")).replace('"SENTINEL"', raw)
    reply = crew.ops.call(method, re.sub(r"\{[^}]+\}", "x1", spec.path), raw=body)
    assert reply.status == 400 and reply.is_problem
    assert field_name(path) in reply.error_fields, reply.body


@pytest.mark.parametrize("point", [{"lat": True, "lng": 121.47}, {"lat": "31.24", "lng": 121.47},
                                   {"lat": 31.24, "lng": False}, {"lat": 31.24, "lng": "121"}])
def test_an_installer_s_location_stays_where_it_was_when_the_new_one_is_not_numbers(
        crew: Crew, point: dict[str, object]) -> None:
    installer = crew.hire("i1", at=NEAR)
    reply = installer.put("/installer/location", point)
    assert reply.status == 400 and reply.error_fields == [next(k for k, v in point.items() if type(v) is not float)]
    location = installer.get("/installer/me").body["location"]
    assert (location["lat"], location["lng"]) == NEAR


def test_integer_coordinates_are_numbers_like_any_other(crew: Crew) -> None:
    installer = crew.hire("i1")
    reply = installer.put("/installer/location", {"lat": 31, "lng": 121})
    assert reply.status == 200 and (reply.body["location"]["lat"], reply.body["location"]["lng"]) == (31, 121)


def test_a_saved_address_whose_point_is_text_is_refused_and_not_saved(world: World, crew: Crew) -> None:
    customer = Api(crew.client, world.token("customer", "u1"))
    address = {"line1": "8 Garden Road", "city": "Shanghai", "lat": "31.2304", "lng": True}
    reply = customer.post("/me/addresses", {"label": "Home", "address": address})
    assert reply.status == 400 and reply.error_fields == ["address.lat", "address.lng"]
    assert customer.get("/me/addresses").body["items"] == []


@pytest.mark.parametrize("when", [1_795_000_000, "1795000000", 1_795_000_000.5, True])
def test_a_preferred_time_is_an_iso_8601_string_never_a_number_of_seconds(crew: Crew, when: object) -> None:
    reply = crew.request(crew.request_body(preferred_time=when))
    assert reply.status == 400 and reply.error_fields == ["preferred_time"]
    assert crew.ops.get("/ops/installations").body["items"] == []
