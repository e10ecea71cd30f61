"""The benchmarks' pictures are drawn from a results JSON alone (bench/plots.py, bench/report.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from bench import plots
from bench.report import at_most, none_of, save

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def synthetic_results(samples: int, seed: int = 11) -> dict[str, Any]:
    """What a benchmark leaves in its JSON: checks and the panels of its picture."""
    rng = random.Random(seed)
    lateness = [rng.expovariate(1 / 60) for _ in range(samples)]
    return {
        "command": "python -m bench.alarms --alarms 3", "recorded_at": "2026-12-01T00:00:00+00:00",
        "checks": [at_most("alarm lateness p99 (server)", 120.0, 250).json(), none_of("lost", 0).json()],
        "figure": {"title": "bench.alarms: synthetic", "panels": [
            plots.cdf("lateness", {"server": lateness, "user-visible": [v + 5 for v in lateness]},
                      targets={"p99 ≤ 250 ms": 250, "max ≤ 1,000 ms": 1000}),
            plots.timeline("over the run", {"30/s": [(i / 30, v) for i, v in enumerate(lateness)]},
                           targets={"p99 ≤ 200 ms": 200}),
            plots.bars("import", {"import app": 244.0, "bare imports": 101.0}, whiskers={"import app": 300.0},
                       targets={"1.3 × bare": 131.3}),
        ]},
    }


def test_a_picture_is_drawn_next_to_its_results_json_from_the_json_alone(tmp_path: Path) -> None:
    results = tmp_path / "alarms.json"
    results.write_text(json.dumps(synthetic_results(samples=3)))

    plots.main([str(results)])

    picture = tmp_path / "alarms.png"
    assert picture.stat().st_size > 0
    assert picture.read_bytes().startswith(PNG_SIGNATURE)


def test_saving_results_writes_the_json_the_text_and_a_picture_that_can_be_drawn_again(tmp_path: Path) -> None:
    synthetic = synthetic_results(samples=20)
    panels = synthetic["figure"]["panels"]
    out = tmp_path / "orders.json"

    save(out, {"steps": []}, [none_of("lost", 0)], panels, lines=["placed 20"], title="bench.orders: synthetic")
    out.with_suffix(".png").unlink()
    plots.draw_file(out)

    written = json.loads(out.read_text())
    assert written["checks"] == [{"figure": "lost", "target": "0", "value": 0, "unit": "", "pass": True}]
    assert written["figure"]["title"] == "bench.orders: synthetic"
    assert out.with_suffix(".txt").read_text() == "placed 20\n"
    assert out.with_suffix(".png").read_bytes().startswith(PNG_SIGNATURE)


def test_a_picture_of_thousands_of_samples_stays_small_enough_to_commit(tmp_path: Path) -> None:
    results = tmp_path / "busy.json"
    results.write_text(json.dumps(synthetic_results(samples=6000)))

    picture = plots.draw_file(results)

    assert picture.stat().st_size <= 100 * 1024


def test_a_results_json_without_panels_is_skipped_not_drawn(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"rows": []}))

    plots.main([str(summary)])

    assert not summary.with_suffix(".png").exists()
