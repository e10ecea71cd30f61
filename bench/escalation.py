"""1,000 installer dispatches escalating through two chained alarms (remind, then revoke and reassign)
on the local stack: how late does each stage fire, is any alarm lost or fired twice?

Method (documented in bench/README.md, section `bench.escalation`):
* A fresh stack with `--sweep-interval 60`, as in bench/alarms.py, whose schedule this reuses:
  requests are created at a steady pace over `--place-seconds`, request i's reminder (stage 1,
  `remind_at`) targets `D0 + i·spread/N`, `D0` being `--lead` after the last creation. Escalation
  periods are whole seconds per area, so there is one area per remind period and each request goes
  to the area whose period lands its reminder nearest its target (chosen at send time). Every area
  has the same revoke period `spread + gap`, so the revocations (stage 2, `revoke_at`) fall due
  over a second window of the same shape `--gap` seconds after the first; nobody creates anything
  and nobody confirms while alarms fire.
* Each area has exactly two installers (`max_open_jobs` 50, the API's cap, no location): the first
  dispatch goes to the less loaded one, the revocation puts the other one in charge (the
  lapsed installer is excluded), so every reassignment has exactly one candidate, who always has
  room as long as an area holds ≤ 50 requests (≈ N/(place − spread) ≈ 14 by default). A second
  lapse would leave the request without an installer, but the second dispatch's reminder is due
  only ≥ `lead + spread` seconds after the run's last revocation, after the benchmark has read
  everything.
* Every installer's terminal listens (2 per area: 186 WebSocket connections by default, not one
  per request), and one ops console (`alert.raised`, every `installation.status_changed`).
* Server lateness per stage: the stack's `AlarmLateness` EMF lines for kind=installation; the
  stage of a line is the deadline it fired for (`_aws.Timestamp − AlarmLateness` is the alarm's
  `wake_at` plus the time the firing took, matched to the request's `remind_at` or `revoke_at`).
  User-visible lateness: receipt of `dispatch.reminded` / `dispatch.revoked` at the installer's
  terminal minus `remind_at` / `revoke_at`. Reassignment: receipt of the next dispatch's
  `dispatch.created` minus `revoke_at` (info).
* Lost: a request not `reminded` within `--margin` of `remind_at`, or not revoked within
  `--margin` of `revoke_at`, by the time recorded in its history (`GET /ops/installations/{id}`
  settles an overdue deadline itself, so its final status cannot show a lost alarm).
  Double-fired: more than one `reminded`, `deducted` or `revoked` history entry for the dispatch,
  more than one ledger entry per (request, dispatch), more than one `dispatch.reminded` or
  `dispatch.revoked` push per dispatch, more than one firing or transition logged per stage, or
  more than one `dispatch_revoked` alert per dispatch.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from bench import plots
from bench.alarms import DueSchedule
from bench.api import Api, ApiError, parse_iso_ms
from bench.report import (
    Out,
    at_most,
    none_of,
    print_checks,
    read_back,
    save,
    sleep_until,
    stack_options,
    unreadable,
    wait_for,
)
from bench.report import Phases as StackPhases
from bench.stack import LocalStack, emf_values, errors_logged, mib
from bench.stats import Summary, due_density, verdict
from bench.terminal import Received, Terminal, close_all, now_ms, open_all, receipts_by

TARGET_P99_MS = 1000.0
QUICK_ARGS = ("--dispatches", "100", "--spread", "10", "--place-seconds", "20", "--lead", "5", "--gap", "5")
"""The quick variant (`python -m bench.all --quick`): ≈ 1 min."""
INSTALLERS_PER_AREA = 2
DEDUCTION = (500, "CNY")
KIND = "installation"
STAGES = ("remind", "revoke")
HISTORY_KIND = {"remind": "reminded", "revoke": "revoked"}
PUSH_TYPE = {"remind": "dispatch.reminded", "revoke": "dispatch.revoked"}


@dataclass
class Dispatch:
    index: int
    customer_id: str
    remind_after_s: int
    target_remind_ms: float
    sent_ms: float
    installation_id: str = ""
    installer_id: str = ""
    attempt: int = 0
    remind_at: int = 0
    revoke_at: int = 0
    post_ms: float = 0.0
    error: str = ""

    @property
    def area_id(self) -> str:
        return area_of(self.remind_after_s)

    def due(self, stage: str) -> int:
        return self.remind_at if stage == "remind" else self.revoke_at

    def owns_firing(self, stage: str, wake_at: float, revoke_after_s_: int) -> bool:
        """Whether a firing whose `Timestamp − AlarmLateness` is `wake_at` was for this stage's
        deadline: at most halfway (plus a second) to the next deadline the request can have, the
        revocation after a reminder or the second dispatch's reminder after a revocation."""
        next_deadline_s = revoke_after_s_ if stage == "remind" else self.remind_after_s
        return -1000 <= wake_at - self.due(stage) <= max(1000, next_deadline_s * 500)


