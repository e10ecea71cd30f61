"""Money is `{"amount", "currency"}` everywhere on the wire (api-conventions.md), checked from the
models the routes declare: every request and response member named like money (`price`, `total`,
`amount`, `subtotal`, `shipping`, `discount`, `shipping_fee`, `amount_off`, …) is a money object, never
a bare number whose currency a client would have to guess. A new route or member that breaks the
rule fails here, whoever adds it."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from chalicelib.checkout.view_models import PurchaseView
from chalicelib.dispatch.view_models import DispatchView, OpsInstallationView, PhotoUploadView
from chalicelib.http.fields import MoneyIn
from chalicelib.http.responses import MoneyView, ResponseBody
from chalicelib.http.routing import NoContent
from chalicelib.orders.view_models import OrderView
from tests.unit.test_route_declarations import SPECS

MONEY_WORDS = frozenset({"price", "total", "amount", "subtotal", "shipping", "discount", "fee", "deduction", "off",
                         "cost", "balance"})
"""The last word of a member's name that says it is an amount of money (`unit_price`, `amount_off`)."""
MONEY_MODELS = (MoneyView, MoneyIn)
"""Their own `amount` is the integer inside the money object."""


def named_like_money(name: str) -> bool:
    return name.rsplit("_", 1)[-1] in MONEY_WORDS


def members(model: Any, seen: set[type] | None = None) -> Iterator[tuple[type[BaseModel], str, FieldInfo]]:
    """(owner, member name, declaration) of every member of `model` and of the models inside it."""
    seen = set() if seen is None else seen
    for inner in _models_in(model):
        if inner in seen:
            continue
        seen.add(inner)
        for name, info in inner.model_fields.items():
            yield inner, name, info
            yield from members(info.annotation, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _is(annotation: Any, kind: type[BaseModel]) -> bool:
    """`kind`, or `kind | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        annotation = kept[0] if len(kept) == 1 else annotation
    return isinstance(annotation, type) and issubclass(annotation, kind)


def offenders(model: Any, where: str, kind: type[BaseModel]) -> list[str]:
    return [f"{where} {owner.__name__}.{name}: {info.annotation}" for owner, name, info in members(model)
            if named_like_money(name) and not issubclass(owner, MONEY_MODELS) and not _is(info.annotation, kind)]


RESPONSES = [(f"{' '.join(s.methods)} {s.path} → {status}", model) for s, _ in SPECS
             for status, model in s.responses.items() if model is not NoContent]
REQUESTS = [(f"{' '.join(s.methods)} {s.path} ←", s.body) for s, _ in SPECS if s.body is not None]


def money_names(pairs: list[tuple[str, Any]]) -> set[str]:
    return {name for _, model in pairs for owner, name, _ in members(model)
            if named_like_money(name) and not issubclass(owner, MONEY_MODELS)}


@pytest.mark.parametrize(("where", "model"), RESPONSES, ids=[w for w, _ in RESPONSES])
def test_no_response_member_named_like_money_is_a_bare_number(where: str, model: Any) -> None:
    assert offenders(model, where, MoneyView) == []


@pytest.mark.parametrize(("where", "model"), REQUESTS, ids=[w for w, _ in REQUESTS])
def test_no_request_member_named_like_money_is_a_bare_number(where: str, model: Any) -> None:
    assert offenders(model, where, MoneyIn) == []


def test_the_rule_sees_the_money_of_every_workflow() -> None:
    """Not vacuous: the walk reaches the money members of the catalogue, orders, dispatch and checkout."""
    assert {"price", "unit_price", "total", "subtotal", "shipping", "discount", "deduction", "amount",
            "shipping_fee", "amount_off", "min_subtotal"} <= money_names(RESPONSES)
    assert {"price", "unit_price", "shipping_fee", "amount_off", "min_subtotal", "deduction"} <= money_names(REQUESTS)


def test_a_bare_number_named_like_money_is_caught() -> None:
    class LegacyView(ResponseBody):
        product_id: str
        unit_price: int
        total: int | None
        shipping_address: str

    class Wrapper(ResponseBody):
        lines: list[LegacyView]

    assert [o.split(": ")[0] for o in offenders(Wrapper, "GET /legacy", MoneyView)] == [
        "GET /legacy LegacyView.unit_price", "GET /legacy LegacyView.total"]


# ── times: ISO 8601 UTC with a Z; windows carry their absolute deadline beside `server_time` ──

TIME_WORDS = frozenset({"at", "time", "deadline", "eta"})


def _is_timestamp(info: FieldInfo) -> bool:
    """Takes `2026-11-22T08:15:00.000Z` and nothing else that looks like a time."""
    declared: TypeAdapter[Any] = TypeAdapter(
        Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)  # type: ignore[valid-type,arg-type]
    declared.validate_python("2026-11-22T08:15:00.000Z")
    for other in ("2026-11-22T08:15:00+00:00", "2026-11-22 08:15:00", "1795000000000", 1795000000000):
        with pytest.raises(ValidationError):
            declared.validate_python(other)
    return True


@pytest.mark.parametrize(("where", "model"), RESPONSES, ids=[w for w, _ in RESPONSES])
def test_every_response_member_named_like_a_time_is_an_iso_utc_timestamp(where: str, model: Any) -> None:
    for _, name, info in members(model):
        if name.rsplit("_", 1)[-1] in TIME_WORDS:
            assert _is_timestamp(info), name


@pytest.mark.parametrize(("view", "deadline"), [
    (OrderView, "answer_deadline"), (PurchaseView, "payment_deadline"), (DispatchView, "confirm_deadline"),
    (OpsInstallationView, "confirm_deadline"), (PhotoUploadView, "upload_deadline")])
def test_a_resource_with_a_window_carries_its_absolute_deadline_beside_the_server_time(
        view: type[BaseModel], deadline: str) -> None:
    assert {deadline, "server_time"} <= set(view.model_fields)
    assert _is_timestamp(view.model_fields[deadline])
