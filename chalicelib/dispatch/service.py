"""Workflow 02's use cases — create, choose, assign, confirm, start, complete, cancel, list — and
the reactions (pushes, alerts, the next choice) that follow each committed transition."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.auth.principal import Principal, Role
from chalicelib.auth.scoping import may_see
from chalicelib.core.clock import Clock
from chalicelib.core.errors import ConcurrentUpdate, FieldError, InvalidTransition, NotFound, ValidationFailed
from chalicelib.core.ids import new_id
from chalicelib.core.observability import MetricsSink, log
from chalicelib.core.timefmt import iso
from chalicelib.dispatch import decider
from chalicelib.dispatch.installers import choose
from chalicelib.dispatch.model import (
    Alert,
    Assign,
    Cancel,
    Complete,
    Confirm,
    Deadline,
    Dispatched,
    DispatchEnded,
    HistoryEntry,
    Installation,
    InstallationEvent,
    InstallerFreed,
    NeedsInstaller,
    NoEligibleInstaller,
    Reminded,
    Start,
    Status,
    StatusChanged,
    installer_party,
)
from chalicelib.dispatch.photos import PHOTO_TYPES, UPLOAD_EXPIRES_S, PhotoStore, photo_key, photo_prefix
from chalicelib.dispatch.ports import InstallationFilter, InstallationStore
from chalicelib.dispatch.tables import INSTALLATION_KIND
from chalicelib.dispatch.views import customer_view, dispatch_view, ops_view
from chalicelib.dispatch.workforce import Workforce
from chalicelib.persistence.paging import Page
from chalicelib.push import party
from chalicelib.push.notifier import Notifier
from chalicelib.push.party import Party
from chalicelib.push.terminal import PendingList
from chalicelib.waitstate.engine import WaitStateEngine
from chalicelib.waitstate.model import Workflow

if TYPE_CHECKING:  # request bodies: only named here, so that alarms and pushes import none
    from chalicelib.dispatch.schemas import AssignIn, DispatchActionIn, InstallationIn, PhotoIn

MAX_CHOICE_ATTEMPTS = 3
OFFER_BATCH = 10
"""How many waiting requests of an area are offered at once when an installer frees up."""


class InstallationService:
    def __init__(self, engine: WaitStateEngine, store: InstallationStore, workforce: Workforce, photos: PhotoStore,
                 notifier: Notifier, clock: Clock, metrics: MetricsSink, *, retry_s: int,
                 photo_max_bytes: int) -> None:
        self._engine = engine
        self.store = store
        self._workforce = workforce
        self._photos = photos
        self._notifier = notifier
        self._clock = clock
        self._metrics = metrics
        self._retry_ms = retry_s * 1000
        self._photo_max_bytes = photo_max_bytes
        workforce.on_available = self.offer_waiting

    # ── creating and choosing ───────────────────────────────────────────────────────────────

    def create(self, caller: Principal, body: InstallationIn) -> Installation:
        caller.require(Role.OPS, Role.CUSTOMER)
        customer_id = body.customer_id if caller.role is Role.OPS else caller.sub
        if customer_id is None:
            raise ValidationFailed("ops must name the customer", [FieldError("customer_id", "required for ops")])
        if caller.role is Role.CUSTOMER and body.customer_id not in (None, caller.sub):
            raise ValidationFailed("customers request installations for themselves",
                                   [FieldError("customer_id", "must be your own id or omitted")])
        area = self._workforce.area_settings(body.area_id)
        if area is None:
            raise ValidationFailed("the request cannot be created", [FieldError("area_id", "no such area")])
        now = self._clock.now_ms()
        request = Installation(
            id=new_id("ins"), customer_id=customer_id, area_id=area.id, product=body.product,
            address=body.address.to_address(),
            preferred_time=None if body.preferred_time is None else int(body.preferred_time.timestamp() * 1000),
            note=body.note or None, status=Status.PENDING, created_at=now, updated_at=now,
            created_by=f"{caller.role.value}:{caller.sub}", retry_ms=self._retry_ms, order_id=body.order_id,
            retry_at=now + self._retry_ms, history=(HistoryEntry(now, "created", 0, None, caller.role.value),),
        )
        # The first choice is decided before the first write: the request is stored already
        # dispatched (or already waiting, with its alert), one write and one alarm instead of two.
        decision = decider.decide(request, self._choice(request), now)
        created: Installation = self._engine.start(INSTALLATION_KIND, decision.state, decision.events,
                                                   decision.writes)
        log("installation.created", installation_id=created.id, area_id=area.id, customer_id=customer_id,
            status=created.status.value)
        return created

    def find_installer(self, request_id: str, known: Installation | None = None) -> Installation | None:
        """Dispatch a pending request to the best eligible installer, or record (and alert) that
        there is none. Safe to run concurrently and repeatedly: the assignment names the dispatch
        it replaces, so only one of several racing choices commits (`known`: the request as just
        committed, which saves a read; a stale one only loses the race)."""
        current = known or self.store.get(request_id)
        for _ in range(MAX_CHOICE_ATTEMPTS):
            if current is None or current.status is not Status.PENDING:
                return current
            try:
                return self._apply(request_id, self._choice(current))
            except InvalidTransition:  # assigned or cancelled meanwhile (AlreadyReassigned is one)
                current = self.store.get(request_id)
        return current

    def _choice(self, request: Installation) -> Assign | NoEligibleInstaller:
        """The server's next step for a pending request: the best eligible installer, or none."""
        chosen = choose(request, self._workforce.store.covering(request.area_id))
        if chosen is None:
            return NoEligibleInstaller()
        return Assign(chosen.card, request.attempt, self._workforce.area(request.area_id).periods)

    def offer_waiting(self, area_ids: tuple[str, ...]) -> None:
        """Installers may have become available in these areas: give the oldest waiting requests a
        chance. One that nobody can take (say, the freed installer let it lapse) does not hold up
        the others; beyond the first OFFER_BATCH, requests wait for their retry alarm."""
        for area_id in dict.fromkeys(area_ids):
            for waiting in self.store.awaiting_installer(area_id, OFFER_BATCH):
                try:
                    self.find_installer(waiting.id)  # the index's copy may be stale: read it afresh
                except ConcurrentUpdate:
                    # Others keep changing it right now; its own retry alarm offers it again. The
                    # change that freed the installer is done and must not be answered as a 409.
                    log("installation.offer_contended", logging.WARNING, installation_id=waiting.id)

    # ── managers ────────────────────────────────────────────────────────────────────────────

    def assign(self, caller: Principal, request_id: str, body: AssignIn) -> Installation:
        caller.require(Role.OPS)
        installer = self._workforce.store.get(body.installer_id)
        if installer is None or not installer.active:
            raise ValidationFailed("cannot assign to that installer",
                                   [FieldError("installer_id", "no such active installer")])
        current = self._visible(caller, request_id)
        area = self._workforce.area(current.area_id)
        return self._apply(request_id, Assign(installer.card, body.attempt, area.periods, f"ops:{caller.sub}"),
                           caller)

    def search(self, caller: Principal, wanted: InstallationFilter, limit: int, token: str | None
               ) -> Page[Installation]:
        caller.require(Role.OPS)
        return self.store.search(wanted, limit, token)

    # ── customers ───────────────────────────────────────────────────────────────────────────

    def customer_requests(self, caller: Principal, limit: int, token: str | None) -> Page[Installation]:
        caller.require(Role.CUSTOMER)
        return self.store.for_customer(caller.sub, limit, token)

    def cancel(self, caller: Principal, request_id: str, reason: str | None) -> Installation:
        caller.require(Role.CUSTOMER, Role.OPS)
        return self._apply(request_id, Cancel(f"{caller.role.value}:{caller.sub}", reason), caller)

    # ── installers ──────────────────────────────────────────────────────────────────────────

    def installer_requests(self, caller: Principal, open_only: bool, limit: int, token: str | None
                           ) -> Page[Installation]:
        caller.require(Role.INSTALLER)
        return self.store.for_installer(caller.sub, open_only, limit, token)

    def act(self, caller: Principal, request_id: str, body: DispatchActionIn) -> Installation:
        caller.require(Role.INSTALLER)
        event: InstallationEvent
        if body.action == "confirm":
            event = Confirm(caller.sub, f"{secrets.randbelow(1_000_000):06d}")
        elif body.action == "start":
            event = Start(caller.sub)
        else:
            current = self._visible(caller, request_id)
            # Photos are checked only for a completion that can succeed: anyone else gets the
            # decider's answer (409 dispatch-revoked, or the current state for a repeated tap).
            can_complete = current.installer_id == caller.sub and current.status is Status.IN_PROGRESS
            photos = self._uploaded(request_id, body.photos) if can_complete else ()
            event = Complete(caller.sub, body.service_code or None, photos)
        return self._apply(request_id, event, caller)

    def photo_upload(self, caller: Principal, request_id: str, body: PhotoIn) -> dict[str, Any]:
        """A presigned POST for one photo; only the installer of a started installation gets one."""
        caller.require(Role.INSTALLER)
        current = self._visible(caller, request_id)
        if current.installer_id != caller.sub or current.status is not Status.IN_PROGRESS:
            raise ValidationFailed("photos are uploaded by the installer of a started installation",
                                   [FieldError("status", f"is {current.status.value}, must be in_progress")])
        if body.size_bytes > self._photo_max_bytes:
            raise ValidationFailed("the photo is too large",
                                   [FieldError("size_bytes", f"at most {self._photo_max_bytes} bytes")])
        photo_id = new_id("ph")
        key = photo_key(request_id, photo_id, body.content_type)
        upload = self._photos.presign_upload(key, body.content_type, self._photo_max_bytes, UPLOAD_EXPIRES_S)
        now = self._clock.now_ms()
        return {"photo_id": photo_id, "upload": upload, "max_bytes": self._photo_max_bytes,
                "upload_deadline": iso(now + UPLOAD_EXPIRES_S * 1000), "server_time": iso(now)}

    def _uploaded(self, request_id: str, photo_ids: list[str]) -> tuple[str, ...]:
        """The keys of the named photos, checked against what really arrived in S3."""
        stored = self._photos.uploaded(photo_prefix(request_id))
        errors: list[FieldError] = []
        for n, photo_id in enumerate(photo_ids):
            photo = stored.get(photo_id)
            if photo is None:
                errors.append(FieldError(f"photos[{n}]", "not uploaded"))
            elif photo.size > self._photo_max_bytes or photo.content_type not in PHOTO_TYPES:
                errors.append(FieldError(f"photos[{n}]", "not an accepted image (type or size)"))
        if errors:
            raise ValidationFailed("the completion's photos are not all there", errors)
        return tuple(stored[p].key for p in dict.fromkeys(photo_ids))

    def pending_work(self, of: Party, now: int) -> PendingList:
        """An installer terminal's open dispatches (its `list_pending` after a reconnect)."""
        page = self.store.for_installer(of.id, True, 100, None)
        return PendingList("dispatches.listed", [dispatch_view(i, of.id, now) for i in page.items])

    # ── anyone allowed to see it ────────────────────────────────────────────────────────────

    def get(self, caller: Principal, request_id: str) -> Installation:
        current = self._visible(caller, request_id)
        settled: Installation = self._engine.settled(INSTALLATION_KIND, current, lambda i: may_see(caller, i.parties))
        return settled

    # ── the wait-state engine's side ────────────────────────────────────────────────────────

    def react(self, request: Installation, events: tuple[object, ...], now: int) -> None:
        for event in events:
            match event:
                case StatusChanged():
                    self._status_changed(event, now)
                case Dispatched(installation=i) | Reminded(installation=i) if i.assignment is not None:
                    message_type = "dispatch.created" if isinstance(event, Dispatched) else "dispatch.reminded"
                    self._notifier.push(installer_party(i.assignment.installer_id), message_type,
                                        dispatch_view(i, i.assignment.installer_id, now), now)
                case DispatchEnded(installation=i, assignment=ended, reason=reason):
                    self._notifier.push(installer_party(ended.installer_id), "dispatch.revoked",
                                        {"installation_id": i.id, "attempt": ended.attempt, "reason": reason}, now)
                case Alert(installation=i, kind=kind):
                    log("installation.alert", logging.WARNING, installation_id=i.id, kind=kind)
                    self._metrics.metric("DispatchAlert", 1, "Count", {"kind": kind}, installation_id=i.id)
                    self._notifier.push(party.OPS, "alert.raised", {"kind": kind, "installation": ops_view(i, now)},
                                        now)
                case NeedsInstaller(installation=i):
                    self.find_installer(i.id, i)
                case InstallerFreed(installer_id=installer_id):
                    self.offer_waiting(self._workforce.areas_of(installer_id))

    def _status_changed(self, event: StatusChanged, now: int) -> None:
        i = event.installation
        extra = {"previous_status": event.previous.value, "cause": event.cause}
        self._notifier.push(party.customer(i.customer_id), "installation.status_changed",
                            {**customer_view(i, now), **extra}, now)
        self._notifier.push(party.OPS, "installation.status_changed", {**ops_view(i, now), **extra}, now)
        log("installation.transition", installation_id=i.id, previous=event.previous.value, status=i.status.value,
            cause=event.cause, installer_id=i.installer_id, attempt=i.attempt)
        if event.cause in ("confirm", "revoke"):
            stage = "revoked" if event.cause == "revoke" else (
                "confirmed_after_reminder" if event.previous is Status.REMINDED else "confirmed")
            self._metrics.metric("DispatchOutcome", 1, "Count", {"outcome": stage}, installation_id=i.id)

    # ── helpers ─────────────────────────────────────────────────────────────────────────────

    def _visible(self, caller: Principal, request_id: str) -> Installation:
        current = self.store.get(request_id)
        if current is None or not may_see(caller, current.parties):
            raise NotFound(f"installation {request_id} not found")
        return current

    def _apply(self, request_id: str, event: InstallationEvent, caller: Principal | None = None) -> Installation:
        visible = None if caller is None else (lambda i: may_see(caller, i.parties))
        result: Installation = self._engine.apply(INSTALLATION_KIND, request_id, event, visible)
        return result


def installation_workflow(service: InstallationService) -> Workflow[Installation]:
    return Workflow(kind=INSTALLATION_KIND, store=service.store, decide=decider.decide, alarm_event=Deadline,
                    react=service.react)


@dataclass(frozen=True)
class DispatchServices:
    """What installer dispatch's routes use: the requests and the workforce that serves them."""

    installations: InstallationService
    workforce: Workforce
