"""The lease a long queue consumer keeps on its message (`core/heartbeat.py`): renewed at the
start and after every beat until the work ends, a failed renewal logged and tried again."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chalicelib.core.heartbeat import Heartbeat, beat
from tests.log_lines import captured


def stopped_after(beats: int) -> Callable[[], bool]:
    """A wait that lets `beats` beats pass, then says the work ended."""
    answers = iter([False] * beats + [True])
    return lambda: next(answers)


def test_a_heartbeat_renews_after_every_beat_until_it_is_stopped() -> None:
    renewals: list[int] = []
    assert beat(lambda: renewals.append(1), stopped_after(3), "video:a") == 3
    assert len(renewals) == 3


def test_a_failed_renewal_is_logged_and_the_next_beat_renews_again() -> None:
    tried: list[int] = []

    def renew() -> None:
        tried.append(1)
        if len(tried) == 1:
            raise OSError("throttled")

    with captured() as logs:
        beat(renew, stopped_after(2), "video:a")
    assert len(tried) == 2
    [failed] = logs.events("lease.renewal_failed")
    assert failed["lease"] == "video:a" and "throttled" in failed["error"] and failed["level"] == "WARNING"


def test_a_heartbeat_renews_as_its_block_begins_and_its_thread_ends_with_the_block() -> None:
    renewals: list[int] = []
    with Heartbeat(lambda: renewals.append(1), every_s=3600, what="video:a") as held:
        assert renewals == [1]
        thread = held._thread
        assert thread is not None and thread.is_alive()
    assert not thread.is_alive() and renewals == [1]


def test_a_heartbeat_whose_first_renewal_fails_lets_the_work_run_and_ends_when_the_work_raises() -> None:
    def refused() -> None:
        raise OSError("ReceiptHandleIsInvalid")

    with captured() as logs, pytest.raises(ValueError, match="the work's own"), \
            Heartbeat(refused, every_s=3600, what="video:a") as held:
        raise ValueError("the work's own failure")
    assert held._thread is not None and not held._thread.is_alive()
    assert len(logs.events("lease.renewal_failed")) == 1
