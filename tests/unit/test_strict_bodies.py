"""Every request body takes JSON's own types, as documented: lax pydantic reads `"5"` and `true` as
the number 5 and 1 and an integer as a time; no field of any route's body does. Each scalar field
of each declared body model (found by walking the models, so new fields are covered) is sent
values that lax mode would coerce into valid ones, and each must be refused at that field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib.bootstrap import contributions
from chalicelib.http.fields import AddressIn, PointIn
from devstack import tokens
from tests.schema_walk import COERCIBLE, Path, body_with, scalar_fields

BODIES = sorted({spec.body for routes in [*(r for c in contributions() for r in c.routes), tokens.routes]
                 for spec in routes.specs if spec.body is not None}, key=lambda model: model.__name__)
CASES = [(model, path, value) for model in BODIES for path, kind in dict(scalar_fields(model)).items()
         for value in COERCIBLE[kind]]


def test_the_walk_finds_every_coordinate_and_the_preferred_time() -> None:
    found = {(model.__name__, path) for model, path, _ in CASES}
    assert {("PointIn", ("lat",)), ("PointIn", ("lng",)), ("SavedAddressIn", ("address", "lat")),
            ("PlaceOrderIn", ("delivery_address", "lng")), ("PurchaseIn", ("sections", 0, "address", "lat")),
            ("InstallationIn", ("address", "lat")), ("ShipIn", ("position", "lng")),
            ("InstallationIn", ("preferred_time",))} <= found


@pytest.mark.parametrize(("model", "path", "value"), CASES,
                         ids=[f"{m.__name__}.{'.'.join(map(str, p))}={v!r}" for m, p, v in CASES])
def test_no_field_of_any_body_coerces_another_json_type(model: type[BaseModel], path: Path, value: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body_with(path, value))
    assert path in {tuple(error["loc"]) for error in refused.value.errors()}


@pytest.mark.parametrize("value", [31, 31.5, -90, 90, 0])
def test_a_coordinate_is_any_json_number_in_range_integers_too(value: float) -> None:
    point = PointIn.model_validate({"lat": value, "lng": value * 2})
    assert (point.lat, point.lng) == (value, value * 2) and isinstance(point.lat, float)


@pytest.mark.parametrize("value", [90.0001, -91, float("inf"), float("-inf"), float("nan"), True, False, "31.2", "31"])
def test_a_coordinate_out_of_range_not_finite_or_not_a_number_is_refused(value: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        AddressIn.model_validate({"line1": "1 Road", "city": "Shanghai", "lat": value, "lng": 121})
    assert [error["loc"] for error in refused.value.errors()] == [("lat",)]
