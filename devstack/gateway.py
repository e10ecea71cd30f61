"""The local WebSocket gateway: API Gateway's WebSocket API and its `@connections` management
API on one port, so the app's push code is the same here as in AWS.

    GET  /?token=…                            upgrade → `$connect`; frames → `$default`; close → `$disconnect`
    POST /{stage}/@connections/{id}           the raw body becomes one text frame to that terminal
    GET  /{stage}/@connections/{id}           connection info
    DELETE /{stage}/@connections/{id}         close that terminal
    GET  /_stats                              local only: counters for benchmarks (see `stats.py`)
    GET|PUT /_faults                          local only: the injected faults' rates, limits and counts (`faults.py`)

Unknown or closed ids answer 410 with `x-amzn-ErrorType: GoneException`, which boto3 raises as
`GoneException`, so the app forgets stale connections exactly as it does in AWS. A post over 128 KB
answers 413 `PayloadTooLargeException` and is not delivered, as in AWS.
"""

from __future__ import annotations

import asyncio
import enum
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from botocore import handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from chalicelib.core.observability import log
from chalicelib.http.problems import PROBLEM_JSON, problem_body
from chalicelib.push.envelope import MAX_MESSAGE_BYTES
from devstack.aws import RawBody
from devstack.events import (
    LOCAL_STAGE,
    new_connection_id,
    ws_connect_event,
    ws_disconnect_event,
    ws_message_event,
)
from devstack.faults import FaultPlan, connections_fault
from devstack.lambdas import LambdaRuntime
from devstack.stats import StackStats

MAX_POST_BYTES = MAX_MESSAGE_BYTES
"""API Gateway's limit on a `PostToConnection`'s data (128 KB): a larger post is refused with
`413 PayloadTooLargeException`, here as there, so a push that would fail in AWS fails locally."""
CONNECT_WAIT_S = 10.0
"""How long a push waits for a terminal whose `$connect` is still running."""


class Phase(enum.Enum):
    CONNECTING = "connecting"
    OPEN = "open"
    CLOSED = "closed"


@dataclass
class Terminal:
    connection_id: str
    websocket: WebSocket
    connected_at: int
    source_ip: str
    user_agent: str
    phase: Phase = Phase.CONNECTING
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # set when CONNECTING ends
    last_active_at: int = 0


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_ERRORS = {400: ("BadRequestException", "Data is required"), 410: ("GoneException", "Gone"),
           413: ("PayloadTooLargeException", "The data has exceeded the maximum size allowed."),
           500: ("InternalServerErrorException", "Internal server error")}


def management_error(status: int) -> tuple[dict[str, str], bytes]:
    """Headers and body of a management API error, as API Gateway sends them (boto3 reads the type)."""
    error_type, message = _ERRORS[status]
    return {"x-amzn-ErrorType": error_type, "Content-Type": "application/json"}, json.dumps(
        {"message": message}).encode()


def _answer(status: int) -> Response:
    if status == 200:
        return Response(status_code=200)
    headers, body = management_error(status)
    return Response(body, status_code=status, headers=headers)


def _gone() -> Response:
    return _answer(410)


