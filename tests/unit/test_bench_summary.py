"""`bench.all`'s one table: every check of every benchmark, and when the set passes."""

from __future__ import annotations

import math
from typing import Any

from bench import alarms
from bench.all import SET, Row, arguments, markdown, passed, rows_of
from bench.report import Check, at_least, at_most, check, none_of


def results(*checks: Check) -> dict[str, Any]:
    return {"checks": [c.json() for c in checks]}


def test_the_set_passes_when_every_check_of_every_benchmark_passes() -> None:
    rows = [*rows_of("alarms", results(at_most("p99", 120.0, 250), none_of("lost", 0))),
            *rows_of("orders", results(at_least("highest rate sustained", 30.0, 30, "/s")))]

    assert passed(rows)
    assert [row.verdict for row in rows] == ["PASS", "PASS", "PASS"]


def test_one_failed_check_fails_the_set() -> None:
    rows = [*rows_of("alarms", results(at_most("p99", 120.0, 250))),
            *rows_of("checkout", results(at_most("pay → last supplier push p99", 471.0, 250)))]

    assert not passed(rows)
    assert rows[1] == Row("checkout", "pay → last supplier push p99", "≤ 250 ms", "471 ms", False)


def test_a_benchmark_that_left_no_results_is_a_failed_row() -> None:
    rows = rows_of("escalation", None, "exit 1")

    assert rows == [Row("escalation", "ran and wrote its results", "exit 0, a fresh JSON", "exit 1", False)]
    assert not passed(rows)


def test_a_benchmark_that_failed_after_writing_passing_results_still_fails_the_set() -> None:
    rows = rows_of("orders", results(none_of("lost", 0)), "timed out after 3600 s")

    assert [row.passed for row in rows] == [True, False]
    assert not passed(rows)


def test_a_benchmark_without_targets_is_shown_without_failing_the_set() -> None:
    rows = [*rows_of("profile", {"checks": []}), *rows_of("alarms", results(none_of("lost", 0)))]

    assert rows[0].verdict == "—"
    assert passed(rows)


def test_a_missing_measurement_fails_its_check() -> None:
    assert not at_most("p99", math.nan, 250).passed
    assert not at_most("p99 at 30/s", None, 200).passed
    assert not at_least("highest rate sustained", None, 30, "/s").passed
    assert at_most("p99", math.nan, 250).measured == "—"


def test_a_figure_exactly_at_its_target_passes() -> None:
    assert at_most("max", 1000.0, 1000).passed
    assert at_least("rate", 30.0, 30, "/s").passed
    assert not none_of("double-fired", 1).passed


def test_a_check_reads_back_as_it_was_written() -> None:
    written = check("import app ÷ bare imports", "≤ 1.3×", 2.4, False, "×")

    assert Check.parse(written.json()) == written
    assert written.line() == "FAIL  import app ÷ bare imports: 2.4× (target ≤ 1.3×)"


def test_the_markdown_summary_has_one_line_per_row_and_the_verdict() -> None:
    rows = rows_of("alarms", results(at_most("p99", 120.0, 250), none_of("lost", 2)))

    text = markdown(rows, "Benchmarks")

    assert "| alarms | p99 | ≤ 250 ms | 120 ms | **PASS** |" in text
    assert "| alarms | lost | 0 | 2 | **FAIL** |" in text
    assert text.rstrip().endswith("**FAIL**: 1 of 2 rows fail.")


def test_a_quick_run_of_the_backlog_bench_takes_the_alarms_quick_arguments_and_a_smaller_backlog() -> None:
    pending = next(bench for bench in SET if bench.name == "alarms-pending")

    quick = arguments(pending, quick=True)
    full = arguments(pending, quick=False)

    assert quick[:len(alarms.QUICK_ARGS)] == list(alarms.QUICK_ARGS)
    assert quick[len(alarms.QUICK_ARGS):-2] == ["--pending", "2000"]
    assert quick[-1].endswith("alarms-pending-quick.json")
    assert full[:-2] == ["--pending", "10000"] and full[-1].endswith("alarms-pending.json")
