"""Video processing on one core: a 60 s 1920×1080 30 fps source with sound, probed and made into
what workflow 04 publishes (H.264/AAC ≤ 720p, ≤ 30 s, watermark, poster: `chalicelib.groupbuy.media`).

    python -m bench.video                    # 60 s 1080p source, 3 runs
    python -m bench.video --quick            # 10 s source, 1 run (≈ 15 s)
    python -m bench.video --runs 5 --threads 2

Target (issue 12): processing at most 1× real time of the output on one core, i.e. the CPU
seconds of one `process(..., threads=1)` at most the output's seconds. Each run is a fresh Python
process (so its peak RSS is that of one processor invocation: interpreter, PyAV, the work), timed
by its own `getrusage` around `probe` + `process` only (imports excluded, as a warm Lambda would
have them). The source is generated once (FFmpeg's `testsrc2` pattern with a 440 Hz tone, x264
`ultrafast` CRF 30: ≈ 10 Mb/s, a phone's 1080p bitrate, under the 100 MB upload limit) and cached
in bench/results/; its making is not counted. A synthetic pattern is easier to encode than camera
footage (no sensor noise): take these figures as a floor for the encoding share.

Printed: wall and CPU seconds per run, the output's seconds, CPU ÷ output and wall ÷ output
(the real-time factors), processing time per source second, peak RSS, and the Lambda memory size
those suggest. No stack is started: the media core is local files in, local files out.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
QUICK_ARGS = ("--quick",)
"""The quick variant (`python -m bench.all --quick`)."""
TARGET_REALTIME = 1.0
LAMBDA_MB_PER_VCPU = 1769
"""Lambda gives a function one full vCPU at 1,769 MB (CPU share grows linearly with memory)."""


def source_clip(seconds: float, width: int, height: int, fps: int) -> Path:
    """The cached source (made once; its making is not measured)."""
    from devstack import clips

    path = RESULTS / f"video-source-{seconds:g}s-{width}x{height}-{fps}fps.mp4"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        started = time.monotonic()
        clips.make_clip(part, seconds, width, height, fps, audio=True, faststart=True, crf=30)
        part.rename(path)
        print(f"source made in {time.monotonic() - started:.1f} s (not counted): {path.relative_to(ROOT)}",
              flush=True)
    return path


def peak_rss_mib() -> float:
    """This process's peak RSS: `VmHWM`, which starts afresh at exec (`ru_maxrss` would carry over
    the parent's, e.g. from making the source)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(source: Path, threads: int) -> None:
    """One run, in this fresh process: probe + process, its figures as one JSON line."""
    from chalicelib.groupbuy import media

    size = source.stat().st_size
    rss_before_mib = peak_rss_mib()
    with tempfile.TemporaryDirectory(prefix="bench-video-") as scratch:
        usage, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        probe = media.probe(source, size)
        probed_s = time.perf_counter() - wall
        made = media.process(source, Path(scratch), media.Watermark("Lao Wang BBQ 老王烧烤", "2026-12-01"),
                             threads=threads)
        wall_s = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "wall_s": wall_s, "cpu_s": (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime),
        "probe_ms": probed_s * 1000, "peak_rss_mib": peak_rss_mib(), "rss_before_mib": rss_before_mib,
        "source_s": probe.duration_s, "source_bytes": size, "source_size": [probe.width, probe.height],
        "output_s": made.duration_s, "output_size": [made.width, made.height], "output_bytes": made.bytes,
        "poster_bytes": made.poster_bytes, "has_audio": made.has_audio}))


