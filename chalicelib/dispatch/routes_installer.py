"""Routes of the installer app: my dispatches, confirm/start/complete, photo uploads, my location
and my ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.dispatch.model import Installation
from chalicelib.dispatch.service import DispatchServices
from chalicelib.dispatch.views import dispatch_view, installer_view, ledger_view, page_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Query, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.dispatch import schemas, view_models
    from chalicelib.http import fields, responses
else:
    fields = models_module("chalicelib.http.fields")
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.dispatch.schemas")
    view_models = models_module("chalicelib.dispatch.view_models")

routes = Routes(__name__, DispatchServices)
Dispatch = Call[DispatchServices]


def _dispatch(call: Dispatch, installation: Installation) -> dict[str, Any]:
    return dispatch_view(installation, call.principal.sub, call.now)


@routes.route("/installer/me", methods=["GET"], roles=(Role.INSTALLER,), response=lambda: view_models.InstallerView)
def me(call: Dispatch) -> dict[str, Any]:
    """The installer's own profile, workload and location."""
    return installer_view(call.services.workforce.installer(call.principal, call.principal.sub))


@routes.route("/installer/location", methods=["PUT"], roles=(Role.INSTALLER,), body=lambda: fields.PointIn,
              response=lambda: view_models.InstallerView)
def report_location(call: Dispatch) -> dict[str, Any]:
    """The installer app reports where the installer is (used to choose who is nearest)."""
    return installer_view(call.services.workforce.locate(call.principal, call.body(fields.PointIn)))


@routes.route("/installer/dispatches", methods=["GET"], roles=(Role.INSTALLER,),
              response=lambda: responses.TimedPage[view_models.AnyDispatchView],
              query={"status": Query("`open` (default): dispatches still to do; `all`", ("open", "all"))})
def my_dispatches(call: Dispatch) -> dict[str, Any]:
    """The installer's dispatches: `?status=open` (default) or `all`."""
    scope = call.query("status") or "open"
    if scope not in ("open", "all"):
        raise MalformedRequest("unknown status filter", [FieldError("status", "open or all")])
    page = call.services.installations.installer_requests(call.principal, scope == "open", *call.page())
    return page_view(page, call.now, lambda i, now: dispatch_view(i, call.principal.sub, now))


@routes.route("/installer/dispatches/{installation_id}", methods=["GET"], roles=(Role.INSTALLER,),
              response=lambda: view_models.AnyDispatchView)
def get_dispatch(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """One dispatch with its confirmation deadline (or only that it was revoked)."""
    call.principal.require(Role.INSTALLER)  # the customer and ops read it at /installations/{id}, in their views
    return _dispatch(call, call.services.installations.get(call.principal, installation_id))


@routes.route("/installer/dispatches/{installation_id}/actions", methods=["POST"], roles=(Role.INSTALLER,),
              body=lambda: schemas.DispatchActionIn, response=lambda: view_models.AnyDispatchView)
def act_on_dispatch(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """Confirm, start, or complete (with the customer's service code and the uploaded photos)."""
    body = call.body(schemas.DispatchActionIn)
    return _dispatch(call, call.services.installations.act(call.principal, installation_id, body))


@routes.route("/installer/dispatches/{installation_id}/photos", methods=["POST"], roles=(Role.INSTALLER,), status=201,
              body=lambda: schemas.PhotoIn, response=lambda: view_models.PhotoUploadView, idempotent=True)
def request_photo_upload(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """A presigned POST for one completion photo, straight to S3."""
    return call.services.installations.photo_upload(call.principal, installation_id, call.body(schemas.PhotoIn))


@routes.route("/installer/ledger", methods=["GET"], roles=(Role.INSTALLER,),
              response=lambda: responses.Page[view_models.LedgerEntryView])
def my_ledger(call: Dispatch) -> dict[str, Any]:
    """The installer's own deductions, newest first."""
    page = call.services.workforce.ledger(call.principal, call.principal.sub, *call.page())
    return list_body(page, ledger_view)
