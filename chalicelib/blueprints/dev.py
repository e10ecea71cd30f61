"""`POST /dev/tokens`: the local stage's token issuer.

Registered only by the local stack (and tests), never by `app.py`, so a packaged stage does not
even have the route; the handler also refuses outside the local stage, as a second lock.
"""

from __future__ import annotations

from typing import Any

from chalicelib.core.errors import NotFound
from chalicelib.http.routing import Call, Routes
from chalicelib.http.schemas import DevTokenIn

routes = Routes(__name__)


@routes.route("/dev/tokens", methods=["POST"], status=201, public=True)
def issue_token(call: Call) -> dict[str, Any]:
    issuer = call.app.dev_issuer
    if issuer is None or not call.app.settings.is_local:
        raise NotFound("no such route")
    body = call.body(DevTokenIn)
    claims = body.model_dump(exclude_none=True)
    return {"token": issuer.issue(claims), "claims": claims}
