"""The local stack: two processes, no AWS account, no Docker.

    python -m devstack.stack [--rest-port 8000] [--ws-port 8001] [--aws-port 5000]
                             [--sweep-interval 60] [--default-window S] [--demo-window 120]
                             [--demo-periods 600,1200] [--no-seed] [--aws-transport socket|in-process|http]
                             [--no-validate-responses] [--function-queue-visibility S]
                             [--faults NAME=RATE,…] [--fault-seed N]

moto stands in for DynamoDB, SQS and S3 (tables, queues and buckets created from `infra/`), in a
process of its own so that it and the app each have a core; the REST front and the WebSocket
gateway stand in for API Gateway, and pumps stand in for Lambda's event sources (the alarm queue,
the sweeper's schedule, and the queue of each function a package adds), in the stack's main process
with the app; moto's S3 notifies the queues the template's buckets notify. Every answer is checked
against its route's declared model unless `--no-validate-responses` (the benchmarks measure the
app as it runs in AWS, without the check). `--faults` makes AWS misbehave at the given rates
(`devstack/faults.py`; `GET|PUT /_faults` on the gateway port changes them while it runs).
Prints the URLs, then one line `READY rest=… ws=… aws=…`; stops on Ctrl-C/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import secrets
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from chalicelib.contribution import QueueFunction
from chalicelib.settings import ALARM_QUEUE_NAME
from devstack.apidocs import docs_routes
from devstack.aws import (
    HTTP,
    IN_PROCESS,
    SOCKET,
    TRANSPORTS,
    MotoEndpoint,
    answer_app_calls_in_process,
    count_api_calls,
    harness_config,
)
from devstack.awsprocess import AwsProcess, ForwardedAwsCalls
from devstack.events import LOCAL_STAGE
from devstack.faults import FaultPlan, SkewedClock, StackFaults, parse_rates
from devstack.gateway import InProcessManagementApi, WebSocketGateway
from devstack.lambdas import LambdaRuntime
from devstack.provision import bucket_environment, queue_environment
from devstack.pumps import SchedulePump, SqsPump
from devstack.rest import rest_app
from devstack.sandbox.pages import sandbox_routes
from devstack.sandbox.provider import SandboxProvider
from devstack.stats import StackStats
from devstack.terminals import terminal_routes, terminal_urls

ROOT = Path(__file__).resolve().parents[1]
REGION = "us-east-1"
SQS_CONCURRENCY = 8
"""Alarm batches at once. A batch holds its worker while its early alarms wait for their moment (up
to a second: SQS delays are whole seconds), so the workers must outnumber the batches that become
visible in a second: with 4, alarms due at 33/s waited for a free worker (p99 365 ms late, the
first of a batch as late as the last; 146 ms with 8). More is not better while the stack's CPU is
the limit: with 16, the revocations of `bench.escalation` (33/s, CPU-bound) shared it so evenly
that all of them were slow (p99 973 ms against 568 ms with 8)."""
FUNCTION_CONCURRENCY = 2
"""Invocations at once of each function a package adds (unless it reserves a concurrency): a video's
transcoding takes a core, and the machine has few."""
STOP_BUDGET_S = 1.0
"""How long each stage of stopping may take (servers, in-flight invocations, pumps)."""


@dataclass(frozen=True)
class Options:
    host: str
    rest_port: int
    ws_port: int
    aws_port: int
    sweep_interval_s: int
    default_window_s: int | None
    demo_window_s: int
    seed: bool
    sqs_concurrency: int
    workers: int
    aws_transport: str
    demo_periods_s: tuple[int, int] = (600, 1200)
    payment_window_s: int | None = None
    validate_responses: bool = True
    function_queue_visibility_s: int | None = None
    faults: dict[str, float] | None = None
    """Fault rates by name (`devstack/faults.py`); None: no fault injection at all."""
    fault_seed: int = 0


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m devstack.stack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--rest-port", type=int, default=8000, help="REST API (0 = any free port)")
    parser.add_argument("--ws-port", type=int, default=8001, help="WebSocket + @connections (0 = any free port)")
    parser.add_argument("--aws-port", type=int, default=5000, help="moto's server (0 = any free port)")
    parser.add_argument("--sweep-interval", type=int, default=60, help="seconds between sweeps (AWS: 60)")
    parser.add_argument("--default-window", type=int, default=None,
                        help="platform default answer window in seconds (default 120)")
    parser.add_argument("--demo-window", type=int, default=120, help="the demo merchant's answer window")
    parser.add_argument("--demo-periods", type=_periods, default=(600, 1200), metavar="REMIND,REVOKE",
                        help="the demo installation area's escalation periods in seconds (default 600,1200)")
    parser.add_argument("--payment-window", type=int, default=None,
                        help="seconds a split order waits for its payment (default 900)")
    parser.add_argument("--no-validate-responses", dest="validate_responses", action="store_false",
                        help="do not check each answer against its route's declared model (as in AWS; the "
                             "benchmarks measure the stack so)")
    parser.add_argument("--no-seed", dest="seed", action="store_false",
                        help="start without the demo merchant and installers")
    parser.add_argument("--sqs-concurrency", "--sqs-pollers", dest="sqs_concurrency", type=int,
                        default=SQS_CONCURRENCY, help=f"alarm batches handled at once (default {SQS_CONCURRENCY})")
    parser.add_argument("--workers", type=int, default=16, help="threads running handler invocations")
    parser.add_argument("--aws-transport", choices=TRANSPORTS, default=SOCKET,
                        help="how the app's AWS calls reach moto: socket (default: moto in its own process, the "
                             "app's requests forwarded over a Unix socket), in-process (one process, moto inside "
                             "botocore) or http (moto in its own process, through AWS_ENDPOINT_URL); moto's server "
                             "serves everyone else either way")
    parser.add_argument("--function-queue-visibility", dest="function_queue_visibility_s", type=int, default=None,
                        metavar="S", help="the visibility timeout of the queues feeding the packages' own functions "
                                          "(default: the template's, 6 × the function's timeout), so that a failed "
                                          "message is retried, and dead-lettered, within a test")
    parser.add_argument("--faults", type=_fault_rates, default=None, metavar="NAME=RATE,…",
                        help="inject faults at these rates (0..1), e.g. dynamodb.throttle=0.05,sqs.send=0.2; '' "
                             "injects none yet but lets PUT /_faults set them (devstack/faults.py lists them all)")
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the faults' draws (default 0)")
    args = parser.parse_args(argv)
    if args.function_queue_visibility_s is not None and args.function_queue_visibility_s < 0:
        parser.error("--function-queue-visibility must be at least 0")
    if args.sweep_interval < 1:
        parser.error("--sweep-interval must be at least 1 second")
    if args.payment_window is not None and args.payment_window < 1:
        parser.error("--payment-window must be at least 1 second")
    return Options(args.host, args.rest_port, args.ws_port, args.aws_port, args.sweep_interval,
                   args.default_window, args.demo_window, args.seed, args.sqs_concurrency, args.workers,
                   args.aws_transport, args.demo_periods, args.payment_window, args.validate_responses,
                   args.function_queue_visibility_s, args.faults, args.fault_seed)


def _fault_rates(text: str) -> dict[str, float]:
    try:
        return parse_rates(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _periods(text: str) -> tuple[int, int]:
    try:
        remind_s, revoke_s = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("two whole numbers of seconds: REMIND,REVOKE") from None
    if min(remind_s, revoke_s) < 1:
        raise argparse.ArgumentTypeError("each period is at least 1 second")
    return remind_s, revoke_s


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound before anything starts, so port 0 resolves to a real port the app can be told about."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose `proto` says TCP, and
    # accepted sockets copy the listener's. With proto 0, Nagle + delayed ACK stalled every
    # keep-alive response (and every @connections push) by ~40 ms.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"{host}:{port}: {exc.strerror}") from exc
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def aws_environment(app_endpoint: str | None) -> None:
    """Every AWS client in this process talks to moto, with credentials that can reach nothing else:
    through `app_endpoint`, or (None) through the in-process mock, which answers AWS's own URLs."""
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL") or name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
            del os.environ[name]
    # A developer's HTTP(S)_PROXY must not capture calls to moto or the local gateway.
    for name in ("NO_PROXY", "no_proxy"):
        os.environ[name] = ",".join(filter(None, (os.environ.get(name), "127.0.0.1", "localhost")))
    os.environ.update({"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION})
    if app_endpoint is not None:
        os.environ["AWS_ENDPOINT_URL"] = app_endpoint


def local_origins(host: str, ports: Sequence[int], also: str = "") -> str:
    """The stack's own pages (the REST port's and the gateway port's, by address and by name) may
    call the REST API from a browser, and so may any origin listed in `ONTIME_CORS_ORIGINS`."""
    hosts = dict.fromkeys(h for h in ("127.0.0.1", "localhost", host) if h not in ("0.0.0.0", "::"))
    return ",".join(filter(None, [*(f"http://{h}:{port}" for port in ports for h in hosts), also]))


def app_environment(options: Options, ports: tuple[int, int], alarm_queue_url: str, aws_url: str,
                    queues: dict[str, str] | None = None) -> None:
    ws_port = ports[1]
    os.environ.update({
        "ONTIME_STAGE": "local",
        # Presigned photo uploads come from outside this process (a phone, a test): they need
        # the moto server's address, whichever transport the app's own calls take.
        "ONTIME_S3_ENDPOINT_URL": aws_url,
        "ONTIME_ALARM_QUEUE_URL": alarm_queue_url,
        "ONTIME_WS_MANAGEMENT_ENDPOINT": f"http://{options.host}:{ws_port}/{LOCAL_STAGE}",
        "ONTIME_SWEEP_INTERVAL_S": str(options.sweep_interval_s),
        # The sandbox signs its callbacks with a secret of this run only: nothing public verifies.
        "ONTIME_PAYMENT_WEBHOOK_SECRETS": secrets.token_urlsafe(32),
        # Lists' next_tokens too: a token from an earlier run is refused (400), like a forged one.
        "ONTIME_PAGE_TOKEN_SECRETS": secrets.token_urlsafe(32),
        "ONTIME_VALIDATE_RESPONSES": "1" if options.validate_responses else "",
        "ONTIME_CORS_ORIGINS": local_origins(options.host, ports, os.environ.get("ONTIME_CORS_ORIGINS", "")),
        **bucket_environment(),
        **(queues or {}),
    })
    if options.default_window_s is not None:
        os.environ["ONTIME_DEFAULT_ANSWER_WINDOW_S"] = str(options.default_window_s)
    if options.payment_window_s is not None:
        os.environ["ONTIME_PAYMENT_WINDOW_S"] = str(options.payment_window_s)


def load_app() -> Any:
    """Import `app.py` (after the environment is set) and add the local stage's token route."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from chalicelib import bootstrap
    from devstack import tokens

    app = importlib.import_module("app").app
    app.register_blueprint(tokens.routes.bound_to(bootstrap.container))
    return app


def api_document() -> dict[str, Any]:
    """The OpenAPI document the running app serves (with the local stage's own routes)."""
    from chalicelib import bootstrap
    from chalicelib.http.docs import ApiDocuments

    return bootstrap.container().services_of(ApiDocuments).openapi()


def terminals_document() -> dict[str, Any]:
    """The AsyncAPI document of the WebSocket (as `docs/asyncapi.json`)."""
    from chalicelib.bootstrap import contributions
    from chalicelib.push.asyncapi import terminals_document

    return terminals_document(contributions())


def warm_clients() -> None:
    """Create the tables' DynamoDB client (one for every model, `chalicelib/aws.py`) now rather than
    inside the first request, and check that every table exists."""
    from chalicelib.bootstrap import contributions
    from chalicelib.contribution import models_of

    for model in models_of(contributions()):
        model.describe_table()


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to the stack, which stops both servers at once."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def http_server(app: Any) -> EmbeddedServer:
    # Idle keep-alive connections are closed after 65 s, later than clients give up on them (httpx:
    # 5 s), as API Gateway does: a server closing first races the client's next request on it.
    # No permessage-deflate: API Gateway's WebSocket API does not negotiate it either, and
    # compressing every push cost the one-process stack CPU it needs for orders.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=65,
                            timeout_graceful_shutdown=1, ws_max_size=128 * 1024, ws_per_message_deflate=False)
    return EmbeddedServer(config)


TRANSPORT_WORDS = {
    SOCKET: "its own process; the app's calls forwarded over a Unix socket",
    IN_PROCESS: "in this process; the app's calls answered inside botocore",
    HTTP: "its own process; the app's calls over HTTP",
}


def banner(rest: str, ws: str, aws: str, transport: str, seeded: list[str] | None) -> str:
    """The URLs, what was seeded (`None`: `--no-seed`), and ready-to-paste token commands."""
    token = "curl -s -X POST {rest}/dev/tokens -H 'Content-Type: application/json' -d '{body}'"
    merchant = '{"role":"merchant","sub":"staff-1","merchant_id":"m_demo"}'
    customer = '{"role":"customer","sub":"u_alice"}'
    ops = '{"role":"ops","sub":"ops-1"}'
    installer = '{"role":"installer","sub":"i_demo_1"}'
    supplier = '{"role":"supplier","sub":"clerk-1","supplier_id":"s_demo_books"}'
    lines = [
        "ontime local stack",
        f"  REST API          {rest}          (GET {rest}/health)",
        f"  WebSocket         {ws}/?token=<JWT>",
        f"  @connections      {ws.replace('ws://', 'http://')}/local/@connections/<connection-id>",
        f"  stats (local)     {ws.replace('ws://', 'http://')}/_stats",
        f"  AWS (moto)        {aws}          ({TRANSPORT_WORDS.get(transport, transport)})",
        f"  sandbox payments  {rest}/sandbox/pay/<payment-id>          (the pay page of a checkout)",
        f"  API documents     {rest}/docs          ({rest}/openapi.json)",
        *(f"  terminal          {url}" for url in terminal_urls(rest)),
        *(["  demo data         (not seeded: --no-seed)"] if seeded is None else [f"  {line}" for line in seeded]),
        "tokens:",
        "  merchant  " + token.format(rest=rest, body=merchant),
        "  customer  " + token.format(rest=rest, body=customer),
        "  ops       " + token.format(rest=rest, body=ops),
        "  installer " + token.format(rest=rest, body=installer) + "   (or i_demo_2)",
        "  supplier  " + token.format(rest=rest, body=supplier),
        "Ctrl-C stops the stack.",
    ]
    return "\n".join(lines)


async def serve(servers: list[tuple[EmbeddedServer, socket.socket]], ready_line: str) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(server.serve(sockets=[sock])) for server, sock in servers]
    while not all(server.started for server, _ in servers):
        if any(task.done() for task in tasks):
            break  # a server failed to start; its task holds the error
        await asyncio.sleep(0.01)
    else:
        print(ready_line, flush=True)
        await asyncio.wait([asyncio.create_task(stop.wait()), *tasks], return_when=asyncio.FIRST_COMPLETED)
    for server, _ in servers:
        server.should_exit = True
    await asyncio.wait(tasks, timeout=3 * STOP_BUDGET_S)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise RuntimeError("a server stopped with an error") from task.exception()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # while starting up; the event loop takes over later
    stats = StackStats()
    count_api_calls(stats)  # before any botocore session exists
    faults = StackFaults(FaultPlan(options.faults, options.fault_seed)) if options.faults is not None else None
    if faults is not None:
        faults.aws.install()  # before any botocore session exists, ahead of the transport
    pumps: list[SqsPump | SchedulePump] = []
    runtime: LambdaRuntime | None = None
    aws: MotoEndpoint | AwsProcess | None = None
    try:
        rest_sock, ws_sock, aws_sock = (listening_socket(options.host, port) for port in (
            options.rest_port, options.ws_port, options.aws_port))
        ws_port = ws_sock.getsockname()[1]
        app_pushes = InProcessManagementApi(f"http://{options.host}:{ws_port}/{LOCAL_STAGE}",
                                            faults.plan if faults is not None else None)
        if options.aws_transport != HTTP:
            app_pushes.install()
        aws, aws_url = start_aws(options, aws_sock, stats, faults)
        sqs, queue_urls = provision_aws(options)
        alarm_queue_url = queue_urls[ALARM_QUEUE_NAME]
        app_environment(options, (rest_sock.getsockname()[1], ws_port), alarm_queue_url, aws_url,
                        queue_environment(queue_urls))
        rest, ws = f"http://{options.host}:{rest_sock.getsockname()[1]}", f"ws://{options.host}:{ws_port}"
        started = start_app(options, stats, rest, faults)
        runtime = started.runtime
        pumps = start_pumps(options, runtime, sqs, queue_urls, faults)

        gateway = WebSocketGateway(runtime, stats, f"{options.host}:{ws_port}",
                                   faults=faults.plan if faults is not None else None)
        app_pushes.gateway = gateway
        print(banner(rest, ws, aws_url, options.aws_transport, started.seeded), flush=True)
        pages = [*sandbox_routes(started.sandbox), *docs_routes(api_document, terminals_document),
                 *terminal_routes(rest, ws)]
        servers = [(http_server(rest_app(runtime, extra_routes=pages)), rest_sock),
                   (http_server(gateway.app()), ws_sock)]
        if faults is not None:
            faults.plan.arm()  # set-up and seeding ran clean: from now on AWS misbehaves
        asyncio.run(serve(servers, f"READY rest={rest} ws={ws} aws={aws_url}"))
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # most likely a port in use: say so in one line
        print(f"ontime local stack: cannot start: {exc} (is another stack running? see --help for ports)",
              file=sys.stderr, flush=True)
        return 1
    except AwsProcessFailed as exc:
        print(f"ontime local stack: cannot start: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        _stop(pumps, runtime, aws)
    print("ontime local stack stopped", flush=True)
    return 0


def start_aws(options: Options, sock: socket.socket, stats: StackStats,
              faults: StackFaults | None = None) -> tuple[MotoEndpoint | AwsProcess, str]:
    """moto serving on `sock`, and the app's calls on their way to it; returns moto and its URL.
    Called before any botocore session exists (the transports install botocore handlers)."""
    if options.aws_transport == IN_PROCESS:
        answer_app_calls_in_process()  # resets moto's state: before anything is created
        if faults is not None:
            from moto.core.models import botocore_stubber

            faults.aws.forward = lambda request: botocore_stubber(event_name="before-send", request=request)
        moto = MotoEndpoint(options.host, sock=sock)
        aws_environment(None)
        return moto, moto.start()
    process = AwsProcess(options.host, sock)
    aws_environment(process.url if options.aws_transport == HTTP else None)
    process.start()
    try:
        assert process.pid is not None
        stats.add_process("aws", process.pid)
        if options.aws_transport == SOCKET:
            forwarded = ForwardedAwsCalls(process.socket_path)
            forwarded.install()
            if faults is not None:
                faults.aws.forward = forwarded
        preload_app()  # while moto's process imports moto: both take about a second
        try:
            process.wait_ready()
        except RuntimeError as exc:
            raise AwsProcessFailed(str(exc)) from exc
    except BaseException:
        process.stop()
        raise
    return process, process.url


class AwsProcessFailed(Exception):
    """moto's process did not start."""


def preload_app() -> None:
    """Import `app.py` and what it imports (it reads no environment and calls nothing on import)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    importlib.import_module("app")


def provision_aws(options: Options) -> tuple[Any, dict[str, str]]:
    """Tables, queues, buckets and their notifications from `infra/`; returns the stack's own SQS
    client and the queues' URLs by name. The stack's clients (provisioning, the SQS poller) take
    the app's transport."""
    import boto3

    from devstack.provision import provision

    visibility = {} if options.function_queue_visibility_s is None else {
        function.queue_name: options.function_queue_visibility_s for function in package_functions()}
    harness = boto3.session.Session()
    sqs = harness.client("sqs", config=harness_config())
    queue_urls = provision(harness.client("dynamodb", config=harness_config()), sqs,
                           s3=harness.client("s3", config=harness_config()), visibility_timeout_s=visibility)
    return sqs, queue_urls


def package_functions() -> list[QueueFunction]:
    from chalicelib.bootstrap import contributions

    return [function for package in contributions() for function in package.functions]


@dataclass(frozen=True)
class StartedApp:
    runtime: LambdaRuntime
    sandbox: SandboxProvider
    seeded: list[str] | None


def start_app(options: Options, stats: StackStats, rest_url: str, faults: StackFaults | None = None) -> StartedApp:
    """The app's container with every package, built now (a wrong setting fails here, not at the
    first request; a Lambda container builds each package at its first use) with the local stage's
    own token issuer and the sandbox payment provider, then the demo data."""
    from chalicelib import bootstrap
    from chalicelib.core.clock import SystemClock
    from chalicelib.http.docs import ApiDocuments
    from chalicelib.settings import settings
    from devstack import tokens
    from devstack.seed import seed_demo
    from devstack.tokens import DevTokenIssuer

    config = settings()
    issuer = DevTokenIssuer(os.environ.get("ONTIME_DEV_SIGNING_SECRET"))
    clock = SystemClock() if faults is None else SkewedClock()  # skewed by `clock.skew` only
    sandbox = SandboxProvider(config.payment_webhook_secrets[0].encode(), rest_url, f"{rest_url}/payments/callback",
                              clock)
    built = bootstrap.build(config, clock=clock, verifier=issuer, payments=sandbox).build_all()
    built.services[DevTokenIssuer] = issuer
    # The stack serves `POST /dev/tokens` too, so its document lists it (the committed one does not).
    built.services[ApiDocuments] = built.services_of(ApiDocuments).with_routes("local", tokens.routes)
    bootstrap.install(built)
    runtime = LambdaRuntime(load_app(), stats, workers=options.workers, faults=faults)
    warm_clients()
    demo = {"demo_window_s": options.demo_window_s, "demo_periods_s": options.demo_periods_s}
    seeded = seed_demo(runtime, issuer, demo) if options.seed else None
    return StartedApp(runtime, sandbox, seeded)


def start_pumps(options: Options, runtime: LambdaRuntime, sqs: Any, queue_urls: dict[str, str],
                faults: StackFaults | None = None) -> list[SqsPump | SchedulePump]:
    pumps: list[SqsPump | SchedulePump] = [
        SqsPump(runtime, sqs, queue_urls[ALARM_QUEUE_NAME], "fire_alarms", region=REGION,
                concurrency=options.sqs_concurrency),
        SchedulePump(runtime, "sweep_alarms", options.sweep_interval_s, region=REGION),
    ]
    # A package's function is `app.handler_map[name]`, registered from the generated table.
    pumps += [SqsPump(runtime, sqs, queue_urls[function.queue_name], function.name, region=REGION,
                      concurrency=function.reserved_concurrency or FUNCTION_CONCURRENCY, batch_size=function.batch_size,
                      notification_faults=faults.notifications if faults is not None else None)
              for function in package_functions()]
    for pump in pumps:
        pump.start()
    return pumps


def _stop(pumps: Sequence[SqsPump | SchedulePump], runtime: LambdaRuntime | None,
          aws: MotoEndpoint | AwsProcess | None) -> None:
    for pump in pumps:
        pump.stop()
    if runtime is not None:
        runtime.drain(STOP_BUDGET_S)
    for pump in pumps:  # a poll still under way just fails once moto is gone; no need to wait it out
        pump.join(0.05)
    if aws is not None:
        aws.stop()
    if runtime is not None:
        runtime.shutdown()


def exit_now(code: int) -> None:
    """Exit without the interpreter's teardown: freeing moto's in-memory AWS takes seconds on a busy
    machine, and everything that had to stop has stopped. A handler still blocked on a server that
    is gone cannot hold the exit either."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
