"""Cross-origin requests from browser terminals (CORS), answered by the app itself.

Not Chalice's `CORSConfig`: it takes one origin (or `*`), which `chalice package` bakes into API
Gateway as a mock `OPTIONS` integration with fixed headers, so a stage could not allow a list of
origins nor change it with a parameter, and every response would name that one origin. Instead
every path of a `Routes` table gets an `OPTIONS` route of its own (`options_view`): API Gateway
passes preflights to the function like any request, the function answers `204` with `Allow`, and
the REST middleware (`middleware.request_edges`) adds the CORS headers, for preflights and every
other answer (problems too), when the request's `Origin` is one the stage allows
(`Settings.cors_origins`). Another origin gets no CORS headers at all, so the browser keeps the
answer from the page. No credentials: tokens travel in `Authorization`, never in cookies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from chalice.app import Response

ALLOWED_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id")
"""The request headers a page may send (beyond the ones browsers always may)."""
EXPOSED_HEADERS = ("X-Request-Id", "Idempotent-Replayed", "Retry-After", "Location")
"""The response headers a page may read (beyond Content-Type and the other safelisted ones)."""
PREFLIGHT_MAX_AGE_S = 600
"""How long a browser may reuse a preflight's answer: short, so a changed origin list takes effect."""


def options_view(name: str, methods: Iterable[str]) -> Callable[..., Response]:
    """The `OPTIONS` answer of one path: which methods it has (`Allow`, RFC 9110)."""
    allow = ", ".join([*dict.fromkeys(methods), "OPTIONS"])

    def options(**path_params: str) -> Response:
        return Response(body="", status_code=204, headers={"Allow": allow})

    options.__name__ = name
    return options


def is_preflight(method: str, request_headers: Mapping[str, str]) -> bool:
    return method == "OPTIONS" and request_headers.get("access-control-request-method") is not None


def cors_headers(origin: str | None, allowed: Iterable[str], *, preflight: bool, allow: str | None) -> dict[str, str]:
    """The CORS headers of an answer to a request from `origin`: none unless it is allowed. `allow`
    is the answer's `Allow` header (a preflight's methods)."""
    if origin is None or origin not in allowed:
        return {}
    if not preflight:
        return {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": ", ".join(EXPOSED_HEADERS)}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": allow or "OPTIONS",
        "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_S),
    }


def with_vary_origin(headers: Mapping[str, str | list[str]]) -> dict[str, str | list[str]]:
    """Every answer depends on `Origin` (a cache must not give one origin's answer to another)."""
    merged = dict(headers)
    name = next((key for key in merged if key.lower() == "vary"), "Vary")
    present = merged.get(name)
    values = [v.strip() for v in (present if isinstance(present, list) else (present or "").split(",")) if v.strip()]
    if "origin" not in {v.lower() for v in values}:
        values.append("Origin")
    merged[name] = ", ".join(values)
    return merged
