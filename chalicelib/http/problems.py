"""RFC 9457 problem details: the one place where errors become HTTP responses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.app import Response

from chalicelib.core import correlation, jsontext
from chalicelib.core.errors import PROBLEM_MEMBERS, DomainError, MalformedRequest, ValidationFailed

PROBLEM_JSON = "application/problem+json"

_CHALICE_ERRORS: dict[int, tuple[str, str]] = {
    400: ("malformed-request", "Malformed request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-failed", "Request is not valid"),
    429: ("throttled", "Too many requests"),
}


def problem_body(status: int, slug: str, title: str, detail: str, instance: str | None,
                 extensions: Mapping[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    request_id = correlation.correlation_id()
    if request_id:  # the request's `X-Request-Id`: what a user quotes to support, what ops search for
        body["request_id"] = request_id
    body.update({k: v for k, v in (extensions or {}).items() if v is not None and k not in PROBLEM_MEMBERS})
    return body


def problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=jsontext.dumps(body),  # never fails on what it echoes (a field name, a path, a detail)
        status_code=int(body["status"]),
        headers={"Content-Type": PROBLEM_JSON, **(headers or {})},
    )


def from_domain_error(error: DomainError, instance: str | None) -> Response:
    extensions = dict(error.extensions)
    if isinstance(error, (MalformedRequest, ValidationFailed)):
        extensions["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else {}
    if isinstance(error.extensions.get("retry_after_s"), int):  # service unavailable, a request in progress
        headers["Retry-After"] = str(error.extensions["retry_after_s"])
    return problem_response(
        problem_body(error.status, error.problem, error.title, error.detail, instance, extensions), headers)


def rewrite_framework_error(response: Response, instance: str | None) -> Response:
    """Chalice answers some errors itself (`{"Code": …, "Message": …}`: bad JSON, 405, 415, 500);
    give them the same problem shape as ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    status = response.status_code
    if status >= 500:
        return problem_response(problem_body(status, "internal", "Internal error",
                                             "something went wrong on our side; it has been logged", instance))
    slug, title = _CHALICE_ERRORS.get(status, ("bad-request", "Bad request"))
    extra = {k: str(v) for k, v in response.headers.items() if k.lower() == "allow"}
    return problem_response(problem_body(status, slug, title, str(body.get("Message", "")), instance), extra)
