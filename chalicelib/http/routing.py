"""Routes as thin translators: request → (auth) → service → JSON, errors → problems.

Chalice turns any exception raised in a view into a bare 500 before middleware sees it, so
domain errors are translated here, around every view, in one place. Each route declares its
request body model and its response model(s) (`RouteSpec`): `call.body()` parses with the declared
model, and with `validate_responses` on (the tests and the local stack) every answer is checked
against the declared response model, so the declarations cannot drift from what the views do.

A route module declares its models lazily (`body=`, `response=` and `responses=` take a zero-argument
function that returns the model, read from a `models_module` stand-in), because the models bring pydantic
(≈ 40 ms at a container's first use): a route that reads no body then imports none at its first
request in an AWS stage, where answers are not validated; the documents and the local stage's
validation resolve them (`RouteSpec.body`, `RouteSpec.responses`).

Lists: a store's `next_token` is its own position (an inner token); this layer seals every one it
answers to the list and the caller and opens every one it is sent (`Call.page`), so no client-made
start key ever reaches a store (`http/page_tokens.py`).

A `Routes` table belongs to one package and is bound to the composition root (`bound_to`): this
module never reaches up into `bootstrap`. `app.py` registers every route from the generated
`chalicelib/route_table.py` instead (`lazy_blueprints`), so that a view's module (its views,
schemas and services) is imported at the first request for one of its routes, not by the import of
`app.py` nor by a request to another package.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import UnionType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, get_args

from chalice.app import Blueprint, ChaliceViewError, Request, Response

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.tokens import UNVERIFIABLE, TokenVerifier, bearer_token
from chalicelib.core.clock import Clock
from chalicelib.core.errors import DomainError, MalformedRequest, NotFound, Unauthenticated
from chalicelib.core.ids import is_id
from chalicelib.core.observability import log
from chalicelib.core.timefmt import iso
from chalicelib.core.transient import transient_failure, unavailable
from chalicelib.http.cors import options_view
from chalicelib.http.page_tokens import ListBinding, PageTokens
from chalicelib.http.problems import from_domain_error, problem_body, problem_response
from chalicelib.http.requests import field_errors, json_body, page_params, parse
from chalicelib.idempotency import Idempotency

if TYPE_CHECKING:  # the routes' own modules bring pydantic; the WebSocket and alarm functions need none
    from pydantic import BaseModel, TypeAdapter

S = TypeVar("S")
T = TypeVar("T", bound="BaseModel")
K = TypeVar("K")
JSON_TYPES = ["application/json", "application/problem+json"]
JSON_HEADERS: dict[str, str | list[str]] = {"Content-Type": "application/json"}
PAGING_PARAMS = frozenset({"limit", "next_token"})
"""Query parameters that move along a list rather than choose it."""
ANY_ROLE: tuple[Role, ...] = tuple(Role)
"""`roles=` of a route every signed-in caller may use (what each sees may still differ)."""
REPLAYED_HEADER = "Idempotent-Replayed"


class Runtime(Protocol):
    """What the HTTP layer needs from the composition root."""

    @property
    def clock(self) -> Clock: ...

    @property
    def verifier(self) -> TokenVerifier: ...

    @property
    def idempotency(self) -> Idempotency: ...

    @property
    def page_tokens(self) -> PageTokens: ...

    @property
    def max_body_bytes(self) -> int: ...

    @property
    def validate_responses(self) -> bool: ...

    def services_of(self, kind: type[K]) -> K: ...


@dataclass(frozen=True)
class Query:
    """A query parameter a route reads (`call.query(name)`), always optional."""

    description: str
    values: tuple[str, ...] = ()
    """The values it takes, when it is one of a few (`open`, `all`)."""


@dataclass(frozen=True)
class RouteSpec:
    """One route as declared: what it takes and what it answers (the API document's source)."""

    path: str
    methods: tuple[str, ...]
    view: str
    summary: str
    status: int
    public: bool
    declared_body: Declared | None
    """The body's model, or the function that returns it (`resolved`): read it as `body`."""
    body_required: bool
    declared_responses: Mapping[int, Declared]
    """Success statuses and the model of each body, or the function that returns it: read it as
    `responses`."""
    roles: tuple[Role, ...] = ()
    """Who may call it (public routes: nobody in particular). Enforced where it always was, in the
    package's service; `tests/functional/test_route_roles.py` proves the two agree."""
    query: Mapping[str, Query] = field(default_factory=dict)
    idempotent: bool = False
    """Honours `Idempotency-Key` (every creating POST does, and a non-repeatable one such as a
    restock): the wrapper runs its view under the key (`Call.replayable`)."""
    problems: tuple[int, ...] = ()
    """Problem statuses it can answer beyond those its declaration implies (`http/openapi.py`)."""
    module: str = ""
    """The view's module (`chalicelib.orders.routes_customer`)."""

    @functools.cached_property
    def body(self) -> type[BaseModel] | None:
        """The request body's model (importing it, and pydantic, at the first read)."""
        return None if self.declared_body is None else resolved(self.declared_body)

    @functools.cached_property
    def responses(self) -> Mapping[int, Any]:
        """Success statuses and the model of each body: a response model, a union of them (the
        caller's own view), or `NoContent` (a 204); imported at the first read."""
        return {status: resolved(declared) for status, declared in self.declared_responses.items()}

    @property
    def paged(self) -> bool:
        """Whether it answers one page of a list (and so reads `limit` and `next_token`)."""
        return any("next_token" in getattr(model, "model_fields", {}) for model in self.response_models())

    def response_models(self) -> list[Any]:
        """Every model a success answer may be (the members of a union, each on its own)."""
        models: list[Any] = []
        for declared in self.responses.values():
            models += [m for m in (get_args(declared) if isinstance(declared, UnionType) else (declared,))
                       if m is not NoContent]
        return models


class NoContent:
    """The body of a response that has none (a 204)."""


Declared = Any
"""A declared model (a class, a generic or union of them, `NoContent`), or a zero-argument function
returning one: what `body=`, `response=` and the values of `responses=` take."""


def resolved(declared: Declared) -> Any:
    """The model `declared` names: a function is called (so its module imports the model only
    now), anything else is the model itself (a model class, though callable, is never called)."""
    return declared() if inspect.isfunction(declared) else declared


class _ModelsModule:
    """A module of models that is imported at the first read of one of its names."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<models of {self._name}, imported at first use>"


def models_module(name: str) -> Any:
    """A stand-in for the module `name` whose attributes import it when first read: a route module
    binds its models modules to these at run time (and to the modules themselves for type
    checkers, under TYPE_CHECKING), so that only the views and declarations that read a model
    import it, and pydantic with it."""
    return _ModelsModule(name)


@dataclass
class Call(Generic[S]):
    """What a view gets: the request, the verified caller, and its package's services."""

    request: Request
    caller: Principal | None
    services: S
    runtime: Runtime
    spec: RouteSpec
    path_params: Mapping[str, str] = field(default_factory=dict)

    @property
    def principal(self) -> Principal:
        if self.caller is None:  # only public routes have no caller, and they must not ask
            raise Unauthenticated("this route needs a caller")
        return self.caller

    def body(self, schema: type[T]) -> T:
        """The body, parsed with the route's declared model (which `schema` must be)."""
        return parse(self._declared(schema), self.raw_json())

    def optional_body(self, schema: type[T]) -> T | None:
        """The declared body, or None when the request has none (`body_required=False`)."""
        return self.body(schema) if self.request.raw_body else None

    def raw_json(self) -> Any:
        return json_body(self.request, self.runtime.max_body_bytes)

    def page(self) -> tuple[int, str | None]:
        """`limit` and the store's own token for the next page: the client's `next_token` opened,
        refused (400) unless we sealed it for this list and this caller, recently."""
        limit, token = page_params(self.request)
        if token is None:
            return limit, None
        return limit, self.runtime.page_tokens.open(token, self.list_binding(), self.now // 1000)

    def sealed(self, inner: str) -> str:
        """A store's token for the next page, as this list's caller may send it back."""
        return self.runtime.page_tokens.seal(inner, self.list_binding(), self.now // 1000)

    def list_binding(self) -> ListBinding:
        query: Any = self.request.query_params or {}
        filters = [(name, value) for name in query if name not in PAGING_PARAMS
                   for value in (query.getlist(name) if hasattr(query, "getlist") else [query[name]])]
        return ListBinding(self.spec.path, dict(self.path_params), filters, self.caller)
        if not self.spec.paged:
            raise TypeError(f"{self.spec.view} reads a page but declares no Page response")
        return page_params(self.request)

    def query(self, name: str) -> str | None:
        """A declared query parameter (`query=` of the route: the API document lists them)."""
        if name not in self.spec.query:
            raise TypeError(f"{self.spec.view} reads the query parameter {name!r} it does not declare")
        query: Mapping[str, str] = self.request.query_params or {}
        return query.get(name)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    @property
    def now(self) -> int:
        return self.runtime.clock.now_ms()

    def replayable(self, produce: Callable[[], Any]) -> Response:
        """Run the view under `Idempotency-Key`: a retry with the same key and body gets the first
        answer (with the current `server_time`, if it has one) and `Idempotent-Replayed: true`; the
        same key with another body is a 422. A key is the caller's own, for this route and these
        path parameters. The body is checked first, so a malformed request claims no key."""
        raw = self.raw_json()
        if self.spec.body is not None:
            parse(self.spec.body, raw)
        caller = self.principal
        scope = f"{caller.role.value}:{caller.sub}:{self.request.method} {self.spec.path.format(**self.path_params)}"
        answer = self.runtime.idempotency.run(scope, self.header("idempotency-key"), raw,
                                              lambda: _status_and_body(produce(), self.spec.status))
        body = answer.body
        if answer.replayed and "server_time" in body:
            body = {**body, "server_time": iso(self.now)}
        headers = {**JSON_HEADERS, REPLAYED_HEADER: "true"} if answer.replayed else JSON_HEADERS
        return Response(body=body, status_code=answer.status, headers=headers)

    def _declared(self, schema: type[T]) -> type[T]:
        if schema is not self.spec.body:
            raise TypeError(f"{self.spec.view} declares body {self.spec.body!r}, not {schema!r}")
        return schema


def _status_and_body(result: Any, status: int) -> tuple[int, dict[str, Any]]:
    if isinstance(result, Response):
        return result.status_code, result.body
    return status, result


def instance_of(request: Request | None) -> str | None:
    if request is None:
        return None
    return str(request.context.get("path") or request.path)


@dataclass
class Routes(Generic[S]):
    """One package's routes (a Chalice blueprint) whose views receive a `Call` and may raise
    domain errors. `services` is the type of the package's services object in the container."""

    import_name: str
    services: type[S] | None = None
    views: list[tuple[RouteSpec, Callable[..., Any]]] = field(default_factory=list)
    """Each route with its view function (the route table an API document is generated from)."""

    def route(self, path: str, methods: list[str], status: int = 200, *, public: bool = False,
              roles: tuple[Role, ...] = (), body: Declared | None = None, body_required: bool = True,
              response: Declared = None, responses: Mapping[int, Declared] | None = None,
              query: Mapping[str, Query] | None = None, idempotent: bool = False, problems: tuple[int, ...] = ()
              ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`response` is the model of the `status` answer; `responses` declares several statuses;
        `roles` who may call it (every route but a public one names them). `body`, `response` and
        the values of `responses` may each be a zero-argument function returning the model,
        called only when the model is first needed (`RouteSpec.body`, `RouteSpec.responses`)."""
        declared = dict(responses) if responses is not None else ({} if response is None else {status: response})
        if "POST" in methods and status == 201 and not public and not idempotent:
            raise TypeError(f"POST {path} creates (201): declare idempotent=True so it honours Idempotency-Key")
        if idempotent and public:
            raise TypeError(f"{path}: an Idempotency-Key belongs to a caller, and a public route has none")

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            spec = RouteSpec(path, tuple(methods), view.__name__, (view.__doc__ or "").strip(), status, public,
                             body, body_required, declared, tuple(roles), dict(query or {}), idempotent,
                             tuple(problems), view.__module__)
            self.views.append((spec, view))
            return view

        return register

    @property
    def specs(self) -> list[RouteSpec]:
        return [spec for spec, _ in self.views]

    def bound_to(self, runtime: Callable[[], Runtime]) -> Blueprint:
        """A Chalice blueprint whose views find the runtime (built at the first request) through
        `runtime`: registering routes builds nothing, so importing `app.py` stays cheap."""
        blueprint = Blueprint(self.import_name)
        for spec, view in self.views:
            blueprint.route(spec.path, methods=list(spec.methods), content_types=JSON_TYPES)(
                self._translated(blueprint, spec, view, runtime))
        for path, methods in self.methods_by_path().items():  # browsers' preflights (cors.py)
            blueprint.route(path, methods=["OPTIONS"])(options_view(f"options {path}", methods))
        return blueprint

    def methods_by_path(self) -> dict[str, list[str]]:
        by_path: dict[str, list[str]] = {}
        for spec in self.specs:
            by_path.setdefault(spec.path, []).extend(spec.methods)
        return by_path

    def bound_view(self, blueprint: Blueprint, view: str, path: str, methods: tuple[str, ...],
                   runtime: Callable[[], Runtime]) -> Callable[..., Response]:
        """The view named `view`, wrapped as `bound_to` wraps it, for a blueprint of `lazy_blueprints`."""
        for spec, function in self.views:
            if spec.view == view:
                if (spec.path, spec.methods) != (path, methods):
                    raise RouteTableStale(f"{self.import_name}.{view} is {spec.methods} {spec.path}, the route "
                                          f"table says {methods} {path}: run ./dev infra")
                return self._translated(blueprint, spec, function, runtime)
        raise RouteTableStale(f"{self.import_name} has no view {view!r}: run ./dev infra")

    def _translated(self, blueprint: Blueprint, spec: RouteSpec, view: Callable[..., Any],
                    runtime: Callable[[], Runtime]) -> Callable[..., Response]:
        @functools.wraps(view)
        def translated(**path_params: str) -> Response:
            request = blueprint.current_request
            try:
                if not all(map(is_id, path_params.values())):
                    raise NotFound("no such resource")  # never an id we issued: don't ask DynamoDB
                built = runtime()
                principal = None if spec.public else _authenticate(request, built)
                services: Any = None if self.services is None else built.services_of(self.services)
                call = Call(request, principal, services, built, spec, path_params)
                result = (call.replayable(lambda: view(call, **path_params)) if spec.idempotent
                          else view(call, **path_params))
                response = result if isinstance(result, Response) else Response(
                    body=result, status_code=spec.status, headers=JSON_HEADERS)
                _seal_next_token(response, call)
                if built.validate_responses:
                    _check_response(spec, response)
                return response
            except DomainError as error:
                return from_domain_error(error, instance_of(request))
            except ChaliceViewError as error:  # e.g. Chalice's own JSON parsing
                return from_domain_error(MalformedRequest(str(error)), instance_of(request))
            except Exception as exc:  # noqa: BLE001 - the last line of defence: a problem body, not a stack
                failure = transient_failure(exc)
                if failure is not None:  # AWS failed it after the client's retries: the caller may retry
                    log("http.unavailable", logging.WARNING, path=instance_of(request), reason=failure.reason,
                        rejected=failure.rejected, error=repr(exc))
                    return from_domain_error(unavailable(failure), instance_of(request))
                log("http.unhandled", logging.ERROR, path=instance_of(request), exc_info=True)
                return problem_response(problem_body(500, "internal", "Internal error",
                                                     "something went wrong on our side; it has been logged",
                                                     instance_of(request)))

        return translated


class RouteTableStale(RuntimeError):
    """`chalicelib/route_table.py` does not say what the declarations say (`./dev infra` writes it)."""


RouteRow = tuple[str, str, tuple[str, ...]]
"""One line of the generated route table: a view of the module, its path and its methods."""


def lazy_blueprints(table: Mapping[str, Iterable[RouteRow]], runtime: Callable[[], Runtime]) -> list[Blueprint]:
    """One blueprint per module of the route table, whose views import that module and bind its
    view (`Routes.bound_view`) at their first request: registering them imports no view."""
    blueprints = []
    for module, rows in table.items():
        blueprint = Blueprint(module)
        paths: dict[str, list[str]] = {}
        for view, path, methods in rows:
            blueprint.route(path, methods=list(methods), content_types=JSON_TYPES)(
                _bound_at_first_call(blueprint, module, view, path, methods, runtime))
            paths.setdefault(path, []).extend(methods)
        for path, methods_of_path in paths.items():  # browsers' preflights (cors.py)
            blueprint.route(path, methods=["OPTIONS"])(options_view(f"options {path}", methods_of_path))
        blueprints.append(blueprint)
    return blueprints


def _bound_at_first_call(blueprint: Blueprint, module: str, view: str, path: str, methods: tuple[str, ...],
                         runtime: Callable[[], Runtime]) -> Callable[..., Response]:
    bound: Callable[..., Response] | None = None

    def first_call_binds(**path_params: str) -> Response:
        nonlocal bound
        if bound is None:  # two threads may both bind it: the same wrapper, either is fine
            routes: Routes[Any] = importlib.import_module(module).routes
            bound = routes.bound_view(blueprint, view, path, methods, runtime)
        return bound(**path_params)

    first_call_binds.__name__ = first_call_binds.__qualname__ = view
    return first_call_binds


def _seal_next_token(response: Response, call: Call[Any]) -> None:
    """Every list answer carries its store's inner token up to here: one place seals them all."""
    body = response.body
    if isinstance(body, dict) and isinstance(body.get("next_token"), str):
        response.body = {**body, "next_token": call.sealed(body["next_token"])}


class UndeclaredResponse(Exception):
    """A view answered something its route does not declare (a bug, found by the tests)."""


def _check_response(spec: RouteSpec, response: Response) -> None:
    if not spec.responses:
        return
    if response.status_code not in spec.responses:
        raise UndeclaredResponse(f"{spec.view} answered {response.status_code}, declares {sorted(spec.responses)}")
    model = spec.responses[response.status_code]
    if model is NoContent:
        if response.body not in ("", b"", None):
            raise UndeclaredResponse(f"{spec.view} declares no body for {response.status_code}")
        return
    from pydantic import ValidationError

    try:
        _adapter(model).validate_python(response.body)
    except ValidationError as exc:
        details = "; ".join(f"{e.field}: {e.message}" for e in field_errors(exc))
        raise UndeclaredResponse(f"{spec.view}'s {response.status_code} body is not a {model}: {details}") from exc


@functools.cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter

    return TypeAdapter(model)


def _authenticate(request: Request, runtime: Runtime) -> Principal:
    token = bearer_token(request.headers.get("authorization"))
    try:
        return runtime.verifier.verify(token)
    except DomainError:
        raise
    except Exception as exc:  # a JWKS outage must not look like the caller's fault, nor a 500 per se
        log("auth.verifier_failed", logging.ERROR, error=repr(exc))
        raise Unauthenticated(UNVERIFIABLE) from exc
