"""A lease kept alive while long work runs: renewed once at the start, then every `every_s` on a
daemon thread, until the work ends.

Why: a queue consumer that runs for minutes (`process_videos`) needs its message hidden for as
long as it works, and no longer once it died. A visibility timeout long enough for the slowest
run leaves a crashed run's message waiting all that time; a short lease renewed while the work
runs brings it back within one lease of the crash. Renewals that fail are logged and tried again
at the next beat: the lease lapsing early only lets a second delivery start, which the work's
conditional writes must (and do) make harmless, so a renewal never fails the work itself.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable
from types import TracebackType

from chalicelib.core.observability import log


def beat(renew: Callable[[], None], wait: Callable[[], bool], what: str) -> int:
    """Renews after each `wait()` until it returns True (stopped); returns the renewals tried."""
    tried = 0
    while not wait():
        tried += 1
        _renew(renew, what)
    return tried


def _renew(renew: Callable[[], None], what: str) -> None:
    try:
        renew()
    except Exception as exc:  # noqa: BLE001 - a missed renewal is retried at the next beat
        log("lease.renewal_failed", logging.WARNING, lease=what, error=repr(exc)[:300])


class Heartbeat:
    """`with Heartbeat(renew, every_s, what):` keeps the lease `renew` extends for the block."""

    def __init__(self, renew: Callable[[], None], every_s: float, what: str) -> None:
        self._renew = renew
        self._every_s = every_s
        self._what = what
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        _renew(self._renew, self._what)
        # In the caller's context: its log lines carry the work's correlation id.
        self._thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(beat, self._renew, lambda: self._stopped.wait(self._every_s), self._what),
            name=f"heartbeat:{self._what}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopped.set()
        if self._thread is not None:
            # Bounded: a renewal stuck in its call must not hold the work's answer (it fails harmlessly
            # once the message is gone); not left behind either, or a frozen Lambda resumes it later.
            self._thread.join(timeout=self._every_s)
