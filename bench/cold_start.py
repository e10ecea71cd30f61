"""Cold start: the import time of `app.py` beside the bare import of boto3 + pynamodb.models +
chalice.app, and the first invocation of a fresh container beside its second, per entry point.

    python -m bench.cold_start [--runs 15] [--first-request-runs 5] [--only 'POST /orders']
    python -m bench.cold_start --profile 'POST /orders'      # where one first invocation's time goes

Targets: `import app` at most 1.3 × the bare imports (medians), and in every scenario the first
invocation at most 100 ms slower than the second (medians).

Every figure is a fresh `python` process with no AWS account or network. The import runs of the
two statements alternate so that drift on a shared machine hits both alike, and one warm-up run of
each (filling the OS page cache) is discarded.

Each first-invocation scenario is one fresh process per run, playing one Lambda container of a
deployed stage (`dev`): moto in-process (imported, with the tables and queues of
`infra/template.json` and the seeded items loaded, before the clock starts), then `import app`,
then two invocations of one handler through the entry point Lambda calls (`app(event, context)`,
`app.handler_map[name]`), each with its own data so that both do the same work. Tokens are HS256,
signed by this process and checked with `principal_of` (a deployed stage's checks, without the
JWKS fetch, which needs the network). moto's own objects are frozen out of the garbage collector
before the clock starts (`gc.freeze`), so that a collection costs what it would without moto. The
data is made once per run by a seeding process that drives the app through its routes (stage
`local`, whose answer windows may be 1 s), then dumps every table and the alarm messages it sent.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bench import plots
from bench.report import Check, at_most, print_checks, save
from bench.stack import RESULTS, ROOT
from bench.stats import Summary, verdict

IMPORTS = {
    "app.py": "import app",
    "boto3 + pynamodb.models + chalice.app": "import boto3, pynamodb.models, chalice.app",
    "python -c pass (interpreter only)": "pass",
}
BARE = "boto3 + pynamodb.models + chalice.app"
TIMED_IMPORT = "import time; t = time.perf_counter(); {statement}; print((time.perf_counter() - t) * 1000)"
TARGET_IMPORT_RATIO = 1.3
TARGET_FIRST_EXTRA_MS = 100.0
QUICK_ARGS = ("--runs", "5", "--first-request-runs", "2")
"""The quick variant (`python -m bench.all --quick`)."""

ISSUER = "ontime-bench"
SECRET = "bench-signing-secret-0123456789abcdefghijklmnop"
WS_ENDPOINT = "https://bench.execute-api.us-east-1.amazonaws.com/api"
"""A `@connections` endpoint moto answers in-process (its URL pattern), so pushes cost what moto costs."""
MERCHANT = "m_bench"
ALARM_MERCHANT = "m_bench_alarms"
"""Its answer window is 1 s, so the orders placed at it by the seeding are due by the time they are fired."""
CUSTOMER = "c_bench"
SCENARIOS = ("GET /health", "POST /orders", "GET /merchant/orders/{id}", "ws $connect", "ws list_pending",
             "sqs fire_alarms")


PACKAGE: Path | None = None
"""With `--package`: the unpacked deployment zip every child imports the app and its libraries from
(as Lambda does: from a read-only directory, so with only the bytecode the zip holds)."""


def clean_env() -> dict[str, str]:
    """What `chalice package` and a fresh Lambda container see: no endpoint override, no stage config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONTIME_", "AWS_ENDPOINT"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if PACKAGE is not None:  # the package first (the working directory), then this repository's bench/tests
        env["PYTHONPATH"] = str(ROOT)
        env["AWS_DATA_PATH"] = str(moto_data(PACKAGE.parent / "moto-data"))
    return env


def moto_data(folder: Path) -> Path:
    """The models of the services the package leaves out, which moto needs (it lists API Gateway's
    regions): the development botocore's service folders, linked into `folder`. Only those: an
    `endpoints.json` there would be the app's session's too (`AWS_DATA_PATH` comes before botocore's
    own data), which a Lambda function does not have."""
    import botocore

    if not folder.exists():
        folder.mkdir()
        for service in (Path(botocore.__file__).parent / "data").iterdir():
            if service.is_dir():
                (folder / service.name).symlink_to(service, target_is_directory=True)
    return folder


def python(*args: str) -> list[str]:
    """The command of a child interpreter: `-B` for a package (Lambda writes no bytecode either)."""
    return [sys.executable, *(["-B"] if PACKAGE is not None else []), *args]


