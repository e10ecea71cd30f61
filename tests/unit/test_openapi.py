"""The OpenAPI document is generated from the route table: valid OpenAPI 3.1, one operation per
declared route with its roles, parameters, body (with examples that are valid bodies) and answers,
problems as RFC 9457 bodies; the generator stays off the path of every other request."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel

from chalicelib.auth.principal import Role
from chalicelib.bootstrap import contributions
from chalicelib.core.errors import FieldError, MalformedRequest, NotFound, WindowClosed
from chalicelib.http.openapi import openapi_document, path_parameters, request_examples
from chalicelib.http.problems import from_domain_error
from chalicelib.http.responses import Problem
from chalicelib.http.routing import ANY_ROLE, Routes, RouteSpec
from devstack import tokens
from infra.generate import OPENAPI_DOC, ROOT

GROUPS = [(c.name, routes) for c in contributions() for routes in c.routes]
SPECS: list[RouteSpec] = [spec for _, table in GROUPS for spec in table.specs]
IDS = [f"{' '.join(s.methods)} {s.path}" for s in SPECS]
BODIES: list[type[BaseModel]] = list(dict.fromkeys(
    s.body for s in [*SPECS, *tokens.routes.specs] if s.body is not None))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi_document(GROUPS)


def operation(document: dict[str, Any], spec: RouteSpec) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"][spec.path][spec.methods[0].lower()]
    return found


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"] == "3.1.0"


def test_the_committed_document_is_the_generated_one(document: dict[str, Any]) -> None:
    assert json.loads(OPENAPI_DOC.read_text()) == document, "run ./dev infra and commit docs/openapi.json"


def test_the_committed_document_leaves_out_the_local_stacks_token_route(document: dict[str, Any]) -> None:
    assert "/dev/tokens" not in document["paths"]
    local = openapi_document([*GROUPS, ("local", tokens.routes)])
    validate(local)
    assert local["paths"]["/dev/tokens"]["post"]["security"] == []


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_route_is_an_operation_with_its_roles_and_security(document: dict[str, Any], spec: RouteSpec) -> None:
    found = operation(document, spec)
    assert found["x-roles"] == [role.value for role in spec.roles]
    if spec.public:
        assert found["security"] == [] and "Public" in found["description"]
    else:
        assert found["security"] == [{"bearerAuth": []}]
        assert "Roles:" in found["description"]
        assert ("403" in found["responses"]) == (set(spec.roles) != set(ANY_ROLE))
        assert "401" in found["responses"]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_operation_lists_its_parameters(document: dict[str, Any], spec: RouteSpec) -> None:
    parameters = {(p["in"], p["name"]) for p in operation(document, spec).get("parameters", [])}
    expected = {("path", name) for name in path_parameters(spec.path)} | {("query", q) for q in spec.query}
    if spec.paged:
        expected |= {("query", "limit"), ("query", "next_token")}
    if spec.idempotent:
        expected.add(("header", "Idempotency-Key"))
    assert parameters == expected


def test_a_list_takes_limit_next_token_and_its_filters(document: dict[str, Any]) -> None:
    params = {p["name"]: p for p in document["paths"]["/merchant/orders"]["get"]["parameters"]}
    assert params["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
    assert params["next_token"]["schema"] == {"type": "string"}
    assert {"pending", "all", "new", "accepted"} <= set(params["status"]["schema"]["enum"])


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_answer_and_problem_has_a_schema(document: dict[str, Any], spec: RouteSpec) -> None:
    responses = operation(document, spec)["responses"]
    for status in spec.responses:
        assert str(status) in responses
    problems = [s for s in responses if s.startswith("4")]
    assert "429" in problems
    for status in problems:
        shared = document["components"]["responses"][f"Problem{status}"]
        assert shared["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_a_route_with_a_body_can_be_malformed_too_large_or_unacceptable(document: dict[str, Any]) -> None:
    responses = document["paths"]["/orders"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "413", "422", "429"} <= set(responses)
    body = document["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/PlaceOrderIn"}
    assert body["examples"]["example1"]["value"]["merchant_id"] == "m_demo"


def test_models_of_one_name_in_two_packages_are_told_apart_by_package(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert {"CatalogueProductIn", "CheckoutProductIn", "CatalogueProductView", "CheckoutProductView"} <= set(schemas)
    assert not [name for name in schemas if name.startswith("chalicelib")]
    assert "TimedPage_Union_DispatchView__RevokedDispatchView__" in schemas  # a generic's name stays whole


@pytest.mark.parametrize("model", BODIES, ids=[m.__name__ for m in BODIES])
def test_every_request_body_has_examples_that_are_valid_bodies(model: type[BaseModel]) -> None:
    examples = request_examples(model)
    assert examples, f"give {model.__name__} model_config = example({{…}}) (chalicelib/http/fields.py)"
    for example in examples:
        model.model_validate(example)


@pytest.mark.parametrize("error", [
    MalformedRequest("2 field(s) are not valid", [FieldError("items[0].quantity", "too big")]),
    NotFound("order ord_1 not found"),
    WindowClosed("the answer window closed", current_status="timed_out"),
], ids=lambda e: type(e).__name__)
def test_every_problem_body_is_what_the_document_says(error: Any) -> None:
    body = json.loads(from_domain_error(error, "/orders/ord_1").body)
    Problem.model_validate(body)


@pytest.mark.parametrize("spec", [*SPECS, *tokens.routes.specs], ids=[*IDS, "POST /dev/tokens"])
def test_a_route_names_who_may_call_it_unless_it_is_public(spec: RouteSpec) -> None:
    assert bool(spec.roles) != spec.public
    assert set(spec.roles) <= set(Role)


def test_the_document_says_who_may_call_an_operation(document: dict[str, Any]) -> None:
    found = document["paths"]["/orders/{order_id}"]["get"]
    assert found["x-roles"] == ["customer", "merchant", "ops"]
    assert found["description"].endswith("Roles: customer, merchant, ops.")
    assert document["paths"]["/health"]["get"]["description"].endswith("Public: no token needed.")


def test_two_views_of_one_name_get_distinct_operation_ids(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
    assert "dispatch.get_installation" in ids and "dispatch.ops.get_installation" in ids


def test_a_view_that_reads_an_undeclared_query_parameter_fails() -> None:
    table: Routes[None] = Routes("tests.unit.test_openapi")

    @table.route("/things", methods=["GET"], roles=ANY_ROLE, response=dict)
    def things(call: Any) -> dict[str, Any]:
        """Things."""
        return {"status": call.query("status")}

    from chalicelib.http.routing import Call

    call = Call(request=type("R", (), {"query_params": {"status": "x"}})(), caller=None,  # type: ignore[arg-type]
                services=None, runtime=None, spec=table.specs[0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="does not declare"):
        things(call)


def test_importing_the_app_imports_no_document_generator() -> None:
    probe = ("import sys, app; bad = [m for m in ('chalicelib.http.openapi', 'openapi_spec_validator', "
             "'schemathesis') if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True)
