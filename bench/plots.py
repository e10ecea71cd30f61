"""The benchmarks' pictures, drawn from a results JSON alone.

A benchmark describes its picture as panels (plain dicts, kept in its JSON under `"figure"` by
`bench.report.save`); this module builds them and draws them:

    plots.cdf("alarm lateness", {"server": [12.5, 40.1, …], "user-visible": […]},
              targets={"p99 ≤ 250 ms": 250, "max ≤ 1 s": 1000})
    plots.timeline("place → push over the run", {"30/s": [(0.03, 41.2), (0.07, 38.0), …]},
                   targets={"p99 ≤ 200 ms": 200})
    plots.bars("import time (median)", {"app.py": 244.0, "bare imports": 101.0},
               targets={"1.3 × bare": 131.3})

    python -m bench.plots bench/results/alarms.json             # → bench/results/alarms.png
    python -m bench.plots bench/results/*.json --figures        # … and a copy in bench/figures/

matplotlib is imported only when a picture is drawn (Agg backend: no display), so a benchmark that
does not draw does not pay for it. A picture is ≈ 800 × 450 pixels; the panels sit side by side.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.stats import Summary

Panel = dict[str, Any]
FIGURES = Path(__file__).resolve().parent / "figures"
"""Where the pictures bench/README.md shows are kept (bench/results/ is not committed)."""
SIZE_IN = (8.0, 4.5)
DPI = 100
LOG_SPAN = 20.0
"""A distribution whose largest value exceeds this many times its largest target gets a symlog axis."""


def _rounded(values: Sequence[float]) -> list[float]:
    return [round(float(v), 1) for v in values if not math.isnan(float(v))]


def cdf(title: str, series: Mapping[str, Sequence[float]], *, targets: Mapping[str, float] | None = None,
        unit: str = "ms", xlabel: str = "") -> Panel:
    """The distribution of each series (e.g. lateness samples) as a cumulative curve, with a
    vertical line at each target and the 99 % level marked."""
    return {"kind": "cdf", "title": title, "unit": unit, "xlabel": xlabel, "targets": dict(targets or {}),
            "series": {label: _rounded(values) for label, values in series.items()}}


def timeline(title: str, series: Mapping[str, Sequence[tuple[float, float]]], *,
             targets: Mapping[str, float] | None = None, unit: str = "ms",
             xlabel: str = "seconds since the first send") -> Panel:
    """Each series' (moment in seconds, value) points over the run, with a horizontal line at each target."""
    return {"kind": "timeline", "title": title, "unit": unit, "xlabel": xlabel, "targets": dict(targets or {}),
            "series": {label: [[round(float(t), 2), round(float(v), 1)] for t, v in points
                               if not math.isnan(float(v))] for label, points in series.items()}}


def bars(title: str, values: Mapping[str, float], *, targets: Mapping[str, float] | None = None,
         unit: str = "ms", whiskers: Mapping[str, float] | None = None) -> Panel:
    """A few figures side by side (e.g. medians), each with an optional whisker (e.g. its p90)."""
    return {"kind": "bars", "title": title, "unit": unit, "targets": dict(targets or {}),
            "values": {label: round(float(v), 1) for label, v in values.items()},
            "whiskers": {label: round(float(v), 1) for label, v in (whiskers or {}).items()}}


# ── drawing ────────────────────────────────────────────────────────────────────────────────

def _legend_label(label: str, values: Sequence[float], unit: str) -> str:
    if not values:
        return f"{label} (none)"
    s = Summary.of(values)
    return f"{label} (n={s.count}): p50 {s.p50:,.0f}, p99 {s.p99:,.0f}, max {s.max:,.0f} {unit}"


def _draw_targets(ax: Any, targets: Mapping[str, float], *, vertical: bool) -> None:
    for n, (label, at) in enumerate(targets.items()):
        style = {"color": "crimson" if n == 0 else "darkorange", "linestyle": "--", "linewidth": 1.2,
                 "label": f"target {label}"}
        if vertical:
            ax.axvline(at, **style)
        else:
            ax.axhline(at, **style)


