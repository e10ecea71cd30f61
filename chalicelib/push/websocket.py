"""WebSocket handlers: authenticated `$connect`, terminal → server messages, `$disconnect`.

Plain functions that `app.py` registers on the app itself: Chalice wraps WebSocket handlers only
when they are registered on the app (a Blueprint has no `websocket_api`, so its handlers would be
called raw with `(event, context)` — in Lambda as well as in tests).
"""

from __future__ import annotations

from chalice.app import Response, WebsocketEvent

from chalicelib import bootstrap
from chalicelib.push.terminal import TerminalSession


def _session() -> TerminalSession:
    built = bootstrap.container()
    return TerminalSession(built.verifier, built.connections, built.notifier, built.clock, built.pending_work)


def connect(event: WebsocketEvent) -> Response:
    query = event.to_dict().get("queryStringParameters") or {}
    return Response(body="", status_code=_session().connect(event.connection_id, query.get("token")))


def message(event: WebsocketEvent) -> None:
    _session().receive(event.connection_id, event.body)


def disconnect(event: WebsocketEvent) -> None:
    _session().disconnect(event.connection_id)
