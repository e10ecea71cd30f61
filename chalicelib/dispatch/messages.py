"""What installer dispatch pushes to terminals (`Contribution.messages`; `docs/asyncapi.json`)."""

from __future__ import annotations

from chalicelib.dispatch.view_models import AnyDispatchView, CustomerInstallationView, DispatchView, OpsInstallationView
from chalicelib.http.responses import ResponseBody
from chalicelib.push.messages import Listed, Message


class CustomerInstallationChangedView(CustomerInstallationView):
    """The customer's view of a request after a transition, with the status it left and why."""

    previous_status: str
    cause: str


class OpsInstallationChangedView(OpsInstallationView):
    """Ops' view of a request after a transition, with the status it left and why."""

    previous_status: str
    cause: str


class DispatchRevokedView(ResponseBody):
    """A dispatch taken back from its installer (unconfirmed in time, cancelled, reassigned)."""

    installation_id: str
    attempt: int
    reason: str


class InstallationAlertView(ResponseBody):
    """Something managers must look at: `dispatch_revoked`, `no_eligible_installer`, `completion_flagged`."""

    kind: str
    installation: OpsInstallationView


MESSAGES = (
    Message("dispatch.created", DispatchView, "A request dispatched to this installer: confirm before "
            "`confirm_deadline`.", ("installer",)),
    Message("dispatch.reminded", DispatchView, "The dispatch is still unconfirmed: a reminder before it is revoked.",
            ("installer",)),
    Message("dispatch.revoked", DispatchRevokedView, "The dispatch is no longer this installer's.", ("installer",)),
    Message("installation.status_changed", CustomerInstallationChangedView | OpsInstallationChangedView,
            "A request moved to another status (the customer gets their view, ops theirs).", ("customer", "ops")),
    Message("alert.raised", InstallationAlertView, "A request needs a manager.", ("ops",)),
    Message("dispatches.listed", Listed[AnyDispatchView], "The answer to an installer app's `list_pending`: its open "
            "dispatches.", ("installer",), reply=True),
)