def one_run(source: Path, threads: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.video", "--child", str(source), "--threads", str(threads)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"a run failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def suggested_memory_mb(peak_rss_mib: float, threads: int) -> tuple[int, int]:
    """(the memory the work needs: peak RSS + 50 %, in Lambda's 64 MB steps; the size to choose:
    at least that, and enough for `threads` full vCPUs, since Lambda's CPU share follows memory)."""
    needed = max(128, math.ceil(peak_rss_mib * 1.5 / 64) * 64)
    return needed, max(needed, LAMBDA_MB_PER_VCPU * threads)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.video", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs (default 3; 1 with --quick)")
    parser.add_argument("--quick", action="store_true", help="a 10 s source, one run")
    parser.add_argument("--source-seconds", type=float, default=None, help="default 60 (10 with --quick)")
    parser.add_argument("--width", type=int, default=1920)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="decoder/encoder threads (1: one core, the target's)")
    parser.add_argument("--out", default=None, help="default bench/results/video.json (video-quick.json with --quick)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.threads)
        return
    report(args)


def report(args: argparse.Namespace) -> None:
    # imported here, not at the top: a run's process should hold only what a processor Lambda holds
    from bench import plots
    from bench.report import Out, at_most, check, print_checks, save
    from bench.stats import Summary

    runs = args.runs or (1 if args.quick else 3)
    seconds = args.source_seconds or (10.0 if args.quick else 60.0)
    out_path = args.out or str(RESULTS / ("video-quick.json" if args.quick else "video.json"))
    out = Out()
    source = source_clip(seconds, args.width, args.height, args.fps)
    out(f"source: {seconds:g} s {args.width}×{args.height} {args.fps} fps + AAC, "
        f"{source.stat().st_size / 1e6:.1f} MB; threads={args.threads}; {runs} run(s), each a fresh process")
    results = []
    for index in range(runs):
        result = one_run(source, args.threads)
        results.append(result)
        out(f"run {index + 1}: wall {result['wall_s']:.2f} s, CPU {result['cpu_s']:.2f} s, "
            f"output {result['output_s']:.2f} s {result['output_size'][0]}×{result['output_size'][1]} "
            f"({result['output_bytes'] / 1e6:.1f} MB, poster {result['poster_bytes'] / 1e3:.0f} kB), "
            f"probe {result['probe_ms']:.0f} ms, peak RSS {result['peak_rss_mib']:.0f} MiB")
    cpu, wall = Summary.of([r["cpu_s"] for r in results]), Summary.of([r["wall_s"] for r in results])
    output_s = results[0]["output_s"]
    source_s = results[0]["source_s"]
    cpu_factor, wall_factor = cpu.p50 / output_s, wall.p50 / output_s
    peak_rss = max(r["peak_rss_mib"] for r in results)
    needed_mb, chosen_mb = suggested_memory_mb(peak_rss, args.threads)
    out()
    out(f"CPU  s: median {cpu.p50:.2f}, min {min(r['cpu_s'] for r in results):.2f}, max {cpu.max:.2f}")
    out(f"wall s: median {wall.p50:.2f}, min {min(r['wall_s'] for r in results):.2f}, max {wall.max:.2f}")
    out(f"real-time factor (median): CPU ÷ output {cpu_factor:.2f}×, wall ÷ output {wall_factor:.2f}× "
        f"({output_s:.1f} s of output)")
    out(f"processing time per source second: {cpu.p50 / min(source_s, output_s):.2f} CPU-s per second decoded "
        f"(decoding stops at the {output_s:.0f} s cut), {cpu.p50 / source_s:.2f} CPU-s per second of this "
        f"{source_s:.0f} s upload")
    out(f"peak RSS: {peak_rss:.0f} MiB (before the work: {results[0]['rss_before_mib']:.0f} MiB of interpreter "
        "and imports)")
    out(f"Lambda memory: the work needs ≈ {needed_mb} MB (peak RSS + 50 %); suggested {chosen_mb:,} MB "
        f"({args.threads} full vCPU{'s' if args.threads > 1 else ''}, which the CPU figures assume), timeout "
        f"≥ {max(60, math.ceil(wall.max * 3 / 30) * 30)} s (3× the slowest wall here)")
    checks = [
        at_most("processing CPU ÷ output seconds, one core (median)", cpu_factor, TARGET_REALTIME, "×"),
        check("output within limits (≤ 30 s, ≤ 720 lines, sound kept)", "all runs",
              "yes" if all(r["output_s"] <= 30.0 and r["output_size"][1] <= 720 and r["has_audio"] for r in results)
              else "no",
              all(r["output_s"] <= 30.0 and r["output_size"][1] <= 720 and r["has_audio"] for r in results)),
    ]
    print_checks(out, checks)
    out("(a shared machine's figures are noisy: compare runs back to back; the lead measures on a quiet machine)")
    result = {"source": {"seconds": seconds, "width": args.width, "height": args.height, "fps": args.fps,
                         "bytes": source.stat().st_size},
              "threads": args.threads, "runs": results,
              "summary": {"cpu_s_p50": cpu.p50, "wall_s_p50": wall.p50, "output_s": output_s,
                          "cpu_realtime_factor": cpu_factor, "wall_realtime_factor": wall_factor,
                          "cpu_s_per_decoded_source_s": cpu.p50 / min(source_s, output_s),
                          "cpu_s_per_upload_s": cpu.p50 / source_s, "peak_rss_mib": peak_rss,
                          "lambda_memory_needed_mb": needed_mb, "lambda_memory_suggested_mb": chosen_mb}}
    panels = [plots.bars("processing time as % of the output's length (median of runs; whisker: slowest)",
                         {"CPU, one core": 100 * cpu_factor, "wall": 100 * wall_factor}, unit="%",
                         targets={"1× real time": 100 * TARGET_REALTIME},
                         whiskers={"CPU, one core": 100 * cpu.max / output_s, "wall": 100 * wall.max / output_s})]
    save(out_path, result, checks, panels, lines=out.lines,
         title=f"bench.video: {seconds:g} s {args.height}p source → ≤ 720p, ≤ 30 s, one core")


if __name__ == "__main__":
    main()
