"""HTTP middleware: what every answer gets, whichever route (or Chalice itself) produced it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from chalice.app import Request, Response

from chalicelib.core import correlation
from chalicelib.core.observability import log
from chalicelib.http.cors import cors_headers, is_preflight, with_vary_origin
from chalicelib.http.problems import rewrite_framework_error
from chalicelib.http.routing import instance_of
from chalicelib.settings import Settings

Middleware = Callable[[Request | None, Callable[[Request | None], Response]], Response]
REQUEST_ID_HEADER = "X-Request-Id"


class Configured(Protocol):
    @property
    def settings(self) -> Settings: ...


def request_edges(runtime: Callable[[], Configured]) -> Middleware:
    """The request's ids bound around everything that handles it (every log line, problem body and
    push carries them), `X-Request-Id` on the answer, and CORS headers for an allowed origin. The
    outermost middleware: framework errors rewritten inside it carry the ids too."""

    def edges(request: Request | None, get_response: Callable[[Request | None], Response]) -> Response:
        if request is None:  # not an API Gateway request (Chalice answers it with a 500 of its own)
            return get_response(request)
        sent = request.headers.get("x-request-id")
        ids = correlation.for_invocation(request.lambda_context, request.context.get("requestId"), sent)
        with correlation.bound(ids):
            if sent is not None and sent != ids.correlation_id:
                # The caller's id would not be safe to log or echo: say so without repeating it.
                log("http.request_id_replaced", length=len(sent))
            response = get_response(request)
            preflight = is_preflight(request.method, request.headers)
            origin = request.headers.get("origin")
            added = cors_headers(origin, _allowed_origins(runtime), preflight=preflight,
                                 allow=_header(response, "Allow"))
            if origin is not None and not added and preflight:
                log("http.origin_refused", origin=origin[:200])
            response.headers = with_vary_origin({**response.headers, **added, REQUEST_ID_HEADER: ids.correlation_id})
            return response

    return edges


def _allowed_origins(runtime: Callable[[], Configured]) -> tuple[str, ...]:
    try:
        return runtime().settings.cors_origins
    except Exception:  # noqa: BLE001 - a stage that cannot start answers 500 (logged by the route) without CORS
        return ()


def _header(response: Response, name: str) -> str | None:
    value = next((v for k, v in response.headers.items() if k.lower() == name.lower()), None)
    return ", ".join(value) if isinstance(value, list) else value


def problem_bodies_for_framework_errors(request: Request, get_response: Callable[[Request], Response]) -> Response:
    return rewrite_framework_error(get_response(request), instance_of(request))