def workdir() -> Path:
    return ROOT if PACKAGE is None else PACKAGE


# ── import time ─────────────────────────────────────────────────────────────────────────────


def timed_import(statement: str) -> tuple[float, float]:
    """(ms spent in the statement, ms of the whole process) in a fresh interpreter."""
    started = time.perf_counter()
    output = subprocess.run(python("-c", TIMED_IMPORT.format(statement=statement)), cwd=workdir(),
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
        output = subprocess.run(python("-X", "importtime", "-c", statement), cwd=workdir(), env=clean_env(),
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


# ── a fresh container (runs in a child process) ─────────────────────────────────────────────


def token(role: str, sub: str, **claims: str) -> str:
    import jwt

    now = int(time.time())
    return jwt.encode({"role": role, "sub": sub, **claims, "iss": ISSUER, "iat": now, "exp": now + 3600}, SECRET,
                      algorithm="HS256")


class BenchVerifier:
    """A deployed stage's token checks (`principal_of`) on HS256 tokens: the same code path as the
    JWKS verifier's once it holds the issuer's key."""

    def verify(self, bearer: str) -> Any:
        from chalicelib.auth.tokens import principal_of

        return principal_of(bearer, SECRET, algorithms=["HS256"], issuer=ISSUER)


def container_env(stage: str) -> dict[str, str]:
    return {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "ONTIME_STAGE": stage, "ONTIME_WS_MANAGEMENT_ENDPOINT": WS_ENDPOINT,
            "ONTIME_PAGE_TOKEN_SECRETS": "bench-page-token-secret-0123456789abcdef"}


def lambda_context(function: str) -> Any:
    return SimpleNamespace(function_name=function, aws_request_id=f"bench-{time.perf_counter_ns()}",
                           memory_limit_in_mb=512, get_remaining_time_in_millis=lambda: 10_000)


class Container:
    """One Lambda container of the app on in-process moto: `start` before the clock, then `app`."""

    def __init__(self, stage: str) -> None:
        os.environ.update(container_env(stage))
        import boto3
        from moto import mock_aws

        from devstack.provision import provision

        self._mock = mock_aws()
        self._mock.start()
        # A session of its own, so the app's clients do not find service models already loaded.
        self.harness = boto3.session.Session()
        self.dynamodb = self.harness.client("dynamodb")
        self.sqs = self.harness.client("sqs")
        self.queues = provision(self.dynamodb, self.sqs)
        # moto makes a service's backend at its first request to it, reading botocore's model of the
        # service and its regions (≈ 5 ms): the calls above do so for DynamoDB and SQS, this one for
        # `@connections`, which in AWS is an HTTPS call like any other and no first-time work.
        self.harness.client("apigatewaymanagementapi", endpoint_url=WS_ENDPOINT).get_connection(ConnectionId="warm")
        os.environ["ONTIME_ALARM_QUEUE_URL"] = self.queues["ontime-alarms"]
        self.module: Any = None

    def load(self, items: dict[str, list[dict[str, Any]]]) -> None:
        for table, rows in items.items():
            for row in rows:
                self.dynamodb.put_item(TableName=table, Item=row)

    def dump(self) -> dict[str, list[dict[str, Any]]]:
        tables = self.dynamodb.list_tables()["TableNames"]
        return {name: self.dynamodb.scan(TableName=name)["Items"] for name in tables}

    def import_app(self) -> Any:
        import app as module
        from chalicelib import bootstrap

        bootstrap._jwks_verifier = lambda config: BenchVerifier()  # type: ignore[assignment]
        self.module = module
        return module

    def rest(self, method: str, resource: str, path_parameters: dict[str, str] | None = None, *,
             token: str | None = None, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        from tests.events import rest_event

        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        answer = self.module.app(rest_event(method, resource, path_parameters, headers=sent, body=body),
                                 lambda_context("api_handler"))
        return int(answer["statusCode"]), json.loads(answer.get("body") or "null")

    def handler(self, name: str, event: dict[str, Any]) -> Any:
        return self.module.app.handler_map[name](event, lambda_context(name))


def expect(status: int, answer: Any, wanted: int, what: str) -> Any:
    if status != wanted:
        raise SystemExit(f"{what}: {status} (expected {wanted}): {answer}")
    return answer


def seed_child(out: Path) -> None:
    """The data every scenario's container starts from, made through the app's own routes."""
    from tests.events import ws_connect

    container = Container("local")
    container.import_app()
    ops, customer = token("ops", "ops_bench"), token("customer", CUSTOMER)
    merchant = token("merchant", "staff_bench", merchant_id=MERCHANT)
    for merchant_id, window_s in ((MERCHANT, 120), (ALARM_MERCHANT, 1)):
        body = {"merchant_id": merchant_id, "name": "Bench kitchen", "time_zone": "Asia/Shanghai",
                "answer_window_s": window_s}
        expect(*container.rest("POST", "/merchants", token=ops, body=body), 201, "POST /merchants")
        product = {"product_id": "p_bench", "name": "Bench noodles", "price": {"amount": 2800, "currency": "CNY"},
                   "stock": 100_000}
        expect(*container.rest("POST", "/merchants/{merchant_id}/products", {"merchant_id": merchant_id},
                               token=ops, body=product), 201, "POST /merchants/{id}/products")
    orders: dict[str, list[str]] = {MERCHANT: [], ALARM_MERCHANT: []}
    for merchant_id, placed in orders.items():
        for _ in range(2):
            answer = expect(*container.rest("POST", "/orders", token=customer, body=order_body(merchant_id),
                                            headers={"Idempotency-Key": f"seed-{time.perf_counter_ns()}"}),
                            201, "POST /orders")
            placed.append(answer["order_id"])
    for connection_id in ("seedconn1", "seedconn2"):
        status = container.handler("connect", ws_connect(connection_id, merchant))
        if status.get("statusCode") != 200:
            raise SystemExit(f"ws $connect: {status}")
    time.sleep(1.5)  # the alarm merchant's windows end, and their delayed SQS triggers become visible
    bodies = [m["Body"] for m in container.sqs.receive_message(QueueUrl=container.queues["ontime-alarms"],
                                                               MaxNumberOfMessages=10).get("Messages", [])]
    alarms = [b for b in bodies if any(order_id in b for order_id in orders[ALARM_MERCHANT])]
    if len(alarms) != 2:
        raise SystemExit(f"expected the 2 alarm orders' triggers in the queue, found: {bodies}")
    out.write_text(json.dumps({"items": container.dump(), "orders": orders[MERCHANT], "alarms": alarms,
                               "connections": ["seedconn1", "seedconn2"]}))


def order_body(merchant_id: str) -> dict[str, Any]:
    return {"merchant_id": merchant_id, "items": [{"product_id": "p_bench", "quantity": 1}],
            "delivery_address": {"line1": "1 Century Avenue", "city": "Shanghai"}}


def scenario_steps(name: str, container: Container, world: dict[str, Any]) -> tuple[Callable[[], None], ...]:
    """The first and the second invocation of a scenario (each checks its answer)."""
    from tests.events import sqs_event, ws_connect, ws_message

    customer = token("customer", CUSTOMER)
    merchant = token("merchant", "staff_bench", merchant_id=MERCHANT)

    def health() -> None:
        expect(*container.rest("GET", "/health"), 200, name)

    def place() -> None:
        expect(*container.rest("POST", "/orders", token=customer, body=order_body(MERCHANT),
                               headers={"Idempotency-Key": f"k-{time.perf_counter_ns()}"}), 201, name)

    def fetch(order_id: str) -> Callable[[], None]:
        return lambda: expect(*container.rest("GET", "/merchant/orders/{order_id}", {"order_id": order_id},
                                              token=merchant), 200, name)

    def connect(connection_id: str) -> Callable[[], None]:
        def run() -> None:
            answer = container.handler("connect", ws_connect(connection_id, merchant))
            expect(answer.get("statusCode"), answer, 200, name)
        return run

    def list_pending(connection_id: str) -> Callable[[], None]:
        return lambda: container.handler("message", ws_message(connection_id, '{"action": "list_pending"}'))

    def fire(body: str) -> Callable[[], None]:
        return lambda: container.handler("fire_alarms", sqs_event([body]))

    orders, connections, alarms = world["orders"], world["connections"], world["alarms"]
    steps: dict[str, tuple[Callable[[], None], ...]] = {
        "GET /health": (health, health),
        "POST /orders": (place, place),
        "GET /merchant/orders/{id}": (fetch(orders[0]), fetch(orders[1])),
        "ws $connect": (connect("benchconn1"), connect("benchconn2")),
        "ws list_pending": (list_pending(connections[0]), list_pending(connections[1])),
        "sqs fire_alarms": (fire(alarms[0]), fire(alarms[1])),
    }
    return steps[name]


def first_invocations_child(name: str, world_path: Path, profile: Path | None) -> None:
    """Runs in a fresh interpreter: one container, `import app`, two invocations of one scenario."""
    world = json.loads(world_path.read_text())
    container = Container("dev")
    container.load(world["items"])
    token("warm", "up")  # PyJWT in this process for the tokens the bench signs (the app's own use is measured)
    # moto's ~140,000 objects out of the collector's way: a collection during the first invocation
    # then scans what it would scan in a container without moto (one such scan cost ≈ 150 ms).
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    container.import_app()
    imported = time.perf_counter()
    first, second = scenario_steps(name, container, world)
    figures = {"import app (after moto)": (imported - started) * 1000}
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.runcall(first)
        profiler.dump_stats(str(profile))
        return
    for label, step in (("first", first), ("second", second)):
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        figures[label] = (time.perf_counter() - wall) * 1000
        figures[f"{label} cpu"] = (time.process_time() - cpu) * 1000
    print(json.dumps(figures))


# ── the parent: runs the children, prints the figures ──────────────────────────────────────


def child(*args: str, timeout: int = 300) -> str:
    output = subprocess.run(python("-m", "bench.cold_start", *args), cwd=workdir(), env=clean_env(),
                            capture_output=True, text=True, timeout=timeout)
    if output.returncode != 0:
        raise SystemExit(f"bench.cold_start {' '.join(args)} failed:\n{output.stdout[-2000:]}\n{output.stderr[-4000:]}")
    return output.stdout


def first_invocation_figures(world: Path, scenarios: list[str], runs: int) -> dict[str, dict[str, Summary]]:
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in scenarios}
    for _ in range(runs):
        for name in scenarios:  # alternating, like the imports
            figures = json.loads(child("--child-first", name, str(world)).strip().splitlines()[-1])
            for key, value in figures.items():
                samples[name].setdefault(key, []).append(float(value))
    return {name: {key: Summary.of(values) for key, values in laps.items()} for name, laps in samples.items()}


def p90_line(summary: Summary) -> str:
    return f"median {summary.p50:7.0f} ms   p90 {summary.p90:7.0f} ms   (n={summary.count})"


def print_profile(path: Path, lines: int = 40) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cold_start", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--first-request-runs", type=int, default=5)
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="these scenarios only (repeatable)")
    parser.add_argument("--skip-imports", action="store_true", help="measure the first invocations only")
    parser.add_argument("--profile", choices=SCENARIOS, help="cProfile one first invocation of this scenario")
    parser.add_argument("--package", type=Path, metavar="ZIP",
                        help="import the app and its libraries from this deployment zip, unpacked (infra/check.sh: "
                             "build/infra/dev/deployment.zip with ONTIME_KEEP_ZIP=1)")
    parser.add_argument("--child-seed", help=argparse.SUPPRESS)
    parser.add_argument("--child-first", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", help=argparse.SUPPRESS)
    parser.add_argument("--out", default=str(RESULTS / "cold_start.json"))
    args = parser.parse_args(argv)
    if args.child_seed:
        seed_child(Path(args.child_seed))
        return
    if args.child_first:
        first_invocations_child(args.child_first[0], Path(args.child_first[1]),
                                Path(args.child_profile) if args.child_profile else None)
        return
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cold-start-") as scratch:
        if args.package:
            global PACKAGE
            PACKAGE = Path(scratch) / "package"
            with zipfile.ZipFile(args.package) as package:
                package.extractall(PACKAGE)
            print(f"App and libraries imported from {args.package} (unpacked, read as Lambda reads it: no bytecode "
                  "written)\n")
        world = Path(scratch) / "world.json"
        child("--child-seed", str(world))
        if args.profile:
            profile = RESULTS / "cold_start-first.prof"
            child("--child-first", args.profile, str(world), "--child-profile", str(profile))
            print(f"First invocation of {args.profile} (cProfile; stats in {profile.relative_to(ROOT)}):")
            print_profile(profile)
            return
        report: dict[str, Any] = {}
        verdicts: list[bool] = []
        if not args.skip_imports:
            verdicts.append(report_imports(args.runs, report))
        scenarios = args.only or list(SCENARIOS)
        first = first_invocation_figures(world, scenarios, args.first_request_runs)
        verdicts.append(report_first_invocations(first, args.first_request_runs, report))
    print(f"\ncold start: {verdict(all(verdicts))}  (a shared machine's figures are noisy: compare runs back to back)")
    checks, panels = checks_and_panels(report)
    print_checks(print, checks)
    save(args.out, report, checks, panels, title="bench.cold_start: import and first invocations")


def checks_and_panels(report: dict[str, Any]) -> tuple[list[Check], list[plots.Panel]]:
    """The headline figures against their targets, and their pictures (what `bench.all` reads)."""
    checks: list[Check] = []
    panels: list[plots.Panel] = []
    if "import_ratio" in report:
        checks.append(at_most("import app ÷ bare imports (medians)", report["import_ratio"], TARGET_IMPORT_RATIO,
                              "×"))
        medians = {name: figures["import"]["p50"] for name, figures in report["imports"].items()}
        panels.append(plots.bars("import in a fresh interpreter (medians)", medians,
                                 targets={f"{TARGET_IMPORT_RATIO:g} × bare": TARGET_IMPORT_RATIO * medians[BARE]}))
    extras = {name: figures["extra_ms"] for name, figures in report.get("first_invocations", {}).items()}
    checks += [at_most(f"first {name} over the second", extra, TARGET_FIRST_EXTRA_MS) for name, extra in extras.items()]
    if extras:
        panels.append(plots.bars("first invocation over the second (medians)", extras,
                                 targets={f"+{TARGET_FIRST_EXTRA_MS:g} ms": TARGET_FIRST_EXTRA_MS}))
    return checks, panels


def report_imports(runs: int, report: dict[str, Any]) -> bool:
    imports = import_figures(runs)
    print(f"Import time in a fresh interpreter ({runs} runs each; Python {sys.version.split()[0]}):")
    for name, summary in imports.items():
        print(f"  {name:<40} import {p90_line(summary['import'])}")
        print(f"  {'':<40} process {p90_line(summary['process'])}")
    app_ms, bare_ms = imports["app.py"]["import"].p50, imports[BARE]["import"].p50
    ratio = app_ms / bare_ms if bare_ms else float("inf")
    passed = ratio <= TARGET_IMPORT_RATIO
    print(f"  import app / bare imports (medians): {app_ms:.0f} / {bare_ms:.0f} ms = {ratio:.2f} × "
          f"(target ≤ {TARGET_IMPORT_RATIO} ×): {verdict(passed)}")
    app_profile = import_profile(IMPORTS["app.py"])
    bare_profile = import_profile(IMPORTS[BARE])
    print("  where app.py's import goes (-X importtime self time by top-level package, median of 3):")
    print("    " + ", ".join(f"{name} {ms:.0f}" for name, ms in list(app_profile.items())[:8]) + " (ms)")
    extra = {name: ms - bare_profile.get(name, 0.0) for name, ms in app_profile.items()}
    print("    beyond the bare imports: " + ", ".join(
        f"{name} {ms:+.0f}" for name, ms in sorted(extra.items(), key=lambda item: -item[1])[:6]) + " (ms)")
    report.update(imports={k: {m: s.__dict__ for m, s in v.items()} for k, v in imports.items()},
                  import_ratio=ratio, import_pass=passed, app_import_profile_ms=app_profile,
                  bare_import_profile_ms=bare_profile)
    return passed


def report_first_invocations(first: dict[str, dict[str, Summary]], runs: int, report: dict[str, Any]) -> bool:
    print(f"\nFirst and second invocation of a fresh container (stage dev, in-process moto, {runs} runs; "
          f"target: first − second ≤ {TARGET_FIRST_EXTRA_MS:.0f} ms):")
    print(f"  {'scenario':<28} {'import app':>10} {'first':>8} {'second':>8} {'extra':>8} "
          f"{'first cpu':>10} {'second cpu':>10}")
    passed = True
    report["first_invocations"] = {}
    for name, laps in first.items():
        extra = laps["first"].p50 - laps["second"].p50
        ok = extra <= TARGET_FIRST_EXTRA_MS
        passed &= ok
        print(f"  {name:<28} {laps['import app (after moto)'].p50:8.0f} ms {laps['first'].p50:5.0f} ms "
              f"{laps['second'].p50:5.0f} ms {extra:+5.0f} ms {laps['first cpu'].p50:7.0f} ms "
              f"{laps['second cpu'].p50:7.0f} ms  {verdict(ok)}")
        report["first_invocations"][name] = {**{k: s.__dict__ for k, s in laps.items()}, "extra_ms": extra,
                                             "pass": ok}
    print(f"  first invocations: {verdict(passed)}")
    return passed


if __name__ == "__main__":
    main()
