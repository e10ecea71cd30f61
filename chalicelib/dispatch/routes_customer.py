"""Installation requests as the customer app sees them (and `POST /installations`, which ops use
too, and `GET /installations/{id}`, which every party of the request may read in its own view)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.dispatch.model import Installation
from chalicelib.dispatch.service import DispatchServices
from chalicelib.dispatch.views import customer_view, dispatch_view, ops_view, page_view
from chalicelib.http.routing import Call, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.dispatch import schemas, view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.dispatch.schemas")
    view_models = models_module("chalicelib.dispatch.view_models")

routes = Routes(__name__, DispatchServices)
Dispatch = Call[DispatchServices]


def view_for(call: Dispatch, installation: Installation) -> dict[str, Any]:
    caller = call.principal
    if caller.role is Role.OPS:
        return ops_view(installation, call.now)
    if caller.role is Role.INSTALLER:
        return dispatch_view(installation, caller.sub, call.now)
    return customer_view(installation, call.now)


@routes.route("/installations", methods=["POST"], roles=(Role.CUSTOMER, Role.OPS), status=201,
              body=lambda: schemas.InstallationIn,
              response=lambda: view_models.InstallationView, idempotent=True)
def create_installation(call: Dispatch) -> dict[str, Any]:
    """A customer (or ops, naming the customer) requests an installation; it is dispatched at once."""
    return view_for(call, call.services.installations.create(call.principal, call.body(schemas.InstallationIn)))


@routes.route("/installations", methods=["GET"], roles=(Role.CUSTOMER,),
              response=lambda: responses.TimedPage[view_models.CustomerInstallationView])
def my_installations(call: Dispatch) -> dict[str, Any]:
    """The customer's requests, newest first."""
    page = call.services.installations.customer_requests(call.principal, *call.page())
    return page_view(page, call.now, customer_view)


@routes.route("/installations/{installation_id}", methods=["GET"], roles=(Role.CUSTOMER, Role.INSTALLER, Role.OPS),
              response=lambda: view_models.InstallationView)
def get_installation(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """A request in the caller's view: the customer's (installer and code once confirmed), the
    installer's (their dispatch), or ops' (everything)."""
    return view_for(call, call.services.installations.get(call.principal, installation_id))


@routes.route("/installations/{installation_id}/cancel", methods=["POST"], roles=(Role.CUSTOMER, Role.OPS),
              body=lambda: schemas.CancelIn, body_required=False, response=lambda: view_models.InstallationView)
def cancel_installation(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """The customer (or ops) cancels a request (optionally with a reason)."""
    body = call.optional_body(schemas.CancelIn)
    reason = None if body is None else body.reason
    return view_for(call, call.services.installations.cancel(call.principal, installation_id, reason))
