"""Where the stack's CPU goes under an order load, per transition, split by who would pay for it.

An order load (bench/order_load.py: customers placing at a steady rate, merchant consoles
fetching and answering) runs against a fresh local stack while `py-spy` samples every stack
process (`--subprocesses`, the thread holding the GIL only, `--gil`). Each sample is given to one part:

    (a) platform   chalicelib/, app.py and the Chalice runtime that dispatches to them — billed in Lambda
    (b) client     botocore, boto3, pynamodb (serializing, signing, parsing) called by (a) — billed in Lambda
    (c) emulator   moto, devstack/ (REST front, gateway, pumps, Lambda runtime), uvicorn, starlette,
                   websockets, werkzeug, asyncio — what AWS runs for us, absent from the bill
    (d) other      samples with none of the frames above

The rule: walk the sample's stack from the innermost frame outward and stop at the first frame of
the platform or of the emulator; that is the part. Frames of other packages (pydantic, json,
logging, the rest of the standard library) are passed over, so `json.dumps` called by chalicelib
is (a) and called by moto is (c). Client-library frames passed over on the way make the sample
(b) if the frame that stopped the walk is the platform's, and (c) if it is the emulator's (the
stack's own SQS poller, moto's use of botocore's models). The stack's CPU (user + system of its
process tree, from /proc) over the load is split in proportion to the samples.

A transition is one entry of an order's history (placed, connected, accepted, unanswered,
not_connected …), read back after the load. AWS calls come from the stack's `GET /_stats`
(every botocore call the app made, by operation) and are set against this design's floor: one
conditional write per transition, one SQS send per armed alarm (one per order placed), and the
pushes (each merchant terminal gets `order.created`; each later transition goes to the customer's
terminal and every merchant terminal).

The stack runs as an AWS stage does: answers are not validated against their models unless
`--validate-responses` (the report says which).

    python -m bench.profile                              # 15 orders/s for 30 s
    python -m bench.profile --rate 10 --duration 10      # quick, ≈ 40 s

Writes bench/results/profile.json and the collapsed stacks bench/results/profile.folded
(`flamegraph.pl profile.folded > profile.svg`, or load it in speedscope).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import plots
from bench.order_load import EXPECTED, LoadShape, StepResult, run_step
from bench.orders import plan_mix
from bench.report import at_most, none_of, print_checks, save, stack_options
from bench.stack import RESULTS, ROOT, LocalStack

PLATFORM, CLIENT, EMULATOR, OTHER = "platform", "client", "emulator", "other"
PARTS = (PLATFORM, CLIENT, EMULATOR, OTHER)
PART_LABELS = {
    PLATFORM: "(a) platform: chalicelib, app.py, chalice",
    CLIENT: "(b) client: botocore, boto3, pynamodb",
    EMULATOR: "(c) emulator: moto, devstack, servers",
    OTHER: "(d) other",
}
OWNERS = {
    **dict.fromkeys(("chalicelib", "app.py", "chalice"), PLATFORM),
    **dict.fromkeys(("botocore", "boto3", "pynamodb", "s3transfer", "urllib3", "dateutil", "jmespath"), CLIENT),
    **dict.fromkeys(("moto", "devstack", "werkzeug", "uvicorn", "starlette", "websockets", "h11", "httptools",
                     "anyio", "wsproto", "responses", "asyncio", "selectors", "socketserver"), EMULATOR),
}
"""Top-level package (or project folder, or standard-library module) → the part it stands for."""
TOP_FUNCTIONS = 15
DEFAULT_SAMPLE_RATE = 100
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Frame:
    function: str
    package: str
    """Top-level package: `pydantic`, `chalicelib`, `json`, `app.py` …"""
    where: str
    """The file, short: relative to site-packages, the project or the standard library."""

    @property
    def name(self) -> str:
        return f"{self.where}:{self.function}"


def module_of(path: str) -> tuple[str, str]:
    """(top-level package, short file name) of a frame's file."""
    root = f"{ROOT}/"
    if "/site-packages/" in path:
        short = path.split("/site-packages/", 1)[1]
    elif path.startswith(root) or not path.startswith(("/", "<")):
        short = path.removeprefix(root)
    elif (found := re.search(r"/lib/python3\.\d+/(.*)$", path)) is not None:
        short = found.group(1)
    else:
        return path, path
    top = short.split("/", 1)[0]
    return (top if "/" in short or top == "app.py" else top.removesuffix(".py")), short


def parse_frame(text: str) -> Frame:
    matched = FRAME.match(text)
    if matched is None:
        return Frame(text, text, text)
    package, short = module_of(matched.group("file"))
    return Frame(matched.group("function"), package, short)


