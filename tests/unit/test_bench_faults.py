"""bench.faults' accounting: which windows are lost, which outcomes and pushes doubled, how long
recovery took after the fault stopped, and which answers fail the target."""

from __future__ import annotations

import argparse

from bench.faults import (
    Answer,
    FaultSpan,
    Incident,
    Window,
    account,
    allowance_ms,
    fault_seed,
    for_fault,
    judge_statuses,
    pushed_twice,
    repeated,
    route_of,
)
from bench.terminal import Received, Terminal

SPAN = FaultSpan(on_ms=10_000, off_ms=20_000)
ALLOWANCE = 4_500


def test_a_window_never_adjudicated_is_lost_and_one_on_time_is_not() -> None:
    tally = account([Window("o_1", 12_000), Window("o_2", 12_000, (12_100,))], [], SPAN, ALLOWANCE)
    assert tally.lost == [Incident("o_1", "never adjudicated")]
    assert (tally.windows, tally.adjudicated) == (2, 1)


def test_a_window_adjudicated_after_its_deadline_and_the_allowance_is_lost_though_it_has_an_outcome() -> None:
    tally = account([Window("o_1", 30_000, (34_400,)), Window("o_2", 30_000, (34_600,), what="unanswered")],
                    [], SPAN, ALLOWANCE)
    assert [i.entity_id for i in tally.lost] == ["o_2"]
    assert "4.6 s after its deadline (unanswered)" in tally.lost[0].why


def test_an_outcome_seen_only_in_the_final_state_adjudicates_without_a_time() -> None:
    tally = account([Window("b_1", 12_000, (), unseen_outcomes=1)], [], SPAN, ALLOWANCE)
    assert tally.lost == [] and tally.adjudicated == 1 and tally.recovery_ms == []


def test_two_outcomes_of_one_window_are_doubled_beside_the_doubles_found_elsewhere() -> None:
    elsewhere = Incident("p_9", "supplier orders ×2")
    tally = account([Window("o_1", 12_000, (12_100, 12_300), what="accepted, unanswered"),
                     Window("o_2", 12_000, (12_050,), unseen_outcomes=1)], [elsewhere], SPAN, ALLOWANCE)
    assert tally.doubled == [elsewhere, Incident("o_1", "2 outcomes (accepted, unanswered)"),
                             Incident("o_2", "2 outcomes ()")]


def test_recovery_is_the_outcome_after_the_later_of_the_deadline_and_the_fault_stop_for_windows_due_under_it() -> None:
    windows = [Window("due_early", 12_000, (21_500,)),      # due under the fault, settled 1.5 s after it stopped
               Window("due_late", 19_000, (19_200,)),       # on time, before the stop: 0
               Window("after", 25_000, (28_000,)),          # due after the fault: not a recovery
               Window("accepted", 15_000, (14_000,), by_deadline=False),
               Window("never", 16_000)]
    tally = account(windows, [], SPAN, 10_000)
    assert tally.recovery_ms == [1500, 0]
    assert tally.during_fault == 3


def test_only_what_was_counted_more_than_once_is_repeated() -> None:
    found = repeated({("p_1", "s_books_0"): 2, ("p_2", "s_books_0"): 1, "v_1": 3}, "seen")
    assert found == [Incident("p_1", "seen ×2 (s_books_0)"), Incident("v_1", "seen ×3")]


def test_a_push_twice_at_one_terminal_is_doubled_but_once_at_each_of_two_terminals_is_not() -> None:
    def terminal(name: str, *pushes: tuple[str, str]) -> Terminal:
        t = Terminal(name, "ws://x", "t")
        t.received += [Received(1.0, "order.status_changed", {"order_id": o}, m) for o, m in pushes]
        return t

    found = pushed_twice([terminal("a", ("o_1", "msg_1"), ("o_1", "msg_1"), ("o_2", "msg_2"), ("o_3", "msg_3"),
                                   ("o_3", "msg_4")), terminal("b", ("o_2", "msg_5"))],
                         "order.status_changed", lambda r: r.data["order_id"], "final status pushed")
    assert found == [Incident("o_1", "final status pushed ×2 at a, one message redelivered"),
                     Incident("o_3", "final status pushed ×2 at a, 2 distinct messages")]


def test_a_500_fails_a_503_without_retry_after_fails_and_a_502_of_a_killed_invocation_is_counted_apart() -> None:
    statuses = judge_statuses([Answer("POST /orders", 201), Answer("POST /orders", 500),
                               Answer("POST /orders", 503, retry_after=True), Answer("GET /calls/{id}", 503),
                               Answer("POST /purchases", 429), Answer("POST /orders", 502),
                               Answer("GET /orders/{id}", 504)])
    assert statuses.failures == {"POST /orders → 500": 1, "GET /calls/{id} → 503 without Retry-After": 1,
                                 "POST /purchases → 429 without Retry-After": 1, "GET /orders/{id} → 504": 1}
    assert statuses.killed == 1 and statuses.failed == 4
    assert statuses.by_status == {201: 1, 500: 1, 503: 2, 429: 1, 502: 1, 504: 1}


def test_routes_name_ids_as_such_so_answers_group_by_operation() -> None:
    assert route_of("POST", "/orders/o_1a2b/cancel") == "POST /orders/{id}/cancel"
    assert route_of("GET", "/supplier/orders?limit=100") == "GET /supplier/orders"


def test_the_allowance_is_a_sweep_and_the_grace_and_the_skew_under_clock_skew() -> None:
    assert allowance_ms("sqs.send", 2) == 2000 + 2000 + 500
    assert allowance_ms("clock.skew", 2) == 2000 + 2000 + 500 + 3000


def test_the_group_buy_load_is_larger_under_an_s3_fault_unless_told() -> None:
    asked = argparse.Namespace(bookings=None, videos=None)
    assert (for_fault(asked, "s3.delay").bookings, for_fault(asked, "s3.delay").videos) == (12, 6)
    assert (for_fault(asked, "sqs.send").bookings, for_fault(asked, "sqs.send").videos) == (6, 2)
    told = for_fault(argparse.Namespace(bookings=4, videos=0), "s3.duplicate")
    assert (told.bookings, told.videos) == (4, 0)


def test_each_fault_and_rate_draws_from_its_own_repeatable_seed() -> None:
    seeds = {fault_seed(0, fault, rate) for fault in ("s3.delay", "s3.duplicate") for rate in (0.05, 0.2)}
    assert len(seeds) == 4 and fault_seed(0, "s3.delay", 0.2) == fault_seed(0, "s3.delay", 0.2)
    assert fault_seed(1, "s3.delay", 0.2) != fault_seed(0, "s3.delay", 0.2)