@dataclass
class StageVerdict:
    server: list[float] = field(default_factory=list)
    due_at: list[int] = field(default_factory=list)
    """The deadline each `server` lateness was for (epoch ms)."""
    user: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    not_fired: list[str] = field(default_factory=list)
    no_push: list[str] = field(default_factory=list)
    double_history: list[str] = field(default_factory=list)
    double_push: list[str] = field(default_factory=list)
    double_firing: list[str] = field(default_factory=list)
    double_transition: list[str] = field(default_factory=list)

    def doubles(self) -> set[str]:
        return {*self.double_history, *self.double_push, *self.double_firing, *self.double_transition}


@dataclass
class Verdicts:
    stages: dict[str, StageVerdict]
    double_deducted: list[str] = field(default_factory=list)
    double_ledger: list[str] = field(default_factory=list)
    double_alert: list[str] = field(default_factory=list)
    no_ledger: list[str] = field(default_factory=list)
    not_reassigned: list[str] = field(default_factory=list)
    no_installer: list[str] = field(default_factory=list)
    reassign_user: list[float] = field(default_factory=list)
    other_firings: int = 0

    def doubles(self) -> set[str]:
        found = {*self.double_deducted, *self.double_ledger, *self.double_alert}
        for stage in self.stages.values():
            found |= stage.doubles()
        return found

    def lost(self) -> set[str]:
        return {request for stage in self.stages.values() for request in stage.lost}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.escalation", description=__doc__.splitlines()[0])
    parser.add_argument("--dispatches", type=int, default=1000, help="installation requests (one dispatch each)")
    parser.add_argument("--spread", type=float, default=30.0, help="seconds over which each stage's alarms fall due")
    parser.add_argument("--place-seconds", type=float, default=100.0, help="seconds over which requests are created")
    parser.add_argument("--lead", type=float, default=10.0, help="seconds between the last creation and D0")
    parser.add_argument("--gap", type=float, default=10.0,
                        help="seconds between the end of stage 1's window and the start of stage 2's")
    parser.add_argument("--max-open-jobs", type=int, default=50, help="each installer's capacity (API cap: 50)")
    parser.add_argument("--customers", type=int, default=20, help="customers the requests are for (no terminals)")
    parser.add_argument("--no-console", dest="console", action="store_false",
                        help="do not connect the ops console terminal")
    stack_options(parser, "escalation", margin="seconds after a deadline before 'lost'")
    args = parser.parse_args(argv)
    per_area = args.dispatches / max(1.0, args.place_seconds - args.spread)
    if per_area > args.max_open_jobs:
        parser.error(f"≈ {per_area:.0f} requests per area would exceed --max-open-jobs {args.max_open_jobs}: "
                     "lengthen --place-seconds (areas hold ≈ dispatches / (place-seconds − spread) requests)")
    return args


def revoke_after_s(args: argparse.Namespace) -> int:
    return max(1, round(float(args.spread) + float(args.gap)))


def schedule_of(args: argparse.Namespace) -> DueSchedule:
    return DueSchedule(args.dispatches, args.place_seconds, args.lead, args.spread)


def area_of(remind_after_s: int) -> str:
    return f"a_r{remind_after_s}"


