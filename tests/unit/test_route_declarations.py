"""Every route states what it takes and what it answers, so the API document can be generated from
the route table; a view reads its body only through the declared model, and with
`validate_responses` on an answer that is not its declared model fails (the tests run with it on)."""

from __future__ import annotations

import inspect

import pytest
from chalice.app import Response
from pydantic import TypeAdapter

from chalicelib.bootstrap import contributions
from chalicelib.http.routing import NoContent, Routes, RouteSpec, UndeclaredResponse, _check_response
from devstack import tokens

TABLES: list[Routes[object]] = [r for c in contributions() for r in c.routes] + [tokens.routes]
SPECS: list[tuple[RouteSpec, object]] = [(spec, view) for table in TABLES for spec, view in table.views]
IDS = [f"{' '.join(s.methods)} {s.path}" for s, _ in SPECS]
READS_A_BODY = ("call.body(", "call.optional_body(")


@pytest.mark.parametrize(("spec", "view"), SPECS, ids=IDS)
def test_every_route_declares_its_answer_and_a_summary(spec: RouteSpec, view: object) -> None:
    assert spec.responses, "declare response= (or responses=)"
    assert spec.status in spec.responses
    assert spec.summary, "the view's docstring is the route's summary"


@pytest.mark.parametrize(("spec", "view"), SPECS, ids=IDS)
def test_a_route_declares_a_body_exactly_when_its_view_reads_one(spec: RouteSpec, view: object) -> None:
    reads = any(marker in inspect.getsource(view) for marker in READS_A_BODY)  # type: ignore[arg-type]
    assert reads == (spec.body is not None)


@pytest.mark.parametrize(("spec", "view"), SPECS, ids=IDS)
def test_every_declared_model_has_a_json_schema(spec: RouteSpec, view: object) -> None:
    for model in spec.responses.values():
        if model is not NoContent:
            assert TypeAdapter(model).json_schema()
    if spec.body is not None:
        assert spec.body.model_json_schema()["type"] == "object"


def _spec(view: str) -> RouteSpec:
    return next(spec for spec, _ in SPECS if spec.view == view)


def test_an_answer_missing_a_declared_member_is_caught() -> None:
    with pytest.raises(UndeclaredResponse, match="revoke_after_s"):
        _check_response(_spec("get_area"), Response(body={"area_id": "a", "name": "n"}, status_code=200))


def test_an_answer_with_an_undeclared_member_is_caught() -> None:
    body = {"status": "ok", "stage": "dev", "server_time": "2026-12-01T00:00:00.000Z", "secret": "x"}
    with pytest.raises(UndeclaredResponse, match="secret"):
        _check_response(_spec("health"), Response(body=body, status_code=200))


def test_an_undeclared_status_is_caught() -> None:
    with pytest.raises(UndeclaredResponse, match="202"):
        _check_response(_spec("health"), Response(body={}, status_code=202))


def test_a_no_content_answer_with_a_body_is_caught() -> None:
    with pytest.raises(UndeclaredResponse, match="no body"):
        _check_response(_spec("delete_address"), Response(body={"gone": True}, status_code=204))


def test_a_union_answer_takes_any_of_its_views() -> None:
    public = {"supplier_id": "s1", "name": "Shoes", "currency": "CNY"}
    _check_response(_spec("get_supplier"), Response(body=public, status_code=200))
    with pytest.raises(UndeclaredResponse):
        _check_response(_spec("get_supplier"), Response(body={**public, "active": True}, status_code=200))


@pytest.mark.parametrize(("spec", "view"), SPECS, ids=IDS)
def test_every_creating_post_honours_the_idempotency_key(spec: RouteSpec, view: object) -> None:
    if "POST" in spec.methods and spec.status == 201 and not spec.public:
        assert spec.idempotent, "a creating POST declares idempotent=True"


def test_a_creating_post_declared_without_the_idempotency_key_is_refused() -> None:
    with pytest.raises(TypeError, match="idempotent=True"):
        Routes("somewhere").route("/things", methods=["POST"], status=201, response=NoContent)


def test_a_public_route_cannot_honour_an_idempotency_key_it_has_no_caller_for() -> None:
    with pytest.raises(TypeError, match="public"):
        Routes("somewhere").route("/things", methods=["POST"], status=201, public=True, response=NoContent,
                                  idempotent=True)
