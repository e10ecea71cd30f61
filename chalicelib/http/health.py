"""`GET /health`: the only route without authentication (besides the provider's signed callbacks)."""

from __future__ import annotations

from typing import Any

from chalicelib.core.timefmt import iso
from chalicelib.http.routing import Call, Routes
from chalicelib.settings import Settings

routes = Routes(__name__, Settings)


@routes.route("/health", methods=["GET"], public=True)
def health(call: Call[Settings]) -> dict[str, Any]:
    """Whether the API answers, the stage, and the server's clock."""
    return {"status": "ok", "stage": call.services.stage, "server_time": iso(call.now)}
