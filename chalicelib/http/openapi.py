"""The OpenAPI 3.1 document of the REST API, generated from the route table and its models.

Every route declares what it takes and answers (`RouteSpec`): its body model, its response models,
its query parameters, who may call it, whether it honours `Idempotency-Key`. The models' JSON
Schemas come from pydantic (`models_json_schema`, the dialect OpenAPI 3.1 uses); this module adds
what HTTP says around them: paths, parameters, the bearer scheme, and the problem answers each
route can give. Nothing here is imported on a request's path but `GET /openapi.json`'s, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.core.ids import ID_PATTERN
from chalicelib.http.requests import DEFAULT_LIMIT, MAX_LIMIT
from chalicelib.http.responses import Problem
from chalicelib.http.routing import ANY_ROLE, NoContent, Routes, RouteSpec
from chalicelib.idempotency import MAX_KEY_LENGTH

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"
BEARER = "bearerAuth"
CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESCRIPTION = """ontime's REST API: timed orders, installer dispatch and split orders.

JSON bodies with `snake_case` members; timestamps are ISO 8601 in UTC with a `Z`; lists are paged
with an opaque `next_token` and a `limit` (default 20, at most 100). Every error is an RFC 9457
problem (`application/problem+json`); a validation problem lists every offending field in
`errors`. Authenticate with `Authorization: Bearer <JWT>` (a role claim: customer, merchant,
installer, supplier, carrier or ops); each operation names the roles that may call it
(`x-roles`). Server → terminal pushes are described by `docs/asyncapi.json`."""

PROBLEM_MEANINGS: dict[int, str] = {
    400: "Malformed: not JSON, wrong types, missing or unknown fields, a bad query parameter (every "
         "offending field in `errors`).",
    401: "No valid bearer token (or, for the payment callback, no valid signature).",
    403: "The caller's role may not do this.",
    404: "No such resource, or not the caller's (never confirmed either way).",
    409: "The resource's state does not allow this now (window closed, already answered), its id is "
         "taken, or a request with the same `Idempotency-Key` is still being processed.",
    413: "The body is larger than the API accepts.",
    415: "The body is not `application/json`.",
    422: "Well-formed but not acceptable (store closed, product off sale, price changed, …; every "
         "offending field in `errors`), or an `Idempotency-Key` reused with another body.",
    429: "Too many requests: slow down and retry.",
    503: "A service this needs (the payment provider, or AWS after its retries) is busy or failing: send it "
         "again after `Retry-After` seconds (with the same `Idempotency-Key`, for a create).",
}


class DocumentError(ValueError):
    """The route table cannot be documented as declared (a duplicate operation, say)."""


def openapi_document(groups: Sequence[tuple[str, Routes[Any]]], *, title: str = "ontime",
                     description: str = DESCRIPTION) -> dict[str, Any]:
    """The document for these route tables, each with its tag (the package that contributes it)."""
    routes = [(tag, spec) for tag, table in groups for spec in table.specs]
    schemas, refs = _schemas([spec for _, spec in routes])
    paths: dict[str, dict[str, Any]] = {}
    operation_ids: set[str] = set()
    for tag, spec in routes:
        for method in spec.methods:
            operation = _operation(_unique_id(tag, spec, operation_ids), tag, spec, method, refs)
            item = paths.setdefault(spec.path, {})
            if method.lower() in item:
                raise DocumentError(f"{method} {spec.path} is declared twice")
            item[method.lower()] = operation
    used = sorted({status for item in paths.values() for op in item.values() for status in op["responses"]
                   if status.startswith(("4", "5"))})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": title, "version": API_VERSION, "description": description},
        "tags": [{"name": tag} for tag in dict.fromkeys(tag for tag, _ in routes)],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {f"Problem{status}": _problem_response(int(status)) for status in used},
            "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                         "description": "A JWT whose claims name the caller (`sub`), its role "
                                                        "and, for staff, what it acts for (`merchant_id`, "
                                                        "`supplier_id`)."}},
        },
    }


# ── schemas ─────────────────────────────────────────────────────────────────────────────────


def _members(declared: Any) -> list[Any]:
    args = getattr(declared, "__args__", None)
    return list(args) if args is not None and not _is_model(declared) else [declared]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _schemas(specs: Iterable[RouteSpec]) -> tuple[dict[str, Any], dict[tuple[Any, str], Any]]:
    """Every model's schema under `components/schemas`, and what to put where each is used (a
    `$ref`, or an inline schema for a type that is not a model)."""
    wanted: dict[tuple[Any, JsonSchemaMode], None] = {(Problem, "serialization"): None}
    for spec in specs:
        if spec.body is not None:
            wanted[(spec.body, "validation")] = None
        for declared in spec.responses.values():
            for member in _members(declared):
                if _is_model(member):
                    wanted[(member, "serialization")] = None
    keys, document = models_json_schema(list(wanted), ref_template=REF)  # type: ignore[arg-type]
    defs: dict[str, Any] = document.get("$defs", {})
    renames = {name: _short_name(name) for name in defs if name.startswith("chalicelib__")}
    if len(set(renames.values()) | (set(defs) - set(renames))) != len(defs):
        raise DocumentError(f"two models would share a schema name: {sorted(renames)}")
    refs: dict[tuple[Any, str], Any] = {key: _renamed(schema, renames) for key, schema in keys.items()}
    return {renames.get(name, name): _renamed(schema, renames) for name, schema in sorted(defs.items())}, refs


def _short_name(qualified: str) -> str:
    """pydantic names two models of one name by their modules (`chalicelib__checkout__supplier_schemas__
    ProductIn`): call them by their package instead (`CheckoutProductIn`)."""
    parts = qualified.split("__")
    return parts[1].title().replace("_", "") + parts[-1]


def _renamed(value: Any, renames: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: (_ref(v, renames) if k == "$ref" else _renamed(v, renames)) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, renames) for v in value]
    return value


def _ref(ref: str, renames: dict[str, str]) -> str:
    name = ref.rsplit("/", 1)[-1]
    return REF.format(model=renames[name]) if name in renames else ref


def request_examples(model: type[BaseModel]) -> list[Any]:
    """The examples a request model declares (`http.fields.example`)."""
    extra = model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return list(examples) if isinstance(examples, list) else []


def _schema_of(declared: Any, refs: dict[tuple[Any, str], Any]) -> dict[str, Any]:
    members = [refs[(m, "serialization")] if _is_model(m) else TypeAdapter(m).json_schema(ref_template=REF)
               for m in _members(declared)]
    return members[0] if len(members) == 1 else {"anyOf": members}


# ── operations ──────────────────────────────────────────────────────────────────────────────


def _operation(operation_id: str, tag: str, spec: RouteSpec, method: str, refs: dict[tuple[Any, str], Any]
               ) -> dict[str, Any]:
    text = " ".join(spec.summary.split())
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "tags": [tag],
        "summary": text.split(". ", 1)[0].rstrip(".") + ".",
        "description": f"{text}\n\n{_who(spec)}",
        "x-roles": [role.value for role in spec.roles],
        "security": [] if spec.public else [{BEARER: []}],
    }
    parameters = _parameters(spec)
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        media: dict[str, Any] = {"schema": refs[(spec.body, "validation")]}
        examples = request_examples(spec.body)
        if examples:
            media["examples"] = {f"example{n}": {"value": value} for n, value in enumerate(examples, start=1)}
        operation["requestBody"] = {"required": spec.body_required, "content": {"application/json": media}}
    responses: dict[str, Any] = {}
    for status, declared in sorted(spec.responses.items()):
        response: dict[str, Any] = {"description": HTTPStatus(status).phrase}
        if declared is not NoContent:
            response["content"] = {"application/json": {"schema": _schema_of(declared, refs)}}
        responses[str(status)] = response
    for status in problem_statuses(spec, method):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    operation["responses"] = responses
    return operation


def _who(spec: RouteSpec) -> str:
    if spec.public:
        return "Public: no token needed."
    if set(spec.roles) == set(ANY_ROLE):
        return "Roles: any signed-in caller."
    return f"Roles: {', '.join(role.value for role in spec.roles)}."


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def _parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": ID_PATTERN}}
        for name in path_parameters(spec.path)]
    if spec.paged:
        parameters += [
            {"name": "limit", "in": "query", "required": False, "description": "How many items, at most.",
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
            {"name": "next_token", "in": "query", "required": False,
             "description": "The `next_token` of the previous page (opaque).", "schema": {"type": "string"}},
        ]
    for name, query in spec.query.items():
        schema: dict[str, Any] = {"type": "string"}
        if query.values:
            schema["enum"] = list(query.values)
        parameters.append({"name": name, "in": "query", "required": False, "description": query.description,
                           "schema": schema})
    if spec.idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "description": "A retry with the same key and body gets the first answer; the same "
                                          "key with another body is a 422.",
                           "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH}})
    return parameters


def problem_statuses(spec: RouteSpec, method: str) -> list[int]:
    """The problem statuses a route can answer, from what it declares: a body can be malformed,
    too large or unacceptable; a token missing; a role not allowed; an id unknown; a change can
    conflict with the state; anything can be throttled, by API Gateway (429) or by AWS (503)."""
    statuses = set(spec.problems) | {429, 503}
    if spec.body is not None or spec.paged or spec.query:
        statuses.add(400)
    if spec.body is not None:
        statuses |= {413, 415, 422}
    if not spec.public:
        statuses.add(401)
        if set(spec.roles) != set(ANY_ROLE):
            statuses.add(403)
        if method in CHANGES:
            statuses.add(409)
    if path_parameters(spec.path):
        statuses.add(404)
    if spec.idempotent:
        statuses |= {400, 409, 422}
    return sorted(statuses)


def _problem_response(status: int) -> dict[str, Any]:
    return {"description": PROBLEM_MEANINGS.get(status, HTTPStatus(status).phrase),
            "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}}}


def _unique_id(tag: str, spec: RouteSpec, taken: set[str]) -> str:
    """`<package>.<view>`, or with the caller of the view's module where one package has two."""
    candidates = [f"{tag}.{spec.view}", f"{tag}.{spec.module.rsplit('.', 1)[-1].removeprefix('routes_')}.{spec.view}"]
    for candidate in candidates:
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise DocumentError(f"{spec.view} of {spec.module} has no unique operation id")


__all__ = ["DocumentError", "openapi_document", "path_parameters", "problem_statuses", "request_examples"]
