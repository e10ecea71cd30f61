"""Routes of the installer app: my dispatches, confirm/start/complete, photo uploads, my location
and my ledger."""

from __future__ import annotations

from typing import Any

from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.dispatch.views import dispatch_view, installer_view, ledger_view, page_view
from chalicelib.http.dispatch_schemas import DispatchActionIn, LocationIn, PhotoIn
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


def _dispatch(call: Call, installation: Any) -> dict[str, Any]:
    return dispatch_view(installation, call.principal.sub, call.now)


@routes.route("/installer/me", methods=["GET"])
def me(call: Call) -> dict[str, Any]:
    return installer_view(call.app.workforce.installer(call.principal, call.principal.sub))


@routes.route("/installer/location", methods=["PUT"])
def report_location(call: Call) -> dict[str, Any]:
    return installer_view(call.app.workforce.locate(call.principal, call.body(LocationIn)))


@routes.route("/installer/dispatches", methods=["GET"])
def my_dispatches(call: Call) -> dict[str, Any]:
    scope = call.query("status") or "open"
    if scope not in ("open", "all"):
        raise MalformedRequest("unknown status filter", [FieldError("status", "open or all")])
    page = call.app.installations.installer_requests(call.principal, scope == "open", *call.page())
    return page_view(page, call.now, lambda i, now: dispatch_view(i, call.principal.sub, now))


@routes.route("/installer/dispatches/{installation_id}", methods=["GET"])
def get_dispatch(call: Call, installation_id: str) -> dict[str, Any]:
    return _dispatch(call, call.app.installations.get(call.principal, installation_id))


@routes.route("/installer/dispatches/{installation_id}/actions", methods=["POST"])
def act_on_dispatch(call: Call, installation_id: str) -> dict[str, Any]:
    body = call.body(DispatchActionIn)
    return _dispatch(call, call.app.installations.act(call.principal, installation_id, body))


@routes.route("/installer/dispatches/{installation_id}/photos", methods=["POST"], status=201)
def request_photo_upload(call: Call, installation_id: str) -> dict[str, Any]:
    return call.app.installations.photo_upload(call.principal, installation_id, call.body(PhotoIn))


@routes.route("/installer/ledger", methods=["GET"])
def my_ledger(call: Call) -> dict[str, Any]:
    page = call.app.workforce.ledger(call.principal, call.principal.sub, *call.page())
    return {"items": [ledger_view(e) for e in page.items], "next_token": page.next_token}
