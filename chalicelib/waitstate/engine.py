"""The wait-state engine: Step Functions-style `Wait` states emulated with one alarm per entity.

Every change goes through the same path, whether a user acted or an alarm fired:

    load ──▶ decide(state, event, now) ──▶ one conditional write (state + alarm) ──▶ trigger ──▶ react

(When a decision carries records that must not be lost or doubled — a deduction in a ledger, a
workload counter — they join that write in one transaction.)

* The write is conditioned on the version that was read, so of two racing writers exactly one
  commits; the loser re-reads and decides again against the winner's state.
* The trigger is an SQS message delayed until the alarm (≤ 15 min); the minute sweeper sends
  the triggers a write could not send (it marks its item so), re-sends triggers lost on the way
  (overdue by more than a grace) and hands over alarms that were too far away for SQS.
* Firing is fenced: a message whose `wake_at` is no longer the entity's alarm is dropped, so
  duplicate, late and superseded triggers change nothing.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, TypeVar

from chalicelib.core.clock import Clock
from chalicelib.core.contention import Backoff, retry_contended
from chalicelib.core.errors import AlreadyExists, ConcurrentUpdate, NotFound
from chalicelib.core.ids import issued_by_a_rerun
from chalicelib.core.observability import MetricsSink, log
from chalicelib.waitstate.model import (
    MAX_SQS_DELAY_S,
    SQS_BATCH,
    AlarmMessage,
    AlarmQueue,
    Decision,
    Stored,
    Trigger,
    WaitingEntity,
    Workflow,
)

T = TypeVar("T")
MAX_EARLY_WAIT_MS = 1500
"""SQS delays are whole seconds; a trigger up to this early waits in-process for its moment."""
ROUND_UP_WITHIN_MS = 50
"""A trigger due within this of a whole second is sent with that second's delay, arriving at most
this late (plus the poll), rather than a second early: most deadlines are `now + whole seconds`
(ring, answer and payment windows), read a millisecond later when the trigger is sent, and each
would otherwise hold an alarm worker for most of a second while it waits for its moment."""


OVERDUE_GUARD_S = 1
"""How long an overdue alarm of a batch (its trigger lost once already, sent again by the sweep or
by a redelivery) stays hidden while the batch runs: the shortest SQS allows. It has spent its grace
already, so a crash of its batch should cost it a second, not a second grace: in three full runs
of `bench faults` (D, E, I) one alarm whose trigger was lost and whose re-sent trigger's batch was
then killed came back a whole grace later, 4.8–5.9 s after its deadline. A redelivery while its batch
still runs costs one fenced read."""

REDELIVERY = Backoff(attempts=6, base_ms=1000, cap_ms=8000)
"""An alarm whose firing AWS refused (after the client's retries) or that kept losing its race is
sent again after 1 s, then up to 2, 4, 8 s (jittered), 5 times: it fires within seconds of the
fault, where waiting for SQS's visibility timeout (60 s) or the sweep (grace + a minute) would
leave its window open that long. After that SQS's redelivery and its dead-letter queue take over."""


def redelivery_delay_s(retry: int, draw: float) -> int:
    """SQS's whole-second delay before redelivery number `retry` (0: the first), `draw` in [0, 1)."""
    return 1 + REDELIVERY.delay_ms(retry, draw) // 1000


def trigger_delay_s(delay_ms: int) -> int:
    """SQS's `DelaySeconds` for a trigger due in `delay_ms`: the whole seconds before it, or the
    next one when that is at most `ROUND_UP_WITHIN_MS` late."""
    seconds, rest = divmod(max(0, delay_ms), 1000)
    return seconds + int(rest >= 1000 - ROUND_UP_WITHIN_MS)


class UnknownWorkflow(ValueError):
    """An alarm names a kind of entity no workflow handles: retrying cannot help."""


class FireOutcome(Enum):
    FIRED = "fired"
    STALE = "stale"  # the alarm was moved or cleared since the message was sent
    REQUEUED = "requeued"  # too early: handed back to the queue for the remaining delay
    LOST_RACE = "lost_race"  # another writer changed the entity first


@dataclass(frozen=True)
class Change:
    entity: Any
    """The entity as it now stands (committed by this call or by whoever won before it)."""
    committed: bool
    """Whether this call's own write changed it."""


@dataclass
class SweepReport:
    enqueued: int = 0
    overdue: int = 0
    unsent: int = 0
    """Alarms SQS refused twice: the next sweep finds them still due."""
    by_kind: dict[str, int] = field(default_factory=dict)


class WaitStateEngine:
    def __init__(self, alarms: AlarmQueue, clock: Clock, metrics: MetricsSink, *, due_shards: int,
                 sweep_interval_s: int, overdue_grace_s: int) -> None:
        self._alarms = alarms
        self._clock = clock
        self._metrics = metrics
        self._due_shards = due_shards
        self._sweep_interval_ms = sweep_interval_s * 1000
        self._overdue_grace_ms = overdue_grace_s * 1000
        self._workflows: dict[str, Workflow[Any]] = {}
        self._load: Callable[[str | None], None] = lambda kind: None

    def register(self, workflow: Workflow[Any]) -> None:
        self._workflows[workflow.kind] = workflow

    def register_on_demand(self, load: Callable[[str | None], None]) -> None:
        """`load(kind)` registers the workflow of a kind not registered yet (`None`: every one, before
        a sweep): the composition root builds a package at its first use (`bootstrap.Packages`)."""
        self._load = load

    def _workflow(self, kind: str) -> Workflow[Any]:
        if kind not in self._workflows:
            self._load(kind)
        try:
            return self._workflows[kind]
        except KeyError:
            raise UnknownWorkflow(f"no workflow registered for kind {kind!r}") from None

    # ── starting and changing entities ────────────────────────────────────────────────────

    def start(self, kind: str, entity: WaitingEntity, events: tuple[object, ...] = (),
              writes: tuple[object, ...] = ()) -> Any:
        """Store a new entity with its first alarm (and any records that go with it), trigger the
        alarm, then react. A create that a transaction in flight refused wrote nothing: tried again.
        A create run again under its Idempotency-Key after a crash finds what it made: returned."""
        workflow = self._workflow(kind)
        now = self._clock.now_ms()
        alarm_set_at = now if entity.wake_at is not None else None
        try:
            stored = self._retrying(lambda: workflow.store.insert(entity, alarm_set_at, writes))
        except AlreadyExists:
            made = workflow.store.load(entity.id) if issued_by_a_rerun(entity.id) else None
            if made is None:
                raise
            # This request ran before and died after its create (its key's claim went stale): the
            # entity, its alarm and its records are stored; the sweeper sees to a lost trigger.
            log("engine.created_before", kind=kind, entity_id=entity.id)
            return made.entity
        self._trigger(kind, None, stored, now)
        self._react(workflow, stored, events, now)
        return stored

    def apply(self, kind: str, entity_id: str, event: Any,
              visible: Callable[[Any], bool] | None = None) -> Any:
        """Decide `event` against the entity's current state and commit the result.

        Raises NotFound for an unknown id or one the caller may not see (`visible`), the decider's
        refusal after committing whatever the decider settled first, and `ConcurrentUpdate` (a 409)
        when other writers kept winning."""
        return self.change(kind, entity_id, event, visible).entity

    def change(self, kind: str, entity_id: str, event: Any,
               visible: Callable[[Any], bool] | None = None) -> Change:
        """`apply`, telling also whether this call's own write changed the entity. Of concurrent
        callers with the same event exactly one commits; the others re-read, find nothing left to
        do and get `committed=False` (a provider's duplicate callbacks learn so)."""
        workflow = self._workflow(kind)
        return self._retrying(lambda: self._change_once(workflow, kind, entity_id, event, visible))

    def _change_once(self, workflow: Workflow[Any], kind: str, entity_id: str, event: Any,
                     visible: Callable[[Any], bool] | None) -> Change:
        stored = workflow.store.load(entity_id)
        if stored is None or (visible is not None and not visible(stored.entity)):
            raise NotFound(f"{kind} {entity_id} not found")
        now = self._clock.now_ms()
        decision = workflow.decide(stored.entity, event, now)
        committed = self._commit(workflow, stored, decision, now)  # ConcurrentUpdate: decided again
        if decision.refusal is not None:
            raise decision.refusal
        return Change(committed, committed is not stored.entity)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        return retry_contended(attempt, sleep_ms=self._clock.sleep_ms)

    def settled(self, kind: str, entity: Any, visible: Callable[[Any], bool] | None = None) -> Any:
        """`entity` as a reader just loaded it — or, if its alarm is already due but has not fired
        yet, the entity after firing it now, through the same conditional write as the alarm. So no
        reader ever sees a window open past its deadline; the late alarm then finds nothing to do."""
        wake_at = entity.wake_at
        if wake_at is None or self._clock.now_ms() < wake_at:
            return entity
        return self.apply(kind, entity.id, self._workflow(kind).alarm_event(wake_at), visible)

    def _commit(self, workflow: Workflow[Any], stored: Stored[Any], decision: Decision[Any], now: int) -> Any:
        before, after = stored.entity, decision.state
        if after == before:
            return before
        alarm_set_at = stored.alarm_set_at if after.wake_at == before.wake_at else (
            now if after.wake_at is not None else None)
        committed = workflow.store.commit(after, before.version, alarm_set_at, decision.writes)
        self._trigger(workflow.kind, before.wake_at, committed, now)
        self._react(workflow, committed, decision.events, now)
        return committed

    def _react(self, workflow: Workflow[Any], entity: WaitingEntity, events: tuple[object, ...], now: int) -> None:
        """Reactions (pushes, metrics) are best-effort: the change is committed and terminals
        re-fetch state on reconnect, so a failed push must not turn a success into an error."""
        try:
            workflow.react(entity, events, now)
        except Exception as exc:  # noqa: BLE001 - any failure here is reported, never propagated
            log("react.failed", logging.ERROR, kind=workflow.kind, entity_id=entity.id, error=repr(exc),
                exc_info=True)

    def _trigger(self, kind: str, previous_wake_at: int | None, entity: WaitingEntity, now: int) -> None:
        """Send the trigger of an alarm this write set. A failed send is not fatal: the state is
        committed, and the item is marked so the next sweep sends the trigger (`_mark_unsent`)."""
        wake_at = entity.wake_at
        if wake_at is None or wake_at == previous_wake_at:
            return
        delay_ms = wake_at - now
        if delay_ms > MAX_SQS_DELAY_S * 1000:
            return  # beyond SQS's delay: the sweeper hands it over as it comes into range
        message = AlarmMessage(kind, entity.id, wake_at)
        if not self._sent(message, min(MAX_SQS_DELAY_S, trigger_delay_s(delay_ms)), "alarm.trigger_failed"):
            self._mark_unsent(message)

    def _mark_unsent(self, message: AlarmMessage) -> None:
        """Tell the sweeper this alarm has no trigger on its way, so its next sweep sends one, as for
        an alarm set too far ahead, instead of waiting until it is overdue by the grace: a lost
        trigger then costs at most one sweep interval. If this write fails too (or the process dies
        first), the grace path remains."""
        try:
            self._workflow(message.kind).store.mark_trigger_unsent(message.entity_id, message.wake_at)
        except Exception as exc:  # noqa: BLE001 - any failure: the sweeper still finds it once overdue
            log("alarm.unsent_mark_failed", logging.WARNING, kind=message.kind, entity_id=message.entity_id,
                error=repr(exc))

    def _sent(self, message: AlarmMessage, delay_s: int, failure: str) -> bool:
        """Send `message`, once more if SQS refused it (botocore's own retries are spent by then, but
        a refusal is often brief); False, logged as `failure`, when both attempts failed."""
        for attempt in (1, 2):
            try:
                self._alarms.send(message, delay_s)
                return True
            except Exception as exc:  # noqa: BLE001 - any transport failure: the caller has a fallback
                log(failure, logging.WARNING, kind=message.kind, entity_id=message.entity_id, attempt=attempt,
                    error=repr(exc))
        return False

    # ── firing ────────────────────────────────────────────────────────────────────────────

    def fire(self, message: AlarmMessage) -> FireOutcome:
        """LOST_RACE when other writers kept winning: the alarm handler then has SQS deliver the
        message again, and the fence drops it if a winner has moved the alarm meanwhile."""
        workflow = self._workflow(message.kind)
        try:
            return self._retrying(lambda: self._fire_once(workflow, message))
        except ConcurrentUpdate:
            log("alarm.contention", logging.WARNING, kind=message.kind, entity_id=message.entity_id)
            return FireOutcome.LOST_RACE

    def redeliver(self, message: AlarmMessage, draw: Callable[[], float] = random.random) -> bool:
        """Send `message` again after a short jittered delay (`REDELIVERY`), for a firing AWS refused
        or that lost its race; False when its redeliveries are spent or SQS refused the send twice
        (the handler then reports it failed, and SQS delivers it again after its visibility timeout).
        Firing is fenced: if the original comes back too, or the sweeper sends it, one of them fires."""
        retry = message.redelivery
        if retry + 1 >= REDELIVERY.attempts:
            return False
        return self._sent(replace(message, redelivery=retry + 1), redelivery_delay_s(retry, draw()),
                          "alarm.redelivery_failed")

    def guard_batch(self, received: Sequence[tuple[str, int]]) -> None:
        """A batch of alarms received together dies together: an invocation that crashes (killed,
        timed out) after firing one leaves the rest to SQS's visibility timeout, a minute, and the
        sweeper would only see them once overdue by the grace, then at its next tick. So the batch
        comes back after the grace instead, unless it is done first, and its overdue alarms after
        `OVERDUE_GUARD_S`. A batch slower than that is delivered a second time meanwhile, which the
        fence makes harmless. `received`: each message's receipt with its alarm's `wake_at`."""
        if len(received) < 2:
            return  # a lone alarm's own crash came after its write (or it failed before: SQS redelivers)
        overdue_before = self._clock.now_ms() - self._overdue_grace_ms
        grace_s = max(1, self._overdue_grace_ms // 1000)
        hidden_for: dict[int, list[str]] = {}
        for receipt, wake_at in received:
            hidden_for.setdefault(OVERDUE_GUARD_S if wake_at <= overdue_before else grace_s, []).append(receipt)
        for after_s, receipts in sorted(hidden_for.items()):
            try:
                self._alarms.redeliver_unless_done(receipts, after_s)
            except Exception as exc:  # noqa: BLE001 - any failure: the visibility timeout and the sweeper remain
                log("alarm.batch_unguarded", logging.WARNING, messages=len(receipts), error=repr(exc))

    def _fire_once(self, workflow: Workflow[Any], message: AlarmMessage) -> FireOutcome:
        stored = self._fenced(workflow, message)
        if stored is None:
            return FireOutcome.STALE
        now = self._clock.now_ms()
        early_ms = message.wake_at - now
        if early_ms > MAX_EARLY_WAIT_MS:
            self._alarms.send(message, min(MAX_SQS_DELAY_S, trigger_delay_s(early_ms)))
            return FireOutcome.REQUEUED
        if early_ms > 0:
            self._clock.sleep_ms(early_ms)
            now = self._clock.now_ms()
        decision = workflow.decide(stored.entity, workflow.alarm_event(message.wake_at), now)
        try:
            self._commit(workflow, stored, decision, now)  # ConcurrentUpdate: re-read, and the fence decides
        except ConcurrentUpdate:
            if early_ms <= 0:
                raise
            # Someone acted while the trigger waited: the write on what was read before the wait
            # was refused, so read what they left now. Not re-reading after every wait saves a
            # read per alarm; a refused write is the rarer cost.
            return self._fire_once(workflow, message)
        lateness_ms = now - message.wake_at
        self._metrics.metric("AlarmLateness", lateness_ms, "Milliseconds", {"kind": message.kind},
                             entity_id=message.entity_id)
        log("alarm.fired", kind=message.kind, entity_id=message.entity_id, lateness_ms=lateness_ms)
        return FireOutcome.FIRED

    def _fenced(self, workflow: Workflow[Any], message: AlarmMessage) -> Stored[Any] | None:
        """The entity, if the message's alarm is still its alarm (else the message is stale)."""
        stored = workflow.store.load(message.entity_id)
        if stored is None or stored.entity.wake_at != message.wake_at:
            log("alarm.stale", kind=message.kind, entity_id=message.entity_id, wake_at=message.wake_at)
            return None
        return stored

    # ── the safety net ────────────────────────────────────────────────────────────────────

    def sweep(self) -> SweepReport:
        """Hand due alarms to the queue: far-future ones as they come into range, those whose write
        could not send their trigger, and any whose trigger was lost (overdue by more than the
        grace period). Sent in batches as they are found: a sweep that dies loses fewer."""
        now = self._clock.now_ms()
        horizon = now + self._sweep_interval_ms + 15_000
        report = SweepReport()
        found: list[tuple[Trigger, bool]] = []
        self._load(None)
        for kind, workflow in self._workflows.items():
            for shard in range(self._due_shards):
                due = workflow.store.due(shard, horizon)
                # Judged when its shard is read, not when the sweep began: a sweep of every kind's
                # shards takes a while under load, and an alarm that became overdue meanwhile would
                # otherwise wait for the next sweep.
                now = self._clock.now_ms()
                for alarm in due:
                    overdue = alarm.wake_at < now - self._overdue_grace_ms
                    if alarm.trigger_sent_at_write and not overdue:
                        continue
                    delay_s = min(trigger_delay_s(alarm.wake_at - now), MAX_SQS_DELAY_S)
                    found.append(((AlarmMessage(kind, alarm.entity_id, alarm.wake_at), delay_s), overdue))
                    if len(found) == SQS_BATCH:
                        self._hand_over(found, report)
                        found = []
        self._hand_over(found, report)
        if report.enqueued or report.unsent:
            log("sweep.enqueued", enqueued=report.enqueued, overdue=report.overdue, by_kind=report.by_kind,
                unsent=report.unsent)
        self._metrics.metric("SweepOverdueAlarms", report.overdue, "Count", {})
        return report

    def _hand_over(self, found: list[tuple[Trigger, bool]], report: SweepReport) -> None:
        """Send a batch of the sweep's triggers, the refused ones once more: a failed send must not
        abort the sweep and leave every alarm after it to the next one. Those refused twice are
        counted `unsent`; the next sweep finds them still due."""
        if not found:
            return
        refused = self._alarms.send_batch([trigger for trigger, _ in found])
        if refused:
            log("sweep.send_failed", logging.WARNING, refused=len(refused), of=len(found))
            refused = self._alarms.send_batch(refused)
        unsent = {message for message, _ in refused}
        for (message, _), overdue in found:
            if message in unsent:
                report.unsent += 1
                continue
            report.enqueued += 1
            report.overdue += int(overdue)
            report.by_kind[message.kind] = report.by_kind.get(message.kind, 0) + 1
