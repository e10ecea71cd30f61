"""moto in a process of its own, so the app and its emulated AWS each get a core.

    python -m devstack.awsprocess --host H --http-fd N --calls-fd N --ready-fd N   (started by the stack)

The stack binds both listening sockets and hands them over, so their addresses (port 0 included)
are known before this process has imported moto. Here moto, with the stack's speed-ups, serves:

* `--http-fd`: moto's HTTP server, for everyone outside the app (the tests, benchmarks, operators'
  boto3/CLI sessions, presigned uploads; the app itself with `--aws-transport http`);
* `--calls-fd`: a Unix socket on which the app's botocore requests arrive as they are, forwarded
  by `ForwardedAwsCalls` in the stack instead of being sent over HTTP: the method, URL, headers and
  body that `mock_aws` would answer in-process, answered by the same moto code (`BotocoreStubber`),
  without an HTTP client, an HTTP server and a thread per request in between.

It writes one line to `--ready-fd` once both serve, and ends when its standard input closes: the
stack closes it on stopping, and the kernel does if the stack dies. Ctrl-C (or a SIGTERM to the
whole process group) reaches this process too: it ignores both and lets the stack stop in order.
"""

from __future__ import annotations

import argparse
import json
import logging
import marshal
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from botocore import handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import EndpointConnectionError

from chalicelib.core.observability import configure_logging, log
from devstack.aws import RawBody

ROOT = Path(__file__).resolve().parents[1]
READY_TIMEOUT_S = 60.0
_LENGTH = struct.Struct("!I")


# ── the wire: one frame each way per call ────────────────────────────────────────────────────

def send_frame(sock: socket.socket, value: Any) -> None:
    """`value` (plain str/bytes/int/list/tuple/dict) as a length-prefixed marshal frame."""
    payload = marshal.dumps(value)
    sock.sendall(_LENGTH.pack(len(payload)) + payload)


def receive_frame(sock: socket.socket) -> Any:
    """The next frame's value; EOFError if the peer closed the connection between frames."""
    header = _receive_exactly(sock, _LENGTH.size)
    return marshal.loads(_receive_exactly(sock, _LENGTH.unpack(header)[0]))