def part_of(frames: list[Frame]) -> str:
    """The part a sample (frames outermost first) belongs to: see the module's docstring."""
    client_seen = False
    for frame in reversed(frames):
        owner = OWNERS.get(frame.package)
        if owner == CLIENT:
            client_seen = True
        elif owner == PLATFORM:
            return CLIENT if client_seen else PLATFORM
        elif owner == EMULATOR:
            return EMULATOR
    return OTHER


@dataclass
class Profile:
    """Samples by part, by the innermost function (self time) and innermost package per part, and
    by process."""

    samples: int = 0
    by_part: Counter[str] = field(default_factory=Counter)
    self_by_part: dict[str, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PARTS})
    package_by_part: dict[str, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PARTS})
    by_process: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of_folded(cls, lines: Iterable[str]) -> Profile:
        profile = cls()
        for line in lines:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            names = stack.split(";")
            processes = [name for name in names if name.startswith("process ")]
            frames = [parse_frame(name) for name in names if not name.startswith("process ")]
            profile.add(frames, int(count), processes[-1].split(":", 1)[0] if processes else "process ?")
        return profile

    def add(self, frames: list[Frame], count: int, process: str) -> None:
        part = part_of(frames)
        self.samples += count
        self.by_part[part] += count
        self.by_process[process] += count
        if frames:
            self.self_by_part[part][frames[-1].name] += count
            self.package_by_part[part][frames[-1].package] += count

    def share(self, part: str) -> float:
        return self.by_part[part] / self.samples if self.samples else 0.0


# ── sampling ─────────────────────────────────────────────────────────────────────────────


def py_spy() -> str:
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if found is None:
        raise SystemExit("py-spy is not installed: .venv/bin/python -m pip install -r requirements-dev.txt")
    return found