def installer_ids(remind_after_s: int) -> list[str]:
    return [f"i_r{remind_after_s}_{k}" for k in range(INSTALLERS_PER_AREA)]



# ── driving the stack ──────────────────────────────────────────────────────────────────────

async def set_up(api: Api, ops: str, args: argparse.Namespace, periods: range) -> list[str]:
    """One area per remind period, two installers each; returns every installer id."""
    installers: list[str] = []
    for period in periods:
        await api.create_area(ops, area_of(period), period, revoke_after_s(args), DEDUCTION)
        for n, installer in enumerate(installer_ids(period)):
            await api.create_installer(ops, installer, [area_of(period)], args.max_open_jobs,
                                       phone=f"+86138{period:04d}{n:04d}")
            installers.append(installer)
    return installers


async def create_all(api: Api, ops: str, schedule: DueSchedule, customers: int) -> list[Dispatch]:
    async def create(index: int) -> Dispatch:
        sent = now_ms()
        period = schedule.period_for(index, sent)
        d = Dispatch(index, f"c_{index % customers}", period, schedule.target_ms(index), sent)
        try:
            reply = await api.create_installation(ops, d.area_id, d.customer_id)
            d.installation_id = str(reply["installation_id"])
            assignment = reply.get("assignment")
            if reply.get("status") != "dispatched" or not assignment:
                d.error = f"not dispatched on creation: {reply.get('status')}"
            else:
                d.installer_id = str(assignment["installer"]["installer_id"])
                d.attempt = int(assignment["attempt"])
                d.remind_at = parse_iso_ms(str(assignment["remind_at"]))
                d.revoke_at = parse_iso_ms(str(assignment["confirm_deadline"]))
        except (ApiError, OSError, KeyError, TypeError, ValueError) as exc:
            d.error = str(exc)[:200] or type(exc).__name__
        d.post_ms = now_ms() - sent
        return d

    return await schedule.send_all(create)


def dispatch_key(received: Received) -> tuple[str, int] | None:
    """(installation id, dispatch number) of a `dispatch.*` push."""
    installation_id, attempt = received.data.get("installation_id"), received.data.get("attempt")
    return None if installation_id is None or attempt is None else (str(installation_id), int(attempt))


def revoked_key(received: Received) -> tuple[str, int] | None:
    return dispatch_key(received) if received.data.get("reason") == "timeout" else None


def alert_key(received: Received) -> tuple[str, int] | None:
    installation = received.data.get("installation") or {}
    if received.data.get("kind") != "dispatch_revoked" or not installation:
        return None
    return str(installation.get("installation_id")), int(installation.get("attempt", 0))


async def wait_for_pushes(dispatches: list[Dispatch], installers: list[Terminal], margin_s: float) -> None:
    """Until the last revocation + margin, then (at most 10 s more) until every dispatch's
    reminder and revocation, and the next dispatch, have reached the installers."""
    ours = [d for d in dispatches if d.remind_at]
    await sleep_until(max((d.revoke_at for d in ours), default=now_ms()) + margin_s * 1000)
    wanted = {(d.installation_id, d.attempt) for d in ours}
    following = {(d.installation_id, d.attempt + 1) for d in ours}
    await wait_for(lambda: (wanted <= receipts_by(installers, PUSH_TYPE["remind"], dispatch_key).keys()
                            and wanted <= receipts_by(installers, PUSH_TYPE["revoke"], revoked_key).keys()
                            and following <= receipts_by(installers, "dispatch.created", dispatch_key).keys()),
                   now_ms() + 10_000)


async def final_reads(api: Api, ops: str, dispatches: list[Dispatch], installer_ids_: list[str]
                      ) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    requests = await read_back([d.installation_id for d in dispatches if d.installation_id],
                               lambda installation_id: api.ops_installation(ops, installation_id), unreadable)
    # An unreadable ledger shows as dispatches with no ledger entry.
    ledgers = await read_back(installer_ids_, lambda installer_id: api.installer_ledger(ops, installer_id),
                              lambda exc: [])
    return requests, [entry for page in ledgers.values() for entry in page]