class WebSocketGateway:
    def __init__(self, runtime: LambdaRuntime, stats: StackStats, domain_name: str, stage: str = LOCAL_STAGE,
                 faults: FaultPlan | None = None) -> None:
        self._runtime = runtime
        self._stats = stats
        self._faults = faults
        self._domain_name = domain_name
        self._stage = stage
        self._terminals: dict[str, Terminal] = {}
        self._loop: asyncio.AbstractEventLoop | None = None  # the servers' loop, once a terminal came

    @property
    def open_connections(self) -> int:
        return sum(1 for t in self._terminals.values() if t.phase is Phase.OPEN)

    def app(self) -> Starlette:
        return Starlette(routes=[
            WebSocketRoute("/", self._serve_terminal),
            WebSocketRoute("/{stage}", self._serve_terminal),
            Route("/_stats", self._stats_view, methods=["GET"]),
            Route("/_faults", self._faults_view, methods=["GET", "PUT"]),
            Route("/{stage}/@connections/{connection_id}", self._manage, methods=["POST", "GET", "DELETE"]),
        ])

    # ── the WebSocket API ─────────────────────────────────────────────────────────────────

    async def _serve_terminal(self, websocket: WebSocket) -> None:
        client = websocket.client
        self._loop = asyncio.get_running_loop()
        terminal = Terminal(new_connection_id(), websocket, _now_ms(), client.host if client else "127.0.0.1",
                            websocket.headers.get("user-agent", ""))
        # Known before `$connect` runs: the handler registers the id, and a push may follow at once.
        self._terminals[terminal.connection_id] = terminal
        code, reason = 1006, "abnormal closure"
        try:
            status = await self._connect(terminal)
            if status // 100 != 2:
                await self._refuse(websocket, status)
                return
            await websocket.accept()
            terminal.phase = Phase.OPEN
            terminal.settled.set()
            code, reason = await self._receive_frames(terminal)
        finally:
            accepted = terminal.phase is Phase.OPEN
            terminal.phase = Phase.CLOSED
            terminal.settled.set()
            self._terminals.pop(terminal.connection_id, None)
            if accepted:  # API Gateway calls `$disconnect` only for connections it accepted
                await self._disconnect(terminal, code, reason)

    async def _connect(self, terminal: Terminal) -> int:
        websocket = terminal.websocket
        event = ws_connect_event(
            connection_id=terminal.connection_id, domain_name=self._domain_name, connected_at=terminal.connected_at,
            query_string=websocket.url.query, headers=websocket.headers.items(), source_ip=terminal.source_ip,
            stage=self._stage)
        try:
            result = await self._runtime.invoke_async("connect", event)
        except Exception:  # noqa: BLE001 - a crashed $connect refuses the connection, as in AWS
            log("local.ws_connect_failed", logging.ERROR, connection_id=terminal.connection_id, exc_info=True)
            return 500
        return int((result or {}).get("statusCode", 200))

    async def _refuse(self, websocket: WebSocket, status: int) -> None:
        if "websocket.http.response" in websocket.scope.get("extensions", {}):
            titles = {401: ("unauthenticated", "Authentication required"), 403: ("forbidden", "Forbidden")}
            slug, title = titles.get(status, ("connection-refused", "Connection refused"))
            body = problem_body(status, slug, title, "the $connect handler refused this connection", "/")
            await websocket.send_denial_response(Response(json.dumps(body), status_code=status,
                                                          media_type=PROBLEM_JSON))
        else:
            await websocket.close(code=1008)

    async def _receive_frames(self, terminal: Terminal) -> tuple[int, str]:
        """Each frame is one `$default` invocation, in order; returns the close code and reason."""
        while True:
            message = await terminal.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return int(message.get("code") or 1005), str(message.get("reason") or "")
            terminal.last_active_at = _now_ms()
            body: str | bytes = message["text"] if message.get("text") is not None else message.get("bytes") or b""
            event = ws_message_event(
                connection_id=terminal.connection_id, domain_name=self._domain_name,
                connected_at=terminal.connected_at, body=body, source_ip=terminal.source_ip,
                user_agent=terminal.user_agent, stage=self._stage)
            try:
                await self._runtime.invoke_async("message", event)
            except Exception:  # noqa: BLE001 - API Gateway tells the client, and keeps the socket
                log("local.ws_message_failed", logging.ERROR, connection_id=terminal.connection_id, exc_info=True)
                await self._send(terminal, json.dumps({"message": "Internal server error",
                                                       "connectionId": terminal.connection_id}))

    async def _disconnect(self, terminal: Terminal, code: int, reason: str) -> None:
        event = ws_disconnect_event(
            connection_id=terminal.connection_id, domain_name=self._domain_name, connected_at=terminal.connected_at,
            source_ip=terminal.source_ip, user_agent=terminal.user_agent, status_code=code, reason=reason,
            stage=self._stage)
        try:
            await self._runtime.invoke_async("disconnect", event)
        except Exception:  # noqa: BLE001 - nothing to tell anyone: the socket is gone
            log("local.ws_disconnect_failed", logging.ERROR, connection_id=terminal.connection_id, exc_info=True)

    @staticmethod
    async def _send(terminal: Terminal, text: str) -> bool:
        try:
            await terminal.websocket.send_text(text)
        except Exception:  # noqa: BLE001 - closing or closed under us: the caller reports it gone
            return False
        return True

    # ── the @connections management API ───────────────────────────────────────────────────

    async def _live_terminal(self, connection_id: str) -> Terminal | None:
        terminal = self._terminals.get(connection_id)
        if terminal is not None and terminal.phase is Phase.CONNECTING:
            # Its `$connect` is still running (and has already registered the id): wait for the verdict.
            try:
                await asyncio.wait_for(terminal.settled.wait(), CONNECT_WAIT_S)
            except TimeoutError:
                return None
        return terminal if terminal is not None and terminal.phase is Phase.OPEN else None

    async def _manage(self, request: Request) -> Response:
        if request.path_params["stage"] != self._stage:
            return JSONResponse({"message": "Forbidden"}, status_code=403,
                                headers={"x-amzn-ErrorType": "ForbiddenException"})
        if request.method == "POST":
            return _answer(await self.deliver(request.path_params["connection_id"], await request.body()))
        terminal = await self._live_terminal(request.path_params["connection_id"])
        if terminal is None:
            return _gone()
        if request.method == "DELETE":
            await terminal.websocket.close(code=1000)
            return Response(status_code=204)
        return JSONResponse({  # the wire names of API Gateway's GetConnection
            "connectedAt": _iso(terminal.connected_at),
            "lastActiveAt": _iso(terminal.last_active_at or terminal.connected_at),
            "identity": {"sourceIp": terminal.source_ip, "userAgent": terminal.user_agent},
        })

    async def deliver(self, connection_id: str, payload: bytes) -> int:
        """PostToConnection: 200 delivered, 410 gone, 400 empty, 413 larger than API Gateway takes
        (nothing delivered) — over HTTP or in-process alike."""
        if not payload:
            return 400
        if len(payload) > MAX_POST_BYTES:
            self._stats.pushes.add("too_large")
            log("local.push_too_large", logging.WARNING, connection_id=connection_id, bytes=len(payload))
            return 413
        terminal = await self._live_terminal(connection_id)
        if terminal is None or not await self._send(terminal, payload.decode("utf-8", "replace")):
            self._stats.pushes.add("gone")
            return 410
        self._stats.pushes.add("delivered")
        return 200

    def deliver_from_thread(self, connection_id: str, payload: bytes, timeout_s: float) -> int:
        """`deliver` for a handler thread (never the servers' loop itself)."""
        if self._loop is None:
            return 410  # no terminal has ever connected
        return asyncio.run_coroutine_threadsafe(self.deliver(connection_id, payload), self._loop).result(timeout_s)

    async def _stats_view(self, request: Request) -> Response:
        return JSONResponse(self._stats.as_json(self.open_connections))

    async def _faults_view(self, request: Request) -> Response:
        if self._faults is None:
            return JSONResponse({"message": "this stack runs without faults (start it with --faults)"}, status_code=404)
        if request.method == "PUT":
            try:
                document = json.loads(await request.body())
                self._faults.set(document["rates"], document.get("limits"), document.get("handlers"))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                expected = ('{"rates": {"fault": rate, …}, "limits": {"fault": n, …}, '
                            '"handlers": {"fault": handler, …}} (limits and handlers optional)')
                return JSONResponse({"message": f"expected {expected}: {exc}"}, status_code=400)
        return JSONResponse(self._faults.as_json())



