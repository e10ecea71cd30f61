"""The demo data the local stack starts with: each package's own (`Contribution.seed`), created
through the app's own routes, so the same validation applies as for anything a user creates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from chalicelib.bootstrap import contributions
from devstack.lambdas import LambdaRuntime
from devstack.rest import call_route
from devstack.tokens import DevTokenIssuer

T = TypeVar("T")


class SeedFailed(RuntimeError):
    """The app refused the demo data: the message carries its problem body."""


class RouteSeedClient:
    """The `SeedClient` of the local stack: each call goes through API Gateway's event, in this
    thread, as the named party (a token from the local issuer)."""

    def __init__(self, runtime: LambdaRuntime, issuer: DevTokenIssuer, options: Mapping[str, Any]) -> None:
        self._runtime = runtime
        self._issuer = issuer
        self._options = options

    def call(self, method: str, path: str, body: Any = None, *, role: str = "ops", sub: str = "ontime-seed",
             expect: int = 201, **claims: str) -> Any:
        token = self._issuer.issue({"role": role, "sub": sub, **claims})
        status, answer = call_route(self._runtime, method, path, body=body,
                                    headers={"authorization": f"Bearer {token}"})
        if status != expect:
            raise SeedFailed(f"seeding {method} {path} got {status}: {answer}")
        return answer

    def option(self, name: str, default: T) -> T:
        value: T = self._options.get(name, default)
        return value


def seed_demo(runtime: LambdaRuntime, issuer: DevTokenIssuer, options: Mapping[str, Any]) -> list[str]:
    """Every package's demo data; the banner's lines about it."""
    client = RouteSeedClient(runtime, issuer, options)
    return [line for package in contributions() if package.seed is not None for line in package.seed(client)]