class Phases(StackPhases):
    def idle_cpu_share(self) -> float:
        """The stack's CPU share between the last creation and the first reminder, when nothing but
        stragglers, pollers and pumps run: the part of each later phase that is not the alarms'."""
        elapsed = self.at["due"] - self.at["created"]
        return self.cpu_between("created", "due") / elapsed if elapsed > 1 else math.nan


async def run(args: argparse.Namespace, out: Out) -> dict[str, Any]:
    schedule = schedule_of(args)
    periods = schedule.periods
    phases = Phases()
    with LocalStack(sweep_interval_s=args.sweep_interval, log_name="escalation-stack",
                    extra_args=tuple(args.stack_arg)) as stack:
        out(f"stack: {' '.join(stack.command[1:])}\n       {stack.urls}")
        api = Api(stack.urls.rest)
        terminals: list[Terminal] = []
        installers: list[Terminal] = []
        try:
            ops = await api.token("ops", "bench-ops")
            installer_list = await set_up(api, ops, args, periods)
            installers = [Terminal(i, stack.urls.ws, await api.token("installer", i)) for i in installer_list]
            terminals = [*installers, *([Terminal("ops", stack.urls.ws, ops)] if args.console else [])]
            await open_all(terminals)
            out(f"areas            {len(periods)} (remind after {periods.start}–{periods.stop - 1} s, revoke "
                f"{revoke_after_s(args)} s later, deduction {DEDUCTION[0]} {DEDUCTION[1]}), {INSTALLERS_PER_AREA} "
                f"installers each (max_open_jobs {args.max_open_jobs}); {len(installers)} installer terminals"
                f"{' + 1 ops console' if args.console else ''}")
            out(f"creating {args.dispatches} installation requests over {args.place_seconds:.0f} s; reminders due "
                f"over {args.spread:.0f} s from {args.lead:.0f} s after the last, revocations {args.gap:.0f} s after "
                "those")
            await phases.mark(stack, "start")
            started = time.monotonic()
            dispatches = await create_all(api, ops, schedule.started(), args.customers)
            placing_s = time.monotonic() - started
            await phases.mark(stack, "created")
            ours = [d for d in dispatches if d.remind_at]
            first_remind = min((d.remind_at for d in ours), default=now_ms())
            last_remind = max((d.remind_at for d in ours), default=now_ms())
            first_revoke = min((d.revoke_at for d in ours), default=now_ms())
            await sleep_until(first_remind - 1000)
            await phases.mark(stack, "due")
            await sleep_until(max(last_remind + 1000, (last_remind + first_revoke) / 2))
            await phases.mark(stack, "between")
            await wait_for_pushes(dispatches, installers, args.margin)
            await phases.mark(stack, "end")
            requests, ledger = await final_reads(api, ops, dispatches, installer_list)
        finally:
            await close_all(terminals)
            await api.close()
        documents = stack.json_lines()
    return report(args, out, dispatches, placing_s, installers, terminals, requests, ledger, documents, phases)


# ── judging ────────────────────────────────────────────────────────────────────────────────

def firings(dispatches: list[Dispatch], documents: list[dict[str, Any]], revoke_after_s_: int
            ) -> tuple[dict[tuple[str, str], list[float]], int]:
    """(request id, stage) → lateness of every firing of that deadline (AlarmLateness EMF), and the
    number of firings of our requests that match neither of the first dispatch's deadlines."""
    by_id = {d.installation_id: d for d in dispatches if d.remind_at}
    fired: dict[tuple[str, str], list[float]] = {}
    other = 0
    for doc in emf_values(documents, "AlarmLateness"):
        d = by_id.get(str(doc.get("entity_id")))
        if doc.get("kind") != KIND or d is None:
            continue
        lateness = float(doc["AlarmLateness"])
        wake_at = float(doc["_aws"]["Timestamp"]) - lateness  # + the firing's own duration
        stage = min(STAGES, key=lambda s: abs(wake_at - d.due(s)))
        if d.owns_firing(stage, wake_at, revoke_after_s_):
            fired.setdefault((d.installation_id, stage), []).append(lateness)
        else:
            other += 1
    return fired, other


