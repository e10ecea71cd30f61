"""Routes of the management console for installer dispatch: areas, installers and their ledgers,
and every installation request with filters, full history, manual assignment and cancellation."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.installation_store import InstallationFilter
from chalicelib.auth.principal import Role
from chalicelib.core.errors import FieldError, MalformedRequest
from chalicelib.dispatch.model import Status
from chalicelib.dispatch.views import area_view, installer_view, ledger_view, ops_view, page_view
from chalicelib.http.dispatch_schemas import AreaIn, AreaPatch, AssignIn, CancelIn, InstallerIn, InstallerPatch
from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import is_id

routes = Routes(__name__)


# ── areas ───────────────────────────────────────────────────────────────────────────────────

@routes.route("/areas", methods=["POST"], status=201)
def create_area(call: Call) -> dict[str, Any]:
    return area_view(call.app.workforce.create_area(call.principal, call.body(AreaIn)))


@routes.route("/areas", methods=["GET"])
def list_areas(call: Call) -> dict[str, Any]:
    page = call.app.workforce.areas(call.principal, *call.page())
    return {"items": [area_view(a) for a in page.items], "next_token": page.next_token}


@routes.route("/areas/{area_id}", methods=["GET"])
def get_area(call: Call, area_id: str) -> dict[str, Any]:
    call.principal.require(Role.OPS)
    return area_view(call.app.workforce.area(area_id))


@routes.route("/areas/{area_id}", methods=["PATCH"])
def patch_area(call: Call, area_id: str) -> dict[str, Any]:
    return area_view(call.app.workforce.patch_area(call.principal, area_id, call.body(AreaPatch)))


# ── installers ──────────────────────────────────────────────────────────────────────────────

@routes.route("/installers", methods=["POST"], status=201)
def create_installer(call: Call) -> dict[str, Any]:
    return installer_view(call.app.workforce.create_installer(call.principal, call.body(InstallerIn)))


@routes.route("/installers", methods=["GET"])
def list_installers(call: Call) -> dict[str, Any]:
    area = _id_query(call, "area_id")
    page = call.app.workforce.installers(call.principal, area, *call.page())
    return {"items": [installer_view(i) for i in page.items], "next_token": page.next_token}


@routes.route("/installers/{installer_id}", methods=["GET"])
def get_installer(call: Call, installer_id: str) -> dict[str, Any]:
    return installer_view(call.app.workforce.installer(call.principal, installer_id))


@routes.route("/installers/{installer_id}", methods=["PATCH"])
def patch_installer(call: Call, installer_id: str) -> dict[str, Any]:
    return installer_view(call.app.workforce.patch_installer(call.principal, installer_id, call.body(InstallerPatch)))


@routes.route("/installers/{installer_id}/ledger", methods=["GET"])
def installer_ledger(call: Call, installer_id: str) -> dict[str, Any]:
    page = call.app.workforce.ledger(call.principal, installer_id, *call.page())
    return {"items": [ledger_view(e) for e in page.items], "next_token": page.next_token}


# ── installation requests ───────────────────────────────────────────────────────────────────

@routes.route("/ops/installations", methods=["GET"])
def search_installations(call: Call) -> dict[str, Any]:
    page = call.app.installations.search(call.principal, _filter(call), *call.page())
    return page_view(page, call.now, ops_view)


@routes.route("/ops/installations/{installation_id}", methods=["GET"])
def get_installation(call: Call, installation_id: str) -> dict[str, Any]:
    call.principal.require(Role.OPS)
    return ops_view(call.app.installations.get(call.principal, installation_id), call.now)


@routes.route("/ops/installations/{installation_id}/assign", methods=["POST"])
def assign_installation(call: Call, installation_id: str) -> dict[str, Any]:
    body = call.body(AssignIn)
    return ops_view(call.app.installations.assign(call.principal, installation_id, body), call.now)


@routes.route("/ops/installations/{installation_id}/cancel", methods=["POST"])
def cancel_installation(call: Call, installation_id: str) -> dict[str, Any]:
    call.principal.require(Role.OPS)
    reason = call.body(CancelIn).reason if call.request.raw_body else None
    return ops_view(call.app.installations.cancel(call.principal, installation_id, reason), call.now)


_BOOLEAN = {"true": True, "false": False}


def _filter(call: Call) -> InstallationFilter:
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


def _id_query(call: Call, name: str) -> str | None:
    value = call.query(name)
    if value is not None and not is_id(value):
        raise MalformedRequest("the filter is not valid", [FieldError(name, "not a valid id")])
    return value
