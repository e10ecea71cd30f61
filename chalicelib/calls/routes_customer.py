"""Calls as the customer app sees them: ringing a merchant, cancelling or hanging up, rejoining
after a reconnect, typing the details; and any party's (or ops') look at a call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.calls.call import DETAIL_FIELDS, DetailValue, Side
from chalicelib.calls.services import CallServices
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.calls import schemas, view_models
else:
    schemas = models_module("chalicelib.calls.schemas")
    view_models = models_module("chalicelib.calls.view_models")

routes = Routes(__name__, CallServices)
Calls = Call[CallServices]
CUSTOMER = (Role.CUSTOMER,)


@routes.route("/calls", methods=["POST"], roles=CUSTOMER, status=201, body=lambda: schemas.PlaceCallIn,
              response=lambda: view_models.CallView, idempotent=True, problems=(404,))
def place_call(call: Calls) -> dict[str, Any]:
    """Ring every connected terminal of the merchant until its ring deadline; a merchant with none
    connected is `merchant-offline` (409) and nothing rings."""
    body = call.body(schemas.PlaceCallIn)
    calls = call.services.calls
    return calls.view(call.principal, calls.place(call.principal, body.merchant_id, body.connection_id), call.now)


@routes.route("/calls/{call_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.MERCHANT, Role.OPS),
              response=lambda: view_models.CallView)
def get_call(call: Calls, call_id: str) -> dict[str, Any]:
    """The call's state, the caller's ICE settings while it is live, the details and its orders:
    what a terminal needs to resume after a reconnect."""
    calls = call.services.calls
    return calls.view(call.principal, calls.get(call.principal, call_id), call.now)


@routes.route("/calls/{call_id}/rejoin", methods=["POST"], roles=CUSTOMER, body=lambda: schemas.TerminalIn,
              response=lambda: view_models.CallView)
def rejoin_call(call: Calls, call_id: str) -> dict[str, Any]:
    """After a reconnect: signals go to this terminal now; it sends a new offer to renegotiate."""
    calls = call.services.calls
    return calls.view(call.principal, calls.rejoin(call.principal, call_id, Side.CUSTOMER,
                                                   call.body(schemas.TerminalIn).connection_id), call.now)


@routes.route("/calls/{call_id}/details", methods=["PATCH"], roles=CUSTOMER, body=lambda: schemas.DetailsIn,
              response=lambda: view_models.CallView)
def type_details(call: Calls, call_id: str) -> dict[str, Any]:
    """As the customer types: the changed fields, each with its edit's number; the merchant's form
    gets each field's newest text (`details.updated`), never an older one."""
    return _details(call, call_id, call.body(schemas.DetailsIn), submit=False)


@routes.route("/calls/{call_id}/details/submit", methods=["POST"], roles=CUSTOMER, body=lambda: schemas.DetailsIn,
              response=lambda: view_models.CallView)
def submit_details(call: Calls, call_id: str) -> dict[str, Any]:
    """The customer is done typing (with any last changes): `details.submitted` to the merchant."""
    return _details(call, call_id, call.body(schemas.DetailsIn), submit=True)


@routes.route("/calls/{call_id}/cancel", methods=["POST"], roles=CUSTOMER, response=lambda: view_models.CallView)
def cancel_call(call: Calls, call_id: str) -> dict[str, Any]:
    """Stop ringing (a connected call is hung up instead)."""
    calls = call.services.calls
    return calls.view(call.principal, calls.cancel(call.principal, call_id), call.now)


@routes.route("/calls/{call_id}/hangup", methods=["POST"], roles=CUSTOMER, response=lambda: view_models.CallView)
def hang_up_call(call: Calls, call_id: str) -> dict[str, Any]:
    """End a connected call (again: no change)."""
    calls = call.services.calls
    return calls.view(call.principal, calls.hang_up(call.principal, call_id, Side.CUSTOMER), call.now)


def _details(call: Calls, call_id: str, body: schemas.DetailsIn, *, submit: bool) -> dict[str, Any]:
    fields = body.fields
    typed = {name: DetailValue(given.version, given.value) for name in DETAIL_FIELDS
             if (given := getattr(fields, name)) is not None}
    calls = call.services.calls
    return calls.view(call.principal, calls.type_details(call.principal, call_id, typed, submit=submit), call.now)