def history_of(request: dict[str, Any], kind: str, attempt: int) -> list[int]:
    return [parse_iso_ms(str(h["at"])) for h in request.get("history", [])
            if h.get("kind") == kind and h.get("attempt") == attempt]


def judge(args: argparse.Namespace, dispatches: list[Dispatch], installers: list[Terminal],
          terminals: list[Terminal], requests: dict[str, dict[str, Any]], ledger: list[dict[str, Any]],
          documents: list[dict[str, Any]]) -> Verdicts:
    margin_ms = args.margin * 1000
    fired, other = firings(dispatches, documents, revoke_after_s(args))
    transitions = Counter(
        (str(doc.get("installation_id")), str(doc.get("cause")), int(doc.get("attempt", 0)))
        for doc in documents if doc.get("event") == "installation.transition")
    pushes = {"remind": receipts_by(installers, PUSH_TYPE["remind"], dispatch_key),
              "revoke": receipts_by(installers, PUSH_TYPE["revoke"], revoked_key)}
    created = receipts_by(installers, "dispatch.created", dispatch_key)
    alerts = receipts_by(terminals, "alert.raised", alert_key)
    ledger_entries = Counter((str(e.get("installation_id")), int(e.get("attempt", 0))) for e in ledger)
    verdicts = Verdicts({stage: StageVerdict() for stage in STAGES}, other_firings=other)
    for d in dispatches:
        if not d.remind_at:
            continue
        request, key = requests.get(d.installation_id, {}), (d.installation_id, d.attempt)
        for stage in STAGES:
            v, due = verdicts.stages[stage], d.due(stage)
            settled = history_of(request, HISTORY_KIND[stage], d.attempt)
            if not settled or settled[0] > due + margin_ms:
                v.lost.append(d.installation_id)
            lateness = fired.get((d.installation_id, stage), [])
            v.server += lateness[:1]
            v.due_at += [due] if lateness else []
            if not lateness:
                v.not_fired.append(d.installation_id)
            received = pushes[stage].get(key, [])
            if received:
                v.user.append(min(received) - due)
            else:
                v.no_push.append(d.installation_id)
            for found, doubles in ((settled, v.double_history), (received, v.double_push),
                                   (lateness, v.double_firing)):
                if len(found) > 1:
                    doubles.append(d.installation_id)
            if transitions[(d.installation_id, stage, d.attempt)] > 1:
                v.double_transition.append(d.installation_id)
        if len(history_of(request, "deducted", d.attempt)) > 1:
            verdicts.double_deducted.append(d.installation_id)
        if ledger_entries[key] > 1:
            verdicts.double_ledger.append(d.installation_id)
        if ledger_entries[key] == 0:
            verdicts.no_ledger.append(d.installation_id)
        if len(alerts.get(key, [])) > 1:
            verdicts.double_alert.append(d.installation_id)
        if not history_of(request, "dispatched", d.attempt + 1):
            verdicts.not_reassigned.append(d.installation_id)
        if any(h.get("kind") == "no_installer" for h in request.get("history", [])):
            verdicts.no_installer.append(d.installation_id)
        next_dispatch = created.get((d.installation_id, d.attempt + 1))
        if next_dispatch:
            verdicts.reassign_user.append(min(next_dispatch) - d.revoke_at)
    return verdicts


# ── reporting ──────────────────────────────────────────────────────────────────────────────

def per(total: float, count: int) -> float:
    return total / count if count else math.nan


