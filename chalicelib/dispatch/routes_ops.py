"""Routes of the management console for installer dispatch: areas, installers and their ledgers,
and every installation request with filters, full history, manual assignment and cancellation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Role
from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.core.ids import is_id
from chalicelib.dispatch.model import Status
from chalicelib.dispatch.ports import InstallationFilter
from chalicelib.dispatch.service import DispatchServices
from chalicelib.dispatch.views import area_view, installer_view, ledger_view, ops_view, page_view
from chalicelib.http.lists import list_body
from chalicelib.http.routing import Call, Query, Routes, models_module

if TYPE_CHECKING:  # the models bring pydantic: imported where a view or a document first reads one
    from chalicelib.dispatch import schemas, view_models
    from chalicelib.http import responses
else:
    responses = models_module("chalicelib.http.responses")
    schemas = models_module("chalicelib.dispatch.schemas")
    view_models = models_module("chalicelib.dispatch.view_models")

routes = Routes(__name__, DispatchServices)
Dispatch = Call[DispatchServices]
INSTALLATION_FILTER = {
    "status": Query("only requests in this status", tuple(s.value for s in Status)),
    "area_id": Query("only requests in this area"),
    "installer_id": Query("only requests dispatched to this installer"),
    "flagged": Query("only requests ops were alerted about (`true`) or not (`false`)", ("true", "false")),
    "revoked": Query("only requests with (`true`) or without (`false`) a revoked dispatch", ("true", "false")),
}


# ── areas ───────────────────────────────────────────────────────────────────────────────────

@routes.route("/areas", methods=["POST"], roles=(Role.OPS,), status=201, body=lambda: schemas.AreaIn,
              response=lambda: view_models.AreaView, idempotent=True)
def create_area(call: Dispatch) -> dict[str, Any]:
    """Ops create an installation area with its escalation periods and deduction."""
    return area_view(call.services.workforce.create_area(call.principal, call.body(schemas.AreaIn)))


@routes.route("/areas", methods=["GET"], roles=(Role.OPS,), response=lambda: responses.Page[view_models.AreaView])
def list_areas(call: Dispatch) -> dict[str, Any]:
    """Every area (ops)."""
    return list_body(call.services.workforce.areas(call.principal, *call.page()), area_view)


@routes.route("/areas/{area_id}", methods=["GET"], roles=(Role.OPS,), response=lambda: view_models.AreaView)
def get_area(call: Dispatch, area_id: str) -> dict[str, Any]:
    """One area's settings (ops)."""
    call.principal.require(Role.OPS)
    return area_view(call.services.workforce.area(area_id))


@routes.route("/areas/{area_id}", methods=["PATCH"], roles=(Role.OPS,), body=lambda: schemas.AreaPatch,
              response=lambda: view_models.AreaView)
def patch_area(call: Dispatch, area_id: str) -> dict[str, Any]:
    """Change an area's name, periods or deduction (running dispatches keep theirs)."""
    return area_view(call.services.workforce.patch_area(call.principal, area_id, call.body(schemas.AreaPatch)))


# ── installers ──────────────────────────────────────────────────────────────────────────────

@routes.route("/installers", methods=["POST"], roles=(Role.OPS,), status=201, body=lambda: schemas.InstallerIn,
              response=lambda: view_models.InstallerView, idempotent=True)
def create_installer(call: Dispatch) -> dict[str, Any]:
    """Ops add an installer with the areas they cover."""
    return installer_view(call.services.workforce.create_installer(call.principal, call.body(schemas.InstallerIn)))


@routes.route("/installers", methods=["GET"], roles=(Role.OPS,),
              response=lambda: responses.Page[view_models.InstallerView],
              query={"area_id": Query("only installers covering this area")})
def list_installers(call: Dispatch) -> dict[str, Any]:
    """Installers, optionally those covering `?area_id=` (ops)."""
    area = _id_query(call, "area_id")
    return list_body(call.services.workforce.installers(call.principal, area, *call.page()), installer_view)


@routes.route("/installers/{installer_id}", methods=["GET"], roles=(Role.OPS, Role.INSTALLER),
              response=lambda: view_models.InstallerView)
def get_installer(call: Dispatch, installer_id: str) -> dict[str, Any]:
    """An installer's profile, workload and location (ops, or the installer)."""
    return installer_view(call.services.workforce.installer(call.principal, installer_id))