def _draw_cdf(ax: Any, panel: Panel) -> None:
    unit, targets = panel.get("unit", ""), panel.get("targets", {})
    largest = 0.0
    for label, values in panel["series"].items():
        ordered = sorted(values)
        if ordered:
            largest = max(largest, ordered[-1])
            fractions = [(i + 1) / len(ordered) for i in range(len(ordered))]
            ax.step(ordered, fractions, where="post", linewidth=1.4, label=_legend_label(label, ordered, unit))
        else:
            ax.plot([], [], label=_legend_label(label, ordered, unit))
    _draw_targets(ax, targets, vertical=True)
    ax.axhline(0.99, color="grey", linestyle=":", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("fraction ≤ x")
    ax.set_xlabel(panel.get("xlabel") or unit)
    if targets and largest > LOG_SPAN * max(targets.values()):
        ax.set_xscale("symlog", linthresh=max(1.0, min(targets.values()) / 10))
    smallest = min((min(values) for values in panel["series"].values() if values), default=0.0)
    ax.set_xlim(left=min(0.0, smallest))


def _draw_timeline(ax: Any, panel: Panel) -> None:
    unit = panel.get("unit", "")
    for label, points in panel["series"].items():
        values = [v for _, v in points]
        ax.scatter([t for t, _ in points], values, s=4, alpha=0.6, linewidths=0,
                   label=_legend_label(label, values, unit))
    _draw_targets(ax, panel.get("targets", {}), vertical=False)
    ax.set_ylabel(unit)
    ax.set_xlabel(panel.get("xlabel", ""))
    ax.set_ylim(bottom=0)


def _draw_bars(ax: Any, panel: Panel) -> None:
    unit, values, whiskers = panel.get("unit", ""), panel["values"], panel.get("whiskers", {})
    labels = list(values)
    positions = list(range(len(labels)))
    ax.barh(positions, [values[label] for label in labels], color="steelblue", height=0.6)
    for y, label in zip(positions, labels, strict=True):
        if label in whiskers:
            ax.plot([values[label], whiskers[label]], [y, y], color="black", linewidth=1)
        ax.annotate(f"{values[label]:,.0f} {unit}", (values[label], y), xytext=(4, 6),
                    textcoords="offset points", fontsize=7)
    ax.set_yticks(positions, labels, fontsize=7)
    ax.invert_yaxis()
    reach = max([*values.values(), *whiskers.values(), *panel.get("targets", {}).values(), 1.0])
    ax.set_xlim(0, reach * 1.25)  # room for the value labels
    ax.set_xlabel(unit)
    _draw_targets(ax, panel.get("targets", {}), vertical=True)


class NoPanels(ValueError):
    """A results JSON with nothing to draw (e.g. summary.json, or one written before bench.report.save)."""


DRAW = {"cdf": _draw_cdf, "timeline": _draw_timeline, "bars": _draw_bars}


def draw(result: Mapping[str, Any], png: str | Path) -> Path:
    """Draw `result["figure"]` (what `bench.report.save` wrote) into `png`; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure_spec = result.get("figure") or {}
    panels = figure_spec.get("panels") or []
    if not panels:
        raise NoPanels("no panels to draw (a results JSON written by bench.report.save has them under \"figure\")")
    figure, axes = pyplot.subplots(1, len(panels), figsize=SIZE_IN, dpi=DPI, squeeze=False)
    try:
        for ax, panel in zip(axes[0], panels, strict=True):
            DRAW[panel["kind"]](ax, panel)
            ax.set_title(panel.get("title", ""), fontsize=9)
            ax.tick_params(labelsize=7)
            ax.grid(True, linewidth=0.3, alpha=0.5)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=6, framealpha=0.8, loc={"cdf": "lower right", "timeline": "upper left"}.get(
                    panel["kind"], "best"))
            ax.xaxis.label.set_size(8)
            ax.yaxis.label.set_size(8)
        figure.suptitle(figure_spec.get("title", ""), fontsize=10)
        footer = "  ·  ".join(str(result[key]) for key in ("command", "recorded_at") if result.get(key))
        figure.text(0.01, 0.01, footer, fontsize=6, color="dimgrey")
        figure.tight_layout(rect=(0, 0.03, 1, 0.97))
        path = Path(png)
        path.parent.mkdir(parents=True, exist_ok=True)
        rendered = io.BytesIO()
        figure.savefig(rendered, format="png", dpi=DPI)
        _save_small(rendered, path)
        return path
    finally:
        pyplot.close(figure)


def _save_small(rendered: io.BytesIO, path: Path) -> None:
    """A 256-colour palette keeps a picture of thousands of points well under 100 KB (committed files)."""
    from PIL import Image

    rendered.seek(0)
    with Image.open(rendered) as image:
        image.convert("RGB").quantize(colors=256).save(path, format="PNG", optimize=True)


def draw_file(results_json: str | Path, png: str | Path | None = None) -> Path:
    """Draw a results JSON's picture next to it (or into `png`)."""
    path = Path(results_json)
    return draw(json.loads(path.read_text()), png or path.with_suffix(".png"))


def keep(png: str | Path, name: str | None = None) -> Path:
    """Copy a picture into bench/figures/ (committed, shown by bench/README.md)."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    kept = FIGURES / (name or Path(png).name)
    shutil.copyfile(png, kept)
    return kept


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.plots", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+", help="results JSON files (bench/results/NAME.json)")
    parser.add_argument("--out", help="where to write the picture (one results file only; default: NAME.png)")
    parser.add_argument("--figures", action="store_true", help=f"also copy each picture into {FIGURES}")
    args = parser.parse_args(argv)
    if args.out and len(args.results) > 1:
        parser.error("--out takes one results file")
    for results in args.results:
        try:
            png = draw_file(results, args.out)
        except NoPanels as exc:
            print(f"{results}: {exc}")
            continue
        print(f"{png} ({png.stat().st_size / 1024:.0f} KiB)" + (f" → {keep(png)}" if args.figures else ""))


if __name__ == "__main__":
    main()
