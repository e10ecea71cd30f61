"""The embedded AWS: moto's server on 127.0.0.1, counting every request it serves.

Like moto's own `ThreadedMotoServer`, but the WSGI app is wrapped so that each API call is
counted by its operation name (`DynamoDB.PutItem`, `SQS.SendMessage`) for `GET /_stats`.
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from botocore.config import Config
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from chalicelib.local.stats import HARNESS_USER_AGENT, StackStats

_SERVICE_BY_TARGET_PREFIX = {
    "DynamoDB_20120810": "DynamoDB",
    "DynamoDBStreams_20120810": "DynamoDBStreams",
    "AmazonSQS": "SQS",
    "AWSEvents": "EventBridge",
}
_SERVICE_BY_SIGNING_NAME = {"dynamodb": "DynamoDB", "sqs": "SQS", "s3": "S3", "events": "EventBridge",
                            "sts": "STS", "sns": "SNS", "lambda": "Lambda", "logs": "CloudWatchLogs"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def harness_config() -> Config:
    """botocore config for the stack's own clients, so `/_stats` tells them from the app's."""
    return Config(user_agent_extra=HARNESS_USER_AGENT, retries={"mode": "standard"})


def operation_name(environ: dict[str, Any]) -> str:
    """`Service.Operation` of one request, from what botocore puts on the wire."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:  # JSON protocols: DynamoDB, SQS (botocore ≥ 1.31), EventBridge
        prefix, _, operation = target.partition(".")
        return f"{_SERVICE_BY_TARGET_PREFIX.get(prefix, prefix)}.{operation}"
    service = _signing_name(environ.get("HTTP_AUTHORIZATION", ""))
    service = _SERVICE_BY_SIGNING_NAME.get(service, service or "unknown")
    action = parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0] or _form_action(environ)
    return f"{service}.{action or environ.get('REQUEST_METHOD', 'GET')}"


def _signing_name(authorization: str) -> str:
    # AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=…
    try:
        return authorization.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3]
    except IndexError:
        return ""


def _form_action(environ: dict[str, Any]) -> str:
    """Query protocols put `Action=` in a form body: read it, and put the body back for moto."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return ""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    action: str = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    return action


def counting(app: WsgiApp, stats: StackStats) -> WsgiApp:
    def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        name = operation_name(environ)
        harness = HARNESS_USER_AGENT in environ.get("HTTP_USER_AGENT", "")
        (stats.harness_aws_calls if harness else stats.aws_calls).add(name)
        return app(environ, start_response)

    return counted


class MotoEndpoint:
    """moto's server in a thread; port 0 picks a free port."""

    def __init__(self, stats: StackStats, host: str = "127.0.0.1", port: int = 5000) -> None:
        self._stats = stats
        self._host = host
        self._port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per AWS call is noise
        app = counting(DomainDispatcherApplication(create_backend_app), self._stats)
        self._server = make_server(self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        port = self._server.server_address[1]
        return f"http://{self._host}:{port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(2)
