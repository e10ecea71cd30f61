"""Cold start: the import time of `app.py` in fresh interpreters beside the bare import of
boto3 + pynamodb.models + chalice.app, and the first requests of a fresh container (the build of
the composition root, the first DynamoDB client) through `chalice.test.Client` on in-process moto.

    python -m bench.cold_start [--runs 15]

Every figure is a fresh `python` process; the runs of the two imports alternate so that drift on
a shared machine hits both alike, and one warm-up run of each (filling the OS page cache) is
discarded. No AWS account or network is used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench import plots
from bench.report import at_most, print_checks, save
from bench.stack import RESULTS, ROOT
from bench.stats import Summary

TARGET_IMPORT_RATIO = 1.3
"""`import app` at most this many times the bare imports (medians)."""
TARGET_FIRST_REQUEST_EXTRA_MS = 100.0
"""A first request at most this much slower than the second (medians)."""
QUICK_ARGS = ("--runs", "5", "--first-request-runs", "2")
"""The quick variant (`python -m bench.all --quick`)."""

IMPORTS = {
    "app.py": "import app",
    "boto3 + pynamodb.models + chalice.app": "import boto3, pynamodb.models, chalice.app",
    "python -c pass (interpreter only)": "pass",
}
TIMED_IMPORT = "import time; t = time.perf_counter(); {statement}; print((time.perf_counter() - t) * 1000)"


def clean_env() -> dict[str, str]:
    """What `chalice package` and a fresh Lambda container see: no endpoint override, no stage config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONTIME_", "AWS_ENDPOINT"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed_import(statement: str) -> tuple[float, float]:
    """(ms spent in the statement, ms of the whole process) in a fresh interpreter."""
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", TIMED_IMPORT.format(statement=statement)], cwd=ROOT,
                            env=clean_env(), capture_output=True, text=True, check=True, timeout=120)
    wall_ms = (time.perf_counter() - started) * 1000
    return float(output.stdout.strip().splitlines()[-1]), wall_ms


def import_figures(runs: int) -> dict[str, dict[str, Summary]]:
    samples: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in IMPORTS}
    for statement in IMPORTS.values():
        timed_import(statement)  # warm-up, discarded
    for _ in range(runs):
        for name, statement in IMPORTS.items():
            inside, wall = timed_import(statement)
            samples[name][0].append(inside)
            samples[name][1].append(wall)
    return {name: {"import": Summary.of(inside), "process": Summary.of(wall)}
            for name, (inside, wall) in samples.items()}


def import_profile(statement: str, runs: int = 3) -> dict[str, float]:
    """Median self time (ms) per top-level package under `python -X importtime`."""
    per_run: list[dict[str, float]] = []
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], cwd=ROOT, env=clean_env(),
                                capture_output=True, text=True, check=True, timeout=120)
        totals: dict[str, float] = {}
        for line in output.stderr.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            self_us, _, module = line.removeprefix("import time:").split("|")
            package = module.strip().split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(self_us) / 1000
        per_run.append(totals)
    packages = {name for run in per_run for name in run}
    medians = {name: Summary.of([run.get(name, 0.0) for run in per_run]).p50 for name in packages}
    return dict(sorted(medians.items(), key=lambda item: -item[1]))


def first_requests_child() -> None:
    """Runs in a fresh interpreter: moto in-process, then the app's first and second requests."""
    env = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "ONTIME_STAGE": "dev", "ONTIME_WS_MANAGEMENT_ENDPOINT": "http://127.0.0.1:9"}
    os.environ.update(env)
    import boto3
    from moto import mock_aws

    from devstack.provision import provision

    with mock_aws():
        # A session of its own, so the app's clients do not find service models already loaded.
        harness = boto3.session.Session()
        queues = provision(harness.client("dynamodb"), harness.client("sqs"))
        os.environ["ONTIME_ALARM_QUEUE_URL"] = queues["ontime-alarms"]
        figures: dict[str, float] = {}
        mark = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal mark
            now = time.perf_counter()
            figures[name] = (now - mark) * 1000
            mark = now

        from chalice.test import Client

        from app import app  # boto3 and botocore are already imported by moto here
        lap("import app (after moto)")
        # A deployed stage's container, except that tokens are checked by a local issuer instead of
        # an OIDC issuer's JWKS (which would need the network): the same code path otherwise.
        from chalicelib import bootstrap
        from devstack.tokens import DevTokenIssuer

        issuer = DevTokenIssuer()
        bootstrap._jwks_verifier = lambda config: issuer  # type: ignore[assignment]
        with Client(app, stage_name="dev", project_dir=str(ROOT)) as client:
            lap("chalice.test.Client")
            assert client.http.get("/health").status_code == 200
            lap("first GET /health (builds the container)")
            client.http.get("/health")
            lap("second GET /health")
            headers = {"Authorization": f"Bearer {issuer.issue({'role': 'customer', 'sub': 'c_bench'})}"}
            mark = time.perf_counter()
            assert client.http.get("/orders/o_missing", headers=headers).status_code == 404
            lap("first GET /orders/{id} (first DynamoDB call)")
            client.http.get("/orders/o_missing", headers=headers)
            lap("second GET /orders/{id}")
    print(json.dumps(figures))


