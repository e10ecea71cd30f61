"""Runs the Chalice app's handlers as Lambda would: one event per invocation, many at once.

Each invocation runs in a worker thread (the handlers block on boto3), so the servers' event loop
stays free — in particular for the `@connections` pushes those very handlers send back to it.
No lock is held around a handler: concurrency is what Lambda gives the app in AWS too.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalice.app import Chalice
from chalice.local import LocalChalice

from devstack.events import lambda_context
from devstack.faults import InvocationKilled, StackFaults
from devstack.stats import StackStats, running_handler

REST_HANDLER = "rest"


class InvocationCrashed(RuntimeError):
    """The invocation's process died (an injected `kill.*` fault): what Lambda reports of it."""


def make_thread_safe(app: Chalice) -> None:
    """Chalice keeps `current_request` on the app object (one request at a time per Lambda
    container); give every thread its own, as `chalice local` does with the same mixin."""
    if not isinstance(app, LocalChalice):
        app.__class__ = type(f"Local{type(app).__name__}", (LocalChalice, type(app)), {})


class LambdaRuntime:
    def __init__(self, app: Chalice, stats: StackStats, workers: int = 32, faults: StackFaults | None = None) -> None:
        make_thread_safe(app)
        self.app = app
        self._stats = stats
        self._faults = faults
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="lambda")
        self._running = 0
        self._idle = threading.Condition()

    def invoke(self, handler: str, event: dict[str, Any]) -> Any:
        """Run one handler in the calling thread; `rest` is the API Gateway REST entry point."""
        self._stats.invocations.add(handler)
        with self._idle:
            self._running += 1
        running = running_handler.set(handler)
        clock = self._faults.clock if self._faults is not None else None
        skew = clock.skew_for_invocation() if clock is not None else None
        started = time.perf_counter()
        try:
            if handler == REST_HANDLER:
                return self.app(event, lambda_context("ontime-local"))
            return self.app.handler_map[handler](event, lambda_context(f"ontime-local-{handler}"))
        except InvocationKilled as killed:
            self._stats.invocations_killed.add(handler)
            raise InvocationCrashed(str(killed)) from None
        finally:
            self._stats.invocation_ms.add(handler, math.ceil((time.perf_counter() - started) * 1000))
            if clock is not None:
                clock.reset(skew)
            running_handler.reset(running)
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def drain(self, timeout_s: float) -> bool:
        """Wait for running invocations to finish; False if some are still running."""
        with self._idle:
            return self._idle.wait_for(lambda: self._running == 0, timeout_s)

    async def invoke_async(self, handler: str, event: dict[str, Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, self.invoke, handler, event)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
