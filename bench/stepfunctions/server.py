"""moto with Step Functions executing, in a process of its own, for the peer's side of
`bench.versus_stepfunctions`:

    python -m bench.stepfunctions.server --port 0      # prints "READY aws=http://127.0.0.1:P"

    with PeerServer() as server:                       # the same, as a subprocess of a benchmark
        server.url, server.cpu_seconds()

Built like the local stack's embedded AWS (`devstack.aws`), so that both sides of the comparison
run on the same moto: the same fast paths, and the state machines' own service calls (their
`sqs:sendMessage` and `dynamodb:updateItem` tasks) answered in-process, as the stack answers the
app's, while the benchmark's driver reaches it over HTTP like any AWS endpoint. Its own process,
so that its CPU time is the peer's alone.

One change to how moto runs a task: moto builds a new boto3 client for every task it executes
(≈ 10–20 ms of CPU each), which AWS does not do; the clients are kept per region and service
(`--fresh-clients` turns that off, to see what it costs).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType
from typing import Any

from bench.stack import ROOT, process_cpu_seconds

READY_PREFIX = "READY aws="

STOP = threading.Event()
TASK_MODULES = (
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sqs",
    "moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_dynamodb",
)
"""The task integrations the peer's state machine uses; each imported `boto_client_for` by name."""


def execute_state_machines() -> None:
    """moto's in-process mock with Step Functions executing (it resets moto's state: call first)."""
    from moto import mock_aws

    mock_aws(config={"stepfunctions": {"execute_state_machine": True}}).start()


def keep_task_clients() -> None:
    import importlib

    from moto.stepfunctions.parser.asl.utils import boto_client

    @functools.lru_cache(maxsize=64)
    def kept(region: str, service: str) -> Any:
        return boto_client.boto_client_for(region=region, service=service)

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return kept(region, service)

    for name in TASK_MODULES:
        importlib.import_module(name).boto_client_for = boto_client_for  # type: ignore[attr-defined]


class PeerServer:
    """`python -m bench.stepfunctions.server` as a subprocess: its URL and its CPU time."""

    def __init__(self, *, fresh_clients: bool = False, startup_timeout_s: float = 60.0) -> None:
        self.command = [sys.executable, "-m", "bench.stepfunctions.server", "--port", "0",
                        *(["--fresh-clients"] if fresh_clients else [])]
        self._startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> PeerServer:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("AWS_ENDPOINT_URL", None)
        self._process = subprocess.Popen(self.command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + self._startup_timeout_s
        seen: list[str] = []
        assert self._process.stdout is not None
        for line in self._process.stdout:
            seen.append(line.rstrip())
            if line.startswith(READY_PREFIX):
                self.url = line.removeprefix(READY_PREFIX).strip()
                threading.Thread(target=self._drain, daemon=True).start()  # a full pipe would block it
                return self
            if time.monotonic() > deadline:
                break
        self.__exit__()
        raise RuntimeError("the Step Functions peer's moto did not start:\n" + "\n".join(seen[-30:]))

    def _drain(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for _ in self._process.stdout:
            pass

    def cpu_seconds(self) -> float:
        return float("nan") if self._process is None else process_cpu_seconds(self._process.pid)

    def __exit__(self, *exc: object) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(20)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    STOP.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stepfunctions.server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--fresh-clients", action="store_true", help="a new boto3 client per task, as moto does")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    for name, value in {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "peer",
                        "AWS_SECRET_ACCESS_KEY": "peer"}.items():
        os.environ.setdefault(name, value)
    from devstack.aws import MotoEndpoint

    execute_state_machines()
    if not args.fresh_clients:
        keep_task_clients()
    endpoint = MotoEndpoint(args.host, args.port)
    url = endpoint.start()
    os.environ["MOTO_PORT"] = url.rsplit(":", 1)[1]  # where moto points a task's client when not in-process
    print(f"READY aws={url}", flush=True)
    STOP.wait()
    endpoint.stop()
    sys.stdout.flush()
    os._exit(0)  # freeing moto's in-memory AWS takes seconds, and nothing is left to save


if __name__ == "__main__":
    sys.exit(main())
