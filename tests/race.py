"""Racing callers: the same call on many threads released together, as concurrent requests arrive."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(times: int, call: Callable[[int], Any]) -> list[Any]:
    """`call(n)` for n in 0 … times−1 on `times` threads released together; each answer, or the
    exception it raised (reported by the test rather than lost in a thread)."""
    start = threading.Barrier(times)
    answers: list[Any] = [None] * times

    def one(n: int) -> None:
        start.wait()
        try:
            answers[n] = call(n)
        except Exception as exc:  # noqa: BLE001 - see above
            answers[n] = exc

    threads = [threading.Thread(target=one, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers
