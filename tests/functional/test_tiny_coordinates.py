"""A coordinate too small for DynamoDB's numbers (|x| < 1e-130, a float such as 2.6e-201 that
schemathesis sent) is a point on the equator or the meridian, stored as 0: never a 500."""

from __future__ import annotations

from chalice.test import Client

from chalicelib.http.fields import PointIn
from tests.conftest import World
from tests.functional.api import Api


def test_a_coordinate_too_small_to_store_is_taken_as_zero(world: World, client: Client) -> None:
    customer = Api(client, world.token("customer", "u1"))
    reply = customer.post("/me/addresses", {"label": "Home", "address": {
        "line1": "1 Road", "city": "Quito", "lat": -2.665696756101295e-201, "lng": 1e-300}})
    assert reply.status == 201, reply.body
    assert reply.body["address"]["lat"] == 0 and reply.body["address"]["lng"] == 0


def test_a_coordinate_keeps_about_a_centimetre() -> None:
    point = PointIn.model_validate({"lat": 31.230412345678, "lng": 121.4737})
    assert (point.lat, point.lng) == (31.2304123, 121.4737)