def _receive_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, missing = [], size
    while missing:
        chunk = sock.recv(min(missing, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


# ── the stack's side ─────────────────────────────────────────────────────────────────────────

def _is_aws(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host.endswith(".amazonaws.com") or host == "amazonaws.com"


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    data = body.read()  # a file-like upload: read it whole, and leave it rewound for a retry
    if hasattr(body, "seek"):
        body.seek(0)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


class ForwardedAwsCalls:
    """Answers every botocore request for an AWS host by sending it to moto's process, the way
    `mock_aws` answers it in-process: installed as a built-in `before-send` handler, so it sees
    each request after it is serialized and signed, and botocore parses the answer as usual
    (retries, errors, stats counted in `before-call` included). Each thread keeps one connection.
    Requests for other hosts (the local gateway's `@connections`) go on their way."""

    EVENT = "before-send"

    def __init__(self, socket_path: str) -> None:
        self._socket_path = socket_path
        self._local = threading.local()

    def install(self) -> None:
        # Sessions copy the built-in handlers when they are created: install before any exists.
        handlers.BUILTIN_HANDLERS.append((self.EVENT, self))

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if not _is_aws(request.url):
            return None
        call = (request.method, request.url, [(str(k), v) for k, v in request.headers.items()],
                _body_bytes(request.body))
        try:
            status, headers, body = self._exchange(call)
        except (OSError, EOFError) as exc:  # moto's process is gone: as a network error would be
            raise EndpointConnectionError(endpoint_url=request.url, error=exc) from exc
        return AWSResponse(request.url, status, headers, RawBody(body))

    def _exchange(self, call: tuple[Any, ...]) -> tuple[int, dict[str, str], bytes]:
        sock: socket.socket | None = getattr(self._local, "sock", None)
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self._socket_path)
            self._local.sock = sock
        try:
            send_frame(sock, call)
            status, headers, body = receive_frame(sock)
        except BaseException:
            self._local.sock = None  # half a frame may be in flight: never reuse the connection
            sock.close()
            raise
        return int(status), dict(headers), bytes(body)


class AwsProcess:
    """The stack's handle on moto's process: started with sockets the stack has bound, stopped by
    closing its standard input."""

    def __init__(self, host: str, http_sock: socket.socket) -> None:
        self._host = host
        self._http_sock = http_sock
        self._http_port: int = http_sock.getsockname()[1]
        self._dir = tempfile.mkdtemp(prefix="ontime-aws-")
        self.socket_path = os.path.join(self._dir, "calls.sock")
        self._process: subprocess.Popen[bytes] | None = None
        self._ready_fd: int | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._http_port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Start the process; it imports moto meanwhile (see `wait_ready`)."""
        calls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        calls.bind(self.socket_path)
        calls.listen(256)
        ready_read, ready_write = os.pipe()
        fds = (self._http_sock.fileno(), calls.fileno(), ready_write)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "devstack.awsprocess", "--host", self._host, "--http-fd", str(fds[0]),
                 "--calls-fd", str(fds[1]), "--ready-fd", str(fds[2])],
                cwd=ROOT, stdin=subprocess.PIPE, pass_fds=fds)
        finally:
            os.close(ready_write)
            calls.close()  # the child has its own copies: when it dies, connections fail at once
        self._ready_fd = ready_read

    def wait_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Block until moto's process serves; RuntimeError if it ends or takes too long."""
        assert self._process is not None and self._ready_fd is not None, "start() first"
        deadline = time.monotonic() + timeout_s
        while True:
            readable, _, _ = select.select([self._ready_fd], [], [], 0.1)
            if readable and os.read(self._ready_fd, 64):
                break
            if readable or self._process.poll() is not None:  # EOF without the line: it died
                raise RuntimeError(f"moto's process ended while starting (exit code {self._process.poll()})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"moto's process was not ready within {timeout_s:.0f} s")
        os.close(self._ready_fd)
        self._ready_fd = None
        self._http_sock.close()  # served by the child; the stack only needed its port

    def stop(self, timeout_s: float = 1.0) -> None:
        process = self._process
        if process is not None:
            if process.stdin is not None:
                process.stdin.close()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout_s)
        if self._ready_fd is not None:
            os.close(self._ready_fd)
            self._ready_fd = None
        shutil.rmtree(self._dir, ignore_errors=True)


# ── moto's side ──────────────────────────────────────────────────────────────────────────────

class CallServer:
    """Answers forwarded botocore requests with moto's in-process dispatch, one thread per
    connection (the stack keeps one connection per calling thread)."""

    def __init__(self, listener: socket.socket) -> None:
        from moto.core.botocore_stubber import BotocoreStubber

        self._listener = listener
        self._stubber = BotocoreStubber()

    def start(self) -> None:
        threading.Thread(target=self._accept, name="aws-calls", daemon=True).start()

    def _accept(self) -> None:
        while True:
            connection, _ = self._listener.accept()
            threading.Thread(target=self._serve, args=(connection,), name="aws-call", daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            while True:
                try:
                    method, url, headers, body = receive_frame(connection)
                except (EOFError, OSError):
                    return
                send_frame(connection, self.answer(method, url, headers, body))

    def answer(self, method: str, url: str, headers: list[tuple[str, Any]], body: bytes
               ) -> tuple[int, dict[str, str], bytes]:
        from botocore.compat import HTTPHeaders

        request_headers = HTTPHeaders()
        for name, value in headers:
            request_headers[name] = value
        request = AWSPreparedRequest(method=method, url=url, headers=request_headers, body=body or None,
                                     stream_output=False)
        try:
            answered = self._stubber.process_request(request)
        except Exception as exc:  # noqa: BLE001 - as moto's server answers a crash: 500, and say why
            log("local.moto_failed", logging.ERROR, method=method, url=url, exc_info=True)
            return 500, {"Content-Type": "application/json"}, json.dumps(
                {"__type": "InternalFailure", "message": repr(exc)}).encode()
        if answered is None:
            return 404, {}, b"Not yet implemented"
        status, answer_headers, answer_body = answered
        raw = answer_body.encode("utf-8") if isinstance(answer_body, str) else bytes(answer_body or b"")
        return int(status), {str(k): str(v) for k, v in answer_headers.items()}, raw


def _wait_for_the_stack() -> None:
    """Returns when standard input closes: the stack stopped, or died."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except OSError:
        pass


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.awsprocess", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", required=True)
    parser.add_argument("--http-fd", type=int, required=True)
    parser.add_argument("--calls-fd", type=int, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    args = parser.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM):  # a signal to the whole group: the stack stops us
        signal.signal(sig, signal.SIG_IGN)

    from devstack.aws import MotoEndpoint

    configure_logging()  # JSON lines on the stack's output, as the app's are
    MotoEndpoint(args.host, sock=socket.socket(fileno=args.http_fd)).start()
    calls = socket.socket(fileno=args.calls_fd)
    CallServer(calls).start()
    os.write(args.ready_fd, b"ready\n")
    os.close(args.ready_fd)
    _wait_for_the_stack()
    # The socket's folder goes too, also when the stack was killed and could not remove it itself.
    # moto's state needs no tidying: it dies with the process (freeing it properly takes seconds).
    shutil.rmtree(os.path.dirname(calls.getsockname()), ignore_errors=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
