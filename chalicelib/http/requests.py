"""Reading requests: size, media type, JSON, and a pydantic schema, with every bad field named."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypeVar

from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.core.errors import FieldError, MalformedRequest, PayloadTooLarge

T = TypeVar("T", bound=BaseModel)
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def field_errors(exc: ValidationError) -> list[FieldError]:
    return [FieldError(_field_path(tuple(e["loc"])), e["msg"]) for e in exc.errors(include_url=False)]


def json_body(request: Request, max_bytes: int) -> Any:
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the body is {len(raw)} bytes; at most {max_bytes} are accepted")
    if not raw.strip():
        raise MalformedRequest("a JSON body is required", [FieldError("body", "missing")])
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedRequest(f"the body is not valid JSON: {exc}", [FieldError("body", "not valid JSON")]) from None


def parse(schema: type[T], data: Any) -> T:
    if not isinstance(data, dict):
        raise MalformedRequest("the body must be a JSON object", [FieldError("body", "must be an object")])
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        raise MalformedRequest(f"{len(errors)} field(s) are not valid", errors) from None


def page_params(request: Request) -> tuple[int, str | None]:
    query: Mapping[str, str] = request.query_params or {}
    raw_limit = query.get("limit")
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        if not (raw_limit.isascii() and raw_limit.isdigit()) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise MalformedRequest("limit is not valid", [FieldError("limit", f"an integer from 1 to {MAX_LIMIT}")])
        limit = int(raw_limit)
    return limit, query.get("next_token") or None
