"""`InstallationStore` and the `InstallerStore` its commits write into: the conditional write with
its records (a ledger entry, an installer's open-job counter) all or nothing, the mapping, the
lists and the console's search over the indexes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import pytest

from chalicelib.core.address import Address
from chalicelib.core.errors import ConcurrentUpdate, MalformedRequest
from chalicelib.core.money import Money
from chalicelib.dispatch import decider
from chalicelib.dispatch.installers import Installer
from chalicelib.dispatch.model import (
    Assign,
    Assignment,
    Cancel,
    Complete,
    Confirm,
    Deadline,
    FlagReason,
    HistoryEntry,
    Installation,
    InstallerCard,
    LedgerEntry,
    Periods,
    Start,
    Status,
    WorkloadChange,
)
from chalicelib.dispatch.ports import InstallationFilter, InstallationStore, InstallerStore
from tests.builders import T0
from tests.contracts import all_items

SHARDS = 16
PERIODS = Periods(600_000, 1_200_000, Money(500, "CNY"))
CARDS = {i: InstallerCard(i, f"Installer {i}", "+86 138 0000 0000") for i in ("i-1", "i-2")}


@dataclass(frozen=True)
class DispatchStores:
    installations: InstallationStore
    installers: InstallerStore


def a_request(request_id: str = "ins_1", *, area_id: str = "north", customer_id: str = "u1", at: int = T0,
              **changes: Any) -> Installation:
    request = Installation(
        id=request_id, customer_id=customer_id, area_id=area_id, product="Air conditioner",
        address=Address(line1="8 Garden Road", city="Shanghai", lat=31.2304, lng=121.4737), preferred_time=None,
        note=None, status=Status.PENDING, created_at=at, updated_at=at, created_by="ops:ops-1", retry_ms=60_000,
        retry_at=at + 60_000, history=(HistoryEntry(at, "created", 0, None, "ops"),),
    )
    return replace(request, **changes)


def pending(store: InstallationStore, request_id: str = "ins_1", **changes: Any) -> Installation:
    return store.insert(a_request(request_id, **changes), T0)


def committed(store: InstallationStore, current: Installation, event: Any, now: int) -> Installation:
    """What the engine does: decide, then one conditional write carrying the decision's records."""
    decision = decider.decide(current, event, now)
    assert decision.refusal is None, decision.refusal
    return store.commit(decision.state, current.version, now, decision.writes)


def dispatched(store: InstallationStore, request_id: str = "ins_1", installer_id: str = "i-1",
               **changes: Any) -> Installation:
    request = pending(store, request_id, **changes)
    return committed(store, request, Assign(CARDS[installer_id], request.attempt, PERIODS), request.created_at)


def ledger(installers: InstallerStore, installer_id: str) -> list[LedgerEntry]:
    return installers.ledger(installer_id, 100, None).items


def open_jobs(installers: InstallerStore, installer_id: str) -> int:
    found = installers.get(installer_id)
    assert found is not None
    return found.open_jobs