class InProcessManagementApi:
    """The app's own `PostToConnection` calls, answered inside botocore as moto answers its AWS
    calls: the same client code, request and response, without an HTTP client and server in
    between (a push is most of the stack's work after the AWS calls). Everyone else, and the
    app with `--aws-transport http`, uses the HTTP management API above."""

    EVENT = "before-send.apigatewaymanagementapi.PostToConnection"

    def __init__(self, endpoint: str, faults: FaultPlan | None = None) -> None:
        self._prefix = endpoint.rstrip("/") + "/@connections/"
        self._faults = faults
        self.gateway: WebSocketGateway | None = None

    def install(self) -> None:
        # Sessions copy the built-in handlers when they are created: install before the app's.
        handlers.BUILTIN_HANDLERS.append((self.EVENT, self))

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if self.gateway is None or not request.url.startswith(self._prefix):
            return None
        body = request.body
        payload = body.encode() if isinstance(body, str) else bytes(body or b"")
        gateway, connection_id = self.gateway, unquote(request.url[len(self._prefix):])

        def deliver() -> int:
            return gateway.deliver_from_thread(connection_id, payload, CONNECT_WAIT_S + 5)

        status = deliver() if self._faults is None else connections_fault(self._faults, deliver)
        headers, raw = ({}, b"") if status == 200 else management_error(status)
        return AWSResponse(request.url, status, headers, RawBody(raw))
