"""The roles a route declares (`roles=`, what the API document's `x-roles` says) are the roles
its service lets through: every route, called as every role on resources that exist, refuses each
undeclared role (403, or 404 where it does not confirm the resource exists) and never refuses a
declared one for its role. The services keep the enforcement; the declaration describes it."""

from __future__ import annotations

from chalice.test import Client

from chalicelib.auth.principal import Role
from chalicelib.bootstrap import contributions
from chalicelib.http.routing import RouteSpec
from tests.conftest import World
from tests.functional.roles import everyone

SPECS: list[RouteSpec] = [s for c in contributions() for table in c.routes for s in table.specs if not s.public]


def test_every_route_refuses_the_roles_it_does_not_declare_and_serves_those_it_does(
        world: World, client: Client) -> None:
    parties = everyone(world, client)
    wrong: list[str] = []
    served = 0
    for spec in SPECS:
        route = f"{spec.methods[0]} {spec.path}"
        # Undeclared roles first: refused, they change nothing the declared ones then act on.
        for role in (r for r in Role if r not in spec.roles):
            reply = parties.call(spec, role)
            if reply.status not in (403, 404):
                wrong.append(f"{route} as {role.value} (not declared): {reply.status} {reply.body}")
        statuses = []
        for role in spec.roles:
            reply = parties.call(spec, role)
            statuses.append(reply.status)
            if reply.status in (401, 403) or reply.status >= 500:
                wrong.append(f"{route} as {role.value} (declared): {reply.status} {reply.body}")
        served += any(200 <= status < 300 for status in statuses)
    assert not wrong, "\n".join(wrong)
    # The resources are real: most routes do serve a declared role (the rest refuse on state: an
    # order already answered, a dispatch not yet started).
    assert served >= 0.8 * len(SPECS), f"only {served} of {len(SPECS)} routes served a declared role"