class InstallationStoreContract:
    @pytest.fixture
    def stores(self) -> DispatchStores:
        raise NotImplementedError("a subclass provides the stores under test")

    @pytest.fixture
    def store(self, stores: DispatchStores) -> InstallationStore:
        return stores.installations

    @pytest.fixture
    def installers(self, stores: DispatchStores) -> InstallerStore:
        for installer_id in CARDS:
            stores.installers.save(Installer(installer_id, f"Installer {installer_id}", "+86 138 0000 0000",
                                             ("north",), T0), previous_areas=None)
        return stores.installers

    # ── the write and its records ───────────────────────────────────────────────────────────

    def test_a_request_reads_back_exactly_as_written(self, store: InstallationStore) -> None:
        assignment = Assignment(attempt=2, installer=InstallerCard("i-2", "Li Na", "+86 139", "https://img/x.jpg"),
                                dispatched_at=T0 + 5, remind_at=T0 + 600_005, revoke_at=T0 + 1_800_005,
                                deduction=Money(500, "CNY"), assigned_by="ops:ops-1")
        rich = a_request(
            address=Address(line1="8 Garden Road", city="Shanghai", line2="Flat 2", postcode="200000", lat=31.2304,
                            lng=121.4737),
            preferred_time=T0 + 86_400_000, note="second floor", order_id="ord_9", status=Status.COMPLETED,
            attempt=2, assignment=assignment, lapsed=("i-1",), retry_at=None, confirmed_at=T0 + 10,
            started_at=T0 + 20, completed_at=T0 + 30, service_code="004217",
            photos=("installations/ins_1/ph_1.jpg",), flag=FlagReason.CODE_WRONG, revocations=1,
            history=(HistoryEntry(T0, "created", 0, None, "ops"), HistoryEntry(T0 + 1, "dispatched", 1, "i-1"),
                     HistoryEntry(T0 + 30, "flagged", 2, "i-2", "service_code_wrong")),
        )
        written = store.insert(rich, None)
        assert written == replace(rich, version=1)
        assert store.get("ins_1") == written
        assert store.get("ins_missing") is None

    def test_a_commit_writes_the_ledger_entry_and_the_workload_change_with_the_request(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        request = dispatched(store)
        assert open_jobs(installers, "i-1") == 1
        assert request.assignment is not None
        revoke_at = request.assignment.revoke_at
        decision = decider.decide(request, Deadline(request.assignment.remind_at), revoke_at)  # both passed
        assert {type(w) for w in decision.writes} == {LedgerEntry, WorkloadChange}

        after = store.commit(decision.state, request.version, revoke_at, decision.writes)

        assert after.version == request.version + 1 and after.status is Status.PENDING
        assert store.get(request.id) == after
        [entry] = ledger(installers, "i-1")
        assert (entry.request_id, entry.attempt, entry.amount, entry.at) == (
            request.id, 1, Money(500, "CNY"), request.assignment.remind_at)
        assert open_jobs(installers, "i-1") == 0

    def test_a_commit_from_a_stale_version_raises_and_writes_neither_record(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        request = dispatched(store)
        assert request.assignment is not None
        remind_at = request.assignment.remind_at
        confirmed = committed(store, request, Confirm("i-1", "123456"), remind_at - 1)  # the winner
        late = decider.decide(request, Deadline(remind_at), request.assignment.revoke_at)  # on the old version
        assert late.writes

        with pytest.raises(ConcurrentUpdate):
            store.commit(late.state, request.version, request.assignment.revoke_at, late.writes)

        assert store.get(request.id) == confirmed
        assert ledger(installers, "i-1") == []
        assert open_jobs(installers, "i-1") == 1

    def test_a_commit_to_a_request_that_does_not_exist_writes_no_record(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        with pytest.raises(ConcurrentUpdate):
            store.commit(a_request("ins_ghost"), 1, T0, (WorkloadChange("i-1", +1),))
        assert store.get("ins_ghost") is None
        assert open_jobs(installers, "i-1") == 0

    def test_the_same_ledger_entry_written_twice_stays_one_entry(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        request = dispatched(store)
        assert request.assignment is not None
        remind_at = request.assignment.remind_at
        on_time = decider.decide(request, Deadline(remind_at), remind_at)
        late = decider.decide(request, Deadline(remind_at), remind_at + 5_000)  # the same reminder, decided later
        [first] = [w for w in on_time.writes if isinstance(w, LedgerEntry)]
        [second] = [w for w in late.writes if isinstance(w, LedgerEntry)]
        assert first.entry_id == second.entry_id  # one id per dispatch, whenever it is decided

        reminded = store.commit(on_time.state, request.version, remind_at, on_time.writes)
        again = store.commit(replace(reminded, note="touched"), reminded.version, None, (second,))
        store.commit(replace(again, note="touched twice"), again.version, None, (first,))

        [entry] = ledger(installers, "i-1")
        assert (entry.entry_id, entry.amount.amount, entry.at) == (first.entry_id, 500, remind_at)
        assert open_jobs(installers, "i-1") == 1

    def test_ledger_entries_of_two_dispatches_are_two_entries_newest_first(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        first = dispatched(store, "ins_1")
        second = dispatched(store, "ins_2")
        for request in (first, second):
            assert request.assignment is not None
            committed(store, request, Deadline(request.assignment.remind_at), request.assignment.remind_at)
        entries = ledger(installers, "i-1")
        assert sorted(e.request_id for e in entries) == ["ins_1", "ins_2"]
        assert [e.entry_id for e in entries] == sorted((e.entry_id for e in entries), reverse=True)
        assert open_jobs(installers, "i-1") == 2

    def test_a_record_the_store_does_not_know_fails_the_whole_write(
            self, store: InstallationStore, installers: InstallerStore) -> None:
        request = pending(store)
        with pytest.raises(TypeError):
            store.commit(replace(request, note="x"), request.version, T0, (WorkloadChange("i-1", +1), object()))
        assert store.get(request.id) == request
        assert open_jobs(installers, "i-1") == 0

    # ── lists ───────────────────────────────────────────────────────────────────────────────

    @pytest.fixture
    def fleet(self, store: InstallationStore, installers: InstallerStore) -> dict[str, Installation]:
        """Six requests: completed (flagged or not), revoked and redispatched, pending, cancelled."""
        requests: dict[str, Installation] = {}
        done = dispatched(store, "ins_done", at=T0 + 1)
        flagged = dispatched(store, "ins_flagged", at=T0 + 2)
        for request, code in ((done, "111111"), (flagged, None)):
            now = request.created_at + 10
            request = committed(store, request, Confirm("i-1", "111111"), now)
            request = committed(store, request, Start("i-1"), now + 1)
            request = committed(store, request, Complete("i-1", code, ("k",)), now + 2)
            requests[request.id] = request
        revoked = dispatched(store, "ins_revoked", at=T0 + 3)
        assert revoked.assignment is not None
        revoked = committed(store, revoked, Deadline(revoked.assignment.remind_at), revoked.assignment.revoke_at)
        revoked = committed(store, revoked, Assign(CARDS["i-2"], revoked.attempt, PERIODS), revoked.updated_at)
        requests[revoked.id] = revoked
        requests["ins_waiting"] = pending(store, "ins_waiting", area_id="east", at=T0 + 4)
        requests["ins_south"] = pending(store, "ins_south", area_id="south", customer_id="u2", at=T0 + 5)
        cancelled = dispatched(store, "ins_cancelled", at=T0 + 6)
        requests["ins_cancelled"] = committed(store, cancelled, Cancel("customer:u1"), T0 + 7)
        return requests

    def test_search_by_each_filter_and_their_combinations(self, store: InstallationStore,
                                                          fleet: dict[str, Installation]) -> None:
        everything = set(fleet)
        assert fleet["ins_flagged"].flag is FlagReason.CODE_MISSING and fleet["ins_done"].flag is None
        cases: list[tuple[dict[str, Any], set[str]]] = [
            ({}, everything),
            ({"status": Status.COMPLETED}, {"ins_done", "ins_flagged"}),
            ({"status": Status.PENDING}, {"ins_waiting", "ins_south"}),
            ({"status": Status.DISPATCHED}, {"ins_revoked"}),
            ({"status": Status.CANCELLED}, {"ins_cancelled"}),
            ({"area_id": "north"}, {"ins_done", "ins_flagged", "ins_revoked", "ins_cancelled"}),
            ({"area_id": "east"}, {"ins_waiting"}),
            ({"area_id": "east", "status": Status.PENDING}, {"ins_waiting"}),
            ({"area_id": "north", "status": Status.PENDING}, set()),
            ({"area_id": "south", "status": Status.PENDING}, {"ins_south"}),
            ({"installer_id": "i-1"}, {"ins_done", "ins_flagged", "ins_cancelled"}),
            ({"installer_id": "i-2"}, {"ins_revoked"}),
            ({"installer_id": "i-1", "status": Status.COMPLETED, "flagged": True}, {"ins_flagged"}),
            ({"installer_id": "i-2", "area_id": "north"}, {"ins_revoked"}),
            ({"installer_id": "i-2", "area_id": "east"}, set()),
            ({"flagged": True}, {"ins_flagged"}),
            ({"flagged": False}, everything - {"ins_flagged"}),
            ({"revoked": True}, {"ins_revoked"}),
            ({"revoked": False}, everything - {"ins_revoked"}),
            ({"area_id": "north", "revoked": True}, {"ins_revoked"}),
            ({"area_id": "north", "flagged": False, "status": Status.COMPLETED}, {"ins_done"}),
        ]
        for wanted, expected in cases:
            page = store.search(InstallationFilter(**wanted), 100, None)
            assert page.next_token is None, wanted
            assert {request.id for request in page.items} == expected, wanted

    def test_search_pages_cover_every_match_once(self, store: InstallationStore,
                                                 fleet: dict[str, Installation]) -> None:
        for wanted, expected in (({}, set(fleet)), ({"area_id": "north"}, {"ins_done", "ins_flagged", "ins_revoked",
                                                                          "ins_cancelled"}),
                                 ({"status": Status.PENDING}, {"ins_waiting", "ins_south"}),
                                 ({"installer_id": "i-1"}, {"ins_done", "ins_flagged", "ins_cancelled"})):
            seen = [r.id for r in all_items(partial(store.search, InstallationFilter(**wanted), 1))]
            assert len(seen) == len(set(seen)) and set(seen) == expected, wanted

    def test_the_lists_of_an_installer_a_customer_and_an_area(self, store: InstallationStore,
                                                              fleet: dict[str, Installation]) -> None:
        mine = store.for_installer("i-1", False, 100, None).items
        assert [r.id for r in mine] == ["ins_cancelled", "ins_flagged", "ins_done"]  # newest first
        assert store.for_installer("i-1", True, 100, None).items == []  # nothing open
        assert [r.id for r in store.for_installer("i-2", True, 100, None).items] == ["ins_revoked"]
        assert [r.id for r in store.for_customer("u2", 100, None).items] == ["ins_south"]
        assert len(store.for_customer("u1", 100, None).items) == 5
        assert [r.id for r in store.awaiting_installer("east", 10)] == ["ins_waiting"]
        assert store.awaiting_installer("north", 10) == []  # the revoked one was dispatched again

    def test_an_installers_and_a_customers_lists_page_newest_first(self, store: InstallationStore,
                                                                   fleet: dict[str, Installation]) -> None:
        mine = all_items(lambda token: store.for_installer("i-1", False, 2, token))
        assert [r.id for r in mine] == ["ins_cancelled", "ins_flagged", "ins_done"]
        theirs = all_items(lambda token: store.for_customer("u1", 2, token))
        assert [r.id for r in theirs] == ["ins_cancelled", "ins_waiting", "ins_revoked", "ins_flagged", "ins_done"]

    def test_requests_waiting_for_an_installer_come_oldest_first(self, store: InstallationStore) -> None:
        for n in (3, 1, 2):
            pending(store, f"ins_{n}", at=T0 + n)
        assert [r.id for r in store.awaiting_installer("north", 10)] == ["ins_1", "ins_2", "ins_3"]
        assert [r.id for r in store.awaiting_installer("north", 2)] == ["ins_1", "ins_2"]

    def test_a_token_that_is_not_ours_is_malformed(self, store: InstallationStore) -> None:
        with pytest.raises(MalformedRequest):
            store.search(InstallationFilter(), 10, "garbage")
