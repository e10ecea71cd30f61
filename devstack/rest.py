"""The REST front: API Gateway's part for the app's HTTP routes (v1 proxy integration).

Each HTTP request becomes the event API Gateway would send to the Lambda function, and the
function's answer (statusCode, headers, body) becomes the HTTP response. Routing uses the app's
own route table (Chalice's `RouteMatcher`); API Gateway answers unknown paths itself, here with a
404 problem body like the app's.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from typing import Any

from chalice.local import RouteMatcher
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from chalicelib.core import jsontext
from chalicelib.core.observability import log
from chalicelib.http.problems import PROBLEM_JSON, problem_body
from devstack.events import rest_event
from devstack.lambdas import REST_HANDLER, LambdaRuntime

MAX_BODY_BYTES = 1024 * 1024
"""API Gateway accepts 10 MB; locally we refuse earlier, as a guard (the app allows only 64 KB)."""
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def problem(status: int, slug: str, title: str, detail: str, instance: str,
            errors: list[dict[str, str]] | None = None) -> Response:
    body = jsontext.dumps(problem_body(status, slug, title, detail, instance, {"errors": errors}))
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit` (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def http_response(result: dict[str, Any], method: str) -> Response:
    """A Lambda proxy response as HTTP."""
    body: Any = result.get("body") or b""
    if result.get("isBase64Encoded"):
        body = base64.b64decode(body)
    elif isinstance(body, str):
        body = body.encode("utf-8")
    response = Response(b"" if method == "HEAD" else body, status_code=int(result.get("statusCode", 200)))
    headers: list[tuple[str, str]] = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name, str(v)) for v in values]
    names = {name.lower() for name, _ in headers}
    if "content-type" not in names:
        headers.append(("content-type", "application/json"))  # API Gateway's default
    response.raw_headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers
                             if k.lower() != "content-length"]
    if method == "HEAD":  # keep the length a GET would have had
        response.raw_headers = [(k, v) for k, v in response.raw_headers if k != b"content-length"]
        response.raw_headers.append((b"content-length", str(len(body)).encode()))
    return response


def rest_app(runtime: LambdaRuntime, *, max_body_bytes: int = MAX_BODY_BYTES,
             extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The REST front; `extra_routes` (the sandbox's pages) are matched before the app's routes."""
    matcher = RouteMatcher(list(runtime.app.routes))

    async def handle(request: Request) -> Response:
        path = request.url.path
        method = request.method
        try:
            route = matcher.match_route(path)
        except ValueError:
            return problem(404, "not-found", "Not found", f"no route matches {method} {path}", path)
        try:
            body = await _read_body(request, max_body_bytes)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return problem(413, "payload-too-large", "Payload too large",
                           f"the body is larger than {max_body_bytes} bytes", path)
        event = rest_event(
            method=method, path=path, resource=route.route, path_parameters=route.captured,
            query_string=request.url.query, headers=request.headers.items(), body=body,
            source_ip=request.client.host if request.client else "127.0.0.1",
        )
        try:
            result = await runtime.invoke_async(REST_HANDLER, event)
        except Exception:  # noqa: BLE001 - API Gateway answers a crashed function with a 502
            log("local.rest_invoke_failed", logging.ERROR, path=path, exc_info=True)
            return problem(502, "bad-gateway", "Bad gateway", "the function failed; see the stack's log", path)
        return http_response(result, method)

    return Starlette(routes=[*extra_routes, Route("/{path:path}", handle, methods=METHODS)])


def call_route(runtime: LambdaRuntime, method: str, path: str, *, body: Any = None,
               headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """One request through API Gateway's event, in this thread, without HTTP (for seeding)."""
    route = RouteMatcher(list(runtime.app.routes)).match_route(path)
    raw = json.dumps(body).encode() if body is not None else b""
    sent = {"content-type": "application/json", "host": "seed.local", **(headers or {})}
    event = rest_event(method=method, path=path, resource=route.route, path_parameters=route.captured,
                       query_string="", headers=sent.items(), body=raw, source_ip="127.0.0.1")
    result = runtime.invoke(REST_HANDLER, event)
    text = result.get("body") or ""
    return int(result["statusCode"]), json.loads(text) if text else None
