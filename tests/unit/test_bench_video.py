"""bench.video's Lambda size: what the measured peak RSS needs, and a full vCPU per thread."""

from __future__ import annotations

from bench.video import LAMBDA_MB_PER_VCPU, suggested_memory_mb


def test_the_memory_needed_is_the_peak_plus_half_in_64_mb_steps() -> None:
    assert suggested_memory_mb(150, 1)[0] == 256
    assert suggested_memory_mb(20, 1)[0] == 128


def test_the_suggested_size_buys_a_full_vcpu_per_thread_the_figures_assume() -> None:
    assert suggested_memory_mb(150, 1)[1] == LAMBDA_MB_PER_VCPU
    assert suggested_memory_mb(150, 2)[1] == 2 * LAMBDA_MB_PER_VCPU
    assert suggested_memory_mb(2000, 1)[1] == 3008