def process_tree_cpu_s(root_pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree, grew = {root_pid}, True
    while grew:
        added = {pid for pid, parent in parents.items() if parent in tree and pid not in tree}
        tree |= added
        grew = bool(added)
    return sum(times.get(pid, 0.0) for pid in tree)


@dataclass
class Sampling:
    """What one sampler run saw: the stack's CPU and the wall time over it, and py-spy's word."""

    cpu_s: float = 0.0
    wall_s: float = 0.0
    processes: int = 0
    sampler_output: str = ""


@contextlib.contextmanager
def sampled(stack: LocalStack, rate: int, folded: Path, into: Sampling) -> Iterator[None]:
    """py-spy records the stack's processes (and those they start) while the block runs."""
    assert stack.pid is not None, "the stack is not running"
    command = [py_spy(), "record", "--pid", str(stack.pid), "--subprocesses", "--gil", "--full-filenames", "--function",
               "--format", "raw", "--rate", str(rate), "--output", str(folded)]
    spy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    time.sleep(0.3)  # py-spy attaches before the first order is sent
    if spy.poll() is not None:
        output = spy.stdout.read() if spy.stdout else ""
        raise SystemExit(f"py-spy could not sample the stack (it needs ptrace):\n{output}")
    cpu_before, started = process_tree_cpu_s(stack.pid), time.monotonic()
    try:
        yield
    finally:
        into.cpu_s = process_tree_cpu_s(stack.pid) - cpu_before
        into.wall_s = time.monotonic() - started
        spy.send_signal(signal.SIGINT)
        output, _ = spy.communicate(timeout=60)
        into.sampler_output = output.strip()


# ── the report ───────────────────────────────────────────────────────────────────────────


def transitions_of(step: StepResult) -> int:
    return sum(len(step.final.get(p.order_id, {}).get("history", [])) for p in step.placed)


def pushes_floor(step: StepResult) -> int:
    """`order.created` to every merchant terminal; each later transition to the customer's terminal
    and every merchant terminal."""
    merchant_terminals = step.shape.terminals_per_merchant
    total = 0
    for p in step.placed:
        later = max(0, len(step.final.get(p.order_id, {}).get("history", [])) - 1)
        total += merchant_terminals + later * (merchant_terminals + 1)
    return total


DYNAMODB_WRITES = ("DynamoDB.PutItem", "DynamoDB.UpdateItem", "DynamoDB.DeleteItem", "DynamoDB.TransactWriteItems",
                   "DynamoDB.BatchWriteItem")


def calls_against_floor(step: StepResult, transitions: int) -> list[dict[str, Any]]:
    """Every API the app called, per transition, with this design's floor (0 where it needs none)."""
    calls = step.after.calls_since(step.before)
    floors = {
        "DynamoDB writes (conditional)": (sum(calls.get(name, 0) for name in DYNAMODB_WRITES), transitions),
        "SQS.SendMessage": (calls.get("SQS.SendMessage", 0), len(step.placed)),
        "ApiGatewayManagementApi.PostToConnection": (calls.get("ApiGatewayManagementApi.PostToConnection", 0),
                                                     pushes_floor(step)),
    }
    rows = [{"api": name, "per_transition": count / transitions, "floor_per_transition": floor / transitions}
            for name, (count, floor) in floors.items()]
    for name in DYNAMODB_WRITES:
        if calls.get(name):
            rows.append({"api": f"  of which {name}", "per_transition": calls[name] / transitions,
                         "floor_per_transition": None})
    counted = {*DYNAMODB_WRITES, "SQS.SendMessage", "ApiGatewayManagementApi.PostToConnection"}
    rows += [{"api": name, "per_transition": count / transitions, "floor_per_transition": 0.0}
             for name, count in calls.items() if name not in counted]
    rows.append({"api": "all AWS calls", "per_transition": sum(calls.values()) / transitions,
                 "floor_per_transition": sum(floor for _, floor in floors.values()) / transitions})
    return rows


def part_rows(profile: Profile, cpu_ms: float, transitions: int) -> list[dict[str, Any]]:
    rows = [{"part": part, "label": PART_LABELS[part], "samples": profile.by_part[part],
             "ms_per_transition": cpu_ms * profile.share(part) / transitions, "share": profile.share(part)}
            for part in PARTS]
    lambda_share = profile.share(PLATFORM) + profile.share(CLIENT)
    rows.append({"part": "lambda", "label": "(a)+(b) Lambda-side", "samples": profile.by_part[PLATFORM]
                 + profile.by_part[CLIENT], "ms_per_transition": cpu_ms * lambda_share / transitions,
                 "share": lambda_share})
    rows.append({"part": "total", "label": "stack CPU", "samples": profile.samples,
                 "ms_per_transition": cpu_ms / transitions, "share": 1.0})
    return rows


def top_functions(profile: Profile, part: str, cpu_ms: float, transitions: int,
                  n: int = TOP_FUNCTIONS) -> list[dict[str, Any]]:
    in_part = profile.by_part[part] or 1
    per_sample_ms = cpu_ms / max(1, profile.samples) / transitions
    return [{"function": name, "samples": count, "ms_per_transition": count * per_sample_ms,
             "share_of_part": count / in_part}
            for name, count in profile.self_by_part[part].most_common(n)]


def report(args: argparse.Namespace, step: StepResult, sampling: Sampling, profile: Profile) -> dict[str, Any]:
    transitions = max(1, transitions_of(step))
    cpu_ms = sampling.cpu_s * 1000
    parts = part_rows(profile, cpu_ms, transitions)
    calls = calls_against_floor(step, transitions)
    print(f"\n{len(step.placed)} orders at {args.rate:g}/s for {args.duration:g} s, {transitions} transitions "
          f"({transitions / max(1, len(step.placed)):.2f} per order); responses validated: "
          f"{'yes' if args.validate_responses else 'no (as in AWS)'}")
    print(f"stack CPU {sampling.cpu_s:.1f} s over {sampling.wall_s:.1f} s ({sampling.cpu_s / sampling.wall_s:.0%} of "
          f"a core); {profile.samples} samples at {args.sample_rate}/s = {profile.samples / args.sample_rate:.1f} s "
          f"on-CPU sampled; {len(profile.by_process)} process(es)")
    if len(profile.by_process) > 1:
        print("  by process: " + ", ".join(f"{name} {count / profile.samples:.0%}"
                                           for name, count in profile.by_process.most_common()))
    print(f"\n{'part':<46} {'ms/transition':>14} {'% of stack CPU':>15}")
    for row in parts:
        print(f"{row['label']:<46} {row['ms_per_transition']:>14.2f} {row['share']:>15.0%}")
    print(f"\n{'AWS calls per transition':<46} {'actual':>8} {'floor':>8}")
    for row in calls:
        floor = row["floor_per_transition"]
        print(f"{row['api']:<46} {row['per_transition']:>8.2f} {'' if floor is None else f'{floor:.2f}':>8}")
    every_call = calls[-1]
    client_ms = next(row["ms_per_transition"] for row in parts if row["part"] == CLIENT)
    per_call_ms = client_ms / every_call["per_transition"] if every_call["per_transition"] else 0.0
    print(f"(b) per AWS call {per_call_ms:.2f} ms; at the floor of {every_call['floor_per_transition']:.2f} calls per "
          f"transition (b) would be ≈ {per_call_ms * every_call['floor_per_transition']:.2f} ms")
    platform_ms = next(row["ms_per_transition"] for row in parts if row["part"] == PLATFORM)
    at_floor_ms = platform_ms + per_call_ms * every_call["floor_per_transition"]
    print(f"Lambda-side with only the floor's calls: (a) {platform_ms:.2f} + {every_call['floor_per_transition']:.2f} "
          f"calls × {per_call_ms:.2f} ms = {at_floor_ms:.2f} ms per transition (halving the issue's start: "
          f"≤ {BEFORE_LAMBDA_MS / 2:.2f} ms)")
    invocations = step.after.invocations_since(step.before)
    print("Lambda invocations per transition: " + ", ".join(
        f"{name} {count / transitions:.2f}" for name, count in invocations.items()))
    tops = {}
    for part in (PLATFORM, CLIENT):
        tops[part] = top_functions(profile, part, cpu_ms, transitions)
        print(f"\ntop {TOP_FUNCTIONS} functions by self time in {PART_LABELS[part]}")
        for row in tops[part]:
            print(f"  {row['ms_per_transition']:6.2f} ms {row['share_of_part']:5.0%}  {row['function']}")
        packages = profile.package_by_part[part].most_common(6)
        print("  innermost package: " + ", ".join(
            f"{name} {count / (profile.by_part[part] or 1):.0%}" for name, count in packages))
    return {
        "settings": {"rate": args.rate, "duration_s": args.duration, "mix": list(args.mix),
                     "window_s": args.window, "validate_responses": args.validate_responses,
                     "sampler": f"py-spy --subprocesses --rate {args.sample_rate} --gil (the thread holding the GIL)",
                     "stack_args": list(args.stack_arg)},
        "orders": len(step.placed), "transitions": transitions,
        "outcomes_wrong": len(step.wrong_outcomes()),
        "stack_cpu_s": sampling.cpu_s, "wall_s": sampling.wall_s, "samples": profile.samples,
        "processes": dict(profile.by_process),
        "ms_per_transition": {row["part"]: row["ms_per_transition"] for row in parts},
        "share_of_stack_cpu": {row["part"]: row["share"] for row in parts},
        "aws_calls_per_transition": calls,
        "client_ms_per_aws_call": per_call_ms,
        "lambda_ms_at_floor_calls": at_floor_ms,
        "invocations_per_transition": {name: count / transitions for name, count in invocations.items()},
        "top_self": tops,
        "innermost_package": {part: dict(profile.package_by_part[part].most_common(12)) for part in PARTS},
        "folded": str(args.folded),
    }


BEFORE_LAMBDA_MS = 6.93
"""(a)+(b) per transition when issue 11 started (`e35f22d`, median of 4 runs of `--rate 8 --window 6`);
the floor of this design is ≈ 3.3 ms (`bench/README.md`, `bench.profile`)."""
QUICK_ARGS = ("--rate", "10", "--duration", "10")
"""The quick variant (`python -m bench.all --quick`)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=15.0, help="orders per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of placing")
    parser.add_argument("--window", type=int, default=4, help="answer window in seconds")
    parser.add_argument("--mix", type=plan_mix, default=("accept", "fetch", "accept", "ignore"), metavar="PLAN=N,…",
                        help=f"merchants' answers ({', '.join(EXPECTED)}), as for bench.orders")
    parser.add_argument("--sample-rate", type=int, default=DEFAULT_SAMPLE_RATE, help="py-spy samples per second")
    parser.add_argument("--validate-responses", action="store_true",
                        help="check every answer against its model, as the local stage does by default (AWS "
                             "stages do not)")
    parser.add_argument("--folded", type=Path, default=RESULTS / "profile.folded", help="collapsed stacks")
    stack_options(parser, "profile", sweep=False)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    py_spy()
    shape = LoadShape(rate=args.rate, duration_s=args.duration, window_s=args.window, plans=args.mix,
                      stack_args=tuple(args.stack_arg), validate_responses=args.validate_responses)
    sampling = Sampling()
    args.folded.parent.mkdir(parents=True, exist_ok=True)
    print(f"profiling {shape.orders} orders at {args.rate:g}/s on a fresh stack …", flush=True)
    step = asyncio.run(run_step(shape, "profile-stack",
                                lambda stack: sampled(stack, args.sample_rate, args.folded, sampling)))
    with args.folded.open() as folded:
        profile = Profile.of_folded(folded)
    if not profile.samples:
        raise SystemExit(f"py-spy recorded no samples:\n{sampling.sampler_output}")
    result = report(args, step, sampling, profile)
    checks = [none_of("wrong outcomes under the profiler", result["outcomes_wrong"]),
              at_most("Lambda-side CPU (platform + AWS client) per transition: half the issue's start",
                      result["ms_per_transition"].get("lambda"), BEFORE_LAMBDA_MS / 2)]
    print_checks(print, checks)
    shares = {part: 100 * share for part, share in result["share_of_stack_cpu"].items()}
    save(args.out, result, checks, [plots.bars("stack CPU per transition by part", result["ms_per_transition"]),
                                    plots.bars("share of the stack's CPU", shares, unit="%")],
         title="bench.profile: where the stack's CPU goes per transition")
    print(f"\n{args.out}, {args.folded}")


if __name__ == "__main__":
    main()
