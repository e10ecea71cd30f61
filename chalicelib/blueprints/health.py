"""`GET /health`: the only route without authentication."""

from __future__ import annotations

from typing import Any

from chalicelib.core.timefmt import iso
from chalicelib.http.routing import Call, Routes

routes = Routes(__name__)


@routes.route("/health", methods=["GET"], public=True)
def health(call: Call) -> dict[str, Any]:
    return {"status": "ok", "stage": call.app.settings.stage, "server_time": iso(call.now)}
