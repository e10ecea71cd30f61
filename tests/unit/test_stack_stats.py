"""`GET /_stats` gives the local stack's memory and CPU per process and summed over them."""

from __future__ import annotations

import os
from pathlib import Path

from devstack.stats import StackStats

TICKS = os.sysconf("SC_CLK_TCK")


def _process(proc: Path, pid: int, *, user_ticks: int, system_ticks: int, rss_kb: int, peak_kb: int) -> None:
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    # The command name may hold spaces and parentheses: fields are counted after the last ")".
    fields = ["S", *["0"] * 10, str(user_ticks), str(system_ticks), *["0"] * 10]
    (folder / "stat").write_text(f"{pid} (python -m (x)) " + " ".join(fields) + "\n")
    (folder / "status").write_text(f"Name:\tpython\nVmHWM:\t{peak_kb} kB\nVmRSS:\t{rss_kb} kB\n")


def test_memory_and_cpu_are_summed_over_the_stacks_processes(tmp_path: Path) -> None:
    _process(tmp_path, os.getpid(), user_ticks=3 * TICKS, system_ticks=TICKS, rss_kb=200_000, peak_kb=250_000)
    _process(tmp_path, 4242, user_ticks=2 * TICKS, system_ticks=0, rss_kb=90_000, peak_kb=100_000)
    stats = StackStats(tmp_path)
    stats.add_process("aws", 4242)

    body = stats.as_json(live_connections=0)

    kib = 1024
    assert body["processes"] == {
        "stack": {"pid": os.getpid(), "cpu_seconds": 4.0, "rss_bytes": 200_000 * kib, "peak_rss_bytes": 250_000 * kib},
        "aws": {"pid": 4242, "cpu_seconds": 2.0, "rss_bytes": 90_000 * kib, "peak_rss_bytes": 100_000 * kib},
    }
    assert (body["cpu_seconds"], body["rss_bytes"], body["peak_rss_bytes"]) == (
        6.0, 290_000 * 1024, 350_000 * 1024)


def test_a_process_that_has_ended_counts_as_nothing(tmp_path: Path) -> None:
    _process(tmp_path, os.getpid(), user_ticks=TICKS, system_ticks=0, rss_kb=1000, peak_kb=1000)
    stats = StackStats(tmp_path)
    stats.add_process("aws", 4343)  # no /proc entry

    body = stats.as_json(live_connections=0)

    assert body["processes"]["aws"] == {"pid": 4343, "cpu_seconds": 0.0, "rss_bytes": 0, "peak_rss_bytes": 0}
    assert (body["cpu_seconds"], body["rss_bytes"]) == (1.0, 1000 * 1024)