def report(args: argparse.Namespace, out: Out, dispatches: list[Dispatch], placing_s: float,
           installers: list[Terminal], terminals: list[Terminal], requests: dict[str, dict[str, Any]],
           ledger: list[dict[str, Any]], documents: list[dict[str, Any]], phases: Phases) -> dict[str, Any]:
    ours = [d for d in dispatches if d.remind_at]
    n = len(ours)
    verdicts = judge(args, dispatches, installers, terminals, requests, ledger, documents)
    errors = [d for d in dispatches if d.error]
    post = Summary.of([d.post_ms for d in ours])
    per_area = Counter(d.area_id for d in ours)
    spread = {stage: due_density(d.due(stage) for d in ours) for stage in STAGES}
    off_target = [d for d in ours if abs(d.remind_at - d.target_remind_ms) > 1000]
    server = {stage: Summary.of(verdicts.stages[stage].server) for stage in STAGES}
    user = {stage: Summary.of(verdicts.stages[stage].user) for stage in STAGES}
    reassign = Summary.of(verdicts.reassign_user)
    sweeps = [doc for doc in documents if doc.get("event") == "sweep.enqueued"]
    stale = sum(1 for doc in documents if doc.get("event") == "alarm.stale" and doc.get("kind") == KIND)
    doubles, lost = verdicts.doubles(), verdicts.lost()
    stack_errors = errors_logged(documents)
    cpu = {"creating": phases.cpu_between("start", "created"), "remind": phases.cpu_between("due", "between"),
           "revoke": phases.cpu_between("between", "end"), "idle_share": phases.idle_cpu_share()}
    calls = {"creating": phases.calls_between("start", "created"),
             "remind": phases.calls_between("due", "between"), "revoke": phases.calls_between("between", "end")}
    peak = phases.stats["end"].peak_rss_bytes
    rss = {name: stats.rss_bytes for name, stats in phases.stats.items()}

    out()
    out(f"created          {n}/{args.dispatches} dispatched in {placing_s:.1f} s "
        f"({len(dispatches) / placing_s:.1f}/s), POST latency {post.line()}; errors {len(errors)}")
    out(f"areas used       {len(per_area)}, at most {max(per_area.values(), default=0)} requests in one "
        f"(≤ max_open_jobs {args.max_open_jobs}: every reassignment finds room)")
    for stage in STAGES:
        spread_s, busiest = spread[stage]
        out(f"{stage:<6} deadlines spread over {spread_s:.1f} s, at most {busiest} due in one second"
            + (f"; {len(off_target)} more than 1 s off target" if stage == "remind" else ""))
    for stage, label in (("remind", "stage 1 remind"), ("revoke", "stage 2 revoke")):
        v = verdicts.stages[stage]
        out(f"{label}")
        out(f"  server lateness  {server[stage].line()}   (AlarmLateness EMF, kind=installation)")
        out(f"  user lateness    {user[stage].line()}   ({PUSH_TYPE[stage]} at the installer − deadline)")
        out(f"  lost {len(v.lost)} (not {HISTORY_KIND[stage]} within {args.margin:.0f} s); not fired by its alarm "
            f"{len(v.not_fired)}; no push {len(v.no_push)}; double: history {len(v.double_history)}, pushes "
            f"{len(v.double_push)}, firings {len(v.double_firing)}, transitions {len(v.double_transition)}")
    out(f"reassignment     {n - len(verdicts.not_reassigned)}/{n} dispatched again, no_installer "
        f"{len(verdicts.no_installer)}; dispatch.created at the next installer − revoke_at: {reassign.line()}")
    out(f"deductions       ledger entries {len(ledger)} for {n} dispatches: missing {len(verdicts.no_ledger)}, "
        f"doubled {len(verdicts.double_ledger)}; history doubled {len(verdicts.double_deducted)}; "
        f"alerts doubled {len(verdicts.double_alert)}")
    out(f"lost             {len(lost)} (either stage)")
    out(f"double-fired     {len(doubles)} (any of: history, ledger, pushes, firings, transitions, alerts)")
    out(f"other firings    {verdicts.other_firings} (neither deadline of the first dispatch); stale triggers dropped "
        f"{stale} (a revocation arms the retry alarm as a fallback; its trigger, superseded by the reassignment, "
        "is dropped when it arrives, if within the run)")
    for name, count in (stack_errors or {"none": 0}).items():
        out(f"stack errors     {count} × {name}")
    out(f"sweeper          {len(sweeps)} sweep(s) enqueued {sum(int(d.get('enqueued', 0)) for d in sweeps)} "
        f"alarm(s) ({sum(int(d.get('overdue', 0)) for d in sweeps)} overdue)")
    out(f"stack CPU        {per(cpu['creating'] * 1000, n):.0f} ms per request created; "
        f"{per(cpu['remind'] * 1000, n):.0f} ms per stage-1 alarm, {per(cpu['revoke'] * 1000, n):.0f} ms per "
        f"stage-2 alarm with its reassignment (each phase includes its idle waits; idle: "
        f"{cpu['idle_share'] * 100:.0f} % of a core)")
    for phase, counted in calls.items():
        out(f"AWS calls/{phase:<8} " + ", ".join(f"{name} {count / max(1, n):.2f}" for name, count in counted.items()))
    out("stack RSS        " + ", ".join(f"{name} {mib(value):.0f}" for name, value in rss.items())
        + f" MiB; peak {mib(peak):.0f} MiB")
    out()
    checks = [
        at_most("stage 1 (remind) lateness p99 (server)", server["remind"].p99, TARGET_P99_MS),
        at_most("stage 2 (revoke + reassign) lateness p99 (server)", server["revoke"].p99, TARGET_P99_MS),
        none_of("lost (either stage)", len(lost) + args.dispatches - n),
        none_of("double-fired", len(doubles)),
    ]
    print_checks(out, checks)
    for stage in STAGES:
        out(f"info  user-visible {stage} p99 ≤ {TARGET_P99_MS:.0f} ms: "
            f"{verdict(user[stage].count > 0 and user[stage].p99 <= TARGET_P99_MS)}")

    def stage_json(stage: str) -> dict[str, Any]:
        v = verdicts.stages[stage]
        return {"server_lateness_ms": asdict(server[stage]), "user_lateness_ms": asdict(user[stage]),
                "deadline_spread_s": spread[stage][0], "busiest_second": spread[stage][1],
                **{name: value for name, value in asdict(v).items() if name not in ("server", "due_at", "user")}}

    targets = {f"p99 ≤ {TARGET_P99_MS:,.0f} ms": TARGET_P99_MS}
    first_due = min((d.remind_at for d in ours), default=0)
    panels = [
        plots.cdf("lateness of each alarm", {
            "remind, server": verdicts.stages["remind"].server, "revoke, server": verdicts.stages["revoke"].server,
            "remind, at the installer": verdicts.stages["remind"].user,
            "revoke, at the installer": verdicts.stages["revoke"].user}, targets=targets),
        plots.timeline("server lateness by due time", {
            stage: [((due - first_due) / 1000, late) for due, late in zip(verdicts.stages[stage].due_at,
                                                                          verdicts.stages[stage].server, strict=True)]
            for stage in STAGES}, targets=targets, xlabel="seconds since the first reminder was due"),
    ]
    result = {
        "args": vars(args), "dispatched": n, "errors": [d.error for d in errors][:10], "placing_s": placing_s,
        "post_ms": asdict(post), "areas_used": len(per_area), "most_in_one_area": max(per_area.values(), default=0),
        "off_target": len(off_target), "stages": {stage: stage_json(stage) for stage in STAGES},
        "reassign_user_ms": asdict(reassign), "not_reassigned": verdicts.not_reassigned,
        "no_installer": verdicts.no_installer, "ledger_entries": len(ledger), "no_ledger": verdicts.no_ledger,
        "double_ledger": verdicts.double_ledger, "double_deducted": verdicts.double_deducted,
        "double_alert": verdicts.double_alert, "other_firings": verdicts.other_firings, "stale_alarms": stale,
        "lost": sorted(lost), "double_fired": sorted(doubles), "peak_rss_bytes": peak,
        "stack_cpu_s": cpu, "aws_calls": calls, "rss_bytes": rss, "stack_errors": stack_errors,
    }
    save(args.out, result, checks, panels, lines=out.lines,
         title=f"bench.escalation: {n:,} dispatches, each stage due over {args.spread:.0f} s")
    return result


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    asyncio.run(run(args, Out()))


if __name__ == "__main__":
    main()
