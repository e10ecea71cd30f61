"""`GET /health`: the only route without authentication (besides the provider's signed callbacks)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.timefmt import iso
from chalicelib.http.responses import ResponseBody, Timestamp
from chalicelib.http.routing import Call, Routes
from chalicelib.settings import Settings

routes = Routes(__name__, Settings)


class HealthView(ResponseBody):
    status: str
    stage: str
    server_time: Timestamp


@routes.route("/health", methods=["GET"], public=True, response=HealthView)
def health(call: Call[Settings]) -> dict[str, Any]:
    """Whether the API answers, the stage, and the server's clock."""
    return {"status": "ok", "stage": call.services.stage, "server_time": iso(call.now)}
