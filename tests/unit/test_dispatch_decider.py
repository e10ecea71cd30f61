"""`decide(installation, event, now)` of workflow 02: dispatch, the two escalation stages, the
deadline races, confirm/start/complete, reassignment, the search for an installer and cancel."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.core.errors import InvalidTransition, NotFound
from chalicelib.dispatch.decider import DEDUCTION_REASON, DISPATCH_TABLE, decide
from chalicelib.dispatch.errors import AlreadyReassigned, DispatchRevoked
from chalicelib.dispatch.model import (
    Alert,
    Assignment,
    Cancel,
    Complete,
    Confirm,
    Deadline,
    Dispatched,
    DispatchEnded,
    FlagReason,
    HistoryEntry,
    Installation,
    InstallationEvent,
    InstallerFreed,
    LedgerEntry,
    NeedsInstaller,
    NoEligibleInstaller,
    Reminded,
    Start,
    Status,
    StatusChanged,
    WorkloadChange,
)
from chalicelib.waitstate.model import Decision
from tests.dispatch_builders import (
    CNY_5,
    REMIND_MS,
    RETRY_MS,
    REVOKE_MS,
    T0,
    a_card,
    an_assign,
    an_installation,
    assign,
    confirmed,
    dispatched,
    in_progress,
    periods,
    reminded,
)

REMIND_AT = T0 + REMIND_MS
REVOKE_AT = REMIND_AT + REVOKE_MS
CODE = "123456"


def the_assignment(request: Installation) -> Assignment:
    assert request.assignment is not None
    return request.assignment


def kinds(before: Installation, after: Installation) -> list[str]:
    """The history kinds a decision appended."""
    assert after.history[:len(before.history)] == before.history, "history is only ever appended to"
    return [entry.kind for entry in after.history[len(before.history):]]


def unchanged(decision: Decision[Installation], before: Installation) -> bool:
    return decision.state == before and decision.events == () and decision.writes == ()


def ledger_entry(attempt: int = 1, remind_at: int = REMIND_AT, installer_id: str = "i1") -> LedgerEntry:
    return LedgerEntry(installer_id=installer_id, entry_id=f"{remind_at:013d}#ins_1#{attempt}", request_id="ins_1",
                       attempt=attempt, amount=CNY_5, reason=DEDUCTION_REASON, at=remind_at)


def revoked(at: int = REVOKE_AT) -> Installation:
    """Dispatched to i1 at T0, reminded, then revoked by its alarm at `at`."""
    request = reminded()
    return decide(request, Deadline(REVOKE_AT), at).state


# ── assigning a pending request ─────────────────────────────────────────────────────────────────

def test_assigning_a_pending_request_dispatches_it_with_both_deadlines_counted_from_now() -> None:
    pending = an_installation()
    now = T0 + 5_000
    decision = decide(pending, an_assign(pending, "i1"), now)
    request = decision.state
    assert decision.refusal is None
    assert request.status is Status.DISPATCHED and request.attempt == 1
    assert request.assignment == Assignment(attempt=1, installer=a_card("i1"), dispatched_at=now,
                                            remind_at=now + REMIND_MS, revoke_at=now + REMIND_MS + REVOKE_MS,
                                            deduction=CNY_5, assigned_by="auto")
    assert request.wake_at == now + REMIND_MS and request.confirm_deadline == now + REMIND_MS + REVOKE_MS
    assert request.retry_at is None and request.updated_at == now
    assert request.history[-1] == HistoryEntry(now, "dispatched", 1, "i1", None)
    assert decision.events == (StatusChanged(request, Status.PENDING, "assign"), Dispatched(request))
    assert decision.writes == (WorkloadChange("i1", +1),)


def test_the_periods_of_the_assign_set_the_deadlines_not_defaults() -> None:
    request = assign(an_installation(), "i1", now=T0, p=periods(remind_s=30, revoke_s=45, deduction=None))
    assignment = the_assignment(request)
    assert (assignment.remind_at, assignment.revoke_at, assignment.deduction) == (T0 + 30_000, T0 + 75_000, None)


def test_a_manual_assignment_records_the_manager_in_the_history() -> None:
    request = assign(an_installation(), "i1", by="ops:m1")
    assert the_assignment(request).assigned_by == "ops:m1"
    assert request.history[-1].detail == "assigned by ops:m1"


def test_assigning_ends_the_wait_for_an_installer() -> None:
    waiting = decide(an_installation(), NoEligibleInstaller(), T0 + 1_000).state
    assert waiting.awaiting_installer_since == T0 + 1_000
    request = assign(waiting, "i1", now=T0 + 2_000)
    assert request.awaiting_installer_since is None and request.retry_at is None


# ── stage 1 → stage 2: the reminder and its deduction ───────────────────────────────────────────

def test_at_the_first_deadline_the_alarm_reminds_and_records_one_deduction() -> None:
    request = dispatched()
    decision = decide(request, Deadline(REMIND_AT), REMIND_AT)
    after = decision.state
    assert after.status is Status.REMINDED and after.wake_at == REVOKE_AT
    assert kinds(request, after) == ["reminded", "deducted"]
    assert after.history[-2:] == (HistoryEntry(REMIND_AT, "reminded", 1, "i1", None),
                                  HistoryEntry(REMIND_AT, "deducted", 1, "i1", "500 CNY"))
    assert decision.writes == (ledger_entry(),)
    assert decision.events == (StatusChanged(after, Status.DISPATCHED, "remind"), Reminded(after))
    assert decision.refusal is None


def test_one_millisecond_before_the_first_deadline_the_alarm_changes_nothing() -> None:
    request = dispatched()
    assert unchanged(decide(request, Deadline(REMIND_AT), REMIND_AT - 1), request)


def test_a_late_reminder_is_charged_at_its_deadline_under_the_same_entry_id() -> None:
    request = dispatched()
    on_time = decide(request, Deadline(REMIND_AT), REMIND_AT)
    late = decide(request, Deadline(REMIND_AT), REMIND_AT + 45_000)
    assert late.writes == on_time.writes == (ledger_entry(),)
    assert late.state.history[-1].at == REMIND_AT + 45_000


def test_without_a_deduction_the_reminder_writes_no_ledger_entry() -> None:
    request = dispatched(p=periods(deduction=None))
    decision = decide(request, Deadline(REMIND_AT), REMIND_AT)
    assert decision.state.status is Status.REMINDED
    assert kinds(request, decision.state) == ["reminded"]
    assert decision.writes == ()


def test_the_reminder_delivered_again_in_stage_two_changes_nothing() -> None:
    request = reminded()
    assert unchanged(decide(request, Deadline(REMIND_AT), REMIND_AT + 60_000), request)


# ── stage 2 → revoked ───────────────────────────────────────────────────────────────────────────

def test_at_the_second_deadline_the_dispatch_is_revoked_and_the_request_goes_back_to_the_pool() -> None:
    request = reminded()
    assignment = the_assignment(request)
    decision = decide(request, Deadline(REVOKE_AT), REVOKE_AT)
    after = decision.state
    assert after.status is Status.PENDING and after.assignment is None and after.installer_id is None
    assert after.lapsed == ("i1",) and after.revocations == 1 and after.attempt == 1
    assert after.retry_at == REVOKE_AT + RETRY_MS and after.wake_at == after.retry_at
    assert after.history[-1] == HistoryEntry(REVOKE_AT, "revoked", 1, "i1", None)
    assert decision.writes == (WorkloadChange("i1", -1),)
    assert decision.events == (StatusChanged(after, Status.REMINDED, "revoke"),
                               DispatchEnded(after, assignment, "timeout"), Alert(after, "dispatch_revoked"),
                               NeedsInstaller(after))
    assert decision.refusal is None


def test_one_millisecond_before_the_second_deadline_the_alarm_changes_nothing() -> None:
    request = reminded()
    assert unchanged(decide(request, Deadline(REVOKE_AT), REVOKE_AT - 1), request)


def test_an_alarm_arriving_after_both_deadlines_settles_both_stages_in_order() -> None:
    request = dispatched()
    now = REVOKE_AT + 5_000
    decision = decide(request, Deadline(REMIND_AT), now)
    after = decision.state
    assert after.status is Status.PENDING and after.lapsed == ("i1",)
    assert kinds(request, after) == ["reminded", "deducted", "revoked"]
    assert decision.writes == (ledger_entry(), WorkloadChange("i1", -1))
    assert [type(e) for e in decision.events] == [StatusChanged, Reminded, StatusChanged, DispatchEnded, Alert,
                                                  NeedsInstaller]
    changes = [e for e in decision.events if isinstance(e, StatusChanged)]
    assert [(c.previous, c.cause, c.installation.status) for c in changes] == [
        (Status.DISPATCHED, "remind", Status.REMINDED), (Status.REMINDED, "revoke", Status.PENDING)]


def test_a_late_cancel_settles_both_stages_first_and_releases_the_installer_once() -> None:
    request = dispatched()
    now = REVOKE_AT + 5_000
    decision = decide(request, Cancel("ops:m1"), now)
    assert decision.refusal is None and decision.state.status is Status.CANCELLED
    assert kinds(request, decision.state) == ["reminded", "deducted", "revoked", "cancelled"]
    assert decision.writes == (ledger_entry(), WorkloadChange("i1", -1))


def test_the_revocation_delivered_again_changes_nothing() -> None:
    request = revoked()
    assert unchanged(decide(request, Deadline(REVOKE_AT), REVOKE_AT + 10_000), request)


def test_reassigning_a_revoked_request_charges_only_the_new_installer() -> None:
    request = revoked()
    decision = decide(request, an_assign(request, "i2"), REVOKE_AT + 1_000)
    assert decision.state.status is Status.DISPATCHED and decision.state.attempt == 2
    assert decision.writes == (WorkloadChange("i2", +1),)
    assert decision.state.lapsed == ("i1",)
    assert not any(isinstance(e, DispatchEnded) for e in decision.events)


def test_a_second_dispatch_is_deducted_under_its_own_entry_id() -> None:
    second = assign(revoked(), "i2", now=REVOKE_AT + 1_000)
    remind_at = the_assignment(second).remind_at
    decision = decide(second, Deadline(remind_at), remind_at)
    assert decision.writes == (ledger_entry(attempt=2, remind_at=remind_at, installer_id="i2"),)
    assert decision.writes != (ledger_entry(),)


# ── confirm ─────────────────────────────────────────────────────────────────────────────────────

def test_a_confirm_in_stage_one_stores_the_confirmation_and_the_service_code() -> None:
    request = dispatched()
    now = T0 + 60_000
    decision = decide(request, Confirm("i1", "654321"), now)
    after = decision.state
    assert decision.refusal is None
    assert (after.status, after.confirmed_at, after.service_code) == (Status.CONFIRMED, now, "654321")
    assert after.wake_at is None and after.confirm_deadline is None
    assert after.history[-1] == HistoryEntry(now, "confirmed", 1, "i1", None)
    assert decision.events == (StatusChanged(after, Status.DISPATCHED, "confirm"),)
    assert decision.writes == ()


def test_a_confirm_in_stage_two_stores_the_confirmation_and_the_service_code() -> None:
    request = reminded()
    now = REMIND_AT + 1
    decision = decide(request, Confirm("i1", "654321"), now)
    after = decision.state
    assert (after.status, after.confirmed_at, after.service_code) == (Status.CONFIRMED, now, "654321")
    assert decision.events == (StatusChanged(after, Status.REMINDED, "confirm"),)
    assert decision.writes == (), "the deduction was recorded with the reminder, not again"


def test_a_confirm_one_millisecond_before_the_first_deadline_escapes_the_deduction() -> None:
    request = dispatched()
    decision = decide(request, Confirm("i1", CODE), REMIND_AT - 1)
    assert kinds(request, decision.state) == ["confirmed"] and decision.writes == ()


def test_a_confirm_exactly_at_the_first_deadline_is_reminded_and_deducted_then_confirmed() -> None:
    request = dispatched()
    decision = decide(request, Confirm("i1", CODE), REMIND_AT)
    after = decision.state
    assert decision.refusal is None and after.status is Status.CONFIRMED and after.service_code == CODE
    assert kinds(request, after) == ["reminded", "deducted", "confirmed"]
    assert decision.writes == (ledger_entry(),)
    assert [type(e) for e in decision.events] == [StatusChanged, Reminded, StatusChanged]


def test_a_confirm_one_millisecond_before_the_second_deadline_is_in_time() -> None:
    decision = decide(reminded(), Confirm("i1", CODE), REVOKE_AT - 1)
    assert decision.refusal is None and decision.state.status is Status.CONFIRMED


def test_a_confirm_exactly_at_the_second_deadline_revokes_first_then_is_refused() -> None:
    request = reminded()
    decision = decide(request, Confirm("i1", CODE), REVOKE_AT)
    after = decision.state
    assert after.status is Status.PENDING and after.lapsed == ("i1",) and after.service_code is None
    assert kinds(request, after) == ["revoked"]
    assert decision.writes == (WorkloadChange("i1", -1),)
    assert isinstance(decision.refusal, DispatchRevoked)
    assert decision.refusal.status == 409 and decision.refusal.problem == "dispatch-revoked"
    assert decision.refusal.extensions == {"action": "confirm"}


def test_a_confirm_by_the_installer_who_let_it_lapse_is_refused_as_revoked_and_changes_nothing() -> None:
    request = revoked()
    decision = decide(request, Confirm("i1", CODE), REVOKE_AT + 1_000)
    assert isinstance(decision.refusal, DispatchRevoked)
    assert unchanged(decision, request)


def test_a_confirm_by_a_lapsed_installer_after_the_next_dispatch_is_refused_as_revoked() -> None:
    request = assign(revoked(), "i2", now=REVOKE_AT + 1_000)
    decision = decide(request, Confirm("i1", CODE), REVOKE_AT + 2_000)
    assert isinstance(decision.refusal, DispatchRevoked) and unchanged(decision, request)


def test_a_confirm_by_an_installer_it_was_never_sent_to_is_not_found() -> None:
    request = dispatched()
    decision = decide(request, Confirm("stranger", CODE), T0 + 1_000)
    assert isinstance(decision.refusal, NotFound) and not isinstance(decision.refusal, DispatchRevoked)
    assert unchanged(decision, request)


def test_a_repeated_confirm_changes_nothing_and_keeps_the_first_service_code() -> None:
    request = confirmed(code="111111")
    decision = decide(request, Confirm("i1", "222222"), T0 + 5_000)
    assert decision.refusal is None and unchanged(decision, request)
    assert decision.state.service_code == "111111"


def test_a_confirm_retried_after_the_start_changes_nothing() -> None:
    request = in_progress()
    decision = decide(request, Confirm("i1", "999999"), T0 + 9_000)
    assert decision.refusal is None and unchanged(decision, request)


def test_a_confirm_after_a_cancel_is_refused() -> None:
    request = decide(dispatched(), Cancel("customer:u1"), T0 + 1_000).state
    decision = decide(request, Confirm("i1", CODE), T0 + 2_000)
    assert isinstance(decision.refusal, InvalidTransition) and unchanged(decision, request)


# ── start and complete ──────────────────────────────────────────────────────────────────────────

def test_starting_a_confirmed_installation_records_when() -> None:
    request = confirmed()
    now = T0 + 30_000
    decision = decide(request, Start("i1"), now)
    after = decision.state
    assert (after.status, after.started_at) == (Status.IN_PROGRESS, now)
    assert after.history[-1] == HistoryEntry(now, "started", 1, "i1", None)
    assert decision.events == (StatusChanged(after, Status.CONFIRMED, "start"),) and decision.writes == ()


def test_starting_before_confirming_is_refused_naming_status_and_action() -> None:
    request = dispatched()
    decision = decide(request, Start("i1"), T0 + 1_000)
    assert isinstance(decision.refusal, InvalidTransition) and unchanged(decision, request)
    assert decision.refusal.extensions == {"current_status": "dispatched", "action": "start"}


def test_a_repeated_start_changes_nothing() -> None:
    request = in_progress()
    decision = decide(request, Start("i1"), T0 + 9_000)
    assert decision.refusal is None and unchanged(decision, request)


@pytest.mark.parametrize("event", [Start("stranger"), Complete("stranger", CODE, ())])
def test_only_the_assigned_installer_may_start_or_complete(event: InstallationEvent) -> None:
    request = in_progress() if isinstance(event, Complete) else confirmed()
    decision = decide(request, event, T0 + 9_000)
    assert isinstance(decision.refusal, NotFound) and unchanged(decision, request)


def test_completing_with_the_right_code_stores_photos_and_releases_the_installer() -> None:
    request = in_progress(code=CODE)
    now = T0 + 3_600_000
    decision = decide(request, Complete("i1", CODE, ("p1.jpg", "p2.jpg")), now)
    after = decision.state
    assert decision.refusal is None
    assert (after.status, after.completed_at, after.photos, after.flag) == (
        Status.COMPLETED, now, ("p1.jpg", "p2.jpg"), None)
    assert not after.flagged
    assert after.history[-1] == HistoryEntry(now, "completed", 1, "i1", "2 photo(s)")
    assert decision.events == (StatusChanged(after, Status.IN_PROGRESS, "complete"), InstallerFreed("i1"))
    assert decision.writes == (WorkloadChange("i1", -1),)


@pytest.mark.parametrize(("given", "reason"), [(None, FlagReason.CODE_MISSING), ("", FlagReason.CODE_MISSING),
                                               ("654321", FlagReason.CODE_WRONG), ("12345", FlagReason.CODE_WRONG)])
def test_completing_without_the_right_code_is_flagged_and_alerted(given: str | None, reason: FlagReason) -> None:
    request = in_progress(code=CODE)
    now = T0 + 3_600_000
    decision = decide(request, Complete("i1", given, ()), now)
    after = decision.state
    assert decision.refusal is None and after.status is Status.COMPLETED
    assert after.flag is reason and after.flagged
    assert after.history[-2:] == (HistoryEntry(now, "completed", 1, "i1", "0 photo(s)"),
                                  HistoryEntry(now, "flagged", 1, "i1", reason.value))
    assert decision.events == (StatusChanged(after, Status.IN_PROGRESS, "complete"), InstallerFreed("i1"),
                               Alert(after, "completion_flagged"))
    assert decision.writes == (WorkloadChange("i1", -1),)


def test_completing_before_starting_is_refused() -> None:
    request = confirmed()
    decision = decide(request, Complete("i1", CODE, ()), T0 + 9_000)
    assert isinstance(decision.refusal, InvalidTransition) and unchanged(decision, request)


def test_a_repeated_complete_changes_nothing_and_releases_nothing_again() -> None:
    done = decide(in_progress(code=CODE), Complete("i1", CODE, ()), T0 + 9_000).state
    decision = decide(done, Complete("i1", "000000", ("late.jpg",)), T0 + 10_000)
    assert decision.refusal is None and unchanged(decision, done)


# ── reassigning ─────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("waiting", [Status.DISPATCHED, Status.REMINDED])
def test_a_manager_reassigning_a_waiting_dispatch_ends_the_old_one_and_starts_fresh_windows(waiting: Status) -> None:
    request = dispatched() if waiting is Status.DISPATCHED else reminded()
    old = the_assignment(request)
    now = REMIND_AT + 1_000 if waiting is Status.REMINDED else T0 + 60_000
    decision = decide(request, an_assign(request, "i2", by="ops:m1", expected_attempt=1), now)
    after = decision.state
    assert decision.refusal is None
    assert (after.status, after.attempt, after.installer_id) == (Status.DISPATCHED, 2, "i2")
    assert (the_assignment(after).remind_at, the_assignment(after).revoke_at) == (
        now + REMIND_MS, now + REMIND_MS + REVOKE_MS)
    assert after.lapsed == () and after.revocations == 0, "a reassignment is not a lapse"
    assert after.history[-1] == HistoryEntry(now, "dispatched", 2, "i2", "assigned by ops:m1")
    assert decision.events == (DispatchEnded(after, old, "reassigned"), StatusChanged(after, waiting, "reassign"),
                               Dispatched(after), InstallerFreed("i1"))
    assert decision.writes == (WorkloadChange("i1", -1), WorkloadChange("i2", +1))


def test_an_assignment_naming_a_replaced_dispatch_is_refused_and_changes_nothing() -> None:
    request = assign(dispatched(), "i2", now=T0 + 1_000, by="ops:m1")
    decision = decide(request, an_assign(request, "i3", by="ops:m2", expected_attempt=1), T0 + 2_000)
    assert isinstance(decision.refusal, AlreadyReassigned) and unchanged(decision, request)
    assert decision.refusal.extensions == {"attempt": 2, "current_status": "dispatched", "installer_id": "i2"}


def test_an_assignment_naming_a_future_dispatch_is_refused_too() -> None:
    request = dispatched()
    decision = decide(request, an_assign(request, "i2", expected_attempt=5), T0 + 1_000)
    assert isinstance(decision.refusal, AlreadyReassigned) and unchanged(decision, request)


def test_assigning_to_the_installer_already_dispatched_is_refused() -> None:
    request = dispatched()
    decision = decide(request, an_assign(request, "i1", by="ops:m1"), T0 + 1_000)
    assert type(decision.refusal) is InvalidTransition and unchanged(decision, request)
    assert decision.refusal.extensions == {"installer_id": "i1"}


@pytest.mark.parametrize("settled", ["confirmed", "in_progress", "completed", "cancelled"])
def test_a_request_past_confirmation_cannot_be_reassigned(settled: str) -> None:
    request = confirmed() if settled == "confirmed" else in_progress()
    if settled == "completed":
        request = decide(request, Complete("i1", CODE, ()), T0 + 5_000).state
    if settled == "cancelled":
        request = decide(request, Cancel("ops:m1"), T0 + 5_000).state
    decision = decide(request, an_assign(request, "i2", by="ops:m1"), T0 + 6_000)
    assert type(decision.refusal) is InvalidTransition and unchanged(decision, request)
    assert decision.refusal.extensions == {"current_status": settled, "action": "reassign"}


def test_a_manager_may_hand_a_revoked_request_back_to_the_installer_who_let_it_lapse() -> None:
    request = assign(revoked(), "i1", now=REVOKE_AT + 1_000, by="ops:m1")
    assert request.status is Status.DISPATCHED and request.installer_id == "i1" and request.attempt == 2
    assert decide(request, Confirm("i1", CODE), REVOKE_AT + 2_000).state.status is Status.CONFIRMED


def test_an_assignment_at_the_second_deadline_revokes_first_and_then_dispatches() -> None:
    request = reminded()
    decision = decide(request, an_assign(request, "i2", by="ops:m1"), REVOKE_AT)
    assert decision.refusal is None
    assert kinds(request, decision.state) == ["revoked", "dispatched"]
    assert decision.state.lapsed == ("i1",) and decision.state.attempt == 2
    assert decision.writes == (WorkloadChange("i1", -1), WorkloadChange("i2", +1))


# ── no eligible installer, and the retry alarm ─────────────────────────────────────────────────

def test_finding_no_eligible_installer_keeps_the_request_pending_and_alerts_managers() -> None:
    request = an_installation()
    now = T0 + 1_000
    decision = decide(request, NoEligibleInstaller(), now)
    after = decision.state
    assert after.status is Status.PENDING and after.awaiting_installer_since == now
    assert after.wake_at == request.retry_at, "the retry alarm stays armed"
    assert after.history[-1] == HistoryEntry(now, "no_installer", 0, None, None)
    assert decision.events == (Alert(after, "no_eligible_installer"),) and decision.writes == ()


def test_finding_no_installer_again_alerts_only_once() -> None:
    waiting = decide(an_installation(), NoEligibleInstaller(), T0 + 1_000).state
    retried = decide(waiting, Deadline(T0 + RETRY_MS), T0 + RETRY_MS).state
    assert unchanged(decide(waiting, NoEligibleInstaller(), T0 + 2_000), waiting)
    assert unchanged(decide(retried, NoEligibleInstaller(), T0 + RETRY_MS + 1), retried)


def test_a_request_that_went_back_to_the_pool_alerts_again_if_nobody_is_found() -> None:
    request = revoked()
    decision = decide(request, NoEligibleInstaller(), REVOKE_AT + 1)
    assert decision.events == (Alert(decision.state, "no_eligible_installer"),)


def test_no_eligible_installer_reported_after_someone_assigned_it_changes_nothing() -> None:
    request = dispatched()
    assert unchanged(decide(request, NoEligibleInstaller(), T0 + 1_000), request)


@pytest.mark.parametrize("late_ms", [0, 1, 25_000])
def test_the_retry_alarm_re_arms_itself_and_asks_for_an_installer(late_ms: int) -> None:
    request = an_installation()
    now = T0 + RETRY_MS + late_ms
    decision = decide(request, Deadline(T0 + RETRY_MS), now)
    after = decision.state
    assert after.status is Status.PENDING and after.retry_at == now + RETRY_MS and after.wake_at == now + RETRY_MS
    assert after.history == request.history
    assert decision.events == (NeedsInstaller(after),) and decision.writes == () and decision.refusal is None


def test_the_retry_alarm_of_a_revoked_request_asks_for_an_installer_again() -> None:
    request = revoked()
    assert request.retry_at is not None
    decision = decide(request, Deadline(request.retry_at), request.retry_at)
    assert decision.events == (NeedsInstaller(decision.state),)


@pytest.mark.parametrize("request_state", ["pending", "dispatched", "reminded"])
def test_an_alarm_that_is_not_due_yet_does_nothing(request_state: str) -> None:
    builders: dict[str, Callable[[], Installation]] = {
        "pending": an_installation, "dispatched": dispatched, "reminded": reminded}
    request = builders[request_state]()
    assert request.wake_at is not None
    assert unchanged(decide(request, Deadline(request.wake_at), request.wake_at - 1), request)


@pytest.mark.parametrize("settled", ["confirmed", "in_progress", "cancelled"])
def test_an_alarm_for_a_request_that_stopped_waiting_does_nothing(settled: str) -> None:
    request = confirmed() if settled == "confirmed" else in_progress()
    if settled == "cancelled":
        request = decide(an_installation(), Cancel("customer:u1"), T0 + 1_000).state
    assert request.wake_at is None
    assert unchanged(decide(request, Deadline(REVOKE_AT), REVOKE_AT + RETRY_MS * 10), request)


# ── cancel ──────────────────────────────────────────────────────────────────────────────────────

OPEN: dict[str, tuple[Callable[[], Installation], int]] = {
    "pending": (an_installation, T0 + 1_000),
    "revoked": (revoked, REVOKE_AT + 1_000),
    "dispatched": (dispatched, T0 + 1_000),
    "reminded": (reminded, REMIND_AT + 1_000),
    "confirmed": (confirmed, T0 + 5_000),
    "in_progress": (in_progress, T0 + 5_000),
}


@pytest.mark.parametrize("state", sorted(OPEN))
def test_cancelling_an_open_request_releases_its_installer_only_if_one_is_assigned(state: str) -> None:
    build, now = OPEN[state]
    request = build()
    decision = decide(request, Cancel("ops:m1", "customer moved"), now)
    after = decision.state
    assert decision.refusal is None
    assert (after.status, after.cancelled_at, after.wake_at, after.retry_at) == (Status.CANCELLED, now, None, None)
    assert after.history[-1].kind == "cancelled" and after.history[-1].detail == "ops:m1: customer moved"
    changed = StatusChanged(after, request.status, "cancel")
    if request.assignment is None:
        assert decision.events == (changed,) and decision.writes == ()
    else:
        assert decision.events == (changed, DispatchEnded(after, request.assignment, "cancelled"),
                                   InstallerFreed("i1"))
        assert decision.writes == (WorkloadChange("i1", -1),)
    assert (request.assignment is None) == (state in ("pending", "revoked"))


def test_a_cancel_without_a_reason_records_who_cancelled() -> None:
    after = decide(an_installation(), Cancel("customer:u1"), T0 + 1_000).state
    assert after.history[-1] == HistoryEntry(T0 + 1_000, "cancelled", 0, None, "customer:u1")


def test_a_repeated_cancel_changes_nothing() -> None:
    cancelled = decide(dispatched(), Cancel("customer:u1"), T0 + 1_000).state
    decision = decide(cancelled, Cancel("ops:m1", "again"), T0 + 2_000)
    assert decision.refusal is None and unchanged(decision, cancelled)


def test_cancelling_a_completed_installation_is_refused() -> None:
    done = decide(in_progress(code=CODE), Complete("i1", CODE, ()), T0 + 9_000).state
    decision = decide(done, Cancel("customer:u1"), T0 + 10_000)
    assert type(decision.refusal) is InvalidTransition and unchanged(decision, done)
    assert decision.refusal.extensions == {"current_status": "completed", "action": "cancel"}


# ── every decision follows the table ────────────────────────────────────────────────────────────

def test_every_status_change_reported_is_a_transition_of_the_table() -> None:
    decisions = [
        decide(an_installation(), an_assign(an_installation(), "i1"), T0),
        decide(dispatched(), Deadline(REMIND_AT), REVOKE_AT),
        decide(dispatched(), an_assign(dispatched(), "i2"), T0 + 1),
        decide(reminded(), Confirm("i1", CODE), REMIND_AT + 1),
        decide(confirmed(), Start("i1"), T0 + 9_000),
        decide(in_progress(), Complete("i1", None, ()), T0 + 9_000),
        decide(in_progress(), Cancel("ops:m1"), T0 + 9_000),
    ]
    changes = [e for d in decisions for e in d.events if isinstance(e, StatusChanged)]
    names = {name for moves in DISPATCH_TABLE.transitions.values() for name in moves}
    assert {c.cause for c in changes} == names - {"retry", "no_installer"}, "pending → pending is not a change"
    for change in changes:
        assert DISPATCH_TABLE.target(change.previous, change.cause) is change.installation.status, change.cause


def test_deciding_is_pure() -> None:
    request = reminded()
    event = Confirm("i1", CODE)
    assert decide(request, event, REMIND_AT + 1) == decide(request, event, REMIND_AT + 1)
    assert request == reminded()
