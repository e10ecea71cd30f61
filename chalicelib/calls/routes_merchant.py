"""Calls as a merchant's console sees them: answering (first terminal wins), declining, asking
for the details, hanging up, rejoining after a reconnect; and the merchant's ring deadline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.calls.call import Side
from chalicelib.calls.services import CallServices
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:
    from chalicelib.calls import schemas, view_models
else:
    schemas = models_module("chalicelib.calls.schemas")
    view_models = models_module("chalicelib.calls.view_models")

routes = Routes(__name__, CallServices)
Calls = Call[CallServices]
MERCHANT = (Role.MERCHANT,)


@routes.route("/merchant/calls/{call_id}/answer", methods=["POST"], roles=MERCHANT, body=lambda: schemas.TerminalIn,
              response=lambda: view_models.CallView)
def answer_call(call: Calls, call_id: str) -> dict[str, Any]:
    """Take the call on this terminal: the first answer wins (the others get `call.answered_elsewhere`);
    a late or second answer is 409. The answer carries this terminal's ICE settings."""
    calls = call.services.calls
    return calls.view(call.principal, calls.answer(call.principal, call_id,
                                                   call.body(schemas.TerminalIn).connection_id), call.now)


@routes.route("/merchant/calls/{call_id}/decline", methods=["POST"], roles=MERCHANT,
              response=lambda: view_models.CallView)
def decline_call(call: Calls, call_id: str) -> dict[str, Any]:
    """Refuse a ringing call: every terminal stops ringing and the customer is told."""
    calls = call.services.calls
    return calls.view(call.principal, calls.decline(call.principal, call_id), call.now)


@routes.route("/merchant/calls/{call_id}/hangup", methods=["POST"], roles=MERCHANT,
              response=lambda: view_models.CallView)
def merchant_hang_up(call: Calls, call_id: str) -> dict[str, Any]:
    """End a connected call."""
    calls = call.services.calls
    return calls.view(call.principal, calls.hang_up(call.principal, call_id, Side.MERCHANT), call.now)


@routes.route("/merchant/calls/{call_id}/rejoin", methods=["POST"], roles=MERCHANT, body=lambda: schemas.TerminalIn,
              response=lambda: view_models.CallView)
def merchant_rejoin(call: Calls, call_id: str) -> dict[str, Any]:
    """After a reconnect, by the user who answered: signals go to this terminal now."""
    calls = call.services.calls
    return calls.view(call.principal, calls.rejoin(call.principal, call_id, Side.MERCHANT,
                                                   call.body(schemas.TerminalIn).connection_id), call.now)


@routes.route("/merchant/calls/{call_id}/details-request", methods=["POST"], roles=MERCHANT,
              response=lambda: view_models.CallView)
def request_details(call: Calls, call_id: str) -> dict[str, Any]:
    """"Please enter your details": the customer's app opens its input window (`details.requested`)."""
    calls = call.services.calls
    return calls.view(call.principal, calls.request_details(call.principal, call_id), call.now)


@routes.route("/merchant/call-settings", methods=["GET"], roles=MERCHANT, response=lambda: view_models.RingSettingsView)
def get_call_settings(call: Calls) -> dict[str, Any]:
    """How long this merchant's calls ring (default 30 s)."""
    return {"ring_s": call.services.calls.ring_s(call.principal)}


@routes.route("/merchant/call-settings", methods=["PUT"], roles=MERCHANT, body=lambda: schemas.RingSettingsIn,
              response=lambda: view_models.RingSettingsView)
def put_call_settings(call: Calls) -> dict[str, Any]:
    """Set how long this merchant's calls ring."""
    return {"ring_s": call.services.calls.set_ring_s(call.principal, call.body(schemas.RingSettingsIn).ring_s)}
