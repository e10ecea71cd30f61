"""WebSocket routes: authenticated `$connect`, terminal → server messages, `$disconnect`."""

from __future__ import annotations

from chalice.app import Blueprint, Response, WebsocketEvent

from chalicelib import bootstrap
from chalicelib.push.terminal import TerminalSession

routes = Blueprint(__name__)


def _session() -> TerminalSession:
    app = bootstrap.container()
    return TerminalSession(app.verifier, app.connections, app.notifier, app.clock)


@routes.on_ws_connect()
def connect(event: WebsocketEvent) -> Response:
    query = event.to_dict().get("queryStringParameters") or {}
    return Response(body="", status_code=_session().connect(event.connection_id, query.get("token")))


@routes.on_ws_message()
def message(event: WebsocketEvent) -> None:
    _session().receive(event.connection_id, event.body)


@routes.on_ws_disconnect()
def disconnect(event: WebsocketEvent) -> None:
    _session().disconnect(event.connection_id)
