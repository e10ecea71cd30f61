"""WebSocket handlers: authenticated `$connect`, terminal → server messages, `$disconnect`.

Plain functions that `app.py` registers on the app itself: Chalice wraps WebSocket handlers only
when they are registered on the app (a Blueprint has no `websocket_api`, so its handlers would be
called raw with `(event, context)` — in Lambda as well as in tests).

Each runs with its event's ids bound (`core/correlation.py`): API Gateway's request id, the
Lambda's, and a correlation id of its own (on `$connect`, the client's `X-Request-Id` if it sent
a safe one), so that its log lines and the replies it sends can be told apart.
"""

from __future__ import annotations

from chalice.app import Response, WebsocketEvent

from chalicelib import bootstrap
from chalicelib.core import correlation
from chalicelib.push.terminal import TerminalSession


def _session() -> TerminalSession:
    built = bootstrap.container()
    return TerminalSession(built.verifier, built.connections, built.notifier, built.clock, built.packages,
                           built.rate_limiter)


def _ids(event: WebsocketEvent) -> correlation.Ids:
    raw = event.to_dict()
    headers = {str(k).lower(): v for k, v in (raw.get("headers") or {}).items()}
    sent = headers.get("x-request-id")
    return correlation.for_invocation(event.context, (raw.get("requestContext") or {}).get("requestId"),
                                      sent if isinstance(sent, str) else None)


def connect(event: WebsocketEvent) -> Response:
    query = event.to_dict().get("queryStringParameters") or {}
    with correlation.bound(_ids(event)):
        return Response(body="", status_code=_session().connect(event.connection_id, query.get("token")))


def message(event: WebsocketEvent) -> None:
    with correlation.bound(_ids(event)):
        _session().receive(event.connection_id, event.body)


def disconnect(event: WebsocketEvent) -> None:
    with correlation.bound(_ids(event)):
        _session().disconnect(event.connection_id)