def first_request_figures(runs: int) -> dict[str, Summary]:
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        output = subprocess.run([sys.executable, "-m", "bench.cold_start", "--child-first-requests"], cwd=ROOT,
                                env=clean_env(), capture_output=True, text=True, check=True, timeout=300)
        for name, value in json.loads(output.stdout.strip().splitlines()[-1]).items():
            samples.setdefault(name, []).append(float(value))
    return {name: Summary.of(values) for name, values in samples.items()}


def p90_line(summary: Summary) -> str:
    return f"median {summary.p50:7.0f} ms   p90 {summary.p90:7.0f} ms   (n={summary.count})"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--first-request-runs", type=int, default=5)
    parser.add_argument("--child-first-requests", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(RESULTS / "cold_start.json"))
    args = parser.parse_args(argv)
    if args.child_first_requests:
        first_requests_child()
        return
    imports = import_figures(args.runs)
    print(f"Import time in a fresh interpreter ({args.runs} runs each; Python {sys.version.split()[0]}):")
    for name, summary in imports.items():
        print(f"  {name:<40} import {p90_line(summary['import'])}")
        print(f"  {'':<40} process {p90_line(summary['process'])}")
    app_ms = imports["app.py"]["import"].p50
    bare_ms = imports["boto3 + pynamodb.models + chalice.app"]["import"].p50
    print(f"  app.py − bare imports (medians): {app_ms - bare_ms:+.0f} ms "
          f"({(app_ms / bare_ms - 1) * 100 if bare_ms else 0:+.0f} %)")
    app_profile = import_profile(IMPORTS["app.py"])
    bare_profile = import_profile(IMPORTS["boto3 + pynamodb.models + chalice.app"])
    print("  where app.py's import goes (-X importtime self time by top-level package, median of 3):")
    print("    " + ", ".join(f"{name} {ms:.0f}" for name, ms in list(app_profile.items())[:8]) + " (ms)")
    extra = {name: ms - bare_profile.get(name, 0.0) for name, ms in app_profile.items()}
    print("    beyond the bare imports: " + ", ".join(
        f"{name} {ms:+.0f}" for name, ms in sorted(extra.items(), key=lambda item: -item[1])[:6]) + " (ms)")
    first = first_request_figures(args.first_request_runs)
    print(f"\nFirst requests of a fresh container (chalice.test.Client, in-process moto; "
          f"{args.first_request_runs} runs):")
    for name, lap in first.items():
        print(f"  {name:<46} {p90_line(lap)}")
    build = first["first GET /health (builds the container)"].p50 - first["second GET /health"].p50
    dynamo = first["first GET /orders/{id} (first DynamoDB call)"].p50 - first["second GET /orders/{id}"].p50
    print(f"  container build (first − second /health, medians): {build:.0f} ms; "
          f"first DynamoDB client: {dynamo:.0f} ms")
    print(f"  cold start ≈ app.py import {app_ms:.0f} ms + first-request extra {build + dynamo:.0f} ms "
          f"= {app_ms + build + dynamo:.0f} ms (plus Lambda's own init, not measured here)")
    print()
    checks = [
        at_most("import app ÷ bare imports (medians)", app_ms / bare_ms if bare_ms else None, TARGET_IMPORT_RATIO,
                "×"),
        at_most("first GET /health over the second (container build)", build, TARGET_FIRST_REQUEST_EXTRA_MS),
        at_most("first GET /orders/{id} over the second (first DynamoDB call)", dynamo,
                TARGET_FIRST_REQUEST_EXTRA_MS),
    ]
    print_checks(print, checks)
    save(args.out, {"imports": {k: {m: s.__dict__ for m, s in v.items()} for k, v in imports.items()},
                    "app_import_profile_ms": app_profile, "bare_import_profile_ms": bare_profile,
                    "first_requests": {k: s.__dict__ for k, s in first.items()}},
         checks, panels(imports, build, dynamo), title="bench.cold_start: import and first requests")


def panels(imports: dict[str, dict[str, Summary]], build_ms: float, dynamo_ms: float) -> list[plots.Panel]:
    """The imports' medians (p90 as whiskers) and the first requests' extra time, each beside its target."""
    timed = {"app.py": "import app", "boto3 + pynamodb.models + chalice.app": "bare imports"}
    bare = imports["boto3 + pynamodb.models + chalice.app"]["import"].p50
    return [
        plots.bars("import in a fresh interpreter (median, p90)",
                   {label: imports[name]["import"].p50 for name, label in timed.items()},
                   whiskers={label: imports[name]["import"].p90 for name, label in timed.items()},
                   targets={f"{TARGET_IMPORT_RATIO:g} × bare": TARGET_IMPORT_RATIO * bare}),
        plots.bars("first request over the second (medians)",
                   {"GET /health\n(builds the container)": build_ms,
                    "GET /orders/{id}\n(first DynamoDB call)": dynamo_ms},
                   targets={f"+{TARGET_FIRST_REQUEST_EXTRA_MS:g} ms": TARGET_FIRST_REQUEST_EXTRA_MS}),
    ]


if __name__ == "__main__":
    main()
