"""Builders for workflow 02 (installer dispatch): a request, an installer, an area's periods, and
requests already moved along through the real decider (so a built state is always one the
decider could have produced)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.core.address import Address
from chalicelib.core.money import Money
from chalicelib.dispatch.decider import decide
from chalicelib.dispatch.installers import Installer, Location
from chalicelib.dispatch.model import (
    Assign,
    Confirm,
    Deadline,
    HistoryEntry,
    Installation,
    InstallerCard,
    Periods,
    Start,
    Status,
)
from tests.builders import T0

__all__ = [
    "AREA",
    "CNY_5",
    "HOME",
    "REMIND_MS",
    "RETRY_MS",
    "REVOKE_MS",
    "T0",
    "a_card",
    "an_assign",
    "an_installation",
    "an_installer",
    "assign",
    "confirmed",
    "dispatched",
    "in_progress",
    "periods",
    "reminded",
]

AREA = "a1"
RETRY_MS = 60_000
REMIND_MS = 600_000
"""The default first period (10 min)."""
REVOKE_MS = 1_200_000
"""The default second period (20 min)."""
CNY_5 = Money(500, "CNY")
HOME = (31.2304, 121.4737)
"""The request's address (Shanghai, People's Square)."""


def an_installation(**changes: Any) -> Installation:
    """A pending request created at T0 by customer u1 in area a1, with its first retry alarm."""
    request = Installation(
        id="ins_1", customer_id="u1", area_id=AREA, product="air conditioner",
        address=Address(line1="1 People's Square", city="Shanghai", lat=HOME[0], lng=HOME[1]),
        preferred_time=None, note=None, status=Status.PENDING, created_at=T0, updated_at=T0,
        created_by="customer:u1", retry_ms=RETRY_MS, retry_at=T0 + RETRY_MS,
        history=(HistoryEntry(T0, "created", 0, None, "customer"),),
    )
    return replace(request, **changes)


def a_card(id: str) -> InstallerCard:
    return InstallerCard(id=id, name=f"Installer {id}", phone="+86 138 0000 0000", photo_url=None)


def periods(remind_s: int = 600, revoke_s: int = 1200, deduction: Money | None = CNY_5) -> Periods:
    return Periods(remind_after_ms=remind_s * 1000, revoke_after_ms=revoke_s * 1000, deduction=deduction)


def an_installer(id: str = "i1", *, at: tuple[float, float] | None = None, open_jobs: int = 0,
                 areas: tuple[str, ...] = (AREA,), **changes: Any) -> Installer:
    """An active installer of area a1 with room for 5 jobs; `at` is their live (lat, lng)."""
    location = None if at is None else Location(at[0], at[1], T0)
    installer = Installer(id=id, name=f"Installer {id}", phone="+86 138 0000 0000", areas=areas, created_at=T0,
                          open_jobs=open_jobs, location=location)
    return replace(installer, **changes)


def an_assign(installation: Installation, installer_id: str, *, p: Periods | None = None, by: str = "auto",
              expected_attempt: int | None = None) -> Assign:
    """The Assign event naming the request's current attempt (or `expected_attempt`)."""
    return Assign(a_card(installer_id), installation.attempt if expected_attempt is None else expected_attempt,
                  p or periods(), by)


def assign(installation: Installation, installer_id: str, *, now: int = T0, p: Periods | None = None,
           by: str = "auto") -> Installation:
    """The request after dispatching it to `installer_id` at `now` (refusals fail the test)."""
    decision = decide(installation, an_assign(installation, installer_id, p=p, by=by), now)
    assert decision.refusal is None, decision.refusal
    return decision.state


def dispatched(installer_id: str = "i1", *, now: int = T0, p: Periods | None = None) -> Installation:
    """A request dispatched at `now` (attempt 1): reminder at now+p1, revocation at now+p1+p2."""
    return assign(an_installation(), installer_id, now=now, p=p)


def reminded(installer_id: str = "i1", *, p: Periods | None = None) -> Installation:
    """A request dispatched at T0 whose reminder fired exactly at its deadline."""
    request = dispatched(installer_id, p=p)
    assert request.assignment is not None
    state = decide(request, Deadline(request.assignment.remind_at), request.assignment.remind_at).state
    assert state.status is Status.REMINDED
    return state


def confirmed(installer_id: str = "i1", *, code: str = "123456", now: int = T0 + 1_000) -> Installation:
    decision = decide(dispatched(installer_id), Confirm(installer_id, code), now)
    assert decision.refusal is None and decision.state.status is Status.CONFIRMED
    return decision.state


def in_progress(installer_id: str = "i1", *, code: str = "123456", now: int = T0 + 2_000) -> Installation:
    decision = decide(confirmed(installer_id, code=code), Start(installer_id), now)
    assert decision.refusal is None and decision.state.status is Status.IN_PROGRESS
    return decision.state
