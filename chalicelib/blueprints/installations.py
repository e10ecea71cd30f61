"""Installation requests as the customer app sees them (and `POST /installations`, which ops use
too, and `GET /installations/{id}`, which every party of the request may read in its own view)."""

from __future__ import annotations

from typing import Any

from chalice.app import Response

from chalicelib.auth.principal import Role
from chalicelib.dispatch.views import customer_view, dispatch_view, ops_view, page_view
from chalicelib.http.dispatch_schemas import CancelIn, InstallationIn
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


def view_for(call: Call, installation: Any) -> dict[str, Any]:
    caller = call.principal
    if caller.role is Role.OPS:
        return ops_view(installation, call.now)
    if caller.role is Role.INSTALLER:
        return dispatch_view(installation, caller.sub, call.now)
    return customer_view(installation, call.now)


@routes.route("/installations", methods=["POST"], status=201)
def create_installation(call: Call) -> Response:
    return call.created_once(InstallationIn,
                             lambda body: view_for(call, call.app.installations.create(call.principal, body)))


@routes.route("/installations", methods=["GET"])
def my_installations(call: Call) -> dict[str, Any]:
    return page_view(call.app.installations.customer_requests(call.principal, *call.page()), call.now, customer_view)


@routes.route("/installations/{installation_id}", methods=["GET"])
def get_installation(call: Call, installation_id: str) -> dict[str, Any]:
    return view_for(call, call.app.installations.get(call.principal, installation_id))


@routes.route("/installations/{installation_id}/cancel", methods=["POST"])
def cancel_installation(call: Call, installation_id: str) -> dict[str, Any]:
    reason = call.body(CancelIn).reason if call.request.raw_body else None
    return view_for(call, call.app.installations.cancel(call.principal, installation_id, reason))
