"""Routes as thin translators: request → (auth) → service → JSON, errors → problems.

Chalice turns any exception raised in a view into a bare 500 before middleware sees it, so
domain errors are translated here, around every view, in one place.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from chalice.app import Blueprint, ChaliceViewError, Request, Response
from pydantic import BaseModel

from chalicelib import bootstrap
from chalicelib.auth.principal import Principal
from chalicelib.auth.tokens import bearer_token
from chalicelib.core.errors import DomainError, MalformedRequest, NotFound, Unauthenticated
from chalicelib.core.observability import log
from chalicelib.core.timefmt import iso
from chalicelib.http.problems import from_domain_error, problem_body, problem_response
from chalicelib.http.requests import json_body, page_params, parse
from chalicelib.http.schemas import is_id

T = TypeVar("T", bound=BaseModel)
JSON_TYPES = ["application/json", "application/problem+json"]


@dataclass
class Call:
    """What a view gets: the request, the verified caller and the wired services."""

    request: Request
    caller: Principal | None
    app: bootstrap.Container

    @property
    def principal(self) -> Principal:
        if self.caller is None:  # only public routes have no caller, and they must not ask
            raise Unauthenticated("this route needs a caller")
        return self.caller

    def body(self, schema: type[T]) -> T:
        return parse(schema, self.raw_json())

    def raw_json(self) -> Any:
        return json_body(self.request, self.app.settings.max_body_bytes)

    def page(self) -> tuple[int, str | None]:
        return page_params(self.request)

    def query(self, name: str) -> str | None:
        query: Mapping[str, str] = self.request.query_params or {}
        return query.get(name)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def now(self) -> int:
        return self.app.clock.now_ms()

    def created_once(self, schema: type[T], create: Callable[[T], dict[str, Any]]) -> Response:
        """A creating POST that honours `Idempotency-Key`: a retry with the same key and body gets
        the first response (with the current `server_time`), the same key with another body a 422."""
        raw = self.raw_json()
        request = parse(schema, raw)
        principal = self.principal
        scope = f"{principal.sub}:{self.request.method} {self.request.context.get('resourcePath', self.request.path)}"

        def produce() -> tuple[int, dict[str, Any]]:
            return 201, create(request)

        status, body = self.app.idempotency.run(scope, self.header("idempotency-key"), raw, produce)
        body = {**body, "server_time": iso(self.now)}
        return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def instance_of(request: Request | None) -> str | None:
    if request is None:
        return None
    return str(request.context.get("path") or request.path)


class Routes:
    """A Chalice blueprint whose views receive a `Call` and may raise domain errors."""

    def __init__(self, import_name: str) -> None:
        self.blueprint = Blueprint(import_name)

    def route(self, path: str, methods: list[str], status: int = 200, public: bool = False
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def translated(**path_params: str) -> Response:
                request = self.blueprint.current_request
                try:
                    if not all(map(is_id, path_params.values())):
                        raise NotFound("no such resource")  # never an id we issued: don't ask DynamoDB
                    app = bootstrap.container()
                    principal = None if public else _authenticate(request, app)
                    result = view(Call(request, principal, app), **path_params)
                except DomainError as error:
                    return from_domain_error(error, instance_of(request))
                except ChaliceViewError as error:  # e.g. Chalice's own JSON parsing
                    return from_domain_error(MalformedRequest(str(error)), instance_of(request))
                except Exception:  # noqa: BLE001 - the last line of defence: a problem body, not a stack
                    log("http.unhandled", logging.ERROR, path=instance_of(request), exc_info=True)
                    return problem_response(problem_body(500, "internal", "Internal error",
                                                         "something went wrong on our side; it has been logged",
                                                         instance_of(request)))
                if isinstance(result, Response):
                    return result
                return Response(body=result, status_code=status, headers={"Content-Type": "application/json"})

            self.blueprint.route(path, methods=methods, content_types=JSON_TYPES)(translated)
            return view

        return register


def _authenticate(request: Request, app: bootstrap.Container) -> Principal:
    token = bearer_token(request.headers.get("authorization"))
    try:
        return app.verifier.verify(token)
    except DomainError:
        raise
    except Exception as exc:  # a JWKS outage must not look like the caller's fault, nor a 500 per se
        log("auth.verifier_failed", logging.ERROR, error=repr(exc))
        raise Unauthenticated("the token could not be verified right now") from exc
