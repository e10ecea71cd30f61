"""A create whose function died after it created its resource, before its `Idempotency-Key` was
marked done (`kill.after_write` of the local stack's faults, a Lambda timeout): the key's claim goes
stale, and the caller's retry after it takes the request over and runs it again. The ids it issues
are derived from the key (`chalicelib/core/ids.py`), so the run meets what the first one made: one
resource, for every idempotent create the route table declares."""

from __future__ import annotations

from typing import Any

import pytest
from chalice.test import Client

from chalicelib.idempotency import IN_PROGRESS_TIMEOUT_MS
from chalicelib.persistence.idempotency import DynamoIdempotencyStore
from tests.conftest import World
from tests.functional.test_idempotent_creates import IDEMPOTENT, RECIPES, stored

NOT_CREATES = {"POST /suppliers/{supplier_id}/products/{product_id}/restock"}
"""Not a create: its delta, run again after a crash, is added again (see the issue 15 report)."""


class Crash(BaseException):
    """The function's process dying (no `except Exception` of the app survives it)."""


def identities(world: World) -> dict[str, int]:
    return {table: len(items) for table, items in stored(world).items()}


@pytest.mark.parametrize("route", sorted(set(IDEMPOTENT) - NOT_CREATES))
def test_a_create_that_crashed_after_creating_is_one_resource_when_retried_after_its_claim_went_stale(
        world: World, client: Client, route: str, monkeypatch: pytest.MonkeyPatch) -> None:
    target = RECIPES[route](world, client)
    key = {"Idempotency-Key": "crashed-7f3a"}

    def crash(*_: Any, **__: Any) -> None:
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(DynamoIdempotencyStore, "complete", crash)
        with pytest.raises(Crash):
            target.by.post(target.path, target.body, headers=key)
    made = identities(world)

    world.clock.advance((IN_PROGRESS_TIMEOUT_MS + 1) / 1000)
    retried = target.by.post(target.path, target.body, headers=key)
    assert identities(world) == made, "the retry made a second resource"
    if target.named_by_client:  # the caller named it: told it is there, as any second create is
        assert retried.status == 409 and retried.body["type"] == "/problems/already-exists", retried.body
        return
    assert retried.status in (200, 201), retried.body
    again = target.by.post(target.path, target.body, headers=key)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert target.identity(again.body) == target.identity(retried.body)