@routes.route("/installers/{installer_id}", methods=["PATCH"], roles=(Role.OPS,), body=lambda: schemas.InstallerPatch,
              response=lambda: view_models.InstallerView)
def patch_installer(call: Dispatch, installer_id: str) -> dict[str, Any]:
    """Change an installer's profile, areas, capacity or activity (ops)."""
    body = call.body(schemas.InstallerPatch)
    return installer_view(call.services.workforce.patch_installer(call.principal, installer_id, body))


@routes.route("/installers/{installer_id}/ledger", methods=["GET"], roles=(Role.OPS, Role.INSTALLER),
              response=lambda: responses.Page[view_models.LedgerEntryView])
def installer_ledger(call: Dispatch, installer_id: str) -> dict[str, Any]:
    """An installer's deductions, newest first (ops, or the installer)."""
    return list_body(call.services.workforce.ledger(call.principal, installer_id, *call.page()), ledger_view)


# ── installation requests ───────────────────────────────────────────────────────────────────

@routes.route("/ops/installations", methods=["GET"], roles=(Role.OPS,),
              response=lambda: responses.TimedPage[view_models.OpsInstallationView],
              query=INSTALLATION_FILTER)
def search_installations(call: Dispatch) -> dict[str, Any]:
    """Every request, filtered by `status`, `area_id`, `installer_id`, `flagged`, `revoked`."""
    page = call.services.installations.search(call.principal, _filter(call), *call.page())
    return page_view(page, call.now, ops_view)


@routes.route("/ops/installations/{installation_id}", methods=["GET"], roles=(Role.OPS,),
              response=lambda: view_models.OpsInstallationView)
def get_installation(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """A request with its full history (ops)."""
    call.principal.require(Role.OPS)
    return ops_view(call.services.installations.get(call.principal, installation_id), call.now)


@routes.route("/ops/installations/{installation_id}/assign", methods=["POST"], roles=(Role.OPS,),
              body=lambda: schemas.AssignIn,
              response=lambda: view_models.OpsInstallationView)
def assign_installation(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """Assign by hand, naming the dispatch seen (two managers assigning get one outcome)."""
    body = call.body(schemas.AssignIn)
    return ops_view(call.services.installations.assign(call.principal, installation_id, body), call.now)


@routes.route("/ops/installations/{installation_id}/cancel", methods=["POST"], roles=(Role.OPS,),
              body=lambda: schemas.CancelIn,
              body_required=False, response=lambda: view_models.OpsInstallationView)
def cancel_installation(call: Dispatch, installation_id: str) -> dict[str, Any]:
    """Ops cancel a request (optionally with a reason)."""
    call.principal.require(Role.OPS)
    body = call.optional_body(schemas.CancelIn)
    reason = None if body is None else body.reason
    return ops_view(call.services.installations.cancel(call.principal, installation_id, reason), call.now)


_BOOLEAN = {"true": True, "false": False}


def _filter(call: Dispatch) -> InstallationFilter:
    """`?status=&area_id=&installer_id=&flagged=true|false&revoked=true|false`, every bad one named."""
    errors: list[FieldError] = []
    status = call.query("status")
    if status is not None and status not in Status.__members__.values():
        errors.append(FieldError("status", f"one of {', '.join(s.value for s in Status)}"))
    flags: dict[str, bool | None] = {}
    for name in ("flagged", "revoked"):
        raw = call.query(name)
        if raw is not None and raw not in _BOOLEAN:
            errors.append(FieldError(name, "true or false"))
        flags[name] = None if raw is None else _BOOLEAN.get(raw)
    ids = {name: call.query(name) for name in ("area_id", "installer_id")}
    errors += [FieldError(name, "not a valid id") for name, value in ids.items()
               if value is not None and not is_id(value)]
    if errors:
        raise MalformedRequest("the filter is not valid", errors)
    return InstallationFilter(status=None if status is None else Status(status), area_id=ids["area_id"],
                              installer_id=ids["installer_id"], flagged=flags["flagged"], revoked=flags["revoked"])


def _id_query(call: Dispatch, name: str) -> str | None:
    value = call.query(name)
    if value is not None and not is_id(value):
        raise MalformedRequest("the filter is not valid", [FieldError(name, "not a valid id")])
    return value
