"""The building blocks of every response model: what a route declares it answers.

A package renders its bodies in `<package>/views.py` (`order_view`) and declares the model of each
in `<package>/view_models.py` (`OrderView`). The models describe the API (its documents are
generated from them) and, with `validate_responses` on, check every answer in the tests and the
local stack, so the two cannot drift apart; they live apart because the views are rendered where
no request body is read (an alarm's push, a socket's `list_pending`), which must not import
pydantic (≈ 40 ms at a container's first use). Only route modules, messages and documents import
the models, and those are built only when first used (`defer_build`).
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

T = TypeVar("T")

Timestamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
"""ISO 8601 in UTC with milliseconds and a `Z` (api-conventions.md)."""


class ResponseBody(BaseModel):
    """A response body: every member declared (an undeclared one fails validation)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class MoneyView(ResponseBody):
    amount: int
    currency: str


class AddressView(ResponseBody):
    line1: str
    city: str
    line2: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lng: float | None = None


class Page(ResponseBody, Generic[T]):
    """One page of a list; `next_token` (opaque) asks for the next one."""

    items: list[T]
    next_token: str | None


class TimedPage(Page[T], Generic[T]):
    """A page of things with windows, with the server's time for every countdown on it."""

    server_time: Timestamp


class Items(ResponseBody, Generic[T]):
    """A short list that is never paged."""

    items: list[T]


class FieldProblem(ResponseBody):
    field: str
    """Where in the request: `items[0].quantity`, `limit`, `body`."""
    message: str


class Problem(ResponseBody):
    """An RFC 9457 problem (`application/problem+json`), the body of every 4xx and 5xx answer.
    Besides the standard members a problem may carry extension members of its type (`merchant_id`)."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    type: str
    """A URI reference naming the kind of problem: `/problems/window-closed`."""
    title: str
    status: int
    detail: str
    instance: str | None = None
    """The request's path."""
    errors: list[FieldProblem] | None = None
    """Every offending field, for a malformed (400) or semantically invalid (422) request."""
